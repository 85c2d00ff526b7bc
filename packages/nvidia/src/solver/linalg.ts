/**
 * Small dense linear algebra for the blendshape solver, in float64, with all buffers allocated once.
 * Matrices are row-major Float64Array n×n unless stated otherwise.
 */

/** One Householder QR of A[:, cols]: R and the reflectors, reusable for any right-hand side. */
interface Factorization {
  /** column-major n×k: R on and above the diagonal, each reflector's tail below it */
  readonly w: Float64Array;
  /** each reflector's first element (the diagonal holds R's) */
  readonly head: Float64Array;
  /** each reflector's squared norm (0: the column needed no reflection) */
  readonly norm2: Float64Array;
}

/** Free sets a solver keeps factorized: consecutive frames of a line mostly revisit the same ones. */
const CACHE_LIMIT = 512;

/**
 * Least squares over a column subset: x = argmin ‖A[:, cols]·x − rhs‖₂ for an n×n matrix A,
 * by Householder QR. This is what the SDK's BVLS does with `JacobiSVD(A_free).solve(b_free)`
 * (bvls.cpp `constrainedMin`); for a full-column-rank A_free both give the unique least-squares
 * solution. A_free has full column rank whenever A is non-singular, which the solver guarantees
 * by checking M is positive definite when it is prepared.
 *
 * With `cache`, factorizations are kept per column set (up to CACHE_LIMIT, least recently used
 * dropped) while `a` is the same array: a blendshape solve revisits the same free sets frame
 * after frame, and a kept factorization applied to a new right-hand side performs exactly the
 * operations a fresh one would, so the solution is the same to the bit. Only for a matrix that is
 * never modified in place (a different array clears the cache).
 */
export class SubsetLeastSquares {
  private readonly work: Float64Array;
  private readonly rhs: Float64Array;
  private readonly v: Float64Array;
  private readonly cache = new Map<string, Factorization>();
  private cachedFor: Float64Array | null = null;

  constructor(
    readonly n: number,
    private readonly opts: { readonly cache?: boolean } = {},
  ) {
    this.work = new Float64Array(n * n);
    this.rhs = new Float64Array(n);
    this.v = new Float64Array(n);
  }

  /** Writes the k solution values to `out[0..k)`. `cols` holds k column indices of `a`. */
  solve(a: Float64Array, cols: Int32Array, k: number, rhsIn: Float64Array, out: Float64Array): void {
    const { n, rhs } = this;
    const f = this.opts.cache ? this.cached(a, cols, k) : this.factorize(a, cols, k, this.work);
    rhs.set(rhsIn.subarray(0, n));
    // Qᵀ·rhs, one reflector at a time
    for (let c = 0; c < k; c++) {
      const norm2 = f.norm2[c];
      if (norm2 === 0) continue;
      const base = c * n;
      let dot = 0;
      dot += f.head[c] * rhs[c];
      for (let i = c + 1; i < n; i++) dot += f.w[base + i] * rhs[i];
      const g = (2 * dot) / norm2;
      rhs[c] -= g * f.head[c];
      for (let i = c + 1; i < n; i++) rhs[i] -= g * f.w[base + i];
    }
    // Back substitution with R (upper triangle of the first k rows).
    for (let c = k - 1; c >= 0; c--) {
      let s = rhs[c];
      for (let cc = c + 1; cc < k; cc++) s -= f.w[cc * n + c] * out[cc];
      out[c] = s / f.w[c * n + c];
    }
  }

  private cached(a: Float64Array, cols: Int32Array, k: number): Factorization {
    if (a !== this.cachedFor) {
      this.cache.clear();
      this.cachedFor = a;
    }
    let key = String(k);
    for (let c = 0; c < k; c++) key += `,${cols[c]}`;
    let f = this.cache.get(key);
    if (f) {
      this.cache.delete(key); // most recently used goes last
    } else {
      f = this.factorize(a, cols, k, new Float64Array(this.n * k));
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(key, f);
    return f;
  }

  /** Householder QR of A[:, cols] into `w` (column-major, column c at c·n). */
  private factorize(a: Float64Array, cols: Int32Array, k: number, w: Float64Array): Factorization {
    const { n, v } = this;
    const head = new Float64Array(k);
    const norm2s = new Float64Array(k);
    for (let c = 0; c < k; c++) {
      const col = cols[c];
      for (let i = 0; i < n; i++) w[c * n + i] = a[i * n + col];
    }
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
      // the reflector's tail stays in w below the diagonal (it equals v there)
      w[base + c] = alpha;
      head[c] = v[c];
      norm2s[c] = vnorm2;
      if (vnorm2 === 0) continue;
      for (let cc = c + 1; cc < k; cc++) {
        const b2 = cc * n;
        let dot = 0;
        for (let i = c; i < n; i++) dot += v[i] * w[b2 + i];
        const f = (2 * dot) / vnorm2;
        for (let i = c; i < n; i++) w[b2 + i] -= f * v[i];
      }
    }
    return { w, head, norm2: norm2s };
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
