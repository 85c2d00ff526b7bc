import { describe, expect, it } from 'vitest';
import { frameCount } from '../src/index.js';
// Window cutting is internal; its edges are tested here sample by sample.
import { cutWindows } from '../src/windows.js';
import { AUDIO, FPS_CASES, exactFrameCount, exactTarget, firstDifference, ramp, rampAt } from '@a2f/test-utils';

const L = AUDIO.bufferLength;
const OFF = AUDIO.bufferOffset;

/** The window of frame k as the contract defines it, computed sample by sample. */
function expectedWindow(k: number, num: number, den: number, n: number, gain = 1): Float32Array {
  const start = exactTarget(k, num, den) - OFF;
  return Float32Array.from({ length: L }, (_, j) => rampAt(start + j, n, gain));
}

/** Audio lengths at and around frame boundaries: t_k − 1, t_k, t_k + 1 for a few k, plus tiny ones. */
function lengthsAround(num: number, den: number): number[] {
  const out = new Set([1, 2, OFF - 1, OFF, OFF + 1, L]);
  for (const k of [1, 2, 3, 29, 30, 31, 61, 100]) {
    const t = exactTarget(k, num, den);
    for (const n of [t - 1, t, t + 1]) if (n > 0) out.add(n);
  }
  return [...out];
}

describe('frame count and target samples', () => {
  for (const { num, den } of FPS_CASES) {
    it(`${num}/${den} fps: count = ceil(N·num/(16000·den)) and window k is centred on floor(k·16000·den/num)`, () => {
      const fps = { num, den };
      for (const n of lengthsAround(num, den)) {
        const count = frameCount(n, fps, AUDIO);
        expect(count, `N=${n}`).toBe(exactFrameCount(n, num, den));
        // The last frame's target lies inside the audio, the next one's does not.
        expect(exactTarget(count - 1, num, den)).toBeLessThan(n);
        expect(exactTarget(count, num, den)).toBeGreaterThanOrEqual(n);
        const samples = ramp(n);
        const out = new Float32Array(count * L);
        cutWindows(samples, AUDIO, fps, 0, count, out);
        for (let k = 0; k < count; k++) {
          // The ramp makes the centre sample name its own index: index + 1.
          expect(out[k * L + OFF], `N=${n} k=${k}`).toBe(exactTarget(k, num, den) + 1);
        }
      }
    });
  }

  it('places windows exactly far into a long line (29.97 fps, ~17.5 min of ramp)', () => {
    const n = 2 ** 24; // the largest ramp float32 holds exactly
    const samples = ramp(n);
    const fps = { num: 30000, den: 1001 };
    const count = frameCount(n, fps, AUDIO);
    expect(count).toBe(exactFrameCount(n, 30000, 1001));
    const first = count - 5;
    const out = new Float32Array(5 * L);
    cutWindows(samples, AUDIO, fps, first, 5, out);
    for (let i = 0; i < 5; i++)
      expect(firstDifference(out.subarray(i * L, (i + 1) * L), expectedWindow(first + i, 30000, 1001, n))).toBeUndefined();
  });
});

describe('window contents', () => {
  it('zero-pads before the start and after the end of the audio', () => {
    const n = 16000;
    const fps = { num: 30, den: 1 };
    const count = frameCount(n, fps, AUDIO);
    const out = new Float32Array(count * L);
    cutWindows(ramp(n), AUDIO, fps, 0, count, out);
    // Frame 0: 4160 zeros, then samples 0..4159.
    expect(out.subarray(0, OFF).every((v) => v === 0)).toBe(true);
    expect(out[OFF]).toBe(1);
    expect(out[L - 1]).toBe(OFF);
    // Last frame: t = floor(29·16000/30) = 15466; the window runs to 19626, past the 16000 samples.
    const last = (count - 1) * L;
    const t = exactTarget(count - 1, 30, 1);
    expect(out[last + OFF]).toBe(t + 1);
    const inside = n - (t - OFF);
    expect(out[last + inside - 1]).toBe(n);
    expect(out.subarray(last + inside, last + L).every((v) => v === 0)).toBe(true);
    for (let k = 0; k < count; k++) expect(firstDifference(out.subarray(k * L, (k + 1) * L), expectedWindow(k, 30, 1, n))).toBeUndefined();
  });

  it('pads a clip shorter than half a window on both sides', () => {
    const out = new Float32Array(L);
    cutWindows(ramp(100), AUDIO, { num: 30, den: 1 }, 0, 1, out);
    expect(firstDifference(out, expectedWindow(0, 30, 1, 100))).toBeUndefined();
    expect(out.filter((v) => v !== 0).length).toBe(100);
  });

  it('scales every sample by inputStrength as a float32 multiply', () => {
    const audio = { ...AUDIO, inputStrength: 1.3 };
    const n = 9000;
    const out = new Float32Array(3 * L);
    cutWindows(ramp(n), audio, { num: 60, den: 1 }, 0, 3, out);
    for (let k = 0; k < 3; k++) expect(firstDifference(out.subarray(k * L, (k + 1) * L), expectedWindow(k, 60, 1, n, 1.3))).toBeUndefined();
    expect(out[OFF]).toBe(Math.fround(1 * Math.fround(1.3)));
  });

  it('gives the same windows whatever the batch split', () => {
    const n = 40000;
    const fps = { num: 30000, den: 1001 };
    const count = frameCount(n, fps, AUDIO);
    const samples = ramp(n);
    const whole = new Float32Array(count * L);
    cutWindows(samples, AUDIO, fps, 0, count, whole);
    for (const batch of [1, 7, 32]) {
      const buffer = new Float32Array(batch * L).fill(-1); // stale contents must not leak into a window
      for (let first = 0; first < count; first += batch) {
        const m = Math.min(batch, count - first);
        cutWindows(samples, AUDIO, fps, first, m, buffer);
        expect(firstDifference(buffer.subarray(0, m * L), whole.subarray(first * L, (first + m) * L))).toBeUndefined();
      }
    }
  });

  it('refuses a buffer too small for the batch', () => {
    expect(() => cutWindows(ramp(10), AUDIO, { num: 30, den: 1 }, 0, 2, new Float32Array(L))).toThrow(/2×8320/);
  });
});
