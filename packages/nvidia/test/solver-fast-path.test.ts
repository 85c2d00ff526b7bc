import { describe, expect, it } from 'vitest';
import { rational, seededRandom, validateFaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import type { FaceParams, SolverConfig } from '../src/params.js';
import { A2FPostprocessor } from '../src/postprocess/assemble.js';
import { MARK_PARAMS, randomRigData, solverConfig, uniform, type Rand, type RandomRigSizes } from './solver-fixtures.js';

const provenance: Provenance = { tool: { name: 'test', version: '0' }, model: { id: 'random', kind: 'nvidia-a2f-v2.3' }, parameters: {} };

function randomParams(rand: Rand): FaceParams {
  return {
    ...MARK_PARAMS,
    // strong smoothing so the smoother really runs at both frame rates
    lower_face_smoothing: uniform(rand, 0.01, 0.1),
    upper_face_smoothing: uniform(rand, 0.01, 0.1),
    lower_face_strength: uniform(rand, 0.5, 2),
    upper_face_strength: uniform(rand, 0.5, 2),
    face_mask_level: uniform(rand, 0.3, 0.7),
    face_mask_softness: uniform(rand, 0.01, 0.3),
    skin_strength: uniform(rand, 0.5, 2),
    blink_strength: uniform(rand, 0.5, 2),
    eyelid_open_offset: uniform(rand, -0.5, 0.5),
    lip_open_offset: uniform(rand, -0.2, 0.2),
    tongue_strength: uniform(rand, 0.5, 3),
    tongue_height_offset: uniform(rand, -1, 1),
    tongue_depth_offset: uniform(rand, -1, 1),
    blink_offset: uniform(rand, 0, 0.2),
  };
}

function randomConfig(rand: Rand, poses: number): SolverConfig {
  const active = Array.from({ length: poses }, (_, i) => (i === 1 ? 0 : 1));
  const symmetry = Array(poses).fill(-1);
  symmetry[2] = symmetry[3] = 7;
  const cancel = Array(poses).fill(-1);
  cancel[4] = cancel[5] = 3;
  return solverConfig(poses, {
    strengthL1regularization: uniform(rand, 0, 0.5),
    strengthL2regularization: uniform(rand, 0.01, 0.2),
    strengthTemporalSmoothing: uniform(rand, 0, 0.3),
    strengthSymmetry: uniform(rand, 0, 10),
    bsSolveActivePoses: active,
    bsSolveSymmetryPoses: symmetry,
    bsSolveCancelPoses: cancel,
    bsWeightMultipliers: Array.from({ length: poses }, () => uniform(rand, 0.5, 2)),
    bsWeightOffsets: Array.from({ length: poses }, () => uniform(rand, -0.1, 0.1)),
  });
}

/** Network outputs that wander smoothly, so weights hit the bounds and the interior. */
function randomOutputs(rand: Rand, frames: number, sizes: RandomRigSizes): Float32Array {
  const total = sizes.skinShapes + sizes.tongueShapes + 15 + 4;
  const out = new Float32Array(frames * total);
  const state = Array.from({ length: total }, () => uniform(rand, -1, 1));
  for (let f = 0; f < frames; f++) {
    for (let k = 0; k < total; k++) {
      state[k] += uniform(rand, -0.4, 0.4);
      out[f * total + k] = state[k] * (k >= total - 4 ? 5 : 2);
    }
  }
  return out;
}

function compare(seed: number, fps: Rational, sizes: RandomRigSizes): { worst: number; raw: number[] } {
  const rand = seededRandom(seed);
  const rig = randomRigData(seed + 1000, sizes);
  const params = randomParams(rand);
  const opts = { rig, params, skinSolver: randomConfig(rand, sizes.skinPoses), tongueSolver: randomConfig(rand, sizes.tonguePoses), fps };
  const outputs = randomOutputs(rand, 40, sizes);
  const blink = { seed, intervalSeconds: 0.4, durationSeconds: 0.2 };
  const mesh = new A2FPostprocessor({ ...opts, path: 'mesh' }).run(outputs, { provenance, blink });
  const fast = new A2FPostprocessor({ ...opts, path: 'coefficients' }).run(outputs, { provenance, blink });
  validateFaceAnimation(fast);
  expect(fast.channels).toEqual(mesh.channels);
  let worst = 0;
  for (let i = 0; i < mesh.weights.length; i++) worst = Math.max(worst, Math.abs(mesh.weights[i] - fast.weights[i]));
  // the joints do not depend on the path
  for (let j = 0; j < 3; j++) {
    expect(fast.joints[j].rotations).toEqual(mesh.joints[j].rotations);
    expect(fast.joints[j].translations).toEqual(mesh.joints[j].translations);
  }
  // raw solver weights (before multiplier/offset), to check the runs exercise bounds and interior
  const poses = sizes.skinPoses;
  const raw: number[] = [];
  for (let f = 0; f < fast.frameCount; f++) {
    for (let p = 0; p < poses; p++) {
      const w = fast.weights[f * fast.channels.length + p];
      raw.push((w - opts.skinSolver.bsWeightOffsets[p]) / opts.skinSolver.bsWeightMultipliers[p]);
    }
  }
  return { worst, raw };
}

const SIZES: RandomRigSizes[] = [
  { skinVertices: 300, skinShapes: 6, skinPoses: 10, skinMask: 120, tongueVertices: 80, tongueShapes: 3, tonguePoses: 6 },
  { skinVertices: 200, skinShapes: 4, skinPoses: 8, tongueVertices: 60, tongueShapes: 2, tonguePoses: 6 },
];

describe('coefficient path vs mesh path', () => {
  for (const fps of [rational(30), rational(60), rational(30000, 1001)]) {
    it(`agrees to 1e-4 on random rigs with smoothing, mask, offsets and blinks at ${fps.num}/${fps.den} fps`, () => {
      const raw: number[] = [];
      for (let k = 0; k < 4; k++) {
        const run = compare(17 + k * 31 + fps.num, fps, SIZES[k % SIZES.length]);
        expect(run.worst).toBeLessThan(1e-4);
        raw.push(...run.raw);
      }
      // the solutions sit on the lower bound, the upper bound and inside, or the comparison proves little
      expect(raw.filter((x) => Math.abs(x) < 1e-6).length).toBeGreaterThan(20);
      expect(raw.filter((x) => Math.abs(x - 1) < 1e-6).length).toBeGreaterThan(20);
      expect(raw.filter((x) => x > 0.02 && x < 0.98).length).toBeGreaterThan(20);
    });
  }
});
