/**
 * Small dense linear algebra for the blendshape solver, in float64, with all buffers allocated once.
 * Matrices are row-major Float64Array n×n unless stated otherwise.
 */

/**
 * Least squares over a column subset: x = argmin ‖A[:, cols]·x − rhs‖₂ for an n×n matrix A,
 * by Householder QR. This is what the SDK's BVLS does with `JacobiSVD(A_free).solve(b_free)`
 * (bvls.cpp `constrainedMin`); for a full-column-rank A_free both give the unique least-squares
 * solution. A_free has full column rank whenever A is non-singular, which the solver guarantees
 * by checking M is positive definite when it is prepared.
 */
export class SubsetLeastSquares {
  private readonly work: Float64Array;
  private readonly rhs: Float64Array;
  private readonly v: Float64Array;

  constructor(readonly n: number) {
    this.work = new Float64Array(n * n);
    this.rhs = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** Writes the k solution values to `out[0..k)`. `cols` holds k column indices of `a`. */
  solve(a: Float64Array, cols: Int32Array, k: number, rhsIn: Float64Array, out: Float64Array): void {
    const { n, work: w, rhs, v } = this;
    // Column-major copy of A[:, cols]: column c starts at c·n.
    for (let c = 0; c < k; c++) {
      const col = cols[c];
      for (let i = 0; i < n; i++) w[c * n + i] = a[i * n + col];
    }
    rhs.set(rhsIn.subarray(0, n));
    for (let c = 0; c < k; c++) {
      const base = c * n;
      let norm2 = 0;
      for (let i = c; i < n; i++) norm2 += w[base + i] * w[base + i];
      const norm = Math.sqrt(norm2);
      if (norm === 0) throw new Error('least squares: the selected columns are linearly dependent');
      const alpha = w[base + c] > 0 ? -norm : norm;
      let vnorm2 = 0;
      for (let i = c; i < n; i++) {
        v[i] = w[base + i];
        if (i === c) v[i] -= alpha;
        vnorm2 += v[i] * v[i];
      }
      w[base + c] = alpha;
      if (vnorm2 === 0) continue;
      for (let cc = c + 1; cc < k; cc++) {
        const b2 = cc * n;
        let dot = 0;
        for (let i = c; i < n; i++) dot += v[i] * w[b2 + i];
        const f = (2 * dot) / vnorm2;
        for (let i = c; i < n; i++) w[b2 + i] -= f * v[i];
      }
      let dot = 0;
      for (let i = c; i < n; i++) dot += v[i] * rhs[i];
      const f = (2 * dot) / vnorm2;
      for (let i = c; i < n; i++) rhs[i] -= f * v[i];
    }
    // Back substitution with R (upper triangle of the first k rows).
    for (let c = k - 1; c >= 0; c--) {
      let s = rhs[c];
      for (let cc = c + 1; cc < k; cc++) s -= w[cc * n + c] * out[cc];
      out[c] = s / w[c * n + c];
    }
  }
}

/** True when the symmetric n×n matrix is positive definite (Cholesky succeeds). */
export function isPositiveDefinite(a: Float64Array, n: number): boolean {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      if (i === j) {
        if (!(s > 0)) return false;
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return true;
}
