import { frameTargetSample, rational, type Rational } from '@a2f/animation';
import { InferenceError } from './errors.js';
import { rowWidth, type NetworkSpec } from './pack-types.js';
import type { OrtPool, RunResult, WireTensor } from './pool.js';
import { cutWindows, frameCount } from './windows.js';

/**
 * A per-frame feed for a non-audio input: one row broadcast to every frame, or a function that
 * fills frame k's row (given k and its target sample, e.g. to interpolate emotion keys).
 */
export type FrameInput = Float32Array | ((frame: number, targetSample: number, row: Float32Array) => void);

/** One network output over all frames: frame-major, `width` values per frame. */
export interface FrameMatrix {
  readonly width: number;
  readonly data: Float32Array;
}

export interface NetworkOutputs {
  readonly fps: Rational;
  readonly frameCount: number;
  readonly outputs: Readonly<Record<string, FrameMatrix>>;
}

export interface RunOptions {
  readonly fps: Rational;
  /**
   * frames per ORT run (default 8); a line too short to give every worker a batch of that size is
   * split evenly across the workers instead
   */
  readonly batchSize?: number;
  /** feeds of the non-audio inputs, by input name */
  readonly inputs?: Readonly<Record<string, FrameInput>>;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

// Per-frame cost is flat from batch ~4 up on CPU (npm run bench: within ~5 % from 4 to 32 on the
// v2.3-shaped network), while each frame of batch costs a worker ~13 MB of activations; 8 keeps
// per-run overheads small for tiny networks without holding hundreds of MB per worker.
export const DEFAULT_BATCH_SIZE = 8;

/** Batches in flight per worker: the next batch is already queued while one runs, so a worker never idles on the main thread. */
const IN_FLIGHT_PER_WORKER = 2;

/** Runs the network over every frame of `samples` (mono, at the pack's sample rate) and gathers each output frames × width. */
export async function runOnPool(pool: OrtPool, samples: Float32Array, opts: RunOptions): Promise<NetworkOutputs> {
  const spec = pool.spec;
  if (!(samples instanceof Float32Array)) {
    throw new InferenceError(
      'BAD_OPTION',
      spec.networkPath,
      'audio samples must be a Float32Array of mono PCM',
      `Decode and resample the audio to ${spec.audio.sampleRate} Hz mono first.`,
    );
  }
  const fps = rational(opts.fps.num, opts.fps.den);
  const requested = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(requested) || requested < 1) {
    throw new InferenceError(
      'BAD_OPTION',
      spec.networkPath,
      `batchSize ${requested} is not a positive integer`,
      `Pass a whole number ≥ 1 (default ${DEFAULT_BATCH_SIZE}).`,
    );
  }
  opts.signal?.throwIfAborted();
  const feedsOf = conditioning(spec, fps, opts.inputs ?? {});
  const total = frameCount(samples.length, fps, spec.audio);
  // A short line in few big batches would leave workers idle: split it evenly instead.
  const batchSize = Math.max(1, Math.min(requested, Math.ceil(total / Math.max(1, pool.size))));
  const outputs: Record<string, FrameMatrix> = {};
  for (const t of spec.outputs) outputs[t.name] = { width: rowWidth(t), data: new Float32Array(total * rowWidth(t)) };
  const fetches = spec.outputs.map((t) => t.name);
  const batches = Math.ceil(total / batchSize);

