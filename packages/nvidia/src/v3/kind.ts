import { frameTargetSample, isBlinkChannel, rational, type FaceAnimation, type Rational } from '@a2f/animation';
import { createEmotionTrack, InferenceError, type ModelPack, type PostprocessKind } from '@a2f/inference';
import { describeVoice, explicitWithVoice, voiceCurves } from '../a2e/combine.js';
import type { V3Identity, V3Pack } from '../pack/v3-load.js';
import { applyOverrides, type FaceParams } from '../params.js';
import { A2F_JOINTS } from '../postprocess/assemble.js';
import { blinkOffsetTrack } from '../postprocess/blink.js';
import { deliveredFrames, V3_RESAMPLE, type V3Resample } from './frames.js';
import { describeNoise, makeNoise, parseNoiseChoice, type V3NoiseChoice } from './noise.js';
import { V3Postprocessor } from './postprocess.js';
import { cutV3Window, frameTarget, v3Schedule } from './windows.js';

/** postprocess.config of a v3.0 pack: the loaded pack, then what configure() chose. */
interface V3Config {
  readonly pack: V3Pack;
  readonly identity?: number;
  readonly noise?: V3NoiseChoice;
  readonly resample?: V3Resample;
  readonly overrides?: Readonly<Record<string, number | string>>;
  readonly params?: FaceParams;
}

/** The kind's options (KindOptions.options), by the names the settings table passes. */
export const V3_OPTIONS = ['identity', 'v3Noise', 'v3Resample'] as const;

const isV3Pack = (v: unknown): v is V3Pack => typeof v === 'object' && v !== null && 'identities' in v && 'info' in v;

function configOf(pack: ModelPack): V3Config {
  const config = pack.postprocess.config as Partial<V3Config>;
  if (!isV3Pack(config.pack)) {
    throw new InferenceError(
      'PACK_FIELD',
      pack.manifestPath,
      'the a2f-v3.0 post-processing has no loaded v3.0 pack in its config',
      'Load NVIDIA Audio2Face-3D v3.0 folders with loadModelPack(dir).',
    );
  }
  return config as V3Config;
}

function identityIndex(pack: V3Pack, name: string, file: string): number {
  const i = pack.info.identities.findIndex((n) => n.toLowerCase() === name.toLowerCase());
  if (i < 0) {
    throw new InferenceError(
      'BAD_OPTION',
      file,
      `--identity "${name}" is not in this pack`,
      `Use one of the pack's identities: ${pack.info.identities.join(', ')}.`,
    );
  }
  return i;
}

/**
 * 'a2f-v3.0': NVIDIA Audio2Face-3D v3.0, the diffusion network for several identities. It drives
 * the network itself (animateLine): windows in order with the latents chained, the centre frames
 * kept, post-processed with the chosen identity's data and solved on its rig (docs/nvidia/v3.md).
 */
