import { readFileSync } from 'node:fs';
import { fpsLabel, rational, type FaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import { InferenceError } from './errors.js';
import type { ModelPack, NetworkSpec } from './pack.js';
import { OrtPool } from './pool.js';
import { postprocessKind, type Postprocessor } from './postprocess/registry.js';
import { runOnPool, type FrameInput, type NetworkOutputs, type RunOptions } from './run-network.js';
import { planPool, type PoolOptions, type PoolPlan } from './session-options.js';

export interface EngineOptions extends PoolOptions {
  /** default frames per ORT run for this engine (32) */
  readonly batchSize?: number;
  /** the tool recorded in provenance (default: this package) */
  readonly tool?: Provenance['tool'];
}

export interface AnimateOptions {
  readonly fps: Rational;
  /** seed of procedural motion in post-processing (blinks) */
  readonly seed?: number;
  readonly batchSize?: number;
  /** feeds of non-audio network inputs; override the post-processing kind's own */
  readonly inputs?: Readonly<Record<string, FrameInput>>;
  /** the source audio, recorded in provenance as given */
  readonly audio?: Provenance['audio'];
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** One model loaded into its worker pool; reuse it across lines and close it when done. */
export interface InferenceEngine {
  readonly pack: ModelPack;
  /** the pool actually started: worker count, ORT threads per worker, device */
  readonly plan: PoolPlan;
  /** Raw network outputs for every frame (no post-processing). */
  run(samples: Float32Array, opts: RunOptions): Promise<NetworkOutputs>;
  /** Network plus the pack's post-processing: a FaceAnimation with provenance. */
  animate(samples: Float32Array, opts: AnimateOptions): Promise<FaceAnimation>;
  /** Terminates the workers; pending runs reject. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts the workers and loads the network in each; rejects if the network does not match the pack. */
export async function createInferenceEngine(pack: ModelPack, opts: EngineOptions = {}): Promise<InferenceEngine> {
  const kind = postprocessKind(pack.postprocess.kind);
  if (!kind) {
    throw new InferenceError('PACK_FIELD', pack.manifestPath, `post-processing kind "${pack.postprocess.kind}" is not known`, 'Use a pack made for this version.');
  }
  const plan = planPool(opts);
  const pool = await OrtPool.create(pack, plan);
  const tool = opts.tool ?? ownTool();
  // Tables are read once per engine, on first use, so run()-only users never need them.
  let prepared: Promise<Postprocessor> | undefined;
  const postprocessor = (): Promise<Postprocessor> => {
    prepared ??= kind.prepare(pack).catch((err: unknown) => {
      prepared = undefined;
      throw err;
    });
    return prepared;
  };
  const withBatch = <T extends { batchSize?: number }>(o: T): T => ({ ...o, batchSize: o.batchSize ?? opts.batchSize });

  return {
    pack,
    plan,
    run: (samples, runOpts) => runOnPool(pool, samples, withBatch(runOpts)),
    async animate(samples, a) {
      const post = await postprocessor();
      const fps = rational(a.fps.num, a.fps.den);
      const raw = await runOnPool(pool, samples, withBatch({
        fps,
        inputs: { ...post.inputs, ...a.inputs },
        ...(a.batchSize === undefined ? {} : { batchSize: a.batchSize }),
        ...(a.signal ? { signal: a.signal } : {}),
        ...(a.onProgress ? { onProgress: a.onProgress } : {}),
      }));
      const provenance: Provenance = {
        tool,
        model: { id: pack.id, kind: pack.postprocess.kind, version: pack.version, sha256: pack.networkSha256 },
        parameters: {
          fps: fpsLabel(fps),
          ...audioParameters(pack),
          postprocess: pack.postprocess.kind,
          ...post.parameters,
          // CUDA kernels round differently from the CPU ones.
          device: plan.device,
          ...(a.seed === undefined ? {} : { seed: a.seed }),
        },
        ...(a.audio ? { audio: a.audio } : {}),
      };
      return post.apply(raw, { fps, provenance, ...(a.seed === undefined ? {} : { seed: a.seed }) });
    },
    close: () => pool.close(),
  };
}

/** One line, start to finish: starts an engine, animates, closes it. Use createInferenceEngine for many lines. */
export async function animateAudio(samples: Float32Array, pack: ModelPack, opts: AnimateOptions & EngineOptions): Promise<FaceAnimation> {
  const engine = await createInferenceEngine(pack, opts);
  try {
    return await engine.animate(samples, opts);
  } finally {
    await engine.close();
  }
}

/**
 * Raw outputs of one line (benchmarks, post-processing development). Takes only the network part
 * of a pack, so it runs any ONNX whose tensors are described.
 */
export async function runNetwork(samples: Float32Array, network: NetworkSpec, opts: RunOptions & PoolOptions): Promise<NetworkOutputs> {
  const pool = await OrtPool.create(network, planPool(opts));
  try {
    return await runOnPool(pool, samples, opts);
  } finally {
    await pool.close();
  }
}

function audioParameters(pack: ModelPack): Record<string, number> {
  const { sampleRate, bufferLength, bufferOffset, inputStrength } = pack.audio;
  return { sampleRate, bufferLength, bufferOffset, inputStrength };
}

let tool: Provenance['tool'] | undefined;
function ownTool(): Provenance['tool'] {
  // package.json is one level above both src/ and dist/.
  tool ??= { name: '@a2f/inference', version: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version };
  return tool;
}
