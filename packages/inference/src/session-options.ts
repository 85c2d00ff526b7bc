import { availableParallelism } from 'node:os';
import { InferenceError } from './errors.js';

export type Device = 'cpu' | 'cuda';

export interface PoolOptions {
  /** worker threads, each owning one ORT session (default: min(cores, 4), or cores / threads when threads is given) */
  readonly workers?: number;
  /** ORT intra-op threads per session (default: cores / workers) */
  readonly threads?: number;
  /** 'cpu' (default) or 'cuda' (needs the CUDA build of onnxruntime-node) */
  readonly device?: Device;
}

export interface PoolPlan {
  readonly workers: number;
  readonly threads: number;
  readonly device: Device;
}

// Separate sessions run separate batches with no synchronisation, while ORT's intra-op threads
// split every operator and wait for each other: on the v2.3-shaped network (npm run bench, 2 cores)
// two 1-thread workers reach 1.7× the frames/s of one 2-thread worker, which spends ~40 % more
// CPU per frame. Each session holds its weights and activations (~135 MB + ~13 MB per frame of
// batch for v2.3), so beyond 4 workers the cores go to intra-op threads instead.
const MAX_DEFAULT_WORKERS = 4;

/** Sizes the pool so that workers × threads ≤ cores unless the caller asks otherwise. 2 cores → 2 × 1, 8 → 4 × 2. */
export function planPool(opts: PoolOptions, cores = availableParallelism()): PoolPlan {
  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') {
    throw new InferenceError('BAD_OPTION', 'inference options', `device "${String(device)}" is not known`, 'Use "cpu" or "cuda".');
  }
  const count = (v: number | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < 1)
      throw new InferenceError(
        'BAD_OPTION',
        'inference options',
        `${name} ${v} is not a positive integer`,
        `Pass ${name} as a whole number ≥ 1 or leave it out.`,
      );
    return v;
  };
  const w = count(opts.workers, 'workers');
  const t = count(opts.threads, 'threads');
  if (device === 'cuda') return { device, workers: w ?? 1, threads: t ?? 1 };
  const workers = w ?? (t === undefined ? Math.max(1, Math.min(cores, MAX_DEFAULT_WORKERS)) : Math.max(1, Math.floor(cores / t)));
  const threads = t ?? Math.max(1, Math.floor(cores / workers));
  return { device, workers, threads };
}

/**
 * ORT session options for one worker. Built key by key: onnxruntime-node throws on an option that
 * is present but undefined ("sessionOptions.intraOpNumThreads must be a number").
 */
export function sessionOptions(plan: PoolPlan): Record<string, unknown> {
  return {
    executionProviders: plan.device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    intraOpNumThreads: plan.threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
    // Errors only: ORT's warnings would interleave with CLI progress output.
    logSeverityLevel: 3,
  };
}
