import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIO_EXTENSIONS, loadAudio } from '../src/index.js';
import { peak, rms } from '@a2f/test-utils';
import { DIALOGUE } from './helpers.js';

// Frame counts as sox reports them for the files make-dialogue.sh wrote (for the MP3: the
// 44.1 kHz WAV fed to lame, which the LAME tag lets the decoder restore exactly).
const LINES = [
  { file: 'line01_hello.wav', format: 'wav', rate: 22050, channels: 1, frames: 70543, trimmed: 0 },
  { file: 'line02_papa.wav', format: 'wav', rate: 48000, channels: 2, frames: 119608, trimmed: 0 },
  { file: 'line03_who_knew.flac', format: 'flac', rate: 44100, channels: 1, frames: 103390, trimmed: 0 },
  { file: 'line04_mp3.mp3', format: 'mp3', rate: 44100, channels: 1, frames: 127494, trimmed: 1105 },
  { file: 'line05_ogg.ogg', format: 'ogg', rate: 48000, channels: 2, frames: 107831, trimmed: 0 },
] as const;

const PAD_CHECKED = 0.25; // seconds; make-dialogue.sh pads 0.3 s, the rest is margin for codec pre-echo

describe('committed dialogue samples', () => {
  for (const line of LINES) {
    it(`${line.file} decodes to 16 kHz mono with silent padding and speech in the middle`, async () => {
      const path = join(DIALOGUE, line.file);
      const { samples, sampleRate, info } = await loadAudio(path);
      expect(sampleRate).toBe(16000);
      expect(info).toMatchObject({
        file: path,
        format: line.format,
        sampleRate: line.rate,
        channels: line.channels,
        frames: line.frames,
        trimmedSamples: line.trimmed,
      });
      expect(info.durationSeconds).toBeCloseTo(line.frames / line.rate, 9);
      expect(info.durationSeconds).toBeGreaterThan(1.5);
      expect(info.durationSeconds).toBeLessThan(4);
      expect(info.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));

      expect(samples).toBeInstanceOf(Float32Array);
      expect(Math.abs(samples.length - (line.frames * 16000) / line.rate)).toBeLessThanOrEqual(1);

      const edge = PAD_CHECKED * 16000;
      expect(peak(samples, 0, edge)).toBeLessThan(1e-3);
      expect(peak(samples, samples.length - edge)).toBeLessThan(1e-3);
      const mid = samples.length >> 1;
      expect(rms(samples, mid - 4000, mid + 4000)).toBeGreaterThan(0.03);
      expect(peak(samples)).toBeLessThanOrEqual(1);
    });
  }

  it('resamples to another rate on request', async () => {
    const { samples, sampleRate, info } = await loadAudio(join(DIALOGUE, 'line02_papa.wav'), { sampleRate: 24000 });
    expect(sampleRate).toBe(24000);
    expect(samples.length).toBe(Math.round((info.frames * 24000) / 48000));
  });

  it('lists every line in lines.txt and stays under 1.2 MB', () => {
    const listed = readFileSync(join(DIALOGUE, 'lines.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    const audio = readdirSync(DIALOGUE).filter((f) => AUDIO_EXTENSIONS.some((e) => f.endsWith(e)));
    expect(listed.map(([f]) => f).sort()).toEqual(audio.sort());
    for (const [, text] of listed) expect(text!.length).toBeGreaterThan(10);
    const total = readdirSync(DIALOGUE).reduce((s, f) => s + statSync(join(DIALOGUE, f)).size, 0);
    expect(total).toBeLessThan(1.2e6);
  });
});
