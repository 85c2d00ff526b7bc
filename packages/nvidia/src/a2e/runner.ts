import path from 'node:path';
import { frameCountFor, rational, type Rational } from '@a2f/animation';
import { sha256File } from '@a2f/base';
import { createInferenceEngine, InferenceError, type InferenceEngine, type ModelPack, type PoolOptions } from '@a2f/inference';
import { A2E_INPUT, A2E_OUTPUT, loadA2ePack, type A2eConfig, type A2ePack } from '../pack/a2e-pack.js';
import { applyA2eOverrides } from './params.js';
import { A2ePostprocessor } from './postprocess.js';

/** The SDK sample executor's window and skip (sample-a2f-a2e-executor main.cpp, GetExecutorCreationParameters(60000, 30, 1, 30)). */
export const A2E_DEFAULT_WINDOW = 60_000;
export const A2E_DEFAULT_SKIP = 30;
/** ModelPack.postprocess.kind of the classifier; it drives emotion and animates nothing by itself. */
export const A2E_KIND = 'a2e-v2.2';

export interface A2eOptions extends PoolOptions {
  /** samples per classifier window, centred on the frame (default 60 000) */
  readonly window?: number;
  /** frames between two classifier runs (default 30: one run every 31 frames) */
  readonly skip?: number;
  /** post_processing_config overrides by key (--a2e-param) */
  readonly params?: Readonly<Record<string, number | string | boolean>>;
  readonly batchSize?: number;
}

/** A line's explicit emotion from the voice: one row per frame, in the A2F network's explicit-emotion order. */
export interface A2eFrames {
  readonly width: number;
  readonly frameCount: number;
  /** frameCount × width */
  readonly values: Float32Array;
  /** what made them: pack, hashes, window, skip and the post-processing values */
  readonly provenance: Readonly<Record<string, unknown>>;
}

/**
 * An Audio2Emotion pack loaded into its own worker pool: create once per batch, `emotions()` per
 * line, close. Each line starts the post-processing afresh, as a new SDK track does.
 */
export class A2eRunner {
  private constructor(
    readonly pack: A2ePack,
    readonly config: A2eConfig,
    private readonly correspondence: readonly number[],
    private readonly engine: InferenceEngine,
    readonly window: number,
    readonly skip: number,
    private readonly overrides: Readonly<Record<string, unknown>>,
    private readonly batchSize: number | undefined,
  ) {}

  static async create(dir: string, opts: A2eOptions = {}): Promise<A2eRunner> {
    const pack = await loadA2ePack(dir);
    const window = opts.window ?? A2E_DEFAULT_WINDOW;
    const skip = opts.skip ?? A2E_DEFAULT_SKIP;
    if (!Number.isInteger(window) || window < 2) {
      throw new InferenceError(
        'BAD_OPTION',
        '--a2e-window',
        `${window} is not a window of ≥ 2 samples`,
        'Give samples, e.g. --a2e-window 60000.',
      );
    }
    if (!Number.isInteger(skip) || skip < 0) {
      throw new InferenceError('BAD_OPTION', '--a2e-skip', `${skip} is not a whole number ≥ 0`, 'Give frames to skip, e.g. --a2e-skip 30.');
    }
    const { config, correspondence, applied } = applyA2eOverrides(pack.config, pack.emotions, opts.params ?? {});
    const engine = await createInferenceEngine(await toA2eModelPack(pack, window), {
      ...(opts.workers === undefined ? { workers: 1 } : { workers: opts.workers }),
      ...(opts.threads === undefined ? {} : { threads: opts.threads }),
      ...(opts.device === undefined ? {} : { device: opts.device }),
    });
    return new A2eRunner(pack, config, correspondence, engine, window, skip, applied, opts.batchSize);
  }

