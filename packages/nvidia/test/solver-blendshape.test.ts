import { describe, expect, it } from 'vitest';
import { seededRandom } from '@a2f/animation';
import type { SolverConfig } from '../src/params.js';
import { BlendshapeSolver } from '../src/solver/blendshape-solver.js';
import { gaussianSolve, poseTarget, randomBlendshapeRig, referenceSystem, solverConfig, uniform, type FlatRig } from './solver-fixtures.js';

const POSES = 8;
const rigOf = (seed: number, mask?: number): FlatRig => randomBlendshapeRig(seededRandom(seed), 150, POSES, { mask });

/** Runs one frame, returning the weights in pose order. */
function solveOnce(solver: BlendshapeSolver, target: Float32Array): number[] {
  const out = new Float32Array(solver.poseCount);
  solver.solve(target, out);
  return Array.from(out);
}

/** Independent regularised solution x = M⁻¹·b with b = Dᵀ(target − neutral) + T·s·prev, in active space. */
function referenceSolve(rig: FlatRig, cfg: SolverConfig, target: Float32Array, prev?: Float64Array): Float64Array {
  const ref = referenceSystem(rig, cfg);
  const b = ref.dtr(target);
  if (prev) for (let i = 0; i < ref.n; i++) b[i] += cfg.strengthTemporalSmoothing * ref.s * prev[i];
  return gaussianSolve(ref.m, b, ref.n);
}

describe('blendshape solver preparation (docs/nvidia/solver.md#algorithm, steps 1–3)', () => {
  it('builds s and M = DᵀD + L1²·0.25s·𝟙𝟙ᵀ + (L2·10s + T·100s)·I + Sym·10s·SᵀS over active poses and masked vertices', () => {
    for (const mask of [undefined, 60]) {
      const rig = rigOf(51, mask);
      const cfg = solverConfig(POSES, {
        strengthL1regularization: 0.7,
        strengthL2regularization: 0.4,
        strengthTemporalSmoothing: 0.3,
        strengthSymmetry: 50,
        templateBBSize: 23,
        bsSolveActivePoses: [1, 1, 0, 1, 1, 1, 1, 0],
        bsSolveSymmetryPoses: [0, 0, -1, 5, -1, 5, -1, -1],
      });
      const solver = new BlendshapeSolver(rig, cfg);
      const ref = referenceSystem(rig, cfg);
      expect(Array.from(solver.active)).toEqual(ref.active);
      expect(Array.from(solver.rows)).toEqual(ref.rows);
      expect(solver.scale).toBeCloseTo(ref.s, 12);
      // ids 0 and 5 pair up; so do the only two active poses carrying −1 (4 and 6): the SDK quirk
      expect(solver.symmetryPairs).toEqual([
        [0, 1],
        [2, 4],
        [3, 5],
      ]);
      for (let i = 0; i < ref.n * ref.n; i++) expect(solver.matrix[i]).toBeCloseTo(ref.m[i], 8);
    }
  });

  it('refuses a singular system with a clear error, and mismatched configs', () => {
    const rig = rigOf(52);
    rig.deltas.copyWithin(450, 0, 450); // pose 1 = pose 0
    const cfg = solverConfig(POSES, {
      strengthL1regularization: 0,
      strengthL2regularization: 0,
      strengthTemporalSmoothing: 0,
      strengthSymmetry: 0,
    });
    expect(() => new BlendshapeSolver(rig, cfg, 'bs_skin.npz')).toThrow(/bs_skin.npz: the solver matrix is singular/);
    expect(() => new BlendshapeSolver(rig, solverConfig(POSES + 1), 'bs_skin.npz')).toThrow(/numPoses 9 but the rig has 8 poses/);
    expect(() => new BlendshapeSolver({ ...rig, poseNames: ['neutral', ...rig.poseNames.slice(1)] }, solverConfig(POSES))).toThrow(
      /must not include "neutral"/,
    );
  });
});

