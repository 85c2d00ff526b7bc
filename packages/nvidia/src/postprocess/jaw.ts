import { quatFromMatrix3 } from '@a2f/animation';
import type { FaceParams } from '../params.js';

export type JawParams = Pick<FaceParams, 'lower_teeth_strength' | 'lower_teeth_height_offset' | 'lower_teeth_depth_offset'>;

/**
 * Lower-teeth (jaw) rigid transform (docs/nvidia/postprocess.md#jaw; SDK CPU `rigidXform` in math_utils.cpp):
 *   P_i = neutral_jaw_i + delta_i·lower_teeth_strength + (0, height_offset, depth_offset)
 *   H = Σ (n_i − n̄)(P_i − p̄)ᵀ, H = U S Vᵀ, R = V·diag(1, 1, det(V Uᵀ))·Uᵀ, t = p̄ − R n̄
 * written as a column-major 4×4 [R t; 0 1] (16 floats, Eigen ColMajor).
 *
 * R is found with Horn's closed-form quaternion method (the eigenvector of the largest eigenvalue
 * of Horn's symmetric 4×4 matrix N(H)); it maximises tr(R·H) over proper rotations, which is
 * exactly what the det-corrected Kabsch formula gives (they coincide whenever the optimum is unique,
 * reflections included). The 4×4 eigenproblem is solved by cyclic Jacobi rotations in float64.
 *
 * Note: the SDK's CUDA kernel (`ComputeJawTransformKernel`) applies the det correction differently
 * (it divides the third column of V·Uᵀ by det), which only differs from the CPU formula for
 * reflected point sets; this follows the CPU formula the reference documents.
 */
export class JawAnimator {
  readonly pointCount: number;
  /** Centroid n̄ of the neutral key points. */
  readonly neutralCentroid: Float64Array;
  private readonly target: Float64Array;
  private readonly n4 = new Float64Array(16);
  private readonly v4 = new Float64Array(16);

  constructor(
    private readonly neutralJaw: Float32Array,
    private readonly params: JawParams,
  ) {
    if (neutralJaw.length === 0 || neutralJaw.length % 3 !== 0)
      throw new Error(`neutral_jaw has ${neutralJaw.length} floats, expected key points × 3`);
    this.pointCount = neutralJaw.length / 3;
    this.target = new Float64Array(neutralJaw.length);
    this.neutralCentroid = centroid(neutralJaw, this.pointCount);
  }

  /** The animated key points P_i (written to `out`, pointCount·3 floats). */
  keyPoints(delta: ArrayLike<number>, deltaOffset: number, out: Float64Array | Float32Array): void {
    const { lower_teeth_strength: k, lower_teeth_height_offset: h, lower_teeth_depth_offset: d } = this.params;
    for (let i = 0; i < this.pointCount; i++) {
      out[3 * i] = this.neutralJaw[3 * i] + delta[deltaOffset + 3 * i] * k;
      out[3 * i + 1] = this.neutralJaw[3 * i + 1] + delta[deltaOffset + 3 * i + 1] * k + h;
      out[3 * i + 2] = this.neutralJaw[3 * i + 2] + delta[deltaOffset + 3 * i + 2] * k + d;
    }
  }

  /** One frame: writes the column-major 4×4 transform to out[outOffset…+16]. */
  transform(delta: ArrayLike<number>, deltaOffset: number, out: Float32Array | Float64Array, outOffset = 0): void {
    this.keyPoints(delta, deltaOffset, this.target);
    rigidTransformInto(this.neutralJaw, this.target, this.pointCount, out, outOffset, this.n4, this.v4);
  }
}

/**
 * Best rigid motion taking `from` onto `to` (least squares), column-major 4×4 into out. Allocates
 * its scratch; `JawAnimator.transform` reuses its own.
 */
export function rigidTransform(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  count: number,
  out: Float32Array | Float64Array,
  outOffset = 0,
): void {
  rigidTransformInto(from, to, count, out, outOffset, new Float64Array(16), new Float64Array(16));
}

function centroid(points: ArrayLike<number>, count: number): Float64Array {
  const c = new Float64Array(3);
  for (let i = 0; i < count; i++) for (let k = 0; k < 3; k++) c[k] += points[3 * i + k];
  for (let k = 0; k < 3; k++) c[k] /= count;
  return c;
}

