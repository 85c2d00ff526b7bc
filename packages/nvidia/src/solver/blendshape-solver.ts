import type { SolverConfig } from '../params.js';
import { Bvls } from './bvls.js';
import { isPositiveDefinite } from './linalg.js';
import { getPairs, type PosePair } from './pairs.js';

/** A blendshape rig as `bs_skin.npz` / `bs_tongue.npz` hold it (docs/nvidia/solver.md#rig). */
export interface BlendshapeRig {
  /** The delta poses' names in file order, *without* the leading "neutral" of the npz poseNames. */
  readonly poseNames: readonly string[];
  /** Neutral positions, V·3 floats (npz key "neutral"). */
  readonly neutral: Float32Array;
  /**
   * The delta poses (npz keys = poseNames), either one [V, 3] array per pose in poseNames order, or
   * all of them concatenated pose-major [P, V, 3] (pose p starts at p·V·3).
   */
  readonly deltas: Float32Array | readonly Float32Array[];
  /** Optional npz "frontalMask": vertex indices the solve is restricted to. Empty = all vertices. */
  readonly frontalMask?: ArrayLike<number>;
}

/** SDK `BlendshapeSolverParams::tolerance` default (blendshape_solver.h). */
export const BVLS_TOLERANCE = 1e-10;
/** Upper bound given to the smaller pose of a cancel pair for the second solve (blendshape_solver.cpp). */
export const CANCEL_UPPER_BOUND = 1e-10;

/**
 * The SDK's CPU blendshape solver (blendshape_solver_base.cpp `Prepare`, blendshape_solver.cpp
 * `SolveAsync`; docs/nvidia/solver.md#algorithm), prepared once per rig + config, then one `solve` per frame
 * in track order (it keeps the previous frame's weights for the temporal term; `reset` per track).
 */
export class BlendshapeSolver {
  readonly poseNames: readonly string[];
  readonly poseCount: number;
  /** Indices of the active poses; the solve runs in this "active space". */
  readonly active: Int32Array;
  /** Coordinate indices (3·vertex + axis) the solve reads: the frontal mask's, or all. */
  readonly rows: Int32Array;
  /** D: active deltas restricted to `rows`, pose-major [activeCount, rows.length]. */
  readonly activeDeltas: Float32Array;
  /** Rig neutral restricted to `rows`. */
  readonly maskedNeutral: Float32Array;
  /** s = (‖bbox_max − bbox_min‖ / templateBBSize)² over the full rig neutral. */
  readonly scale: number;
  /** M, row-major activeCount². */
  readonly matrix: Float64Array;
  readonly cancelPairs: readonly PosePair[];
  readonly symmetryPairs: readonly PosePair[];

  private readonly config: SolverConfig;
  private readonly bvls: Bvls;
  private readonly prev: Float64Array;
  private readonly b: Float64Array;
  private readonly x: Float64Array;
  private readonly lower: Float64Array;
  private readonly upper: Float64Array;
  private readonly dtr: Float64Array;
  private readonly diff: Float64Array;

