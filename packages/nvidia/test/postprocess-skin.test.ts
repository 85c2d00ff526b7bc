import { describe, expect, it } from 'vitest';
import { rational, seededRandom } from '@a2f/animation';
import { pcaReconstruct } from '../src/postprocess/pca.js';
import { faceMaskLower, SkinAnimator, skinAlphas, type SkinParams } from '../src/postprocess/skin.js';
import { MARK_PARAMS, randomArray, uniform } from './solver-fixtures.js';

describe('skin smoothing coefficient α = 1 − 0.5^(dt/half-life) (docs/nvidia/postprocess.md#skin)', () => {
  it('matches the formula at 30, 60 and 29.97 fps, and the reference values for Mark', () => {
    for (const [fps, dt] of [
      [rational(30), 1 / 30],
      [rational(60), 1 / 60],
      [rational(30000, 1001), 1001 / 30000],
    ] as const) {
      for (const h of [0.0023, 0.001, 0.05]) {
        const a = skinAlphas({ lower_face_smoothing: h, upper_face_smoothing: h / 2 }, fps);
        expect(a.lower).toBeCloseTo(1 - 2 ** (-dt / h), 14);
        expect(a.upper).toBeCloseTo(1 - 2 ** (-dt / (h / 2)), 14);
      }
    }
    // docs/nvidia/postprocess.md#skin: "α ≈ 1 − 4·10⁻⁵ at 30 fps, α ≈ 0.99341 at 60 fps" for lower_face_smoothing 0.0023
    expect(1 - skinAlphas(MARK_PARAMS, rational(30)).lower).toBeCloseTo(4.3376e-5, 9);
    expect(skinAlphas(MARK_PARAMS, rational(60)).lower).toBeCloseTo(0.99341, 5);
    // a half-life of 0 turns smoothing off
    expect(skinAlphas({ lower_face_smoothing: 0, upper_face_smoothing: 0 }, rational(30))).toEqual({ lower: 1, upper: 1 });
  });
});

/** Two vertices: y = 0 is lower face (mask ≈ 1), y = 1 is upper face (mask ≈ 0). */
function twoVertexRig() {
  return {
    neutral: Float32Array.from([0, 0, 0, 0, 1, 0]),
    eyeClosePoseDelta: new Float32Array(6),
    lipOpenPoseDelta: new Float32Array(6),
  };
}

const neutralParams: SkinParams = {
  lower_face_smoothing: 0.05,
  upper_face_smoothing: 0.02,
  lower_face_strength: 1,
  upper_face_strength: 1,
  face_mask_level: 0.6,
  face_mask_softness: 0.001,
  skin_strength: 1,
  blink_strength: 1,
  eyelid_open_offset: 0,
  lip_open_offset: 0,
};

describe('SkinAnimator two-stage smoother', () => {
  // Closed forms for x1 += (d − x1)α, x2 += (x1 − x2)α, state 0 at t = 0, β = 1 − α:
  // unit step from t = 1: s(t) = 1 − β^t − tαβ^t; unit impulse at t = 1: s(t) − s(t − 1).
  const step = (t: number, a: number): number => (t <= 0 ? 0 : 1 - (1 - a) ** t - t * a * (1 - a) ** t);

  it('equals the closed form on a step and an impulse, per region with its own α', () => {
    const rig = twoVertexRig();
    const fps = rational(30);
    const aL = 1 - 0.5 ** (1 / 30 / neutralParams.lower_face_smoothing);
    const aU = 1 - 0.5 ** (1 / 30 / neutralParams.upper_face_smoothing);
    for (const impulse of [false, true]) {
      const skin = new SkinAnimator(rig, neutralParams, fps);
      const out = new Float32Array(6);
      for (let t = 0; t < 40; t++) {
        const x = impulse ? (t === 1 ? 1 : 0) : t >= 1 ? 1 : 0;
        skin.animate(Float32Array.from([0, 0, x, 0, 0, x]), 0, out); // z of both vertices
        const expectL = impulse ? step(t, aL) - step(t - 1, aL) : step(t, aL);
        const expectU = impulse ? step(t, aU) - step(t - 1, aU) : step(t, aU);
        expect(out[2]).toBeCloseTo(expectL, 6);
        expect(out[5] - 0).toBeCloseTo(expectU, 6);
      }
    }
  });

  it('initialises the state from the first frame after reset (a constant passes unchanged)', () => {
    const skin = new SkinAnimator(twoVertexRig(), neutralParams, rational(60));
    const out = new Float32Array(6);
    const delta = Float32Array.from([0.5, -0.25, 2, 0.5, -0.25, 2]);
    for (let t = 0; t < 5; t++) {
      skin.animate(delta, 0, out);
      expect(Array.from(out)).toEqual([0.5, -0.25, 2, 0.5, 0.75, 2]);
    }
    skin.animate(new Float32Array(6), 0, out);
    expect(out[2]).toBeGreaterThan(1); // smoothing: it does not jump to 0
    skin.reset();
    skin.animate(new Float32Array(6), 0, out);
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 1, 0]);
  });
});

