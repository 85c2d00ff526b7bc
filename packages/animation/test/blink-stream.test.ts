import { describe, expect, it } from 'vitest';
import { blinkCurve, blinkCurveStream, rational } from '../src/index.js';

describe('blinkCurveStream', () => {
  it.each([
    [30, 1, [1]],
    [30, 7, [1, 2, 3, 50, 1000]],
    [24, 3, [333]],
    [30000 / 1001, 11, [17, 1, 90]],
  ] as const)('at %d fps, seed %i, pieces %j: equals blinkCurve of the same length, bit for bit', (fps, seed, sizes) => {
    const rate = Number.isInteger(fps) ? rational(fps, 1) : rational(30000, 1001);
    const total = 3000;
    const whole = blinkCurve({ frameCount: total, fps: rate, seed, intervalSeconds: 2 });
    const next = blinkCurveStream({ fps: rate, seed, intervalSeconds: 2 });
    const got = new Float32Array(total);
    for (let at = 0, i = 0; at < total; i++) {
      const n = Math.min(sizes[i % sizes.length], total - at);
      got.set(next(n), at);
      at += n;
    }
    expect(Math.max(...whole)).toBeGreaterThan(0.99);
    expect(Buffer.from(got.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });
});
