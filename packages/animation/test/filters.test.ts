import { describe, expect, it } from 'vitest';
import {
  blinkCurve,
  halfLifeAlpha,
  parseFps,
  quatFromAxisAngle,
  quatFromEulerXYZDegrees,
  quatFromMatrix3,
  quatRotate,
  seededRandom,
  smoothColumns,
} from '../src/index.js';

describe('smoothing', () => {
  it('uses α = 1 − 0.5^(dt/halfLife)', () => {
    expect(halfLifeAlpha(1 / 30, parseFps(30))).toBeCloseTo(0.5, 12);
    expect(halfLifeAlpha(0.0023, parseFps(60))).toBeCloseTo(1 - 0.5 ** (1 / 60 / 0.0023), 12);
    expect(halfLifeAlpha(0, parseFps(30))).toBe(1);
  });

  it('matches the closed form of two cascaded one-pole filters on a step', () => {
    const a = 0.3;
    const x = new Float32Array(20);
    x.fill(1, 1);
    smoothColumns(x, 1, a);
    // step response of two identical one-pole stages: 1 − (1−a)^n − n·a·(1−a)^n
    for (let n = 1; n < 20; n++) expect(x[n]).toBeCloseTo(1 - (1 - a) ** n - n * a * (1 - a) ** n, 5);
    const c = Float32Array.of(2, 2, 2, 2);
    smoothColumns(c, 2, 0.1);
    expect(Array.from(c)).toEqual([2, 2, 2, 2]);
  });
});

describe('blinks', () => {
  it('is reproducible by seed, bounded, and blinks about as often as asked', () => {
    const fps = parseFps(30);
    const a = blinkCurve({ frameCount: 30 * 60, fps, seed: 7, intervalSeconds: 3 });
    expect(blinkCurve({ frameCount: 30 * 60, fps, seed: 7, intervalSeconds: 3 })).toEqual(a);
    expect(blinkCurve({ frameCount: 30 * 60, fps, seed: 8, intervalSeconds: 3 })).not.toEqual(a);
    expect(Math.max(...a)).toBeLessThanOrEqual(1);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    let onsets = 0;
    for (let f = 1; f < a.length; f++) if (a[f - 1] === 0 && a[f] > 0) onsets++;
    expect(onsets).toBeGreaterThan(12);
    expect(onsets).toBeLessThan(30);
    expect(a.some((v) => v > 0.9)).toBe(true);
  });

  it('seededRandom is uniform-ish in [0,1)', () => {
    const r = seededRandom(1);
    const xs = Array.from({ length: 10000 }, r);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe('quaternions', () => {
  it('applies Euler XYZ as USD rotateXYZ does: X first, then Y, then Z', () => {
    const q = quatFromEulerXYZDegrees(90, 90, 0);
    // X by 90° takes +Y to +Z; Y by 90° then takes +Z to +X.
    const v = quatRotate(q, [0, 1, 0]);
    expect(v[0]).toBeCloseTo(1, 12);
    expect(v[1]).toBeCloseTo(0, 12);
    expect(v[2]).toBeCloseTo(0, 12);
    const w = quatRotate(quatFromEulerXYZDegrees(0, 90, 90), [1, 0, 0]);
    // Y by 90° takes +X to −Z; Z leaves −Z alone.
    expect(w[2]).toBeCloseTo(-1, 12);
  });

  it('rotate vectors as the right-hand rule says and round-trip matrices', () => {
    const q = quatFromAxisAngle([1, 0, 0], Math.PI / 2);
    const v = quatRotate(q, [0, 1, 0]);
    expect(v[0]).toBeCloseTo(0, 12);
    expect(v[1]).toBeCloseTo(0, 12);
    expect(v[2]).toBeCloseTo(1, 12);
    const e = quatFromEulerXYZDegrees(10, 20, 0);
    const cols = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ].map((b) => quatRotate(e, b as [number, number, number]));
    const m = [cols[0][0], cols[1][0], cols[2][0], cols[0][1], cols[1][1], cols[2][1], cols[0][2], cols[1][2], cols[2][2]];
    const back = quatFromMatrix3(m);
    for (let i = 0; i < 4; i++) expect(back[i]).toBeCloseTo(e[i], 12);
  });
});