describe('blendshape solve (docs/nvidia/solver.md#algorithm, steps 4–7)', () => {
  it('equals the dense regularised solution when it lies inside the bounds', () => {
    const rig = rigOf(53);
    const cfg = solverConfig(POSES, { strengthTemporalSmoothing: 0, strengthSymmetry: 0 });
    const truth = [0.5, 0.3, 0.7, 0.6, 0.4, 0.55, 0.65, 0.45];
    const target = poseTarget(rig, truth);
    const exact = referenceSolve(rig, cfg, target);
    expect(exact.every((x) => x > 0 && x < 1)).toBe(true); // precondition: interior
    const got = solveOnce(new BlendshapeSolver(rig, cfg), target);
    for (let i = 0; i < POSES; i++) expect(got[i]).toBeCloseTo(exact[i], 6);
  });

  it('recovers known weights with negligible regularisation', () => {
    const rig = rigOf(54, 100);
    const cfg = solverConfig(POSES, {
      strengthL1regularization: 0,
      strengthL2regularization: 1e-7,
      strengthTemporalSmoothing: 0,
      strengthSymmetry: 0,
    });
    const truth = [0.1, 0.9, 0.25, 0, 1, 0.5, 0.75, 0.33];
    const got = solveOnce(new BlendshapeSolver(rig, cfg), poseTarget(rig, truth));
    for (let i = 0; i < POSES; i++) expect(got[i]).toBeCloseTo(truth[i], 4);
  });

  it('keeps weights in [0, 1] when the target asks for negative or above-1 weights', () => {
    const rig = rigOf(55);
    const cfg = solverConfig(POSES, {
      strengthL1regularization: 0,
      strengthL2regularization: 1e-4,
      strengthTemporalSmoothing: 0,
      strengthSymmetry: 0,
    });
    const truth = [-0.5, 1.6, 0.4, -1, 2, 0.5, 0.2, 0.8];
    const solver = new BlendshapeSolver(rig, cfg);
    const got = solveOnce(solver, poseTarget(rig, truth));
    for (const w of got) {
      expect(w).toBeGreaterThanOrEqual(0);
      expect(w).toBeLessThanOrEqual(1);
    }
    expect(got[0]).toBe(0);
    expect(got[3]).toBe(0);
    expect(got[1]).toBe(1);
    expect(got[4]).toBe(1);
    // KKT of min ½‖Mx − b‖² on the box, checked independently: g = Mᵀ(Mx − b)
    const ref = referenceSystem(rig, cfg);
    const b = ref.dtr(poseTarget(rig, truth));
    const r = Array.from({ length: ref.n }, (_, i) => got.reduce((s, x, j) => s + ref.m[i * ref.n + j] * x, -b[i]));
    const g = Array.from({ length: ref.n }, (_, j) => r.reduce((s, ri, i) => s + ref.m[i * ref.n + j] * ri, 0));
    const scale = Math.max(...g.map(Math.abs), 1);
    got.forEach((x, i) => {
      if (x === 0) expect(g[i]).toBeGreaterThanOrEqual(-1e-6 * scale);
      else if (x === 1) expect(g[i]).toBeLessThanOrEqual(1e-6 * scale);
      else expect(Math.abs(g[i])).toBeLessThan(1e-3 * scale);
    });
  });

  it('temporal term: b adds T·s·w_prev (while M carries T·100·s), reset forgets the previous frame', () => {
    const rig = rigOf(56);
    const cfg = solverConfig(POSES, { strengthTemporalSmoothing: 0.4, strengthSymmetry: 0, strengthL1regularization: 0.1 });
    const solver = new BlendshapeSolver(rig, cfg);
    const targets = [poseTarget(rig, [0.6, 0.3, 0.5, 0.4, 0.7, 0.2, 0.5, 0.6]), poseTarget(rig, [0.4, 0.5, 0.3, 0.6, 0.5, 0.4, 0.3, 0.5])];
    let prev = new Float64Array(POSES);
    const first: number[] = [];
    for (let f = 0; f < 4; f++) {
      const target = targets[f % 2];
      const exact = referenceSolve(rig, cfg, target, prev);
      expect(exact.every((x) => x > 0 && x < 1)).toBe(true);
      const got = solveOnce(solver, target);
      for (let i = 0; i < POSES; i++) expect(got[i]).toBeCloseTo(exact[i], 6);
      if (f === 0) first.push(...got);
      prev = Float64Array.from(got);
    }
    solver.reset();
    const again = solveOnce(solver, targets[0]);
    for (let i = 0; i < POSES; i++) expect(again[i]).toBeCloseTo(first[i], 12);
  });

  it('cancel pairs: the smaller of each pair is bounded to 1e-10 and the system re-solved', () => {
    const rig = rigOf(57);
    const cancel = [4, 4, -1, 9, -1, 9, -1, -1];
    const cfg = solverConfig(POSES, { bsSolveCancelPoses: cancel, strengthSymmetry: 0, strengthTemporalSmoothing: 0 });
    const solver = new BlendshapeSolver(rig, cfg);
    expect(solver.cancelPairs).toEqual([
      [0, 1],
      [3, 5],
    ]);
    const free = new BlendshapeSolver(rig, solverConfig(POSES, { strengthSymmetry: 0, strengthTemporalSmoothing: 0 }));
    const rand = seededRandom(58);
    let bothWanted = 0;
    for (let trial = 0; trial < 30; trial++) {
      const truth = Array.from({ length: POSES }, () => uniform(rand, 0.1, 0.9));
      const target = poseTarget(rig, truth);
      const got = solveOnce(solver, target);
      const unconstrained = solveOnce(free, target);
      for (const [i, j] of [
        [0, 1],
        [3, 5],
      ]) {
        if (unconstrained[i] > 1e-3 && unconstrained[j] > 1e-3) bothWanted++;
        expect(Math.min(got[i], got[j])).toBeLessThanOrEqual(Math.fround(1e-10)); // float32 output
        // the pose that was larger in the first solve keeps a weight
        const keep = unconstrained[i] >= unconstrained[j] ? i : j;
        expect(got[keep]).toBeGreaterThan(0);
      }
    }
    expect(bothWanted).toBeGreaterThan(30);
  });

  it('symmetry pulls the two poses of a pair together', () => {
    const rig = rigOf(59);
    const symmetric = [-1, -1, 2, 2, -1, -1, -1, -1];
    const truth = [0.5, 0.5, 0.8, 0.2, 0.5, 0.5, 0.5, 0.5];
    const gap = (strength: number): number => {
      const cfg = solverConfig(POSES, {
        bsSolveSymmetryPoses: symmetric,
        strengthSymmetry: strength,
        strengthTemporalSmoothing: 0,
        strengthL2regularization: 0.01,
        strengthL1regularization: 0,
      });
      const w = solveOnce(new BlendshapeSolver(rig, cfg), poseTarget(rig, truth));
      return Math.abs(w[2] - w[3]);
    };
    expect(gap(0)).toBeGreaterThan(0.5);
    expect(gap(10)).toBeLessThan(gap(1));
    expect(gap(100)).toBeLessThan(0.05);
  });

  it('applies multipliers and offsets to every pose after the solve, unclamped; inactive poses are exactly 0', () => {
    const rig = rigOf(60);
    const base = solverConfig(POSES, { bsSolveActivePoses: [1, 0, 1, 1, 0, 1, 1, 1], strengthTemporalSmoothing: 0 });
    const truth = [0.9, 0.5, 0.95, 0.3, 0.5, 0.6, 0.2, 0.4];
    const plain = solveOnce(new BlendshapeSolver(rig, base), poseTarget(rig, truth));
    expect(Object.is(plain[1], 0) && Object.is(plain[4], 0)).toBe(true);
    const multipliers = [2, 3, 1.5, 1, 1, 0.5, 1, 1];
    const offsets = [0.1, -0.2, 0, 0, 0.05, 0, 0, 0.3];
    const scaled = solveOnce(
      new BlendshapeSolver(rig, { ...base, bsWeightMultipliers: multipliers, bsWeightOffsets: offsets }),
      poseTarget(rig, truth),
    );
    for (let p = 0; p < POSES; p++) expect(scaled[p]).toBeCloseTo(plain[p] * multipliers[p] + offsets[p], 6);
    expect(scaled[0]).toBeGreaterThan(1); // no clamp
  });

  it('takes the deltas as one array per pose (as the npz stores them) or concatenated, with the same result', () => {
    const rig = rigOf(62, 70);
    const size = rig.neutral.length;
    const perPose = Array.from({ length: POSES }, (_, p) => rig.deltas.slice(p * size, (p + 1) * size));
    const cfg = solverConfig(POSES);
    const target = poseTarget(rig, [0.3, 0.1, 0.9, 0.5, 0.2, 0.7, 0.4, 0.6]);
    expect(solveOnce(new BlendshapeSolver({ ...rig, deltas: perPose }, cfg), target)).toEqual(
      solveOnce(new BlendshapeSolver(rig, cfg), target),
    );
    expect(() => new BlendshapeSolver({ ...rig, deltas: perPose.slice(1) }, cfg, 'bs_skin.npz')).toThrow(
      /bs_skin.npz: 7 delta arrays for 8 pose names/,
    );
  });

  it('reads only the frontal-mask vertices', () => {
    const rig = rigOf(61, 40);
    const cfg = solverConfig(POSES);
    const target = poseTarget(rig, [0.2, 0.4, 0.6, 0.8, 0.1, 0.3, 0.5, 0.7]);
    const a = solveOnce(new BlendshapeSolver(rig, cfg), target);
    const inMask = new Set(Array.from(rig.frontalMask ?? []));
    const noisy = target.map((v, i) => (inMask.has(Math.floor(i / 3)) ? v : v + 5));
    expect(solveOnce(new BlendshapeSolver(rig, cfg), noisy)).toEqual(a);
  });
});
