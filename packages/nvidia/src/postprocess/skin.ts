import { halfLifeAlpha, type Rational } from '@a2f/animation';
import type { FaceParams } from '../params.js';

/** The regression model's skin data (`model_data.npz`, docs/nvidia/pack-format.md#model-data). */
export interface SkinModelData {
  /** `shapes_matrix_skin`, [S, V, 3] */
  readonly shapesMatrix: Float32Array;
  /** `shapes_mean_skin`: the neutral the deltas are added to, V·3 */
  readonly neutral: Float32Array;
  /** `eye_close_pose_delta`, V·3 */
  readonly eyeClosePoseDelta: Float32Array;
  /** `lip_open_pose_delta`, V·3 */
  readonly lipOpenPoseDelta: Float32Array;
}

export type SkinParams = Pick<
  FaceParams,
  | 'lower_face_smoothing'
  | 'upper_face_smoothing'
  | 'lower_face_strength'
  | 'upper_face_strength'
  | 'face_mask_level'
  | 'face_mask_softness'
  | 'skin_strength'
  | 'blink_strength'
  | 'eyelid_open_offset'
  | 'lip_open_offset'
>;

/**
 * Lower-face weight per vertex (docs/nvidia/postprocess.md#skin, SDK `AnimatorSkinGetFaceMaskLowerKernel`):
 * ŷ = (y − min y)/(max y − min y) over the neutral, m = 1/(1 + exp(−(level − ŷ)/softness)).
 * m → 1 below `level` (lower face), → 0 above it.
 */
export function faceMaskLower(neutral: Float32Array, level: number, softness: number): Float32Array {
  if (!(softness > 0)) throw new RangeError(`face_mask_softness must be > 0 (got ${softness})`);
  const count = neutral.length / 3;
  let min = Infinity;
  let max = -Infinity;
  for (let v = 0; v < count; v++) {
    const y = neutral[3 * v + 1];
    if (y < min) min = y;
    if (y > max) max = y;
  }
  if (!(max - min > 0)) throw new RangeError('the skin neutral has no height (max y = min y); the face mask needs a y extent');
  const range = max - min;
  const mask = new Float32Array(count);
  for (let v = 0; v < count; v++) {
    const yHat = (neutral[3 * v + 1] - min) / range;
    mask[v] = 1 / (1 + Math.exp(-(level - yHat) / softness));
  }
  return mask;
}

/**
 * Smoothing coefficients α = 1 − 0.5^(dt/half-life), dt = den/num (docs/nvidia/postprocess.md#skin, multitrack_animator.cpp).
 * A half-life of 0 gives α = 1: the state follows the input, like the SDK's α ≤ 0 branch.
 */
export function skinAlphas(
  params: Pick<FaceParams, 'lower_face_smoothing' | 'upper_face_smoothing'>,
  fps: Rational,
): { lower: number; upper: number } {
  return { lower: halfLifeAlpha(params.lower_face_smoothing, fps), upper: halfLifeAlpha(params.upper_face_smoothing, fps) };
}

/**
 * The SDK's skin animator (docs/nvidia/postprocess.md#skin, `ComputeSkinPostProcessing`), per coordinate i:
 *   d = skin_strength·delta + eye_close·(−eyelid_open_offset + blink_offset·blink_strength) + lip_open·lip_open_offset
 *   lower1 += (d − lower1)·αL; lower2 += (lower1 − lower2)·αL   (upper likewise with αU)
 *   pos = neutral + upper2·upper_face_strength·(1 − m) + lower2·lower_face_strength·m
 * The first frame after `reset` (or α ≥ 1) sets all four states to d. State is float32 like the SDK's.
 */
export class SkinAnimator {
  readonly mask: Float32Array;
  readonly alphaLower: number;
  readonly alphaUpper: number;
  private readonly lower1: Float32Array;
  private readonly lower2: Float32Array;
  private readonly upper1: Float32Array;
  private readonly upper2: Float32Array;
  private initialized = false;

  constructor(
    private readonly data: Pick<SkinModelData, 'neutral' | 'eyeClosePoseDelta' | 'lipOpenPoseDelta'>,
    private readonly params: SkinParams,
    fps: Rational,
  ) {
    const size = data.neutral.length;
    if (data.eyeClosePoseDelta.length !== size || data.lipOpenPoseDelta.length !== size) {
      throw new Error(
        `skin data: eye_close_pose_delta (${data.eyeClosePoseDelta.length}) and lip_open_pose_delta ` +
          `(${data.lipOpenPoseDelta.length}) must match shapes_mean_skin (${size})`,
      );
    }
    this.mask = faceMaskLower(data.neutral, params.face_mask_level, params.face_mask_softness);
    const alphas = skinAlphas(params, fps);
    this.alphaLower = alphas.lower;
    this.alphaUpper = alphas.upper;
    this.lower1 = new Float32Array(size);
    this.lower2 = new Float32Array(size);
    this.upper1 = new Float32Array(size);
    this.upper2 = new Float32Array(size);
  }

  /** Start of a track: the next frame initialises the smoother. */
  reset(): void {
    this.initialized = false;
  }

  /** One frame: `delta` from PCA (V·3), `blinkOffset` in [0, 1]; writes absolute positions. */
  animate(delta: ArrayLike<number>, blinkOffset: number, out: Float32Array): void {
    const { neutral, eyeClosePoseDelta: eye, lipOpenPoseDelta: lip } = this.data;
    const p = this.params;
    const { mask, lower1, lower2, upper1, upper2, alphaLower: aL, alphaUpper: aU } = this;
    const eyeGain = -p.eyelid_open_offset + blinkOffset * p.blink_strength;
    const smoothLower = this.initialized && aL < 1;
    const smoothUpper = this.initialized && aU < 1;
    for (let i = 0; i < neutral.length; i++) {
      const d = p.skin_strength * delta[i] + eye[i] * eyeGain + lip[i] * p.lip_open_offset;
      if (smoothLower) {
        lower1[i] += (d - lower1[i]) * aL;
        lower2[i] += (lower1[i] - lower2[i]) * aL;
      } else {
        lower1[i] = d;
        lower2[i] = d;
      }
      if (smoothUpper) {
        upper1[i] += (d - upper1[i]) * aU;
        upper2[i] += (upper1[i] - upper2[i]) * aU;
      } else {
        upper1[i] = d;
        upper2[i] = d;
      }
      const m = mask[(i / 3) | 0];
      out[i] = neutral[i] + upper2[i] * p.upper_face_strength * (1 - m) + lower2[i] * p.lower_face_strength * m;
    }
    this.initialized = true;
  }
}
