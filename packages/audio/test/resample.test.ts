import { describe, expect, it } from 'vitest';
import { mixdown, resample } from '../src/index.js';
import { db, maxAbsDiff, rms, sine } from '@a2f/test-utils';

/** RMS over the middle, away from the edges where the filter sees the implicit zeros. */
const steady = (x: Float32Array): number => rms(x, Math.floor(x.length * 0.1), Math.floor(x.length * 0.9));

describe('resample (libsamplerate SINC_BEST_QUALITY)', () => {
  it('keeps a 1 kHz tone at 48k → 16k within ±0.1 dB, in phase', async () => {
    const x = sine(48000, 48000, 1000, 0.5);
    const y = await resample(x, 48000, 16000);
    expect(y.length).toBe(16000);
    expect(Math.abs(db(steady(y) / steady(x)))).toBeLessThan(0.1);
    // No time shift: the output is the tone sampled at 16 kHz.
    const ideal = sine(16000, 16000, 1000, 0.5);
    expect(maxAbsDiff(y.subarray(1600, 14400), ideal.subarray(1600, 14400))).toBeLessThan(1e-4);
  });

  it('removes a 12 kHz tone (which would alias to 4 kHz) below -80 dB', async () => {
    const x = sine(48000, 48000, 12000, 0.5);
    const y = await resample(x, 48000, 16000);
    expect(db(steady(y) / steady(x))).toBeLessThan(-80);
  });

  it('keeps a 7 kHz tone near the passband edge within 0.5 dB', async () => {
    const x = sine(48000, 48000, 7000, 0.25);
    const y = await resample(x, 48000, 16000);
    expect(Math.abs(db(steady(y) / steady(x)))).toBeLessThan(0.5);
  });

  it('upsamples 8k → 16k with images rejected below -80 dB', async () => {
    const x = sine(8000, 8000, 1000, 0.5);
    const y = await resample(x, 8000, 16000);
    const ideal = sine(16000, 16000, 1000, 0.5);
    const residual = Float32Array.from(y, (v, i) => v - ideal[i]!).subarray(1600, 14400);
    expect(db(rms(residual) / steady(ideal))).toBeLessThan(-80);
  });

  it('returns exactly round(n·to/from) samples for awkward lengths and rates', async () => {
    for (const [n, from] of [
      [1, 48000],
      [2, 44100],
      [44101, 44100],
      [48001, 48000],
      [22049, 22050],
      [7999, 8000],
      [96007, 96000],
      [12345, 11025],
    ] as const) {
      const y = await resample(new Float32Array(n).fill(0.1), from, 16000);
      expect(y.length).toBe(Math.round((n * 16000) / from));
    }
  });

  it('handles inputs over 4 MB (chunked inside the library) without a seam or lost tail', async () => {
    const x = sine(48000 * 25, 48000, 1000, 0.5);
    const y = await resample(x, 48000, 16000);
    expect(y.length).toBe(16000 * 25);
    const ideal = sine(y.length, 16000, 1000, 0.5);
    expect(maxAbsDiff(y.subarray(800, y.length - 800), ideal.subarray(800, y.length - 800))).toBeLessThan(1e-4);
  });

  it('accepts 384 kHz input, above the wasm wrapper limit, by keeping the ratio', async () => {
    const x = sine(384000 / 4, 384000, 1000, 0.5);
    const y = await resample(x, 384000, 16000);
    expect(y.length).toBe(4000);
    expect(maxAbsDiff(y.subarray(400, 3600), sine(4000, 16000, 1000, 0.5).subarray(400, 3600))).toBeLessThan(1e-4);
  });

  it('copies rather than aliases when the rates match, and never mutates its input', async () => {
    const x = sine(1000, 16000, 440, 0.5);
    const before = x.slice();
    const same = await resample(x, 16000, 16000);
    expect(same).not.toBe(x);
    expect(same).toEqual(x);
    await resample(x, 16000, 8000);
    expect(x).toEqual(before);
  });

  it('rejects nonsense rates', async () => {
    await expect(resample(new Float32Array(10), 0, 16000)).rejects.toThrow(RangeError);
    await expect(resample(new Float32Array(10), 16000, Number.NaN)).rejects.toThrow(RangeError);
    await expect(resample(new Float32Array(10), 16000, 16000 * 300)).rejects.toThrow(/ratio/);
  });
});

describe('mixdown', () => {
  it('averages channels into a new array', () => {
    const a = Float32Array.from([1, 0.5, -1]);
    const b = Float32Array.from([0, 0.5, 1]);
    expect(Array.from(mixdown([a, b]))).toEqual([0.5, 0.5, 0]);
    const mono = mixdown([a]);
    expect(mono).toEqual(a);
    expect(mono).not.toBe(a);
    expect(mixdown([])).toHaveLength(0);
  });

  it('refuses channels of different lengths', () => {
    expect(() => mixdown([new Float32Array(3), new Float32Array(4)])).toThrow(RangeError);
  });
});
