import { Worker } from 'node:worker_threads';
import { InferenceError } from './errors.js';
import type { NetworkSpec } from './pack-types.js';
import { checkSession, type SessionInfo } from './session-check.js';
import { sessionOptions, type PoolPlan } from './session-options.js';

/** A tensor on the wire between threads: its buffer is transferred, never copied. */
export interface WireTensor {
  readonly name: string;
  readonly buffer: ArrayBuffer;
  readonly dims: readonly number[];
}

export interface RunResult {
  readonly outputs: readonly WireTensor[];
  /** the feed buffers, handed back for reuse */
  readonly inputs: readonly { readonly name: string; readonly buffer: ArrayBuffer }[];
}

type FromWorker =
  | ({ type: 'ready' } & SessionInfo)
  | { type: 'load-error'; message: string }
  | ({ type: 'result'; id: number } & RunResult)
  | ({ type: 'run-error'; id: number; message: string } & Pick<RunResult, 'inputs'>);

interface Pending {
  readonly frames: number;
  resolve(r: RunResult): void;
  reject(e: Error): void;
}

interface Slot {
  readonly worker: Worker;
  /** settles when the thread has ended, however it ended */
  readonly exited: Promise<void>;
  readonly pending: Map<number, Pending>;
  alive: boolean;
}

// Resolved against this module, so it is src/ort-worker.mjs under vitest and dist/ort-worker.mjs under Node.
const WORKER_URL = new URL('./ort-worker.mjs', import.meta.url);

/** Worker threads each owning one ORT session of the same network; run() goes to the least busy one. */
export class OrtPool {
  private nextId = 0;
  private closing = false;
  private failure: Error | undefined;

  private constructor(
    readonly spec: NetworkSpec,
    readonly plan: PoolPlan,
    private readonly slots: Slot[],
  ) {}

  /** Starts the workers and resolves once every session loaded and matches the manifest. */
  static async create(spec: NetworkSpec, plan: PoolPlan): Promise<OrtPool> {
    const options = sessionOptions(plan);
    const slots: Slot[] = Array.from({ length: plan.workers }, () => {
      // execArgv: [] because workers inherit the parent's flags, and some are fatal there
      // (`node --input-type=module -e …` kills every worker at start); the script needs none.
      const worker = new Worker(WORKER_URL, { workerData: { modelPath: spec.networkPath, options }, execArgv: [] });
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      return { worker, exited, pending: new Map(), alive: true };
    });
    try {
      const infos = await Promise.all(slots.map((s) => awaitReady(s.worker, spec, plan)));
      checkSession(spec, infos[0]);
    } catch (err) {
      await Promise.all(slots.map(shutdown));
      throw err;
    }
    const pool = new OrtPool(spec, plan, slots);
    for (const slot of pool.slots) pool.attach(slot);
    return pool;
  }

  get size(): number {
    return this.slots.filter((s) => s.alive).length;
  }

  /** Runs one batch of `frames` frames. The feed buffers are transferred to the worker and come back in the result. */
  run(feeds: readonly WireTensor[], fetches: readonly string[], frames: number): Promise<RunResult> {
    if (this.closing) return Promise.reject(closedError(this.spec));
    if (this.failure) return Promise.reject(this.failure);
    const slot = this.slots.filter((s) => s.alive).reduce((a, b) => (b.pending.size < a.pending.size ? b : a));
    const id = this.nextId++;
    return new Promise<RunResult>((resolve, reject) => {
      // A busy worker keeps the process alive; an idle pool must not (a forgotten close() would hang the CLI).
      if (slot.pending.size === 0) slot.worker.ref();
      slot.pending.set(id, { frames, resolve, reject });
      slot.worker.postMessage(
        { type: 'run', id, feeds, fetches },
        feeds.map((f) => f.buffer),
      );
    });
  }