  let next = 0;
  let done = 0;
  let stopped = false;
  const lane = async (): Promise<void> => {
    // Each lane owns one set of feed buffers, cut into per batch, lent to a worker and handed back.
    const buffers = new Map(spec.inputs.map((t) => [t.name, new ArrayBuffer(batchSize * rowWidth(t) * 4)]));
    while (!stopped && next < batches) {
      opts.signal?.throwIfAborted();
      const first = next++ * batchSize;
      const n = Math.min(batchSize, total - first);
      const feeds: WireTensor[] = spec.inputs.map((t) => {
        const buffer = buffers.get(t.name)!;
        const rows = new Float32Array(buffer, 0, n * rowWidth(t));
        if (t.name === spec.audioInput) cutWindows(samples, spec.audio, fps, first, n, rows);
        else feedsOf.get(t.name)!(first, n, rows);
        return { name: t.name, buffer, dims: [n, ...(t.shape.slice(1) as number[])] };
      });
      const result = await abortable(pool.run(feeds, fetches, n), opts.signal);
      for (const { name, buffer } of result.inputs) buffers.set(name, buffer);
      gather(spec, result, outputs, first, n);
      if (stopped) return;
      done += n;
      opts.onProgress?.(done, total);
    }
  };
  const lanes = Math.min(batches, Math.max(1, pool.size) * IN_FLIGHT_PER_WORKER);
  try {
    await Promise.all(Array.from({ length: lanes }, lane));
  } finally {
    stopped = true;
  }
  return { fps, frameCount: total, outputs };
}

export type RowFiller = (first: number, count: number, rows: Float32Array) => void;

/** Checks the caller's feeds against the non-audio inputs and turns each into a batch filler. */
export function conditioning(spec: NetworkSpec, fps: Rational, inputs: Readonly<Record<string, FrameInput>>): Map<string, RowFiller> {
  const bad = (problem: string, fix: string) => new InferenceError('BAD_OPTION', spec.manifestPath, problem, fix);
  for (const name of Object.keys(inputs)) {
    if (name === spec.audioInput) throw bad(`input "${name}" is fed the audio windows and cannot be given`, 'Leave it out of inputs.');
    if (!spec.inputs.some((t) => t.name === name))
      throw bad(
        `the network has no input "${name}"`,
        `Feed only ${
          spec.inputs
            .filter((t) => t.name !== spec.audioInput)
            .map((t) => t.name)
            .join(', ') || 'nothing'
        }.`,
      );
  }
  const fillers = new Map<string, RowFiller>();
  for (const t of spec.inputs) {
    if (t.name === spec.audioInput) continue;
    const width = rowWidth(t);
    const feed = inputs[t.name];
    if (feed === undefined)
      throw bad(
        `input "${t.name}" [${t.shape.join(', ')}] needs a feed`,
        `Pass inputs: { ${t.name}: <Float32Array(${width}) or per-frame function> }.`,
      );
    if (typeof feed === 'function') {
      fillers.set(t.name, (first, count, rows) => {
        for (let i = 0; i < count; i++) {
          const row = rows.subarray(i * width, (i + 1) * width);
          feed(first + i, frameTargetSample(first + i, fps, spec.audio.sampleRate), row);
        }
      });
    } else {
      if (!(feed instanceof Float32Array) || feed.length !== width)
        throw bad(`the feed of "${t.name}" must hold ${width} values per frame, has ${feed.length}`, 'Pass one row of the declared width.');
      fillers.set(t.name, (_first, count, rows) => {
        for (let i = 0; i < count; i++) rows.set(feed, i * width);
      });
    }
  }
  return fillers;
}

export function gather(spec: NetworkSpec, result: RunResult, outputs: Record<string, FrameMatrix>, first: number, n: number): void {
  for (const t of spec.outputs) {
    const got = result.outputs.find((o) => o.name === t.name)!;
    const expected = [n, ...(t.shape.slice(1) as number[])];
    if (got.dims.length !== expected.length || got.dims.some((d, i) => d !== expected[i])) {
      throw new InferenceError(
        'NETWORK_MISMATCH',
        spec.networkPath,
        `output "${t.name}" came back [${got.dims.join(', ')}] for ${n} frames, ${spec.manifestPath} declares [${t.shape.join(', ')}]`,
        'Correct the output shape in the manifest to what the network produces.',
      );
    }
    const { width, data } = outputs[t.name];
    data.set(new Float32Array(got.buffer, 0, n * width), first * width);
  }
}

/** Settles with `work`, or rejects as soon as `signal` aborts (the batch in flight finishes unobserved). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
