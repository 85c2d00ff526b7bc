// How much the bench measures: the full run (minutes; what the README table comes from) or
// --quick (every measurement, briefly: what the test suite runs).
import type { Layout } from './report.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly device: 'cpu' | 'cuda';
  /** frames per network run to measure; default: 1, 2, 4, 8, 16, 32, 64 (quick: 1, 8) */
  readonly batchSizes?: readonly number[];
  /** where the generated v2.3-shaped pack lives (default: <repo>/.tmp/bench/) */
  readonly packDir?: string;
  readonly seed: number;
  /**
   * the v2.3-shaped pack's 60-minute memory figure extrapolated from 1- and 4-minute lines instead
   * of measured over a real 60-minute line (which is most of a full run's time: ~25 min on 2 cores)
   */
  readonly shortMemory?: boolean;
}

export interface BenchPlan {
  readonly quick: boolean;
  readonly device: 'cpu' | 'cuda';
  readonly seed: number;
  readonly cores: number;
  /** the pack's geometry: Mark's full size, or (quick) the mini pack's around the same network */
  readonly miniGeometry: boolean;
  readonly batchSizes: readonly number[];
  readonly layouts: readonly Layout[];
  /** at least this long per throughput point (seconds of steady state), and at least `minRounds` batches per worker */
  readonly measureSeconds: number;
  readonly minRounds: number;
  /** warm-up batches per worker before each throughput point */
  readonly warmupRounds: number;
  /** MatMul chains to try (rows × size · size × size, `depth` times per run); the best one is the peak */
  readonly roofline: readonly { readonly size: number; readonly depth: number; readonly rows: number; readonly batches: number }[];
  /** the line end to end, ours and the straightforward port's */
  readonly endToEndSeconds: number;
  readonly postprocessFrames: { readonly mesh: number; readonly coefficients: number };
  readonly usdFrames: number;
  /** v2.3-shaped pack: one run of extrapolateTo minutes (measured), or two shorter ones to extrapolate from */
  readonly memory: { readonly defaultMinutes: number; readonly packMinutes: readonly number[]; readonly extrapolateTo: number };
}

/**
 * Worker layouts for `cores`: one session with every core, one single-thread session per core,
 * and one single thread (the per-thread scaling). On 2 cores: 1×2, 2×1, 1×1. A GPU runs one
 * session (several would compete for the same device).
 */
export function layoutsFor(cores: number, device: 'cpu' | 'cuda', quick: boolean): Layout[] {
  if (device === 'cuda') return [{ workers: 1, threads: 1 }];
  const out: Layout[] = [{ workers: 1, threads: cores }];
  if (cores > 1) out.push({ workers: cores, threads: 1 });
  if (cores >= 4) out.push({ workers: cores / 2 >= 2 ? Math.floor(cores / 2) : 1, threads: 2 });
  if (!quick && cores > 1) out.push({ workers: 1, threads: 1 });
  return out;
}

export function benchPlan(opts: BenchOptions, cores: number): BenchPlan {
  const { quick } = opts;
  const batchSizes = opts.batchSizes ?? (quick ? [1, 4] : [1, 2, 4, 8, 16, 32, 64]);
  for (const b of batchSizes) if (!Number.isInteger(b) || b < 1) throw new RangeError(`batch size ${b} is not a positive integer`);
  return {
    quick,
    device: opts.device,
    seed: opts.seed,
    cores,
    miniGeometry: quick,
    batchSizes,
    layouts: layoutsFor(cores, opts.device, quick),
    measureSeconds: quick ? 0 : 8,
    minRounds: quick ? 2 : 3,
    warmupRounds: quick ? 1 : 2,
    // Which GEMM shape reaches MLAS's peak depends on the caches: 512² weights fit a core's L2,
    // 1024² ones do not (on the 2-core EPYC, ~165 vs ~130 GFLOP/s per core). The best is the roofline.
    roofline: quick
      ? [{ size: 512, depth: 4, rows: 256, batches: 4 }]
      : [{ size: 512, depth: 8, rows: 512, batches: 24 }, { size: 768, depth: 6, rows: 512, batches: 16 }, { size: 1024, depth: 4, rows: 256, batches: 32 }],
    endToEndSeconds: quick ? 1 : 60,
    postprocessFrames: quick ? { mesh: 3, coefficients: 30 } : { mesh: 30, coefficients: 600 },
    usdFrames: quick ? 300 : 18000,
    memory: quick
      ? { defaultMinutes: 1, packMinutes: [0.01, 0.02], extrapolateTo: 60 }
      : { defaultMinutes: 60, packMinutes: opts.shortMemory ? [1, 4] : [60], extrapolateTo: 60 },
  };
}
