/**
 * Test fixtures for the NVIDIA post-processing and solver tests: seeded random rigs and configs,
 * plus independent reference math (dense Gaussian elimination, the M matrix written from the
 * formula in docs/nvidia/solver.md#algorithm) that never calls the code under test.
 */
import { seededRandom } from '@a2f/animation';
import type { FaceParams, SolverConfig } from '../src/params.js';
import type { A2FRigData } from '../src/postprocess/rig-data.js';
import type { BlendshapeRig } from '../src/solver/blendshape-solver.js';

export type Rand = () => number;

/** A rig with its deltas concatenated pose-major, as the fixtures build them. */
export type FlatRig = Omit<BlendshapeRig, 'deltas'> & { readonly deltas: Float32Array };

export const uniform = (rand: Rand, lo: number, hi: number): number => lo + (hi - lo) * rand();

export function randomArray(rand: Rand, length: number, lo: number, hi: number): Float32Array {
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = uniform(rand, lo, hi);
  return out;
}

/** Mark's model_config.json values as asserted by the SDK test (docs/nvidia/postprocess.md#parameters). */
export const MARK_PARAMS: FaceParams = {
  input_strength: 1.3,
  lower_face_smoothing: 0.0023,
  upper_face_smoothing: 0.001,
  lower_face_strength: 1.4,
  upper_face_strength: 1.0,
  face_mask_level: 0.6,
  face_mask_softness: 0.0085,
  skin_strength: 1.1,
  blink_strength: 1.0,
  eyelid_open_offset: 0.06,
  lip_open_offset: -0.03,
  tongue_strength: 1.5,
  tongue_height_offset: 0.2,
  tongue_depth_offset: 0.13,
  lower_teeth_strength: 1.3,
  lower_teeth_height_offset: -0.1,
  lower_teeth_depth_offset: 0.0,
  eyeballs_strength: 1.0,
  saccade_strength: 0.9,
  right_eye_rot_x_offset: 0,
  right_eye_rot_y_offset: -2.0,
  left_eye_rot_x_offset: 0,
  left_eye_rot_y_offset: 2.0,
  eye_saccade_seed: 0,
  source_shot: 'g2a_neutral',
  source_frame: 33,
  blink_offset: 0,
};

export function solverConfig(numPoses: number, over: Partial<SolverConfig> = {}): SolverConfig {
  return {
    strengthL1regularization: 0.5,
    strengthL2regularization: 0.5,
    strengthTemporalSmoothing: 0.3,
    strengthSymmetry: 100,
    templateBBSize: 20,
    numPoses,
    bsSolveActivePoses: Array(numPoses).fill(1),
    bsSolveCancelPoses: Array(numPoses).fill(-1),
    bsSolveSymmetryPoses: Array(numPoses).fill(-1),
    bsWeightMultipliers: Array(numPoses).fill(1),
    bsWeightOffsets: Array(numPoses).fill(0),
    ...over,
  };
}

/** A rig whose poses move random vertex subsets (so they are independent but overlap). */
export function randomBlendshapeRig(
  rand: Rand,
  vertices: number,
  poses: number,
  opts: { mask?: number; neutral?: Float32Array; prefix?: string } = {},
): FlatRig {
  const size = vertices * 3;
  const neutral = opts.neutral ?? randomArray(rand, size, -10, 10);
  const deltas = new Float32Array(poses * size);
  for (let p = 0; p < poses; p++) {
    for (let i = 0; i < size; i++) if (rand() < 0.4) deltas[p * size + i] = uniform(rand, -1, 1);
  }
  const poseNames = Array.from({ length: poses }, (_, p) => `${opts.prefix ?? 'pose'}${p}`);
  let frontalMask: Int32Array | undefined;
  if (opts.mask) {
    const picked = new Set<number>();
    while (picked.size < opts.mask) picked.add(Math.floor(rand() * vertices));
    frontalMask = Int32Array.from([...picked].sort((a, b) => a - b));
  }
  return { poseNames, neutral, deltas, frontalMask };
}

export interface RandomRigSizes {
  skinVertices: number;
  skinShapes: number;
  skinPoses: number;
  skinMask?: number;
  tongueVertices: number;
  tongueShapes: number;
  tonguePoses: number;
  saccadeRows?: number;
}

/**
 * A complete random pack. The PCA shapes are random mixes of the rig's pose deltas plus noise, so
 * that network outputs map to targets the rig can partly express (weights land inside (0, 1) as well
 * as on both bounds); the rigs' neutrals differ slightly from the PCA means.
 */