  /** `label` names the rig in errors, e.g. "bs_skin.npz". */
  constructor(rig: BlendshapeRig, config: SolverConfig, label = 'blendshape rig') {
    const size = rig.neutral.length;
    const poseCount = rig.poseNames.length;
    if (size === 0 || size % 3 !== 0) throw new Error(`${label}: neutral has ${size} floats, expected a non-empty multiple of 3`);
    if (rig.poseNames.includes('neutral'))
      throw new Error(`${label}: poseNames must not include "neutral" (pass the npz poseNames without their first entry)`);
    const poseDelta = poseDeltaReader(rig, size, label);
    if (config.numPoses !== poseCount) {
      throw new Error(
        `${label}: the solver config has numPoses ${config.numPoses} but the ` +
          `rig has ${poseCount} poses; use the config and rig of the same pack`,
      );
    }
    this.poseNames = rig.poseNames;
    this.poseCount = poseCount;
    this.config = config;

    // docs/nvidia/solver.md#restrict: active poses and masked rows.
    const active: number[] = [];
    config.bsSolveActivePoses.forEach((on, i) => {
      on && active.push(i);
    });
    if (active.length === 0) throw new Error(`${label}: no active pose in the solver config`);
    this.active = Int32Array.from(active);
    const mask = rig.frontalMask && rig.frontalMask.length > 0 ? Array.from(rig.frontalMask) : null;
    const vertexCount = size / 3;
    if (mask) {
      for (const v of mask) {
        if (!Number.isInteger(v) || v < 0 || v >= vertexCount)
          throw new Error(`${label}: frontalMask index ${v} is outside 0..${vertexCount - 1}`);
      }
      this.rows = new Int32Array(mask.length * 3);
      mask.forEach((v, i) => {
        this.rows[3 * i] = 3 * v;
        this.rows[3 * i + 1] = 3 * v + 1;
        this.rows[3 * i + 2] = 3 * v + 2;
      });
    } else {
      this.rows = Int32Array.from({ length: size }, (_, i) => i);
    }
    const rowCount = this.rows.length;
    const n = active.length;
    this.activeDeltas = new Float32Array(n * rowCount);
    for (let a = 0; a < n; a++) {
      const delta = poseDelta(active[a]);
      for (let r = 0; r < rowCount; r++) this.activeDeltas[a * rowCount + r] = delta[this.rows[r]];
    }
    this.maskedNeutral = new Float32Array(rowCount);
    for (let r = 0; r < rowCount; r++) this.maskedNeutral[r] = rig.neutral[this.rows[r]];

    // Step 5 (pairs) and step 2 (scale).
    this.cancelPairs = getPairs(config.bsSolveCancelPoses, config.bsSolveActivePoses);
    this.symmetryPairs = getPairs(config.bsSolveSymmetryPoses, config.bsSolveActivePoses);
    this.scale = regularisationScale(rig.neutral, config.templateBBSize);

    // Step 3: M = DᵀD + L1²·(0.25 s)·𝟙𝟙ᵀ + L2·(10 s)·I + T·(100 s)·I + Sym·(10 s)·SᵀS.
    const s = this.scale;
    const m = new Float64Array(n * n);
    const d = this.activeDeltas;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        let sum = 0;
        const bi = i * rowCount;
        const bj = j * rowCount;
        for (let r = 0; r < rowCount; r++) sum += d[bi + r] * d[bj + r];
        m[i * n + j] = sum;
        m[j * n + i] = sum;
      }
    }
    const l1 = config.strengthL1regularization ** 2 * 0.25 * s;
    const diag = config.strengthL2regularization * 10 * s + config.strengthTemporalSmoothing * 100 * s;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) m[i * n + j] += l1;
      m[i * n + i] += diag;
    }
    const sym = config.strengthSymmetry * 10 * s;
    for (const [i, j] of this.symmetryPairs) {
      m[i * n + i] += sym;
      m[j * n + j] += sym;
      m[i * n + j] -= sym;
      m[j * n + i] -= sym;
    }
    if (!isPositiveDefinite(m, n)) {
      throw new Error(
        `${label}: the solver matrix is singular: with strengthL2regularization and strengthTemporalSmoothing at 0 the active ` +
          `poses must be linearly independent over the solved vertices. Raise strengthL2regularization or deactivate duplicate poses`,
      );
    }
    this.matrix = m;

    // M is fixed from here on, so the QR of each free set BVLS visits can be kept across frames.
    this.bvls = new Bvls(n, { cacheFactorizations: true });
    this.prev = new Float64Array(n);
    this.b = new Float64Array(n);
    this.x = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.upper = new Float64Array(n);
    this.dtr = new Float64Array(n);
    this.diff = new Float64Array(rowCount);
  }

  get activeCount(): number {
    return this.active.length;
  }

  /** Start of a track: the temporal term's previous weights go back to 0 (SDK `Reset`). */
  reset(): void {
    this.prev.fill(0);
  }

  /** out[a] = Σ_r D[a,r]·(target[rows[r]] − neutral[rows[r]]): the data part of b (docs/nvidia/solver.md#right-hand-side). */
  project(target: Float32Array, out: Float64Array): void {
    const { rows, activeDeltas: d, maskedNeutral, diff } = this;
    const rowCount = rows.length;
    // float32 subtraction, as the SDK's cublasSaxpy does it
    for (let r = 0; r < rowCount; r++) diff[r] = Math.fround(target[rows[r]] - maskedNeutral[r]);
    for (let a = 0; a < this.active.length; a++) {
      const base = a * rowCount;
      let sum = 0;
      for (let r = 0; r < rowCount; r++) sum += d[base + r] * diff[r];
      out[a] = sum;
    }
  }

  /** One frame from absolute target positions (V·3 floats, the rig's topology). */
  solve(target: Float32Array, out: Float32Array, outOffset = 0): void {
    this.project(target, this.dtr);
    this.solveProjected(this.dtr, out, outOffset);
  }

  /**
   * One frame from Dᵀ(target − neutral) in active space: b = that + T·s·w_prev (note M uses
   * T·100·s, b uses T·s, as in the SDK), BVLS with 0 ≤ x ≤ 1, cancel-pair re-solve, w_prev = x,
   * scatter to all poses, then w·multiplier + offset for every pose. No clamp. Writes `poseCount`
   * weights at out[outOffset…].
   */
  solveProjected(dtr: Float64Array, out: Float32Array, outOffset = 0): void {
    const { config, prev, b, x, lower, upper, matrix, active } = this;
    const n = active.length;
    const t = config.strengthTemporalSmoothing * this.scale;
    for (let i = 0; i < n; i++) b[i] = dtr[i] + t * prev[i];
    lower.fill(0);
    upper.fill(1);
    this.bvls.solve(x, matrix, b, lower, upper, BVLS_TOLERANCE);
    if (this.cancelPairs.length > 0) {
      for (const [i, j] of this.cancelPairs) upper[x[i] >= x[j] ? j : i] = CANCEL_UPPER_BOUND;
      this.bvls.solve(x, matrix, b, lower, upper, BVLS_TOLERANCE);
    }
    prev.set(x);
    let next = 0;
    for (let p = 0; p < this.poseCount; p++) {
      let w = 0;
      if (next < n && active[next] === p) w = x[next++];
      out[outOffset + p] = w * config.bsWeightMultipliers[p] + config.bsWeightOffsets[p];
    }
  }
}

