import { SubsetLeastSquares } from './linalg.js';

/**
 * Bounded-variable least squares, a line-by-line port of the SDK's `bvls::solveSystem`
 * (audio2face-core/bvls.cpp; docs/nvidia/solver.md#bvls-and-pairs): minimise ½‖A·x − b‖² subject to
 * l ≤ x ≤ u, where the solver passes the *regularised normal-equation matrix* M as A. Same control
 * flow, same stopping rules (KKT violation < tolerance, at most n outer iterations, stop when the
 * cost rises or the KKT violation improves by less than 1e−6), same exact-equality bound tests.
 * The SDK runs it in float32; this runs in float64. All buffers are allocated once per size.
 */
export class Bvls {
  private readonly lsq: SubsetLeastSquares;
  private readonly onBound: Int8Array;
  private readonly free: Int32Array;
  private readonly xFree: Float64Array;
  private readonly x0: Float64Array;
  private readonly bFree: Float64Array;
  private readonly s: Float64Array;
  private readonly g: Float64Array;
  private readonly r: Float64Array;
  /** indices j with a non-zero value, for products that skip exact zeros (most variables sit at a bound of 0) */
  private readonly nonzero: Int32Array;
  /** `g` (and `r`) hold the gradient at the current x: costAndGradient need not run again until x moves */
  private gradientCurrent = false;

  /**
   * `cacheFactorizations`: keep the QR of each free set (see SubsetLeastSquares); for a solver
   * whose matrix never changes, as the blendshape solver's (same results, a fraction of the work).
   */
  constructor(
    readonly n: number,
    opts: { readonly cacheFactorizations?: boolean } = {},
  ) {
    this.lsq = new SubsetLeastSquares(n, { cache: opts.cacheFactorizations ?? false });
    this.onBound = new Int8Array(n);
    this.free = new Int32Array(n);
    this.xFree = new Float64Array(n);
    this.x0 = new Float64Array(n);
    this.bFree = new Float64Array(n);
    this.s = new Float64Array(n);
    this.g = new Float64Array(n);
    this.r = new Float64Array(n);
    this.nonzero = new Int32Array(n);
  }

  /** Solves in place into `x` (its input value is ignored, as in the SDK). `a` is row-major n×n. */
  solve(x: Float64Array, a: Float64Array, b: Float64Array, l: Float64Array, u: Float64Array, tolerance: number): void {
    const { n, onBound, s } = this;
    this.gradientCurrent = false;
    this.initialFeasiblePoint(x, a, b, l, u);
    let cost = this.costAndGradient(x, a, b);
    this.updateOnBound(x, l, u);
    let optimality = this.kktOptimality();
    let prevOptimality = optimality;
    for (let iter = 0; iter < n; iter++) {
      if (optimality < tolerance) break;
      const toFree = this.varToDetach(x, a, b, l, u);
      if (toFree === -1) break;
      onBound[toFree] = 0;
      for (;;) {
        // minimise over the expanded free set, then walk from x towards it while feasible
        s.set(x);
        this.constrainedMin(s, a, b);
        this.gradientCurrent = false;
        const alpha = this.makePointFeasible(x, s, l, u);
        if (alpha === 1) break;
        this.updateOnBound(x, l, u);
      }
      const costNew = this.costAndGradient(x, a, b);
      if (costNew > cost) break; // SDK: "unexpected cost function increase"
      cost = costNew;
      optimality = this.kktOptimality();
      if (Math.abs(prevOptimality - optimality) < 1e-6) break;
      prevOptimality = optimality;
    }
  }

  /** Unconstrained minimum over the variables with onBound = 0, others held at their value. */
  private constrainedMin(x: Float64Array, a: Float64Array, b: Float64Array): void {
    const { n, onBound, free, x0, bFree, xFree } = this;
    let k = 0;
    for (let i = 0; i < n; i++) if (onBound[i] === 0) free[k++] = i;
    if (k === 0) return;
    // b_free = b − A·x0 with x0 = x whose free components are zeroed. Terms with x0[j] = 0 are
    // skipped: adding a·0 (±0) to a sum that starts at +0 never changes it, so the result is the
    // full product's to the bit, at the cost of the non-zero terms only.
    const nz = this.nonzero;
    let count = 0;
    for (let i = 0; i < n; i++) {
      x0[i] = onBound[i] === 0 ? 0 : x[i];
      if (x0[i] !== 0) nz[count++] = i;
    }
    for (let i = 0; i < n; i++) {
      let sum = 0;
      const row = i * n;
      for (let c = 0; c < count; c++) {
        const j = nz[c];
        sum += a[row + j] * x0[j];
      }
      bFree[i] = b[i] - sum;
    }
    this.lsq.solve(a, free, k, bFree, xFree);
    for (let c = 0; c < k; c++) x[free[c]] = xFree[c];
  }

