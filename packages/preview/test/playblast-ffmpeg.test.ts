// The ffmpeg side of a playblast, with the real ffmpeg and ffprobe (no browser): finding it, the
// rational frame rate, the arguments, an encode of PNG frames and a WAV probed back, and ffmpeg's own
// words when it fails. These fail, and say so, on a machine without ffmpeg (.ci/run installs it).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pcm16Wav, rejection, removeTempDirs, sine, tempDir, thrown } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeArgs, findFfmpeg, frameRateRational, startFfmpeg } from '../src/ffmpeg.js';

afterAll(removeTempDirs);

const requireTool = (name: string): string => {
  try {
    execFileSync(name, ['-version'], { stdio: 'ignore' });
    return name;
  } catch {
    throw new Error(`${name} is not installed: these tests run the real ${name} (sudo apt-get install ffmpeg; .ci/run installs it)`);
  }
};

interface Probe {
  streams: { codec_type: string; codec_name: string; pix_fmt?: string; r_frame_rate?: string; width?: number; nb_frames?: string }[];
  format: { duration: string };
}
const ffprobe = (file: string): Probe =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' })) as Probe;

describe('frameRateRational', () => {
  it('keeps whole rates whole and writes NTSC rates as n·1000/1001, however the layer spells them', () => {
    expect(frameRateRational(30).text).toBe('30/1');
    expect(frameRateRational(24).text).toBe('24/1');
    expect(frameRateRational(29.97).text).toBe('30000/1001');
    expect(frameRateRational(30000 / 1001).text).toBe('30000/1001');
    expect(frameRateRational(23.976).text).toBe('24000/1001');
    expect(frameRateRational(59.94).text).toBe('60000/1001');
  });

  it('gives other fractional rates as the nearest small fraction', () => {
    expect(frameRateRational(12.5)).toMatchObject({ num: 25, den: 2 });
    const r = frameRateRational(Math.PI * 10);
    expect(r.den).toBeLessThanOrEqual(1000);
    expect(Math.abs(r.num / r.den - Math.PI * 10)).toBeLessThan(1e-4);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => frameRateRational(0)).toThrow(/not a positive number/);
    expect(() => frameRateRational(Number.NaN)).toThrow(/not a positive number/);
  });
});

describe('encodeArgs', () => {
  it('reads PNGs from stdin at the rational rate and writes H.264 yuv420p + AAC, cut at the audio, index first', () => {
    const args = encodeArgs({ frameRate: '30000/1001', audio: '/t/a.wav', seconds: 2.5, out: '/t/.v.mp4.tmp' });
    const after = (flag: string, from = 0) => args[args.indexOf(flag, from) + 1];
    expect(args.slice(args.indexOf('-f'), args.indexOf('-f') + 8)).toEqual([
      '-f',
      'image2pipe',
      '-framerate',
      '30000/1001',
      '-c:v',
      'png',
      '-i',
      '-',
    ]);
    expect(args[args.lastIndexOf('-i') + 1]).toBe('/t/a.wav');
    expect(after('-pix_fmt')).toBe('yuv420p');
    expect(after('-c:v', args.indexOf('-map'))).toBe('libx264');
    expect(after('-preset')).toBe('veryfast');
    expect(after('-crf')).toBe('18');
    expect(after('-c:a')).toBe('aac');
    expect(after('-t')).toBe('2.500000');
    expect(after('-movflags')).toBe('+faststart');
    expect(args.slice(-3)).toEqual(['-f', 'mp4', '/t/.v.mp4.tmp']);
  });

  it('maps no audio stream when there is no audio', () => {
    const args = encodeArgs({ frameRate: '30/1', seconds: 1, out: 'o' });
    expect(args.filter((a) => a === '-i')).toHaveLength(1);
    expect(args).not.toContain('aac');
    expect(args).not.toContain('1:a:0');
  });
});