/** Checks the delta layout once and returns pose p's [V, 3] delta (a view, no copy). */
function poseDeltaReader(rig: BlendshapeRig, size: number, label: string): (p: number) => Float32Array {
  const count = rig.poseNames.length;
  const { deltas } = rig;
  if (deltas instanceof Float32Array) {
    if (deltas.length !== count * size) throw new Error(`${label}: deltas has ${deltas.length} floats, expected ${count} poses × ${size}`);
    return (p) => deltas.subarray(p * size, (p + 1) * size);
  }
  if (deltas.length !== count) throw new Error(`${label}: ${deltas.length} delta arrays for ${count} pose names`);
  deltas.forEach((d, p) => {
    if (d.length !== size) throw new Error(`${label}: delta "${rig.poseNames[p]}" has ${d.length} floats, the neutral ${size}`);
  });
  return (p) => deltas[p];
}

/** docs/nvidia/solver.md#scale: s = (‖bbox_max − bbox_min‖ / templateBBSize)² over all neutral vertices. */
export function regularisationScale(neutral: Float32Array, templateBBSize: number): number {
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  for (let i = 0; i < neutral.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const v = neutral[i + k];
      if (v < min[k]) min[k] = v;
      if (v > max[k]) max[k] = v;
    }
  }
  const diag = Math.hypot(max[0] - min[0], max[1] - min[1], max[2] - min[2]);
  return (diag / templateBBSize) ** 2;
}
