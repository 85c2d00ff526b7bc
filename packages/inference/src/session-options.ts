import { availableParallelism } from 'node:os';
import { InferenceError } from './errors.js';

export type Device = 'cpu' | 'cuda';

export interface PoolOptions {
  /** worker threads, each owning one ORT session (default: cores / threads, at least 1) */
  readonly workers?: number;
  /** ORT intra-op threads per session (default: min(cores, 4), or cores / workers when workers is given) */
  readonly threads?: number;
  /** 'cpu' (default) or 'cuda' (needs the CUDA build of onnxruntime-node) */
  readonly device?: Device;
}

export interface PoolPlan {
  readonly workers: number;
  readonly threads: number;
  readonly device: Device;
}

// Intra-op scaling flattens beyond a few threads for networks this size, and separate sessions
// run separate batches in parallel, so large machines get several 4-thread workers.
const MAX_DEFAULT_THREADS = 4;

/** Sizes the pool so that workers × threads ≤ cores unless the caller asks otherwise. 2 cores → 1 × 2. */
export function planPool(opts: PoolOptions, cores = availableParallelism()): PoolPlan {
  const device = opts.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') {
    throw new InferenceError('BAD_OPTION', 'inference options', `device "${String(device)}" is not known`, 'Use "cpu" or "cuda".');
  }
  const count = (v: number | undefined, name: string): number | undefined => {
    if (v === undefined) return undefined;
    if (!Number.isInteger(v) || v < 1) throw new InferenceError('BAD_OPTION', 'inference options', `${name} ${v} is not a positive integer`, `Pass ${name} as a whole number ≥ 1 or leave it out.`);
    return v;
  };
  const w = count(opts.workers, 'workers');
  const t = count(opts.threads, 'threads');
  if (device === 'cuda') return { device, workers: w ?? 1, threads: t ?? 1 };
  const threads = t ?? (w === undefined ? Math.min(cores, MAX_DEFAULT_THREADS) : Math.max(1, Math.floor(cores / w)));
  const workers = w ?? Math.max(1, Math.floor(cores / threads));
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
