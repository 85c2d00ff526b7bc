// Playblasts for real, through the CLI: a layer made by `a2f run` from a sample line (0.3 s of silence at both
// ends), rendered by `a2f playblast` in headless Chromium (SwiftShader) and encoded by ffmpeg, then probed by
// ffprobe and decoded by ffmpeg.
// The video must be H.264/yuv420p at the layer's rate with an AAC track, as long as the audio within a
// frame; the frames must change while the line is loud and stand still in its silent head and tail.
// Fails, saying what to install, where Chromium, ffmpeg or ffprobe is missing (.ci/run installs them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHARACTER, DIALOGUE, runCli, tempDir } from './helpers.js';

const LINE = path.join(DIALOGUE, 'line02_papa.wav');
const WIDTH = 320;
const HEIGHT = 240;

function tool(name: string): void {
  try {
    execFileSync(name, ['-version'], { stdio: 'ignore' });
  } catch {
    throw new Error(`${name} is not installed; the playblast tests run it for real (sudo apt-get install ffmpeg chromium)`);
  }
}

interface Stream {
  codec_type: string;
  codec_name: string;
  pix_fmt?: string;
  width?: number;
  height?: number;
  r_frame_rate?: string;
  avg_frame_rate?: string;
  duration?: string;
}
const probe = (file: string) =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', file], { encoding: 'utf8' })) as {
    streams: Stream[];
    format: { duration: string };
  };

/** The audio as mono float samples, decoded by ffmpeg (not by a2f's own decoder). */
function decodeAudio(file: string, rate: number): Float32Array {
  const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', String(rate), '-f', 'f32le', '-'], {
    maxBuffer: 256 * 1024 * 1024,
  });
  return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
}

/** The PNG frames in order as 8-bit gray images, decoded by ffmpeg. */
function grayFrames(dir: string, count: number): Uint8Array[] {
  const raw = execFileSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-framerate',
      '30',
      '-start_number',
      '0',
      '-i',
      path.join(dir, 'frame_%05d.png'),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'gray',
      '-',
    ],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  const n = WIDTH * HEIGHT;
  expect(raw.length).toBe(n * count);
  return Array.from({ length: count }, (_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * n, n));
}