  /**
   * The A2F explicit emotion of every frame of a line (mono samples at the pack's rate): the
   * classifier runs on the window centred on frames 0, S, 2S… (S = skip + 1, zeros outside the
   * audio), and every frame is post-processed with the last run's logits, as the SDK's executor does.
   */
  async emotions(samples: Float32Array, fps: Rational, opts: { readonly sampleRate?: number; readonly signal?: AbortSignal } = {}) {
    const rate = opts.sampleRate ?? this.pack.sampleRate;
    if (rate !== this.pack.sampleRate) {
      throw new InferenceError(
        'BAD_OPTION',
        this.pack.files.networkInfo,
        `the classifier takes ${this.pack.sampleRate} Hz audio, the line is at ${rate} Hz`,
        "Use an Audio2Emotion pack made for the A2F pack's sample rate (both NVIDIA packs use 16 000 Hz).",
      );
    }
    const f = rational(fps.num, fps.den);
    const S = this.skip + 1;
    // The SDK refuses a stride longer than the window (EmotionExecutorCore::GetProgressParameters): audio would go unheard.
    if (rate * f.den * S > this.window * f.num) {
      throw new InferenceError(
        'BAD_OPTION',
        '--a2e-skip',
        `one classifier run every ${S} frames at ${f.num}/${f.den} fps is ${(rate * f.den * S) / f.num} samples apart, ` +
          `more than the ${this.window}-sample window`,
        'Lower --a2e-skip or raise --a2e-window so that (skip + 1) frames fit in one window.',
      );
    }
    const frames = frameCountFor(samples.length, f, rate);
    const raw = await this.engine.run(samples, {
      fps: rational(f.num, f.den * S),
      ...(this.batchSize === undefined ? {} : { batchSize: this.batchSize }),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const logits = raw.outputs[A2E_OUTPUT]!;
    const width = this.config.output_emotion_length;
    const values = new Float32Array(frames * width);
    const post = new A2ePostprocessor(this.config, this.correspondence, f.den / f.num);
    const row = new Float32Array(width);
    for (let k = 0; k < frames; k++) {
      const j = Math.floor(k / S);
      post.step(logits.data.subarray(j * logits.width, (j + 1) * logits.width), row);
      values.set(row, k * width);
    }
    const frameEmotion: A2eFrames = { width, frameCount: frames, values, provenance: this.provenance(raw.frameCount) };
    return frameEmotion;
  }

  /** What the layer records of the emotion source (docs/nvidia/audio2emotion.md#curves-and-provenance). */
  private provenance(runs: number): Record<string, unknown> {
    const { emotion_correspondence: _c, ...values } = this.config;
    return {
      source: 'audio2emotion',
      pack: path.basename(this.pack.dir),
      network: path.basename(this.pack.files.network),
      networkSha256: this.engine.pack.networkSha256,
      window: this.window,
      skip: this.skip,
      classifierRuns: runs,
      emotions: [...this.pack.emotions],
      correspondence: [...this.correspondence],
      ...values,
      ...(Object.keys(this.overrides).length ? { overrides: { ...this.overrides } } : {}),
    };
  }

  close(): Promise<void> {
    return this.engine.close();
  }
}

/** The classifier as the engine runs it: input_values [B, window] at the window's centre → output [B, emotions]. */
export async function toA2eModelPack(pack: A2ePack, window: number): Promise<ModelPack> {
  const rel = (f: string) => path.relative(pack.dir, f);
  const sha256: Record<string, string> = { ...(pack.sha256 ?? {}) };
  sha256[rel(pack.files.network)] ??= await sha256File(pack.files.network);
  return {
    format: 'nvidia-a2e-v2.2',
    id: `nvidia-a2e-${path.basename(pack.dir)}`.replace(/[^A-Za-z0-9._-]/g, '_'),
    name: 'Audio2Emotion v2.2',
    version: '2.2',
    license: 'NVIDIA Open Model License',
    dir: pack.dir,
    manifestPath: pack.files.networkInfo,
    networkPath: pack.files.network,
    networkSha256: sha256[rel(pack.files.network)]!,
    sha256,
    verified: [],
    // The SDK reads the window with input strength 1 (ConfigInfoOwner::Init) and centres it: targetOffset = window / 2.
    audio: { sampleRate: pack.sampleRate, bufferLength: window, bufferOffset: Math.floor(window / 2), inputStrength: 1 },
    audioInput: A2E_INPUT,
    inputs: [{ name: A2E_INPUT, type: 'float32', shape: ['batch_size', window] }],
    outputs: [{ name: A2E_OUTPUT, type: 'float32', shape: ['batch_size', pack.emotions.length] }],
    postprocess: { kind: A2E_KIND, config: { a2e: pack } },
    provenance: { source: 'NVIDIA Audio2Emotion pack (model.json layout)', network: rel(pack.files.network) },
  };
}
