import type { Rational } from '@a2f/animation';
import type { FaceParams } from '../params.js';
import { faceMaskLower, skinAlphas, type SkinModelData, type SkinParams } from './skin.js';
import type { BlendshapeSolver } from '../solver/blendshape-solver.js';

/**
 * The solver's data term Dᵀ(target − neutral) computed straight from PCA coefficients, without
 * rebuilding the mesh. Every step between the network and the solve is linear (docs/nvidia/postprocess.md#pca,
 * docs/nvidia/postprocess.md#skin with its linear two-stage smoother, docs/nvidia/postprocess.md#tongue), so with B the PCA basis, e/l the
 * eye-close and lip-open deltas, m the face mask and H_U/H_L the upper/lower smoothers:
 *   target − neutral_rig = (mean − neutral_rig)
 *     + uS·(1−m)∘H_U[ks·B·c + e·β + l·λ] + lS·m∘H_L[ks·B·c + e·β + l·λ]
 * with β = −eyelid_open_offset + blink_offset·blink_strength and λ = lip_open_offset. The smoothers
 * act per coordinate with one α, so they commute with B: H[B·c] = B·H[c] (and the constant λ passes
 * unchanged). Hence Dᵀ(target − neutral) = K + P_U·H_U[z] + P_L·H_L[z], z = (c, β), with
 *   P_U = [uS·ks·Dᵀdiag(1−m)B | uS·Dᵀdiag(1−m)e],  P_L likewise with m and lS,
 *   K = Dᵀ(mean − neutral_rig) + λ·(uS·Dᵀdiag(1−m)l + lS·Dᵀdiag(m)l),
 * all over the solver's masked rows. Per frame this costs 2·A·(S+1) instead of S·V·3 + A·rows.
 */
export class SkinCoefficientPath {
  readonly alphaLower: number;
  readonly alphaUpper: number;
  private readonly width: number;
  private readonly pu: Float64Array;
  private readonly pl: Float64Array;
  private readonly constant: Float64Array;
  private readonly z: Float64Array;
  private readonly u1: Float64Array;
  private readonly u2: Float64Array;
  private readonly l1: Float64Array;
  private readonly l2: Float64Array;
  private initialized = false;

  constructor(
    private readonly solver: BlendshapeSolver,
    model: SkinModelData,
    private readonly params: SkinParams,
    fps: Rational,
  ) {
    const size = model.neutral.length;
    if (solver.maskedNeutral.length === 0 || model.shapesMatrix.length % size)
      throw new Error('skin PCA basis does not match shapes_mean_skin');
    const shapes = model.shapesMatrix.length / size;
    const { rows, activeDeltas: d } = solver;
    const rowCount = rows.length;
    const n = solver.activeCount;
    const mask = faceMaskLower(model.neutral, params.face_mask_level, params.face_mask_softness);
    const alphas = skinAlphas(params, fps);
    this.alphaLower = alphas.lower;
    this.alphaUpper = alphas.upper;
    this.width = shapes + 1;
    const w = this.width;
    this.pu = new Float64Array(n * w);
    this.pl = new Float64Array(n * w);
    this.constant = new Float64Array(n);

    // Per-row weights of the two regions, then D·diag(m) and D·diag(1 − m).
    const lowerW = new Float64Array(rowCount);
    for (let r = 0; r < rowCount; r++) lowerW[r] = mask[(rows[r] / 3) | 0];
    const dl = new Float64Array(n * rowCount);
    const du = new Float64Array(n * rowCount);
    for (let a = 0; a < n; a++) {
      for (let r = 0; r < rowCount; r++) {
        const v = d[a * rowCount + r];
        dl[a * rowCount + r] = v * lowerW[r];
        du[a * rowCount + r] = v * (1 - lowerW[r]);
      }
    }
    const gathered = new Float64Array(rowCount);
    const project = (src: ArrayLike<number>, srcOffset: number, column: number, scaleU: number, scaleL: number): void => {
      for (let r = 0; r < rowCount; r++) gathered[r] = src[srcOffset + rows[r]];
      for (let a = 0; a < n; a++) {
        let su = 0;
        let sl = 0;
        const base = a * rowCount;
        for (let r = 0; r < rowCount; r++) {
          su += du[base + r] * gathered[r];
          sl += dl[base + r] * gathered[r];
        }
        if (column >= 0) {
          this.pu[a * w + column] = scaleU * su;
          this.pl[a * w + column] = scaleL * sl;
        } else {
          this.constant[a] += scaleU * su + scaleL * sl;
        }
      }
    };
    const uS = params.upper_face_strength;
    const lS = params.lower_face_strength;
    const ks = params.skin_strength;
    for (let j = 0; j < shapes; j++) project(model.shapesMatrix, j * size, j, uS * ks, lS * ks);
    project(model.eyeClosePoseDelta, 0, shapes, uS, lS);
    project(model.lipOpenPoseDelta, 0, -1, uS * params.lip_open_offset, lS * params.lip_open_offset);
    // K += Dᵀ(mean − neutral_rig), with the same float32 subtraction the mesh path does
    for (let r = 0; r < rowCount; r++) gathered[r] = Math.fround(model.neutral[rows[r]] - solver.maskedNeutral[r]);
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let r = 0; r < rowCount; r++) s += d[a * rowCount + r] * gathered[r];
      this.constant[a] += s;
    }

    this.z = new Float64Array(w);
    this.u1 = new Float64Array(w);
    this.u2 = new Float64Array(w);
    this.l1 = new Float64Array(w);
    this.l2 = new Float64Array(w);
  }

  /** Start of a track (pairs with `SkinAnimator.reset`). */
  reset(): void {
    this.initialized = false;
  }

  /** One frame: PCA coefficients at coefs[offset…], the frame's blink offset; writes Dᵀ(target − neutral). */
  project(coefs: ArrayLike<number>, offset: number, blinkOffset: number, out: Float64Array): void {
    const { z, u1, u2, l1, l2, width: w, pu, pl, constant, alphaLower: aL, alphaUpper: aU } = this;
    const shapes = w - 1;
    for (let j = 0; j < shapes; j++) z[j] = coefs[offset + j];
    z[shapes] = -this.params.eyelid_open_offset + blinkOffset * this.params.blink_strength;
    // the same two-stage smoother as SkinAnimator, in coefficient space
    if (this.initialized && aL < 1) {
      for (let j = 0; j < w; j++) {
        l1[j] += (z[j] - l1[j]) * aL;
        l2[j] += (l1[j] - l2[j]) * aL;
      }
    } else {
      l1.set(z);
      l2.set(z);
    }
    if (this.initialized && aU < 1) {
      for (let j = 0; j < w; j++) {
        u1[j] += (z[j] - u1[j]) * aU;
        u2[j] += (u1[j] - u2[j]) * aU;
      }
    } else {
      u1.set(z);
      u2.set(z);
    }
    this.initialized = true;
    const n = this.solver.activeCount;
    for (let a = 0; a < n; a++) {
      let s = constant[a];
      const base = a * w;
      for (let j = 0; j < w; j++) s += pu[base + j] * u2[j] + pl[base + j] * l2[j];
      out[a] = s;
    }
  }
}

