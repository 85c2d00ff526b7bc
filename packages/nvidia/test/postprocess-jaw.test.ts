import { describe, expect, it } from 'vitest';
import { quatFromAxisAngle, quatRotate, seededRandom, type Quat, type Vec3 } from '@a2f/animation';
import { JawAnimator, jawJointFromMatrix, rigidTransform } from '../src/postprocess/jaw.js';
import { animateTongue } from '../src/postprocess/tongue.js';
import { randomArray, uniform, type Rand } from './solver-fixtures.js';

/** Rotation matrix (row-major, v' = R v) of a unit quaternion, written out independently. */
function matrixOf(q: Quat): number[] {
  const [w, x, y, z] = q;
  return [
    1 - 2 * (y * y + z * z),
    2 * (x * y - w * z),
    2 * (x * z + w * y),
    2 * (x * y + w * z),
    1 - 2 * (x * x + z * z),
    2 * (y * z - w * x),
    2 * (x * z - w * y),
    2 * (y * z + w * x),
    1 - 2 * (x * x + y * y),
  ];
}

const apply = (r: number[], t: Vec3, p: Vec3): Vec3 =>
  [0, 1, 2].map((i) => r[3 * i] * p[0] + r[3 * i + 1] * p[1] + r[3 * i + 2] * p[2] + t[i]) as Vec3;

function randomRotation(rand: Rand): Quat {
  const axis: Vec3 = [uniform(rand, -1, 1), uniform(rand, -1, 1), uniform(rand, -1, 1)];
  return quatFromAxisAngle(axis, uniform(rand, -Math.PI, Math.PI));
}

/** Checks the column-major [R t; 0 1] layout element by element. */
function expectTransform(m: ArrayLike<number>, r: number[], t: Vec3, digits: number): void {
  for (let col = 0; col < 3; col++) {
    for (let row = 0; row < 3; row++) expect(m[col * 4 + row]).toBeCloseTo(r[row * 3 + col], digits);
    expect(m[col * 4 + 3]).toBe(0);
  }
  for (let row = 0; row < 3; row++) expect(m[12 + row]).toBeCloseTo(t[row], digits);
  expect(m[15]).toBe(1);
}