  /** g = Aᵀ(Ax − b); returns ½‖Ax − b‖². */
  private costAndGradient(x: Float64Array, a: Float64Array, b: Float64Array): number {
    const { n, r, g, nonzero: nz } = this;
    // Ax skips x[j] = 0 as constrainedMin does. Adding a·0 = ±0 leaves any sum unchanged except
    // a −0 one, which only a start at −b[i] = −0 can give; those rows take every term.
    let count = 0;
    for (let j = 0; j < n; j++) if (x[j] !== 0) nz[count++] = j;
    let cost = 0;
    for (let i = 0; i < n; i++) {
      let sum = -b[i];
      const row = i * n;
      if (sum === 0) {
        for (let j = 0; j < n; j++) sum += a[row + j] * x[j];
      } else {
        for (let c = 0; c < count; c++) {
          const j = nz[c];
          sum += a[row + j] * x[j];
        }
      }
      r[i] = sum;
      cost += sum * sum;
    }
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let i = 0; i < n; i++) sum += a[i * n + j] * r[i];
      g[j] = sum;
    }
    this.gradientCurrent = true;
    return 0.5 * cost;
  }

  private initialFeasiblePoint(x: Float64Array, a: Float64Array, b: Float64Array, l: Float64Array, u: Float64Array): void {
    const { n, onBound } = this;
    onBound.fill(0);
    for (;;) {
      this.constrainedMin(x, a, b);
      let found = 0;
      for (let i = 0; i < n; i++) {
        if (onBound[i] !== 0) continue;
        if (x[i] < l[i]) {
          x[i] = l[i];
          onBound[i] = -1;
          found++;
        } else if (x[i] > u[i]) {
          x[i] = u[i];
          onBound[i] = 1;
          found++;
        }
      }
      if (found === 0) break;
    }
  }

  /** Maximum KKT violation: g·onBound for bound variables, |g| for free ones. */
  private kktOptimality(): number {
    const { n, onBound, g } = this;
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) {
      const v = onBound[i] === 0 ? Math.abs(g[i]) : g[i] * onBound[i];
      if (v > max) max = v;
    }
    return max;
  }

  /** The bound variable whose gradient points most strongly into the feasible box, or −1. */
  private varToDetach(x: Float64Array, a: Float64Array, b: Float64Array, l: Float64Array, u: Float64Array): number {
    const { n, g } = this;
    // solve() computed the gradient at this very x (its cost check); computing it again gives the same numbers
    if (!this.gradientCurrent) this.costAndGradient(x, a, b);
    let best = -1;
    let bestVal = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] === l[i]) {
        if (g[i] < 0 && -g[i] > bestVal) {
          bestVal = -g[i];
          best = i;
        }
      } else if (x[i] === u[i]) {
        if (g[i] > 0 && g[i] > bestVal) {
          bestVal = g[i];
          best = i;
        }
      }
    }
    return best;
  }

  /** Moves x towards s as far as the box allows; snaps the blocking variable to its bound. */
  private makePointFeasible(x: Float64Array, s: Float64Array, l: Float64Array, u: Float64Array): number {
    const { n } = this;
    let alpha = 1;
    let idx = -1;
    let boundValue = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] === s[i]) continue;
      if (s[i] < l[i]) {
        const t = (x[i] - l[i]) / (x[i] - s[i]);
        if (t < alpha) {
          idx = i;
          boundValue = l[i];
          alpha = t;
        }
      } else if (s[i] > u[i]) {
        const t = (u[i] - x[i]) / (s[i] - x[i]);
        if (t < alpha) {
          idx = i;
          boundValue = u[i];
          alpha = t;
        }
      }
    }
    for (let i = 0; i < n; i++) x[i] += alpha * (s[i] - x[i]);
    if (idx !== -1) x[idx] = boundValue;
    return alpha;
  }

  private updateOnBound(x: Float64Array, l: Float64Array, u: Float64Array): void {
    const { n, onBound } = this;
    for (let i = 0; i < n; i++) onBound[i] = x[i] === l[i] ? -1 : x[i] === u[i] ? 1 : 0;
  }
}
