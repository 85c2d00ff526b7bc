import { describe, expect, it } from 'vitest';
import { resample, StreamResampler } from '../src/index.js';

/** A seeded mix of a tone and noise: every sample differs, so a shifted or dropped sample shows. */
function signal(n: number, seed = 7): Float32Array {
  let s = seed;
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 16807) % 2147483647;
    x[i] = 0.5 * Math.sin(i * 0.013) + 0.3 * (s / 2147483647 - 0.5);
  }
  return x;
}

/** Pushes `x` in pieces of the given sizes (cycled) and joins what comes back. */
async function streamed(x: Float32Array, from: number, to: number, sizes: readonly number[]): Promise<Float32Array> {
  const r = await StreamResampler.create(from, to);
  const parts: Float32Array[] = [];
  for (let at = 0, i = 0; at < x.length; i++) {
    const n = Math.min(sizes[i % sizes.length], x.length - at);
    parts.push(r.push(x.subarray(at, at + n)));
    at += n;
  }
  parts.push(r.finish());
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  expect(r.outputSamples).toBe(out.length);
  return out;
}

describe('StreamResampler', () => {
  it.each([
    [44100, [1]],
    [44100, [44, 441, 7, 14700]],
    [48000, [48, 16000]],
    [48000, [1_000_000]],
    [16000, [3, 5000]],
    [22050, [1, 2, 3, 1000]],
  ] as const)('any chunking equals resample: %i Hz in pieces of %j', async (from, sizes) => {
    const x = signal(Math.round(from * 1.37));
    const whole = await resample(x, from, 16000);
    const pieces = await streamed(x, from, 16000, sizes);
    expect(pieces.length).toBe(whole.length);
    expect(Buffer.from(pieces.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('equals resample on a signal long enough that the library slices it itself (22 s at 48 kHz)', async () => {
    const x = signal(48000 * 22, 3);
    const whole = await resample(x, 48000, 16000);
    const pieces = await streamed(x, 48000, 16000, [4801, 333, 96000]);
    expect(Buffer.from(pieces.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('returns samples while the input arrives, holding back only the filter (under 20 ms of output)', async () => {
    const r = await StreamResampler.create(48000, 16000);
    const out = r.push(signal(48000));
    expect(out.length).toBeGreaterThan(16000 - 320);
    expect(r.finish().length).toBe(16000 - out.length);
  });

  it('an empty stream gives nothing; close() is idempotent and push after it is refused', async () => {
    const r = await StreamResampler.create(44100, 16000);
    expect(r.finish().length).toBe(0);
    r.close();
    r.close();
    expect(() => r.push(new Float32Array(4))).toThrow(/after finish/);
  });
});
