import { readFileSync } from 'node:fs';
import { fpsLabel, rational, type FaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import { InferenceError } from './errors.js';
import type { ModelPack, NetworkSpec } from './pack-types.js';
import { OrtPool } from './pool.js';
import type { EmotionKey } from './emotion.js';
import {
  postprocessKind,
  type BlinkControl,
  type FrameEmotion,
  type LineEmotion,
  type LineRunner,
  type Postprocessor,
} from './registry.js';
import { openFrameStream, type FrameStream, type FrameStreamOptions } from './frame-stream.js';
import { runOnPool, type FrameInput, type NetworkOutputs, type RunOptions } from './run-network.js';
import { planPool, type PoolOptions, type PoolPlan } from './session-options.js';

export interface EngineOptions extends PoolOptions {
  /** default frames per ORT run for this engine (8) */
  readonly batchSize?: number;
  /** the tool recorded in provenance (default: this package) */
  readonly tool?: Provenance['tool'];
  /**
   * Post-processing parameter overrides, by the pack's own names (NVIDIA packs: model_config.json
   * keys such as lower_face_strength; numeric strings accepted). Checked when the engine starts.
   */
  readonly params?: Readonly<Record<string, number | string>>;
  /** NVIDIA packs: solve blendshapes from PCA coefficients (default, fast) or from the rebuilt mesh (the SDK's way) */
  readonly solvePath?: string;
  /** the kind's own named options (KindOptions.options), checked when the engine starts */
  readonly modelOptions?: Readonly<Record<string, string>>;
}

export interface AnimateOptions {
  readonly fps: Rational;
  /** seed of procedural motion in post-processing (blinks) */
  readonly seed?: number;
  /** procedural blinks on or off and their mean interval (default: on, the model's interval) */
  readonly blinks?: BlinkControl;
  readonly batchSize?: number;
  /** feeds of non-audio network inputs; override the post-processing kind's own */
  readonly inputs?: Readonly<Record<string, FrameInput>>;
  /**
   * Explicit emotion keys (times in seconds from the start of the line), for packs with an emotion
   * input (`engine.emotionNames`); interpolated per frame at the frame's target sample.
   */
  readonly emotion?: readonly EmotionKey[];
  /** where the keys came from ("--emotion", a sidecar file): named in errors, recorded in provenance */
  readonly emotionSource?: string;
  /** explicit emotion per frame (Audio2Emotion's, from A2eRunner in @a2f/nvidia); keys override the emotions they name */
  readonly emotionFrames?: FrameEmotion;
  /** the source audio, recorded in provenance as given */
  readonly audio?: Provenance['audio'];
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** One model loaded into its worker pool; reuse it across lines and close it when done. */
export interface InferenceEngine {
  /** the pack as it runs: with EngineOptions.params applied (effective input gain, parameters) */
  readonly pack: ModelPack;
  /** the explicit emotions the network takes (NVIDIA packs), or null: the model has no emotion input */
  readonly emotionNames: readonly string[] | null;
  /** the pool actually started: worker count, ORT threads per worker, device */
  readonly plan: PoolPlan;
  /** Raw network outputs for every frame (no post-processing). */
  run(samples: Float32Array, opts: RunOptions): Promise<NetworkOutputs>;
  /** Network plus the pack's post-processing: a FaceAnimation with provenance. */
  animate(samples: Float32Array, opts: AnimateOptions): Promise<FaceAnimation>;
  /**
   * A live line: audio appended as it arrives, each frame run once its window has (docs/live-engine.md).
   * Rejects for kinds whose post-processing has no causal track.
   */
  openStream(opts: FrameStreamOptions): Promise<FrameStream>;
  /** Terminates the workers; pending runs reject. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts the workers and loads the network in each; rejects if the network does not match the pack. */
export async function createInferenceEngine(loaded: ModelPack, opts: EngineOptions = {}): Promise<InferenceEngine> {
  const kind = postprocessKind(loaded.postprocess.kind);
  if (!kind) {
    throw new InferenceError(
      'PACK_FIELD',
      loaded.manifestPath,
      `post-processing kind "${loaded.postprocess.kind}" is not known`,
      'Use a pack made for this version.',
    );
  }
  const hasParams = opts.params !== undefined && Object.keys(opts.params).length > 0;
  const hasOptions = opts.modelOptions !== undefined && Object.keys(opts.modelOptions).length > 0;
  if ((hasParams || hasOptions || opts.solvePath !== undefined) && !kind.configure) {
    const what = hasParams ? 'parameter overrides' : hasOptions ? `option ${Object.keys(opts.modelOptions!).join(', ')}` : 'solver path';
    throw new InferenceError(
      'BAD_OPTION',
      loaded.manifestPath,
      `the model "${loaded.id}" (${loaded.postprocess.kind} post-processing) takes no ${what}`,
      'Parameters (--param), the solver path (--solver) and model options (--identity, --v3-…) apply to NVIDIA ' +
        'Audio2Face-3D packs; leave them out for this model.',
    );
  }
  // Options are applied before the workers start, so a bad override fails here, not on the first line.
  const pack =
    kind.configure && (hasParams || hasOptions || opts.solvePath !== undefined)
      ? kind.configure(loaded, {
          ...(opts.params ? { params: opts.params } : {}),
          ...(opts.solvePath ? { solvePath: opts.solvePath } : {}),
          ...(hasOptions ? { options: opts.modelOptions } : {}),
        })
      : loaded;
  const emotionNames = kind.emotionNames?.(pack) ?? null;
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
  /** animate()'s network part: the raw outputs of one line, with what post-processing needs. */
  const inferLine = async (samples: Float32Array, a: AnimateOptions) => {
    const post = await postprocessor();
    const fps = rational(a.fps.num, a.fps.den);
    let emotion: LineEmotion | undefined;
    if (a.emotion !== undefined || a.emotionFrames) {
      if (!post.emotionInputs) {
        throw new InferenceError(
          'BAD_OPTION',
          pack.manifestPath,
          `the model "${pack.id}" has no emotion input, so emotion keys${a.emotionSource ? ` from ${a.emotionSource}` : ''} cannot apply`,
          'Use an NVIDIA Audio2Face-3D pack for emotion, or leave the emotion out.',
        );
      }
      emotion = lineEmotion(a);
    }
    // Checked (names, ranges, times) before any frame runs.
    const emotionFeeds = emotion ? post.emotionInputs!(emotion) : {};
    const raw = await runOnPool(
      pool,
      samples,
      withBatch({
        fps,
        inputs: { ...post.inputs, ...emotionFeeds, ...a.inputs },
        ...(a.batchSize === undefined ? {} : { batchSize: a.batchSize }),
        ...(a.signal ? { signal: a.signal } : {}),
        ...(a.onProgress ? { onProgress: a.onProgress } : {}),
      }),
    );
    return { raw, post, fps, emotion };
  };

  /** A kind that drives the network itself (Postprocessor.animateLine): its runs go to the same pool. */
  const animateDriven = (post: Postprocessor, samples: Float32Array, a: AnimateOptions): Promise<FaceAnimation> => {
    const fps = rational(a.fps.num, a.fps.den);
    if ((a.emotion !== undefined || a.emotionFrames) && emotionNames === null) {
      throw new InferenceError('BAD_OPTION', pack.manifestPath, `the model "${pack.id}" has no emotion input`, 'Leave the emotion out.');
    }
    const emotion: LineEmotion | undefined = a.emotion === undefined && !a.emotionFrames ? undefined : lineEmotion(a);
    const fetches = pack.outputs.map((t) => t.name);
    const runner: LineRunner = {
      async run(feeds) {
        a.signal?.throwIfAborted();
        const wire = Object.entries(feeds).map(([name, t]) => ({ name, buffer: t.data.slice().buffer, dims: [...t.dims] }));
        const frames = Object.values(feeds)[0]?.dims[0] ?? 1;
        const result = await pool.run(wire, fetches, frames);
        const out: Record<string, { data: Float32Array; dims: number[] }> = {};
        for (const o of result.outputs)
          out[o.name] = {
            data: new Float32Array(
              o.buffer,
              0,
              o.dims.reduce((x, y) => x * y, 1),
            ),
            dims: [...o.dims],
          };
        return out;
      },
      ...(a.signal ? { signal: a.signal } : {}),
      ...(a.onProgress ? { onProgress: a.onProgress } : {}),
    };
    return post.animateLine!(samples, runner, {
      fps,
      provenance: provenanceOf(post, fps, a),
      ...(a.seed === undefined ? {} : { seed: a.seed }),
      ...(emotion ? { emotion } : {}),
      ...(a.blinks ? { blinks: a.blinks } : {}),
    });
  };
  const provenanceOf = (post: Postprocessor, fps: Rational, a: AnimateOptions): Provenance => ({
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
  });

  return {
    pack,
    emotionNames,
    plan,
    run: (samples, runOpts) => runOnPool(pool, samples, withBatch(runOpts)),
    async animate(samples, a) {
      const post = await postprocessor();
      if (post.animateLine) return animateDriven(post, samples, a);
      // The network and the post-processing run in separate frames: an async function keeps its
      // arguments alive until it returns, so with one frame an hour of 16 kHz audio (230 MB)
      // would stay resident through post-processing; this way it can be collected once the
      // network is done (if the caller does not hold it either).
      return inferLine(samples, a).then(({ raw, post, fps, emotion }) => {
        const provenance = provenanceOf(post, fps, a);
        return post.apply(raw, {
          fps,
          provenance,
          ...(a.seed === undefined ? {} : { seed: a.seed }),
          ...(emotion ? { emotion } : {}),
          ...(a.blinks ? { blinks: a.blinks } : {}),
        });
      });
    },
    async openStream(o) {
      const post = await postprocessor();
      const fps = rational(o.fps.num, o.fps.den);
      const provenance = provenanceOf(post, fps, { ...o, fps });
      const parts = { pool, pack, post, provenance, emotionNames, ...(opts.batchSize ? { defaultBatchSize: opts.batchSize } : {}) };
      return openFrameStream(parts, { ...o, fps });
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
  tool ??= {
    name: '@a2f/inference',
    version: (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version,
  };
  return tool;
}

/** A line's keys and per-frame emotion as the kinds take them. */
function lineEmotion(a: AnimateOptions): LineEmotion {
  return {
    keys: a.emotion ?? [],
    source: a.emotionSource ?? (a.emotion ? 'emotion keys' : 'audio2emotion'),
    ...(a.emotionFrames ? { frames: a.emotionFrames } : {}),
  };
}
