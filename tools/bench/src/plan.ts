// How much the bench measures: the full run (minutes; what the README table comes from) or
// --quick (every measurement, briefly: what the test suite runs).
import type { PreviewPlan } from './preview-rows.js';
import type { A2ePlan } from './a2e-rows.js';
import type { V3Plan } from './v3-rows.js';
import type { LivePlan } from './live-rows.js';
import type { QueueFarmPlan } from './queue-rows.js';
import type { Layout } from './report.js';

export interface BenchOptions {
  readonly quick: boolean;
  readonly device: 'cpu' | 'cuda';
  /** frames per network run to measure; default: 1, 2, 4, 8, 16, 32, 64 (quick: 1, 4) */
  readonly batchSizes?: readonly number[];
  /** where the generated v2.3-shaped pack lives (default: <repo>/.tmp/bench/) */
  readonly packDir?: string;
  readonly seed: number;
  /**
   * the v2.3-shaped pack's peak memory measured over 1- and 4-minute lines instead of a real
   * 60-minute line (most of a full run's time); the 60-minute figure is then left out, not extrapolated
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
  /** at least this long per throughput point (seconds of whole timed runs), each run at least `minRounds` batches per worker */
  readonly measureSeconds: number;
  /** at least this long per roofline layout and shape */
  readonly rooflineSeconds: number;
  readonly minRounds: number;
  /** warm-up batches per worker before each throughput point */
  readonly warmupRounds: number;
  /** MatMul chains to try (rows × size · size × size, `depth` times per run); the best one is the peak */
  readonly roofline: readonly { readonly size: number; readonly depth: number; readonly rows: number; readonly batches: number }[];
  /** the line end to end, ours and the straightforward port's; repeated until `endToEndMinSeconds` of processing */
  readonly endToEndSeconds: number;
  readonly endToEndMinSeconds: number;
  /** frames per post-processing run (the same frames for both paths), repeated until `postprocessSeconds` */
  readonly postprocessFrames: number;
  readonly postprocessSeconds: number;
  /** frames of the .usda layer, written again until `usdSeconds` */
  readonly usdFrames: number;
  readonly usdSeconds: number;
  /** the large character read: its face mesh's points and each of its 52 blendshapes' offsets (full: a ~50 MB crate) */
  readonly character: { readonly points: number; readonly offsetsPerShape: number; readonly reps: number };
  /** the preview rows: a face of rows × cols points (full: 100 000) with 52 blendshapes, its page loaded, played, playblasted */
  readonly preview: PreviewPlan;
  /** the render-farm queue: worker processes per round, lines per round and their length, lines timed alone */
  readonly queue: QueueFarmPlan;
  /** the live server: seconds per real-time stream, and the streams at once to try */
  readonly live: LivePlan;
  /** the Audio2Emotion-shaped network: its size (quick: a tiny one) and the line it runs over */
  readonly a2e: A2ePlan;
  /** the Audio2Face-3D v3.0-shaped network (quick: a tiny one) and the line it animates */
  readonly v3: V3Plan;
  /** peak-memory lines (minutes); the v2.3-shaped pack's 60-minute figure exists only when packMinutes has 60 */
  readonly memory: { readonly defaultMinutes: number; readonly packMinutes: readonly number[] };
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
    // Quick is short, not sloppy: every rate still comes from at least a second of whole runs.
    measureSeconds: quick ? 1 : 8,
    rooflineSeconds: quick ? 1 : 3,
    minRounds: quick ? 2 : 3,
    warmupRounds: quick ? 1 : 2,
    // Which GEMM shape reaches MLAS's peak depends on the caches: 512² weights fit a core's L2,
    // 1024² ones do not (on the 2-core EPYC, ~165 vs ~130 GFLOP/s per core). The best is the roofline.
    roofline: quick
      ? [{ size: 512, depth: 4, rows: 256, batches: 8 }]
      : [
          { size: 512, depth: 8, rows: 512, batches: 24 },
          { size: 768, depth: 6, rows: 512, batches: 16 },
          { size: 1024, depth: 4, rows: 256, batches: 32 },
        ],
    endToEndSeconds: quick ? 3 : 60,
    endToEndMinSeconds: quick ? 1 : 5,
    // the mesh path rebuilds Mark's 61 520 vertices per frame: 120 frames take seconds, not minutes
    postprocessFrames: quick ? 60 : 120,
    postprocessSeconds: quick ? 1 : 3,
    usdFrames: quick ? 3000 : 18000,
    usdSeconds: quick ? 1 : 3,
    character: quick ? { points: 20_000, offsetsPerShape: 2_000, reps: 2 } : { points: 1_000_000, offsetsPerShape: 60_000, reps: 3 },
    preview: quick
      ? { face: { rows: 40, cols: 60, share: 0.3 }, loads: 2, playSeconds: 1.5, playblast: { width: 320, height: 240 } }
      : { face: { rows: 250, cols: 400, share: 0.3 }, loads: 3, playSeconds: 4, playblast: { width: 1280, height: 720 } },
    queue: { workers: [1, 2, 3], lines: quick ? 6 : 30, lineSeconds: quick ? 1 : 3, overheadJobs: quick ? 5 : 20 },
    live: { streamSeconds: quick ? 3 : 10, counts: quick ? [1, 2, 4] : [1, 2, 4, 6, 8, 12, 16] },
    a2e: { size: quick ? 'tiny' : 'base', lineSeconds: quick ? 3 : 30, minSeconds: quick ? 0.5 : 5 },
    v3: { size: quick ? 'tiny' : 'full', lineSeconds: quick ? 3 : 10, minSeconds: quick ? 0.5 : 5 },
    memory: quick ? { defaultMinutes: 1, packMinutes: [0.1] } : { defaultMinutes: 60, packMinutes: opts.shortMemory ? [1, 4] : [60] },
  };
}
