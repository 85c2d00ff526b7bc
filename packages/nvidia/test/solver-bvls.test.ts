import { describe, expect, it } from 'vitest';
import { seededRandom } from '@a2f/animation';
import { Bvls } from '../src/solver/bvls.js';
import { getPairs } from '../src/solver/pairs.js';
import { gaussianSolve, randomSpd, uniform } from './solver-fixtures.js';

const cost = (a: Float64Array, b: ArrayLike<number>, x: ArrayLike<number>, n: number): number => {
  let c = 0;
  for (let i = 0; i < n; i++) {
    let r = -b[i];
    for (let j = 0; j < n; j++) r += a[i * n + j] * x[j];
    c += r * r;
  }
  return 0.5 * c;
};

/**
 * Exact box-constrained minimiser of ½‖Ax − b‖² by enumeration: every variable at its lower bound,
 * its upper bound or free (3ⁿ patterns); free variables from the normal equations of the reduced
 * problem; keep the best feasible candidate. Independent of the BVLS code.
 */
function bruteForce(a: Float64Array, b: ArrayLike<number>, n: number, l: number[], u: number[]): number[] {
  let best: number[] = [];
  let bestCost = Infinity;
  for (let code = 0; code < 3 ** n; code++) {
    const state = Array.from({ length: n }, (_, i) => Math.floor(code / 3 ** i) % 3);
    const x = state.map((s, i) => (s === 0 ? l[i] : s === 1 ? u[i] : 0));
    const free = state.flatMap((s, i) => (s === 2 ? [i] : []));
    if (free.length) {
      const k = free.length;
      const rhs = Array.from({ length: n }, (_, i) => b[i] - x.reduce((sum, xj, j) => sum + a[i * n + j] * xj, 0));
      const ata = new Float64Array(k * k);
      const atb = new Float64Array(k);
      free.forEach((fi, p) => {
        free.forEach((fj, q) => {
          for (let r = 0; r < n; r++) ata[p * k + q] += a[r * n + fi] * a[r * n + fj];
        });
        for (let r = 0; r < n; r++) atb[p] += a[r * n + fi] * rhs[r];
      });
      const sol = gaussianSolve(ata, atb, k);
      free.forEach((fi, p) => {
        x[fi] = sol[p];
      });
      if (free.some((fi) => x[fi] < l[fi] - 1e-12 || x[fi] > u[fi] + 1e-12)) continue;
    }
    const c = cost(a, b, x, n);
    if (c < bestCost) {
      bestCost = c;
      best = x;
    }
  }
  return best;
}

describe('BVLS (port of the SDK bvls.cpp)', () => {
  it('returns the unconstrained solution M⁻¹b when it lies inside the box', () => {
    const rand = seededRandom(41);
    const n = 8;
    const m = randomSpd(rand, n);
    const target = Array.from({ length: n }, () => uniform(rand, 0.1, 0.9));
    const b = Float64Array.from({ length: n }, (_, i) => target.reduce((s, t, j) => s + m[i * n + j] * t, 0));
    const x = new Float64Array(n);
    new Bvls(n).solve(x, m, b, new Float64Array(n), new Float64Array(n).fill(1), 1e-10);
    const exact = gaussianSolve(m, b, n);
    for (let i = 0; i < n; i++) {
      expect(x[i]).toBeCloseTo(exact[i], 10);
      expect(x[i]).toBeCloseTo(target[i], 10);
    }
  });

  it('finds the exact box-constrained minimum of ½‖Mx − b‖² (vs enumeration of all active sets)', () => {
    const rand = seededRandom(42);
    let bounded = 0;
    for (let trial = 0; trial < 120; trial++) {
      const n = 2 + (trial % 5);
      const m = randomSpd(rand, n);
      const b = Float64Array.from({ length: n }, () => uniform(rand, -3, 5));
      const l = Array(n).fill(0);
      const u = Array.from({ length: n }, (_, i) => (i === 0 && trial % 3 === 0 ? 1e-10 : 1));
      const x = new Float64Array(n);
      new Bvls(n).solve(x, m, b, Float64Array.from(l), Float64Array.from(u), 1e-10);
      const exact = bruteForce(m, b, n, l, u);
      for (let i = 0; i < n; i++) {
        expect(x[i]).toBeGreaterThanOrEqual(l[i]);
        expect(x[i]).toBeLessThanOrEqual(u[i]);
        expect(x[i]).toBeCloseTo(exact[i], 7);
        if (x[i] === l[i] || x[i] === u[i]) bounded++;
      }
    }
    expect(bounded).toBeGreaterThan(100);
  });
});

describe('pose pairs (SDK getPairs, docs/nvidia/solver.md#bvls-and-pairs)', () => {
  it('groups active poses by id in active space and keeps groups of exactly two', () => {
    //        pose: 0   1  2  3   4  5  6
    const ids = [3, -1, 3, 7, 7, 7, 9];
    expect(getPairs(ids, [1, 1, 1, 1, 1, 0, 1])).toEqual([
      [0, 2],
      [3, 4],
    ]);
    // three active poses with id 7: no pair; an inactive pose shifts active indices
    expect(getPairs(ids, [1, 0, 1, 1, 1, 1, 0])).toEqual([[0, 1]]);
  });

  it('pairs two active poses that both carry −1 (the SDK does not skip −1)', () => {
    expect(getPairs([-1, 4, -1, 4], [1, 1, 1, 1])).toEqual([
      [0, 2],
      [1, 3],
    ]);
    expect(getPairs([-1, -1, -1], [1, 1, 1])).toEqual([]);
    expect(getPairs([-1, -1, -1], [1, 0, 1])).toEqual([[0, 1]]);
  });
});
