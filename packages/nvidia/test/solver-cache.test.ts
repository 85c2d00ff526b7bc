// The blendshape solver keeps the QR of every free set BVLS visits (SubsetLeastSquares `cache`) and
// skips exact zeros in its products. Neither may change a single bit of the result.
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@a2f/animation';
import { Bvls } from '../src/solver/bvls.js';
import { SubsetLeastSquares } from '../src/solver/linalg.js';
import { randomSpd, uniform } from './solver-fixtures.js';

const bits = (x: Float64Array): string => Buffer.from(x.buffer, x.byteOffset, x.byteLength).toString('hex');

describe('cached factorizations', () => {
  it('least squares over 700 random column sets, twice (past the cache limit): the same bits as a fresh QR', () => {
    const rand = seededRandom(11);
    const n = 12;
    const a = randomSpd(rand, n);
    const cached = new SubsetLeastSquares(n, { cache: true });
    const fresh = new SubsetLeastSquares(n);
    const sets = Array.from({ length: 700 }, () => {
      const cols = Int32Array.from({ length: n }, (_, i) => i).filter(() => rand() < 0.5);
      return cols.length ? cols : Int32Array.of(0);
    });
    for (let pass = 0; pass < 2; pass++) {
      for (const cols of sets) {
        const rhs = Float64Array.from({ length: n }, () => uniform(rand, -2, 2));
        const x = new Float64Array(n);
        const y = new Float64Array(n);
        cached.solve(a, cols, cols.length, rhs, x);
        fresh.solve(a, cols, cols.length, rhs, y);
        expect(bits(x)).toBe(bits(y));
      }
    }
  });

  it("a different matrix does not reuse the previous one's factorizations", () => {
    const rand = seededRandom(5);
    const n = 6;
    const lsq = new SubsetLeastSquares(n, { cache: true });
    const cols = Int32Array.of(0, 2, 3);
    const rhs = Float64Array.from({ length: n }, () => uniform(rand, -1, 1));
    for (const a of [randomSpd(rand, n), randomSpd(rand, n)]) {
      const x = new Float64Array(n);
      const y = new Float64Array(n);
      lsq.solve(a, cols, 3, rhs, x);
      new SubsetLeastSquares(n).solve(a, cols, 3, rhs, y);
      expect(bits(x)).toBe(bits(y));
    }
  });

  it('BVLS with the cache gives the same bits as without, frame after frame', () => {
    const rand = seededRandom(3);
    const n = 16;
    const m = randomSpd(rand, n);
    const withCache = new Bvls(n, { cacheFactorizations: true });
    const without = new Bvls(n);
    const l = new Float64Array(n);
    const u = new Float64Array(n).fill(1);
    let atBounds = 0;
    for (let frame = 0; frame < 400; frame++) {
      // targets that push many weights onto their bounds, as real frames do
      const b = Float64Array.from({ length: n }, () => uniform(rand, -4, 6));
      const x = new Float64Array(n);
      const y = new Float64Array(n);
      withCache.solve(x, m, b, l, u, 1e-10);
      without.solve(y, m, b, l, u, 1e-10);
      expect(bits(x)).toBe(bits(y));
      atBounds += x.filter((v) => v === 0 || v === 1).length;
    }
    expect(atBounds).toBeGreaterThan(400);
  });
});