describe('jaw rigid transform (docs/nvidia/postprocess.md#jaw)', () => {
  it('recovers a known random rigid motion of 5 key points (R, t to 1e-5), column-major', () => {
    const rand = seededRandom(21);
    for (let trial = 0; trial < 50; trial++) {
      const q = randomRotation(rand);
      const r = matrixOf(q);
      const t: Vec3 = [uniform(rand, -3, 3), uniform(rand, -3, 3), uniform(rand, -3, 3)];
      const neutral = randomArray(rand, 15, -5, 5);
      const moved = new Float64Array(15);
      for (let i = 0; i < 5; i++) moved.set(apply(r, t, [neutral[3 * i], neutral[3 * i + 1], neutral[3 * i + 2]]), 3 * i);
      const m = new Float64Array(16);
      rigidTransform(neutral, moved, 5, m);
      expectTransform(m, r, t, 6);
    }
  });

  it('builds P = neutral + delta·strength + (0, height, depth) before fitting', () => {
    const rand = seededRandom(22);
    const neutral = randomArray(rand, 15, -5, 5);
    const params = { lower_teeth_strength: 1.3, lower_teeth_height_offset: -0.1, lower_teeth_depth_offset: 0.25 };
    const jaw = new JawAnimator(neutral, params);
    const q = randomRotation(rand);
    const r = matrixOf(q);
    const t: Vec3 = [0.2, -0.4, 0.1];
    // network deltas chosen so that P is an exact rigid motion of the neutral
    const net = new Float32Array(20);
    for (let i = 0; i < 5; i++) {
      const p = apply(r, t, [neutral[3 * i], neutral[3 * i + 1], neutral[3 * i + 2]]);
      net[5 + 3 * i] = (p[0] - neutral[3 * i]) / 1.3;
      net[5 + 3 * i + 1] = (p[1] - neutral[3 * i + 1] + 0.1) / 1.3;
      net[5 + 3 * i + 2] = (p[2] - neutral[3 * i + 2] - 0.25) / 1.3;
    }
    const m = new Float32Array(16);
    jaw.transform(net, 5, m);
    expectTransform(m, r, t, 5);
    // zero network output: pure offset translation
    jaw.transform(new Float32Array(15), 0, m);
    expectTransform(m, [1, 0, 0, 0, 1, 0, 0, 0, 1], [0, -0.1, 0.25], 6);
  });

  it('handles a mirrored point set with the det term: R = V·diag(1,1,det(VUᵀ))·Uᵀ', () => {
    // Source points with a diagonal centred covariance C = diag(8, 2, 0.8); target = Q·F·n + t with
    // F = diag(1, 1, −1). Then H = C·F·Qᵀ has the SVD U = I, S = C, V = Q·F, so det(VUᵀ) = −1 and
    // the det-corrected Kabsch rotation is V·diag(1,1,−1)·Uᵀ = Q·F·F = Q.
    const source = [2, 0, 0, -2, 0, 0, 0, 1, 0, 0, -1, 0, 0, 0, 1];
    const rand = seededRandom(23);
    for (let trial = 0; trial < 10; trial++) {
      const q = randomRotation(rand);
      const r = matrixOf(q);
      const t: Vec3 = [uniform(rand, -1, 1), uniform(rand, -1, 1), uniform(rand, -1, 1)];
      const target = new Float64Array(15);
      for (let i = 0; i < 5; i++) target.set(apply(r, t, [source[3 * i], source[3 * i + 1], -source[3 * i + 2]]), 3 * i);
      const m = new Float64Array(16);
      rigidTransform(source, target, 5, m);
      // t = p̄ − R n̄ with n̄ = (0, 0, 0.2) and p̄ = Q·(0, 0, −0.2) + t
      const pBar = apply(r, t, [0, 0, -0.2]);
      const rnBar = apply(r, [0, 0, 0], [0, 0, 0.2]);
      expectTransform(m, r, [pBar[0] - rnBar[0], pBar[1] - rnBar[1], pBar[2] - rnBar[2]], 9);
    }
  });

  it('jaw joint: quaternion of R and the offset of a joint rotating about its pivot', () => {
    const rand = seededRandom(24);
    const neutral = randomArray(rand, 15, -5, 5);
    const q = randomRotation(rand);
    const r = matrixOf(q);
    const t: Vec3 = [0.3, -0.2, 0.5];
    const m = new Float64Array(16);
    for (let col = 0; col < 3; col++) for (let row = 0; row < 3; row++) m[col * 4 + row] = r[row * 3 + col];
    m.set([...t, 1], 12);
    const rotations = new Float32Array(4);
    const translations = new Float32Array(3);
    const pivot: Vec3 = [1, 2, -3];
    jawJointFromMatrix(m, 0, pivot, rotations, 0, translations, 0);
    const jq = Array.from(rotations) as Quat;
    for (let i = 0; i < 5; i++) {
      const n: Vec3 = [neutral[3 * i], neutral[3 * i + 1], neutral[3 * i + 2]];
      // joint at the pivot: x = R·(n − c) + c + T must equal R·n + t
      const local = quatRotate(jq, [n[0] - pivot[0], n[1] - pivot[1], n[2] - pivot[2]]);
      const viaJoint = [0, 1, 2].map((k) => local[k] + pivot[k] + translations[k]);
      const direct = apply(r, t, n);
      for (let k = 0; k < 3; k++) expect(viaJoint[k]).toBeCloseTo(direct[k], 5);
    }
  });
});

describe('tongue (docs/nvidia/postprocess.md#tongue)', () => {
  it('pos = neutral + delta·strength, + height on y, + depth on z', () => {
    const rand = seededRandom(25);
    const neutral = randomArray(rand, 30, -3, 3);
    const delta = randomArray(rand, 30, -1, 1);
    const out = new Float32Array(30);
    animateTongue(delta, neutral, { tongue_strength: 1.5, tongue_height_offset: 0.2, tongue_depth_offset: 0.13 }, out);
    for (let i = 0; i < 30; i++) {
      const offset = i % 3 === 1 ? 0.2 : i % 3 === 2 ? 0.13 : 0;
      expect(out[i]).toBeCloseTo(neutral[i] + 1.5 * delta[i] + offset, 5);
    }
  });
});
