import { describe, expect, it } from 'vitest';
import { frameCountFor, frameSeconds, frameTargetSample, fpsLabel, parseFps, rational } from '../src/index.js';

describe('frame rates', () => {
  it('parses integers, NTSC decimals and ratios exactly', () => {
    expect(parseFps('30')).toEqual({ num: 30, den: 1 });
    expect(parseFps(24)).toEqual({ num: 24, den: 1 });
    expect(parseFps('29.97')).toEqual({ num: 30000, den: 1001 });
    expect(parseFps('59.94')).toEqual({ num: 60000, den: 1001 });
    expect(parseFps('30000/1001')).toEqual({ num: 30000, den: 1001 });
    expect(parseFps('12.5')).toEqual({ num: 25, den: 2 });
    expect(parseFps('60/2')).toEqual({ num: 30, den: 1 });
    expect(fpsLabel(parseFps('29.97'))).toBe('30000/1001');
  });

  it('rejects nonsense with the accepted forms in the message', () => {
    expect(() => parseFps('fast')).toThrow(/30000\/1001/);
    expect(() => parseFps('0')).toThrow(/invalid frame rate/);
    expect(() => parseFps('-24')).toThrow();
    expect(() => rational(1.5, 1)).toThrow();
  });

  it('follows the A2F rule t_k = floor(k·16000·den/num)', () => {
    const ntsc = parseFps('29.97');
    for (let k = 0; k < 5000; k += 37) {
      const exact = (BigInt(k) * 16000n * 1001n) / 30000n;
      expect(frameTargetSample(k, ntsc)).toBe(Number(exact));
    }
    expect(frameTargetSample(1, parseFps(30))).toBe(533);
    expect(frameTargetSample(3, parseFps(30))).toBe(1600);
    expect(frameSeconds(30, parseFps(30))).toBe(1);
  });

  it('counts frames while the target sample lies inside the audio', () => {
    const fps = parseFps(30);
    expect(frameCountFor(16000, fps)).toBe(30);
    expect(frameCountFor(16001, fps)).toBe(31);
    expect(frameCountFor(0, fps)).toBe(0);
    for (const n of [1, 533, 534, 1599, 1600, 1601, 123457]) {
      const count = frameCountFor(n, fps);
      expect(frameTargetSample(count - 1, fps)).toBeLessThan(n);
      expect(frameTargetSample(count, fps)).toBeGreaterThanOrEqual(n);
    }
  });
});