export const nvidiaV3Kind: PostprocessKind = {
  validate(block, { file }) {
    if (!isV3Pack(block.pack)) {
      throw new InferenceError(
        'PACK_FIELD',
        file,
        '"postprocess.kind" "a2f-v3.0" is only for NVIDIA v3.0 pack folders, which a pack.json cannot describe',
        'Pass the v3.0 pack folder itself (the one holding model.json) as the model.',
      );
    }
    return { ...block };
  },

  configure(pack, opts) {
    const config = configOf(pack);
    const file = pack.manifestPath;
    let { identity, noise, resample } = config;
    for (const [key, value] of Object.entries(opts.options ?? {})) {
      if (key === 'identity') identity = identityIndex(config.pack, value, file);
      else if (key === 'v3Noise') noise = parseNoiseChoice(value, file);
      else if (key === 'v3Resample') {
        if (!(V3_RESAMPLE as readonly string[]).includes(value))
          throw new InferenceError('BAD_OPTION', file, `--v3-resample "${value}" is not known`, `Use ${V3_RESAMPLE.join(', ')}.`);
        resample = value as V3Resample;
      } else {
        throw new InferenceError(
          'BAD_OPTION',
          file,
          `the v3.0 model takes no option "${key}"`,
          `Its options are ${V3_OPTIONS.join(', ')}.`,
        );
      }
    }
    if (opts.solvePath !== undefined && opts.solvePath !== 'mesh') {
      throw new InferenceError(
        'BAD_OPTION',
        file,
        `solver path "${opts.solvePath}" does not apply: v3.0 outputs vertices, not PCA coefficients`,
        'Leave out --solver (v3.0 always solves from the mesh).',
      );
    }
    const chosen = config.pack.identities[identity ?? 0];
    const overrides = { ...config.overrides, ...(opts.params ?? {}) };
    const params = applyOverrides(chosen.params, overrides, '--param');
    for (const key of Object.keys(overrides)) overrides[key] = params[key as keyof FaceParams];
    const next: V3Config = {
      ...config,
      params,
      overrides,
      ...(identity === undefined ? {} : { identity }),
      ...(noise === undefined ? {} : { noise }),
      ...(resample === undefined ? {} : { resample }),
    };
    return {
      ...pack,
      audio: { ...pack.audio, inputStrength: params.input_strength },
      postprocess: { kind: pack.postprocess.kind, config: { ...next } },
    };
  },

  emotionNames: (pack) => configOf(pack).pack.info.emotions,

  channels(pack) {
    const config = configOf(pack);
    const id = config.pack.identities[config.identity ?? 0];
    return { blendShapes: [...id.skin.poseNames, ...id.tongue.poseNames], joints: A2F_JOINTS };
  },

  async prepare(pack) {
    const config = configOf(pack);
    const v3 = config.pack;
    const info = v3.info;
    const idIndex = config.identity ?? 0;
    const id: V3Identity = v3.identities[idIndex];
    const params = config.params ?? id.params;
    const noiseChoice = config.noise ?? 'philox';
    const noise = await makeNoise(noiseChoice, [info.diffusionSteps + 1, info.framesPerInference, info.frameWidth]);
    const layout = { skin: info.skinSize, tongue: info.tongueSize, jaw: info.jawSize, eyes: info.eyesSize };
    const network = v3Schedule(info, 0).fps;
    const internalFps = rational(network.num, network.den);
    // Building the solvers is the expensive part; lines running at once each take their own.
    const idle: V3Postprocessor[] = [];
    const oneHot = new Float32Array(info.identities.length);
    oneHot[idIndex] = 1;
    const latentSize = info.diffusionSteps * info.gruLayers * info.gruLatentDim;
    const latentDims = [info.diffusionSteps, info.gruLayers, 1, info.gruLatentDim];
    const E = info.emotions.length;
    // v3.0 has no implicit emotion: the shot keys the v2.3 reader needs are placeholders, not recorded.
    const { source_shot: _shot, source_frame: _frame, ...recorded } = params;
    const parameters = {
      identity: id.name,
      noise: describeNoise(noiseChoice),
      ...(config.resample ? { resample: config.resample } : {}),
      ...(config.overrides && Object.keys(config.overrides).length ? { overrides: { ...config.overrides } } : {}),
    };
    return {
      parameters,
      apply() {
        throw new Error('a2f-v3.0 runs whole lines with animateLine, not per-frame outputs');
      },
      async animateLine(samples, runner, ctx): Promise<FaceAnimation> {
        const schedule = v3Schedule(info, samples.length);
        const sources = deliveredFrames(
          internalFps,
          schedule.frameCount,
          ctx.fps,
          samples.length,
          info.sampleRate,
          config.resample,
          pack.manifestPath,
        );
        const track = createEmotionTrack({
          implicit: new Float32Array(0),
          info: { explicitEmotions: info.emotions, defaultEmotion: info.defaultEmotion },
          keys: ctx.emotion?.keys ?? [],
          origin: ctx.emotion?.source ?? 'emotion keys',
        });
        // Emotion from the voice (--a2e) comes per frame at the line's rate; keys still hold the emotions they name.
        const frames = ctx.emotion?.frames;
        const voiced = frames ? { ...ctx.emotion!, frames } : null;
        const voice = voiced ? explicitWithVoice(info.emotions, voiced, track) : null;
        const blinksOff = ctx.blinks?.enabled === false;
        const blink = blinksOff
          ? null
          : blinkOffsetTrack({
              frameCount: schedule.frameCount,
              fps: internalFps,
              seed: ctx.seed ?? 0,
              ...(ctx.blinks?.intervalSeconds === undefined ? {} : { intervalSeconds: ctx.blinks.intervalSeconds }),
            });
        const post = idle.pop() ?? new V3Postprocessor(id, params, layout, internalFps);
        try {
          const provenance = {
            ...ctx.provenance,
            parameters: {
              ...recorded,
              ...ctx.provenance.parameters,
              ...parameters,
              emotion: describeEmotion(
                ctx.emotion,
                info.emotions,
                info.defaultEmotion,
                voiced ? describeVoice(info.emotions, voiced) : undefined,
              ),
              blinks: blinksOff ? 'off' : { seed: ctx.seed ?? 0 },
            },
          };
          const run = post.begin(ctx.fps, sources, provenance, blink);
          const window = new Float32Array(info.bufferLength);
          const emotion = new Float32Array(info.framesCenter * E);
          let latents = new Float32Array(latentSize);
          const gain = params.input_strength;
          for (let w = 0; w < schedule.windowCount; w++) {
            runner.signal?.throwIfAborted();
            cutV3Window(samples, info, w, gain, window);
            for (let f = 0; f < info.framesCenter; f++) {
              const t = Math.max(0, frameTarget(info, w * info.framesCenter + f));
              const row = voice
                ? voice(lineFrameAt(t, ctx.fps, info.sampleRate), t / info.sampleRate)
                : track.explicitAt(t / info.sampleRate);
              emotion.set(row, f * E);
            }
            // Each run waits for the last one's latents: a line's windows are strictly in order.
            const out = await runner.run({
              window: { data: window, dims: [1, info.bufferLength] },
              identity: { data: oneHot, dims: [1, oneHot.length] },
              emotion: { data: emotion, dims: [1, info.framesCenter, E] },
              input_latents: { data: latents, dims: latentDims },
              noise: { data: noise, dims: [1, info.diffusionSteps + 1, info.framesPerInference, info.frameWidth] },
            });
            latents = Float32Array.from(out.output_latents.data);
            const prediction = out.prediction.data;
            for (let f = 0; f < info.framesCenter; f++) {
              const i = w * info.framesCenter + f - schedule.firstFrame;
              if (i < 0 || i >= schedule.frameCount) continue;
              run.frame(prediction, (info.framesLeft + f) * info.frameWidth, i);
            }
            runner.onProgress?.(Math.min(schedule.frameCount, (w + 1) * info.framesCenter - schedule.firstFrame), schedule.frameCount);
          }
          if (blinksOff) holdEyesOpen(run.anim);
          if (!voiced) return run.anim;
          const seconds = (k: number) => frameTargetSample(k, ctx.fps, info.sampleRate) / info.sampleRate;
          return { ...run.anim, emotions: voiceCurves(info.emotions, voiced, track, run.anim.frameCount, seconds) };
        } finally {
          idle.push(post);
        }
      },
    };
  },
};