/** `a2f playblast … --json`'s summary of a playblast that worked. */
interface Summary {
  ok: boolean;
  file?: string;
  framesDir?: string;
  frames: number;
  fps: number;
  durationSeconds: number;
}
async function cliPlayblast(args: string[]): Promise<Summary> {
  const r = await runCli(['playblast', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('a2f playblast (Chromium + ffmpeg)', () => {
  const dir = tempDir('playblast');
  const layer = path.join(dir, 'line02_papa.usda');
  const video = path.join(dir, 'renders', 'line02_papa.mp4');
  const framesDir = path.join(dir, 'frames');
  let fps: number;
  let layerFrames: number;
  let result: Summary;
  let framesResult: Summary;
  let audioSeconds: number;

  beforeAll(async () => {
    for (const name of ['ffmpeg', 'ffprobe']) tool(name);
    // No procedural blinks: the eyes would move in the silences, and this test is about the mouth following the sound.
    const run = await runCli(['run', LINE, '--character', CHARACTER, '--out', dir, '--no-blinks']);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(layer, 'utf8');
    fps = Number(/timeCodesPerSecond = ([\d.]+)/.exec(text)![1]);
    const start = Number(/startTimeCode = (-?\d+)/.exec(text)![1]);
    const end = Number(/endTimeCode = (-?\d+)/.exec(text)![1]);
    layerFrames = end - start + 1;
    audioSeconds = Number(probe(LINE).format.duration);
    result = await cliPlayblast([layer, '-o', video, '--size', `${WIDTH}x${HEIGHT}`]);
    // a longer playblast's frame left in the folder, and a file of the user's
    mkdirSync(framesDir);
    writeFileSync(path.join(framesDir, 'frame_00999.png'), 'stale');
    writeFileSync(path.join(framesDir, 'notes.txt'), 'mine');
    framesResult = await cliPlayblast([layer, '--frames', framesDir, '--size', `${WIDTH}x${HEIGHT}`]);
  });

  it('writes an H.264 yuv420p video at the layer frame rate with an AAC track, as long as the audio within a frame', () => {
    const p = probe(video);
    const v = p.streams.filter((s) => s.codec_type === 'video');
    const a = p.streams.filter((s) => s.codec_type === 'audio');
    expect(v).toHaveLength(1);
    expect(v[0]).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: WIDTH, height: HEIGHT, r_frame_rate: `${fps}/1` });
    expect(v[0]!.avg_frame_rate).toBe(`${fps}/1`);
    expect(a).toHaveLength(1);
    expect(a[0]!.codec_name).toBe('aac');
    expect(Math.abs(Number(p.format.duration) - audioSeconds)).toBeLessThan(1 / fps);
    expect(Math.abs(Number(v[0]!.duration) - audioSeconds)).toBeLessThan(1 / fps);
    expect(result).toMatchObject({ ok: true, file: video, fps, frames: Math.ceil(audioSeconds * fps - 1e-6) });
    expect(Math.abs(result.durationSeconds - audioSeconds)).toBeLessThan(1e-3);
    // renamed into place whole: no temporary file beside it
    expect(readdirSync(path.dirname(video))).toEqual(['line02_papa.mp4']);
  });

  it("writes one PNG per frame of the layer with --frames, numbered from 0, replacing an earlier playblast's frames only", () => {
    expect(readFileSync(path.join(framesDir, 'notes.txt'), 'utf8')).toBe('mine');
    const files = readdirSync(framesDir)
      .filter((f) => f !== 'notes.txt')
      .sort();
    expect(files).toHaveLength(layerFrames);
    expect(files[0]).toBe('frame_00000.png');
    expect(files.at(-1)).toBe(`frame_${String(layerFrames - 1).padStart(5, '0')}.png`);
    expect(framesResult).toMatchObject({ framesDir, frames: layerFrames, fps });
    const first = probe(path.join(framesDir, files[0]!)).streams[0]!;
    expect(first).toMatchObject({ codec_name: 'png', width: WIDTH, height: HEIGHT });
  });

  it('changes the picture while the line is loud and hardly at all in its silent head and tail', () => {
    const rate = 48000;
    const samples = decodeAudio(LINE, rate);
    // RMS of the audio a frame shows: [i/fps, (i+1)/fps)
    const rms = Array.from({ length: layerFrames }, (_, i) => {
      const from = Math.floor((i * rate) / fps);
      const to = Math.min(samples.length, Math.floor(((i + 1) * rate) / fps));
      let sum = 0;
      for (let k = from; k < to; k++) sum += samples[k]! ** 2;
      return to > from ? Math.sqrt(sum / (to - from)) : 0;
    });
    const gray = grayFrames(framesDir, layerFrames);
    // change[i]: mean absolute gray difference between frame i and frame i − 1 (levels per pixel)
    const change = gray.map((g, i) => {
      if (i === 0) return 0;
      let sum = 0;
      const prev = gray[i - 1]!;
      for (let k = 0; k < g.length; k++) sum += Math.abs(g[k]! - prev[k]!);
      return sum / g.length;
    });
    const loudest = Math.max(...rms);
    const loud = change.filter((_, i) => i > 0 && rms[i]! >= loudest / 2);
    // Silent: no sound within 3 frames either side (−60 dBFS), since a face anticipates and relaxes around sound.
    const silent = change.filter((_, i) => i > 0 && rms.slice(Math.max(0, i - 3), i + 4).every((r) => r < 1e-3));
    expect(loud.length).toBeGreaterThanOrEqual(5);
    expect(silent.length).toBeGreaterThanOrEqual(5);
    // Measured here: loud ≈ 0.019 levels/pixel (a loud frame changes ~2 000 of the 76 800 pixels, by up to ~40 levels),
    // silent ≈ 0.002 (the face relaxing in the tail); the PNGs are lossless, so a face at rest differs by exactly 0.
    expect(mean(loud)).toBeGreaterThan(5 * mean(silent));
    expect(mean(silent)).toBeLessThan(0.01);
    // the head, before any sound: the face has not moved at all
    const head = rms.findIndex((r) => r >= 1e-3);
    expect(head).toBeGreaterThan(4);
    expect(change.slice(1, head - 3).every((c) => c === 0)).toBe(true);
  });

  it('writes a silent video as long as the animation when asked for no audio', async () => {
    const silent = path.join(dir, 'silent.mp4');
    const r = await cliPlayblast([layer, '-o', silent, '--size', `${WIDTH}x${HEIGHT}`, '--no-audio']);
    const p = probe(silent);
    expect(p.streams.map((s) => s.codec_type)).toEqual(['video']);
    expect(r).toMatchObject({ frames: layerFrames, durationSeconds: layerFrames / fps });
    expect(Math.abs(Number(p.format.duration) - layerFrames / fps)).toBeLessThan(1 / fps);
  });

  it('refuses a bogus --ffmpeg with FFMPEG_NOT_FOUND and exit 2, saying how to install it, writing nothing', async () => {
    const out = path.join(dir, 'never', 'x.mp4');
    const r = await runCli(['playblast', layer, '-o', out, '--ffmpeg', path.join(dir, 'no-such-ffmpeg'), '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/sudo apt-get install ffmpeg/);
    expect((JSON.parse(r.stdout) as { error: { code: string } }).error.code).toBe('FFMPEG_NOT_FOUND');
    expect(existsSync(path.dirname(out))).toBe(false);
  });

  it('refuses an odd --size with BAD_OPTION and the even size to use', async () => {
    const r = await runCli(['playblast', layer, '-o', path.join(dir, 'odd.mp4'), '--size', '321x240']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/odd side/);
    expect(r.stderr).toMatch(/--size 322x240/);
  });
});