function rigidTransformInto(
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  count: number,
  out: Float32Array | Float64Array,
  o: number,
  n: Float64Array,
  v: Float64Array,
): void {
  let fx = 0,
    fy = 0,
    fz = 0,
    tx = 0,
    ty = 0,
    tz = 0;
  for (let i = 0; i < count; i++) {
    fx += from[3 * i];
    fy += from[3 * i + 1];
    fz += from[3 * i + 2];
    tx += to[3 * i];
    ty += to[3 * i + 1];
    tz += to[3 * i + 2];
  }
  fx /= count;
  fy /= count;
  fz /= count;
  tx /= count;
  ty /= count;
  tz /= count;
  // H = Σ (n − n̄)(p − p̄)ᵀ; sab = Σ n_a p_b
  let sxx = 0,
    sxy = 0,
    sxz = 0,
    syx = 0,
    syy = 0,
    syz = 0,
    szx = 0,
    szy = 0,
    szz = 0;
  for (let i = 0; i < count; i++) {
    const ax = from[3 * i] - fx,
      ay = from[3 * i + 1] - fy,
      az = from[3 * i + 2] - fz;
    const bx = to[3 * i] - tx,
      by = to[3 * i + 1] - ty,
      bz = to[3 * i + 2] - tz;
    sxx += ax * bx;
    sxy += ax * by;
    sxz += ax * bz;
    syx += ay * bx;
    syy += ay * by;
    syz += ay * bz;
    szx += az * bx;
    szy += az * by;
    szz += az * bz;
  }
  // Horn (1987) N, rows/cols (w, x, y, z); its top eigenvector is the rotation from → to.
  n.set([
    sxx + syy + szz,
    syz - szy,
    szx - sxz,
    sxy - syx,
    syz - szy,
    sxx - syy - szz,
    sxy + syx,
    szx + sxz,
    szx - sxz,
    sxy + syx,
    -sxx + syy - szz,
    syz + szy,
    sxy - syx,
    szx + sxz,
    syz + szy,
    -sxx - syy + szz,
  ]);
  jacobiEigen4(n, v);
  let best = 0;
  for (let j = 1; j < 4; j++) if (n[j * 5] > n[best * 5]) best = j;
  let qw = v[best],
    qx = v[4 + best],
    qy = v[8 + best],
    qz = v[12 + best];
  const norm = Math.hypot(qw, qx, qy, qz);
  qw /= norm;
  qx /= norm;
  qy /= norm;
  qz /= norm;
  const r00 = 1 - 2 * (qy * qy + qz * qz),
    r01 = 2 * (qx * qy - qw * qz),
    r02 = 2 * (qx * qz + qw * qy);
  const r10 = 2 * (qx * qy + qw * qz),
    r11 = 1 - 2 * (qx * qx + qz * qz),
    r12 = 2 * (qy * qz - qw * qx);
  const r20 = 2 * (qx * qz - qw * qy),
    r21 = 2 * (qy * qz + qw * qx),
    r22 = 1 - 2 * (qx * qx + qy * qy);
  out[o] = r00;
  out[o + 1] = r10;
  out[o + 2] = r20;
  out[o + 3] = 0;
  out[o + 4] = r01;
  out[o + 5] = r11;
  out[o + 6] = r21;
  out[o + 7] = 0;
  out[o + 8] = r02;
  out[o + 9] = r12;
  out[o + 10] = r22;
  out[o + 11] = 0;
  out[o + 12] = tx - (r00 * fx + r01 * fy + r02 * fz);
  out[o + 13] = ty - (r10 * fx + r11 * fy + r12 * fz);
  out[o + 14] = tz - (r20 * fx + r21 * fy + r22 * fz);
  out[o + 15] = 1;
}

/**
 * Cyclic Jacobi eigen-decomposition of a symmetric 4×4 (row-major). On return the diagonal of `a`
 * holds the eigenvalues and column j of `v` the eigenvector of a[j][j].
 */
function jacobiEigen4(a: Float64Array, v: Float64Array): void {
  v.fill(0);
  v[0] = v[5] = v[10] = v[15] = 1;
  for (let sweep = 0; sweep < 64; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const x = a[i * 4 + j] * a[i * 4 + j];
        total += x;
        if (i !== j) off += x;
      }
    }
    if (off <= 1e-32 * total || off === 0) return;
    for (let p = 0; p < 3; p++) {
      for (let q = p + 1; q < 4; q++) {
        const apq = a[p * 4 + q];
        if (apq === 0) continue;
        const theta = (a[q * 4 + q] - a[p * 4 + p]) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J with J the rotation in the (p, q) plane, V ← V J
        for (let k = 0; k < 4; k++) {
          const akp = a[k * 4 + p],
            akq = a[k * 4 + q];
          a[k * 4 + p] = c * akp - s * akq;
          a[k * 4 + q] = s * akp + c * akq;
        }
        for (let k = 0; k < 4; k++) {
          const apk = a[p * 4 + k],
            aqk = a[q * 4 + k];
          a[p * 4 + k] = c * apk - s * aqk;
          a[q * 4 + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < 4; k++) {
          const vkp = v[k * 4 + p],
            vkq = v[k * 4 + q];
          v[k * 4 + p] = c * vkp - s * vkq;
          v[k * 4 + q] = s * vkp + c * vkq;
        }
      }
    }
  }
}

/**
 * Our `jaw` joint channel from the SDK's jaw matrix: the rotation as a unit quaternion (w, x, y, z)
 * and the translation offset of a joint rotating about `pivot` (model space, rest orientation
 * aligned with the model axes). The matrix maps a rest point n to R·n + t; a joint at pivot c that
 * rotates by R and moves by T maps it to R·(n − c) + c + T, so T = t − (I − R)·c. With c = the
 * neutral key-point centroid, T is simply the centroid's displacement p̄ − n̄.
 */
export function jawJointFromMatrix(
  m: ArrayLike<number>,
  mOffset: number,
  pivot: ArrayLike<number>,
  rotations: Float32Array,
  rotationOffset: number,
  translations: Float32Array,
  translationOffset: number,
): void {
  const r = [
    m[mOffset],
    m[mOffset + 4],
    m[mOffset + 8],
    m[mOffset + 1],
    m[mOffset + 5],
    m[mOffset + 9],
    m[mOffset + 2],
    m[mOffset + 6],
    m[mOffset + 10],
  ];
  const q = quatFromMatrix3(r);
  rotations.set(q, rotationOffset);
  for (let k = 0; k < 3; k++) {
    const rc = r[3 * k] * pivot[0] + r[3 * k + 1] * pivot[1] + r[3 * k + 2] * pivot[2];
    translations[translationOffset + k] = m[mOffset + 12 + k] - pivot[k] + rc;
  }
}