function holdEyesOpen(anim: FaceAnimation): void {
  const n = anim.channels.length;
  anim.channels.forEach((name, c) => {
    if (!isBlinkChannel(name)) return;
    for (let f = 0; f < anim.frameCount; f++) anim.weights[f * n + c] = 0;
  });
}

/** The line frame (at the delivered rate) whose target sample is the last at or before `t`: the voice's value there. */
function lineFrameAt(t: number, fps: Rational, sampleRate: number): number {
  let k = Math.floor((t * fps.num) / (sampleRate * fps.den));
  while (k > 0 && frameTargetSample(k, fps, sampleRate) > t) k--;
  while (frameTargetSample(k + 1, fps, sampleRate) <= t) k++;
  return k;
}

/**
 * The line's emotion as provenance, as plain arrays a USD dictionary holds (as the v2.3 kind does): the
 * keys' times and one array per emotion they name (the default where a key leaves it out), and what
 * made the voice's (--a2e); "default" when neither.
 */
function describeEmotion(
  emotion: { keys: readonly { time: number; emotions: Readonly<Record<string, number>> }[]; source: string } | undefined,
  names: readonly string[],
  defaults: ArrayLike<number>,
  voice: unknown,
): unknown {
  const keys = [...(emotion?.keys ?? [])].sort((a, b) => a.time - b.time);
  if (!keys.length && voice === undefined) return 'default';
  const out: Record<string, unknown> = {};
  if (keys.length) {
    out.source = emotion!.source;
    out.times = keys.map((k) => k.time);
    const lower = names.map((n) => n.toLowerCase());
    names.forEach((name, i) => {
      const values = keys.map((k) => Object.entries(k.emotions).find(([n]) => n.toLowerCase() === lower[i])?.[1]);
      if (values.some((x) => x !== undefined)) out[name] = values.map((x) => x ?? defaults[i]);
    });
  }
  if (voice !== undefined) out.voice = voice;
  return out;
}