describe('face mask (docs/nvidia/postprocess.md#skin)', () => {
  it('equals 1/(1 + exp(−(level − ŷ)/softness)) with ŷ from the neutral y range', () => {
    const rand = seededRandom(3);
    const neutral = randomArray(rand, 3 * 200, -7, 13);
    let min = Infinity;
    let max = -Infinity;
    for (let v = 0; v < 200; v++) {
      min = Math.min(min, neutral[3 * v + 1]);
      max = Math.max(max, neutral[3 * v + 1]);
    }
    for (const [level, softness] of [
      [0.6, 0.0085],
      [0.3, 0.2],
      [1, 0.5],
    ]) {
      const mask = faceMaskLower(neutral, level, softness);
      for (let v = 0; v < 200; v++) {
        const yHat = (neutral[3 * v + 1] - min) / (max - min);
        expect(mask[v]).toBeCloseTo(1 / (1 + Math.exp(-(level - yHat) / softness)), 6);
      }
    }
    expect(() => faceMaskLower(Float32Array.from([0, 1, 0, 5, 1, 2]), 0.6, 0.01)).toThrow(/no height/);
  });
});

describe('skin strengths and offsets (smoothing off)', () => {
  it('pos = neutral + uS(1−m)·d + lS·m·d with d = ks·δ + e·(−eyelid + blink·bs) + l·lip', () => {
    const rand = seededRandom(11);
    const v = 60;
    const rig = {
      neutral: randomArray(rand, 3 * v, -5, 5),
      eyeClosePoseDelta: randomArray(rand, 3 * v, -1, 1),
      lipOpenPoseDelta: randomArray(rand, 3 * v, -1, 1),
    };
    const params: SkinParams = {
      ...neutralParams,
      lower_face_smoothing: 0,
      upper_face_smoothing: 0,
      lower_face_strength: 1.4,
      upper_face_strength: 0.7,
      face_mask_softness: 0.1,
      skin_strength: 1.1,
      blink_strength: 1.5,
      eyelid_open_offset: 0.06,
      lip_open_offset: -0.03,
    };
    const skin = new SkinAnimator(rig, params, rational(30));
    const mask = faceMaskLower(rig.neutral, params.face_mask_level, params.face_mask_softness);
    const out = new Float32Array(3 * v);
    for (let frame = 0; frame < 3; frame++) {
      const delta = randomArray(rand, 3 * v, -1, 1);
      const blink = uniform(rand, 0, 1);
      skin.animate(delta, blink, out);
      for (let i = 0; i < 3 * v; i++) {
        const m = mask[Math.floor(i / 3)];
        const d = 1.1 * delta[i] + rig.eyeClosePoseDelta[i] * (-0.06 + blink * 1.5) + rig.lipOpenPoseDelta[i] * -0.03;
        expect(out[i]).toBeCloseTo(rig.neutral[i] + 0.7 * (1 - m) * d + 1.4 * m * d, 5);
      }
    }
  });
});

describe('PCA reconstruction (docs/nvidia/postprocess.md#pca)', () => {
  it('is Σ_j c_j·shapes[j] over the [S, V, 3] basis, reading coefficients at an offset', () => {
    const rand = seededRandom(5);
    const shapes = randomArray(rand, 4 * 30, -1, 1);
    const coefs = Float32Array.from([9, 9, 0.5, -2, 0, 1.25]);
    const out = new Float64Array(30);
    pcaReconstruct(shapes, coefs, 2, out);
    for (let i = 0; i < 30; i++) {
      expect(out[i]).toBeCloseTo(0.5 * shapes[i] - 2 * shapes[30 + i] + 1.25 * shapes[90 + i], 12);
    }
  });
});