export function randomRigData(seed: number, sizes: RandomRigSizes): A2FRigData {
  const rand = seededRandom(seed);
  const skinSize = sizes.skinVertices * 3;
  const tongueSize = sizes.tongueVertices * 3;
  const shapesMeanSkin = randomArray(rand, skinSize, -10, 10);
  const shapesMeanTongue = randomArray(rand, tongueSize, -3, 3);
  const nudge = (a: Float32Array): Float32Array => a.map((v) => v + uniform(rand, -0.01, 0.01));
  const skin = randomBlendshapeRig(rand, sizes.skinVertices, sizes.skinPoses, {
    mask: sizes.skinMask,
    neutral: nudge(shapesMeanSkin),
    prefix: 'skin',
  });
  const tongue = randomBlendshapeRig(rand, sizes.tongueVertices, sizes.tonguePoses, { neutral: nudge(shapesMeanTongue), prefix: 'tongue' });
  const basis = (rig: FlatRig, shapes: number): Float32Array => {
    const size = rig.neutral.length;
    const poses = rig.poseNames.length;
    const out = randomArray(rand, shapes * size, -0.05, 0.05);
    for (let j = 0; j < shapes; j++) {
      for (let p = 0; p < poses; p++) {
        const g = uniform(rand, -0.5, 0.5);
        for (let i = 0; i < size; i++) out[j * size + i] += g * rig.deltas[p * size + i];
      }
    }
    return out;
  };
  return {
    shapesMatrixSkin: basis(skin, sizes.skinShapes),
    shapesMeanSkin,
    lipOpenPoseDelta: randomArray(rand, skinSize, -0.5, 0.5),
    eyeClosePoseDelta: randomArray(rand, skinSize, -0.5, 0.5),
    shapesMatrixTongue: basis(tongue, sizes.tongueShapes),
    shapesMeanTongue,
    neutralJaw: randomArray(rand, 15, -4, 4),
    saccadeRotMatrix: randomArray(rand, (sizes.saccadeRows ?? 64) * 2, -3, 3),
    skin,
    tongue,
  };
}

/** Solves A x = b (A n×n row-major) by Gaussian elimination with partial pivoting. */
export function gaussianSolve(a: ArrayLike<number>, b: ArrayLike<number>, n: number): Float64Array {
  const m = Array.from({ length: n }, (_, i) => [...Array.from({ length: n }, (_, j) => a[i * n + j]), b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r][c]) > Math.abs(m[p][c])) p = r;
    [m[c], m[p]] = [m[p], m[c]];
    for (let r = c + 1; r < n; r++) {
      const f = m[r][c] / m[c][c];
      for (let k = c; k <= n; k++) m[r][k] -= f * m[c][k];
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r][n];
    for (let k = r + 1; k < n; k++) s -= m[r][k] * x[k];
    x[r] = s / m[r][r];
  }
  return x;
}

/** Independent statement of docs/nvidia/solver.md#algorithm: the masked/active D (columns), s, M, and Dᵀ(target − neutral). */
export function referenceSystem(rig: FlatRig, cfg: SolverConfig) {
  const size = rig.neutral.length;
  const vertexIds = rig.frontalMask?.length ? Array.from(rig.frontalMask) : Array.from({ length: size / 3 }, (_, v) => v);
  const rows = vertexIds.flatMap((v) => [3 * v, 3 * v + 1, 3 * v + 2]);
  const active = cfg.bsSolveActivePoses.map((on, i) => (on ? i : -1)).filter((i) => i >= 0);
  const columns = active.map((p) => rows.map((r) => rig.deltas[p * size + r]));
  const xs = [0, 1, 2].map((k) => Array.from({ length: size / 3 }, (_, v) => rig.neutral[3 * v + k]));
  const diag = Math.sqrt(xs.reduce((sum, axis) => sum + (Math.max(...axis) - Math.min(...axis)) ** 2, 0));
  const s = (diag / cfg.templateBBSize) ** 2;
  const n = active.length;
  const pairsOf = (ids: readonly number[]): [number, number][] => {
    const byId = new Map<number, number[]>();
    active.forEach((p, a) => {
      byId.set(ids[p], [...(byId.get(ids[p]) ?? []), a]);
    });
    return [...byId.values()].filter((g) => g.length === 2).map((g) => [g[0], g[1]]);
  };
  const sym = pairsOf(cfg.bsSolveSymmetryPoses);
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let dtd = 0;
      for (let r = 0; r < rows.length; r++) dtd += columns[i][r] * columns[j][r];
      m[i * n + j] =
        dtd +
        cfg.strengthL1regularization ** 2 * 0.25 * s +
        (i === j ? cfg.strengthL2regularization * 10 * s + cfg.strengthTemporalSmoothing * 100 * s : 0);
    }
  }
  for (const [i, j] of sym) {
    // SᵀS for a row with +1 at i and −1 at j
    m[i * n + i] += cfg.strengthSymmetry * 10 * s;
    m[j * n + j] += cfg.strengthSymmetry * 10 * s;
    m[i * n + j] -= cfg.strengthSymmetry * 10 * s;
    m[j * n + i] -= cfg.strengthSymmetry * 10 * s;
  }
  const dtr = (target: ArrayLike<number>): Float64Array =>
    Float64Array.from(columns, (col) => col.reduce((sum, d, r) => sum + d * (target[rows[r]] - rig.neutral[rows[r]]), 0));
  return { rows, active, s, m, n, dtr, cancel: pairsOf(cfg.bsSolveCancelPoses), sym };
}

/** neutral + Σ w_p·delta_p over all poses. */
export function poseTarget(rig: FlatRig, weights: readonly number[]): Float32Array {
  const size = rig.neutral.length;
  const out = Float32Array.from(rig.neutral);
  weights.forEach((w, p) => {
    for (let i = 0; i < size; i++) out[i] += w * rig.deltas[p * size + i];
  });
  return out;
}

/** A random symmetric positive definite n×n matrix (like M = DᵀD + λI). */
export function randomSpd(rand: Rand, n: number): Float64Array {
  const d = Array.from({ length: 2 * n * n }, () => uniform(rand, -1, 1));
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.2 : 0;
      for (let r = 0; r < 2 * n; r++) s += d[r * n + i] * d[r * n + j];
      m[i * n + j] = s;
    }
  }
  return m;
}