  /** Rejects pending runs at once, then waits for each worker to finish the batch ORT is running and end. */
  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      for (const slot of this.slots) this.settleAll(slot, closedError(this.spec));
    }
    await Promise.all(this.slots.map(shutdown));
  }

  private attach(slot: Slot): void {
    const { worker } = slot;
    const { networkPath } = this.spec;
    let lastError: Error | undefined;
    worker.unref();
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'result' && msg.type !== 'run-error') return;
      const job = slot.pending.get(msg.id);
      if (!job) return;
      slot.pending.delete(msg.id);
      if (slot.pending.size === 0) worker.unref();
      if (msg.type === 'result') job.resolve(msg);
      else
        job.reject(
          new InferenceError(
            'INFERENCE_RUN',
            networkPath,
            `ONNX Runtime failed on a batch of ${job.frames} frames (${msg.message})`,
            'Check that the network accepts the declared inputs; if it ran out of memory, lower batchSize.',
          ),
        );
    });
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('exit', (code) => {
      slot.alive = false;
      if (this.closing) return;
      const crash = new InferenceError(
        'WORKER_CRASHED',
        networkPath,
        `the inference worker exited unexpectedly (exit code ${code}${lastError ? `: ${lastError.message}` : ''})`,
        'Usually memory exhaustion or a native ONNX Runtime fault: lower batchSize or workers, then create the engine again.',
      );
      this.settleAll(slot, crash);
      if (!this.slots.some((s) => s.alive)) this.failure = crash;
    });
  }

  private settleAll(slot: Slot, err: Error): void {
    for (const job of slot.pending.values()) job.reject(err);
    slot.pending.clear();
    slot.worker.unref();
  }
}

/**
 * Asks a worker to release its session and end. Never Worker.terminate(): ending a thread while
 * ORT's native run is on its stack aborts the whole process ("terminate called after throwing an
 * instance of 'Napi::Error'"). A worker still loading its session sees the request once loaded.
 */
function shutdown(slot: Slot): Promise<void> {
  // Held until it ends: a process exiting under a running worker aborts the same way.
  slot.worker.ref();
  slot.worker.postMessage({ type: 'close' });
  return slot.exited;
}

function closedError(spec: NetworkSpec): InferenceError {
  return new InferenceError('ENGINE_CLOSED', spec.networkPath, 'the inference engine was closed', 'Create a new engine for further work.');
}

function awaitReady(worker: Worker, spec: NetworkSpec, plan: PoolPlan): Promise<SessionInfo> {
  return new Promise<SessionInfo>((resolve, reject) => {
    let lastError: Error | undefined;
    const done = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    const onMessage = (msg: FromWorker) => {
      if (msg.type === 'ready') {
        done();
        resolve(msg);
      } else if (msg.type === 'load-error') {
        done();
        reject(loadError(spec, plan, msg.message));
      }
    };
    const onError = (err: Error) => {
      lastError = err;
    };
    const onExit = (code: number) => {
      done();
      reject(
        new InferenceError(
          'WORKER_CRASHED',
          spec.networkPath,
          `the inference worker exited while loading the network (exit code ${code}${lastError ? `: ${lastError.message}` : ''})`,
          'Check that onnxruntime-node is installed for this platform (npm ls onnxruntime-node) and that memory suffices.',
        ),
      );
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

function loadError(spec: NetworkSpec, plan: PoolPlan, message: string): InferenceError {
  if (plan.device === 'cuda' && /cuda|cudnn|shared library|provider/i.test(message)) {
    return new InferenceError(
      'CUDA_UNAVAILABLE',
      spec.networkPath,
      `the CUDA execution provider is unavailable (${message})`,
      'Reinstall ONNX Runtime with its CUDA providers: npm install onnxruntime-node --onnxruntime-node-install=cuda12, ' +
        'with CUDA 12 and cuDNN 9 libraries on the loader path (LD_LIBRARY_PATH) and an NVIDIA driver; or use device "cpu".',
    );
  }
  return new InferenceError(
    'NETWORK_LOAD',
    spec.networkPath,
    `ONNX Runtime cannot load this network, named by ${spec.manifestPath} (${message})`,
    'Check that the file is a complete ONNX model: compare its SHA-256 with the manifest, or rebuild/re-download the pack.',
  );
}