/**
 * The tongue's data term from PCA coefficients (docs/nvidia/postprocess.md#tongue is affine in the coefficients):
 * Dᵀ(target − neutral_rig) = ts·(DᵀB)·c + Dᵀ(mean − neutral_rig) + h·Dᵀ𝟙_y + depth·Dᵀ𝟙_z.
 */
export class TongueCoefficientPath {
  private readonly p: Float64Array;
  private readonly constant: Float64Array;
  private readonly shapes: number;

  constructor(
    private readonly solver: BlendshapeSolver,
    model: { readonly shapesMatrix: Float32Array; readonly neutral: Float32Array },
    params: Pick<FaceParams, 'tongue_strength' | 'tongue_height_offset' | 'tongue_depth_offset'>,
  ) {
    const size = model.neutral.length;
    if (model.shapesMatrix.length % size) throw new Error('tongue PCA basis does not match shapes_mean_tongue');
    this.shapes = model.shapesMatrix.length / size;
    const { rows, activeDeltas: d } = solver;
    const rowCount = rows.length;
    const n = solver.activeCount;
    this.p = new Float64Array(n * this.shapes);
    this.constant = new Float64Array(n);
    const gathered = new Float64Array(rowCount);
    for (let j = 0; j < this.shapes; j++) {
      for (let r = 0; r < rowCount; r++) gathered[r] = model.shapesMatrix[j * size + rows[r]];
      for (let a = 0; a < n; a++) {
        let s = 0;
        for (let r = 0; r < rowCount; r++) s += d[a * rowCount + r] * gathered[r];
        this.p[a * this.shapes + j] = params.tongue_strength * s;
      }
    }
    for (let r = 0; r < rowCount; r++) {
      const axis = rows[r] % 3;
      const offset = axis === 1 ? params.tongue_height_offset : axis === 2 ? params.tongue_depth_offset : 0;
      gathered[r] = Math.fround(model.neutral[rows[r]] - solver.maskedNeutral[r]) + offset;
    }
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let r = 0; r < rowCount; r++) s += d[a * rowCount + r] * gathered[r];
      this.constant[a] = s;
    }
  }

  /** One frame: tongue PCA coefficients at coefs[offset…]; writes Dᵀ(target − neutral). */
  project(coefs: ArrayLike<number>, offset: number, out: Float64Array): void {
    const { p, constant, shapes } = this;
    for (let a = 0; a < this.solver.activeCount; a++) {
      let s = constant[a];
      for (let j = 0; j < shapes; j++) s += p[a * shapes + j] * coefs[offset + j];
      out[a] = s;
    }
  }
}