describe('findFfmpeg', () => {
  it('finds the installed ffmpeg on PATH', () => {
    requireTool('ffmpeg');
    expect(path.basename(findFfmpeg())).toBe('ffmpeg');
  });

  it('refuses a path that is not an executable, with how to install it', () => {
    const err = thrown(() => findFfmpeg('/nonexistent/bin/ffmpeg'));
    expect(err.code).toBe('FFMPEG_NOT_FOUND');
    expect(err.file).toBe('/nonexistent/bin/ffmpeg');
    expect(err.fix).toMatch(/sudo apt-get install ffmpeg/);
    expect(err.fix).toMatch(/--ffmpeg <path>/);
    // a folder is not a program, though it has the x bit
    expect(thrown(() => findFfmpeg(tempDir('ffmpeg-dir'))).code).toBe('FFMPEG_NOT_FOUND');
  });

  it('says so when no ffmpeg is on PATH', () => {
    const saved = { path: process.env.PATH, env: process.env.A2F_FFMPEG };
    process.env.PATH = tempDir('empty-path');
    delete process.env.A2F_FFMPEG;
    try {
      const err = thrown(() => findFfmpeg());
      expect(err.code).toBe('FFMPEG_NOT_FOUND');
      expect(err.problem).toMatch(/no ffmpeg was found on PATH/);
    } finally {
      process.env.PATH = saved.path;
      if (saved.env !== undefined) process.env.A2F_FFMPEG = saved.env;
    }
  });
});

describe('startFfmpeg with the real ffmpeg', () => {
  const dir = tempDir('ffmpeg-encode');
  const frames: Uint8Array[] = [];
  const wav = path.join(dir, 'line.wav');
  const rate = 48000;
  const audioSeconds = 1.3;

  beforeAll(() => {
    requireTool('ffmpeg');
    requireTool('ffprobe');
    // 40 distinct 64×48 PNG frames from ffmpeg's own test pattern
    const png = path.join(dir, 'png');
    mkdirSync(png);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=64x48:rate=30',
      '-frames:v',
      '40',
      path.join(png, 'f_%03d.png'),
    ]);
    for (const f of readdirSync(png).sort()) frames.push(readFileSync(path.join(png, f)));
    writeFileSync(wav, pcm16Wav([sine(Math.round(rate * audioSeconds), rate, 440, 0.5)], rate));
  });

  it('encodes piped PNGs and a WAV into an H.264 yuv420p / AAC MP4 at the NTSC rate, as long as the audio', async () => {
    const out = path.join(dir, 'ntsc.mp4');
    const run = startFfmpeg(
      findFfmpeg(),
      encodeArgs({ frameRate: frameRateRational(29.97).text, audio: wav, seconds: audioSeconds, out }),
      out,
    );
    for (const f of frames) await run.write(f);
    await run.finish();
    const probe = ffprobe(out);
    const video = probe.streams.find((s) => s.codec_type === 'video')!;
    const audio = probe.streams.find((s) => s.codec_type === 'audio')!;
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', r_frame_rate: '30000/1001', width: 64 });
    expect(audio.codec_name).toBe('aac');
    // 40 frames (1.33 s) cut at the audio's 1.3 s: the file is the audio's length within a frame
    expect(Math.abs(Number(probe.format.duration) - audioSeconds)).toBeLessThan(1001 / 30000);
  });

  it('writes a video with no audio stream when given no audio', async () => {
    const out = path.join(dir, 'silent.mp4');
    const run = startFfmpeg(findFfmpeg(), encodeArgs({ frameRate: '30/1', seconds: 1, out }), out);
    for (const f of frames.slice(0, 30)) await run.write(f);
    await run.finish();
    const probe = ffprobe(out);
    expect(probe.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(Number(probe.streams[0]!.nb_frames)).toBe(30);
  });

  it("fails with FFMPEG_FAILED quoting ffmpeg's last words when it cannot read an input", async () => {
    const out = path.join(dir, 'never.mp4');
    const missing = path.join(dir, 'missing.wav');
    const run = startFfmpeg(findFfmpeg(), encodeArgs({ frameRate: '30/1', audio: missing, seconds: 1, out }), out);
    // ffmpeg exits on the missing input: writes fail with its words, never a bare EPIPE
    const err = await rejection(
      (async () => {
        for (const f of frames) await run.write(f);
        await run.finish();
      })(),
    );
    expect(err.code).toBe('FFMPEG_FAILED');
    expect(err.file).toBe(out);
    expect(err.problem).toMatch(/exited with code [1-9]/);
    expect(err.problem).toContain('missing.wav');
    expect(err.problem).toMatch(/No such file or directory/);
  });

  it('fails with FFMPEG_NOT_FOUND when the program vanished between finding and starting it', async () => {
    const run = startFfmpeg(path.join(dir, 'no-such-ffmpeg'), ['-version'], 'x.mp4');
    const err = await rejection(run.finish());
    expect(err.code).toBe('FFMPEG_NOT_FOUND');
  });
});
