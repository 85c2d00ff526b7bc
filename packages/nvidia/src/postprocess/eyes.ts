import { quatFromEulerXYZDegrees, type Quat, type Rational } from '@a2f/animation';
import type { FaceParams } from '../params.js';

export type EyeParams = Pick<
  FaceParams,
  | 'eyeballs_strength'
  | 'saccade_strength'
  | 'right_eye_rot_x_offset'
  | 'right_eye_rot_y_offset'
  | 'left_eye_rot_x_offset'
  | 'left_eye_rot_y_offset'
  | 'eye_saccade_seed'
>;

/** "Assume the saccade information was meant for 30 FPS" (SDK `ComputeEyesRotation`). */
export const SACCADE_FPS = 30;

const f32 = Math.fround;

/**
 * The SDK's eye animator (docs/nvidia/postprocess.md#eyes; multitrack_animator_cuda.cu `ComputeEyesRotation`),
 * bit-faithful in float32. For each eye (network index: right = [0],[1], left = [2],[3]) and axis:
 *   rot = eye_rot_offset + eyeballs_strength·net + saccade_strength·saccade[f][axis], rot.z = 0
 *   f = trunc(wrap(seed + liveTime, F)), then liveTime = wrap(liveTime + dt·30)
 * with F = table rows (5000 for Mark), dt = float(den)/num and every operation rounded to float32
 * (`Math.fround`), as the SDK keeps dt and liveTime in float: at 30000/1001 or 25 fps exact
 * arithmetic would land one saccade row off at some frames. Both eyes use the same row.
 * Output per frame: 6 floats (R.x, R.y, 0, L.x, L.y, 0) in degrees, x = pitch, y = yaw.
 */
export class EyeAnimator {
  /** liveTime increment per frame, float32: fround(fround(den/num)·30). */
  readonly increment: number;
  readonly rows: number;
  private readonly wrapAt: number;
  /** float32 (right x, right y, left x, left y) offsets, eyeballs_strength, saccade_strength */
  private readonly offsets: Float64Array;
  private readonly strength: number;
  private readonly saccadeStrength: number;
  private liveTime = 0;

  constructor(
    private readonly saccade: Float32Array,
    private readonly params: EyeParams,
    fps: Rational,
  ) {
    if (saccade.length === 0 || saccade.length % 2 !== 0)
      throw new Error(`saccade_rot_matrix has ${saccade.length} floats, expected rows × 2`);
    this.rows = saccade.length / 2;
    this.wrapAt = f32(this.rows);
    this.increment = f32(f32(fps.den / fps.num) * SACCADE_FPS);
    this.offsets = Float64Array.from(
      [params.right_eye_rot_x_offset, params.right_eye_rot_y_offset, params.left_eye_rot_x_offset, params.left_eye_rot_y_offset],
      f32,
    );
    this.strength = f32(params.eyeballs_strength);
    this.saccadeStrength = f32(params.saccade_strength);
  }

  /** Start of a track: live time back to 0. */
  reset(): void {
    this.liveTime = 0;
  }

  /** The saccade row the next `step` reads. */
  get saccadeRow(): number {
    return Math.trunc(this.wrap(f32(f32(this.params.eye_saccade_seed) + this.liveTime)));
  }

  /** One frame: `net` holds (R.x, R.y, L.x, L.y) at `offset`; writes 6 floats at out[outOffset…]. */
  step(net: ArrayLike<number>, offset: number, out: Float32Array | Float64Array, outOffset = 0): void {
    const { offsets, strength, saccadeStrength } = this;
    const row = this.saccadeRow;
    for (let eye = 0; eye < 2; eye++) {
      for (let axis = 0; axis < 2; axis++) {
        const k = eye * 2 + axis;
        const value = f32(f32(offsets[k] + f32(f32(net[offset + k]) * strength)) + f32(saccadeStrength * this.saccade[2 * row + axis]));
        out[outOffset + eye * 3 + axis] = value;
      }
      out[outOffset + eye * 3 + 2] = 0;
    }
    this.liveTime = this.wrap(f32(this.liveTime + this.increment));
  }

  private wrap(value: number): number {
    // fmod of two floats is exact, so no rounding is needed
    let r = value % this.wrapAt;
    if (r < 0) r += this.wrapAt;
    return r;
  }
}

/**
 * Eye rotation (degrees) to a unit quaternion (w, x, y, z): pitch x about +X applied first, then
 * yaw y about +Y, i.e. q = q_y ⊗ q_x (R = R_y·R_x on column vectors). That is Maya's default
 * rotate order "xyz" and USD's `xformOp:rotateXYZ`, the convention of the Maya `xform` values the
 * network was trained on (docs/nvidia/postprocess.md#eyes, inferred). Identical to any other order when one angle is 0.
 */
export function eyeRotationQuat(xDegrees: number, yDegrees: number): Quat {
  return quatFromEulerXYZDegrees(xDegrees, yDegrees);
}
