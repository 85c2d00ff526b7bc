import { fpsLabel, frameTargetSample, isBlinkChannel, type FaceAnimation } from '@a2f/animation';
import {
  createEmotionTrack,
  InferenceError,
  type BlinkControl,
  rowWidth,
  type EmotionKey,
  type FrameInput,
  type LineEmotion,
  type ModelPack,
  type PostprocessKind,
} from '@a2f/inference';
import { describeVoice, explicitWithVoice, voiceCurves } from './a2e/combine.js';
import { implicitEmotion } from './emotion.js';
import type { NvidiaPack } from './pack/types.js';
import { applyOverrides, type FaceParams } from './params.js';
import { A2F_JOINTS, A2FPostprocessor, type BlinkInput, type SolvePath } from './postprocess/assemble.js';
import { rigLayout, toRigData } from './postprocess/rig-data.js';

/**
 * `postprocess.config` of an NVIDIA pack: toModelPack puts the loaded pack in `pack`; configure()
 * adds the user's overrides, the parameters they produce and the solver path.
 */
interface A2FConfig {
  readonly pack: NvidiaPack;
  /** the overrides as given (numeric strings turned into numbers), recorded in provenance */
  readonly overrides?: Readonly<Record<string, number | string>>;
  /** model_config.json with the overrides applied */
  readonly params?: FaceParams;
  readonly solvePath?: SolvePath;
}

/** Named in errors about overrides: the CLI's option, which is how nearly everyone sets them. */
const OVERRIDES_ORIGIN = '--param';
const SOLVE_PATHS: readonly SolvePath[] = ['coefficients', 'mesh'];
const isSolvePath = (v: string): v is SolvePath => (SOLVE_PATHS as readonly string[]).includes(v);

function configOf(pack: ModelPack): A2FConfig {
  const config = pack.postprocess.config as Partial<A2FConfig>;
  if (!isNvidiaPackObject(config.pack)) {
    throw new InferenceError(
      'PACK_FIELD',
      pack.manifestPath,
      'the a2f-v2.3 post-processing has no loaded NVIDIA pack in its config',
      'Load NVIDIA Audio2Face-3D folders with loadModelPack(dir), which reads model.json and every file it names.',
    );
  }
  return config as A2FConfig;
}

const isNvidiaPackObject = (v: unknown): v is NvidiaPack =>
  typeof v === 'object' && v !== null && 'networkInfo' in v && 'modelData' in v && 'skin' in v && 'tongue' in v;

/**
 * 'a2f-v2.3': NVIDIA Audio2Face-3D v2.3 / v2.3.1 regression packs. The `result` row is split into
 * skin PCA | tongue PCA | jaw | eyes, post-processed with model_config.json (docs/nvidia/postprocess.md) and solved to the
 * rig's skin + tongue blendshapes (docs/nvidia/solver.md) by A2FPostprocessor; the `emotion` input is
 * [implicit row of implicit_emo_db.npz | explicit emotion at the frame's time] (docs/nvidia/emotion.md).
 */
export const nvidiaKind: PostprocessKind = {
  validate(block, { file, outputs }) {
    if (!isNvidiaPackObject(block.pack)) {
      throw new InferenceError(
        'PACK_FIELD',
        file,
        '"postprocess.kind" "a2f-v2.3" is only for NVIDIA pack folders, which a pack.json cannot describe',
        'Pass the NVIDIA pack folder itself (the one holding model.json) as the model.',
      );
    }
    const nv = block.pack;
    const layout = rigLayout(toRigData(nv));
    const result = outputs.find((o) => o.name === 'result');
    const width = result ? rowWidth(result) : -1;
    if (width !== layout.total || nv.networkInfo.resultLength !== layout.total) {
      throw new InferenceError(
        'PACK_FIELD',
        file,
        `the network's "result" row has ${width} values, but model_data.npz implies skin ${layout.skin} ` +
          `+ tongue ${layout.tongue} + jaw ${layout.jaw} + eyes ${layout.eyes} = ${layout.total}`,
        'Use network_info.json and model_data.npz from the same pack.',
      );
    }
    return { ...block };
  },

  configure(pack, opts) {
    const config = configOf(pack);
    const overrides = { ...config.overrides };
    for (const [key, value] of Object.entries(opts.params ?? {})) overrides[key] = value;
    const params = applyOverrides(config.pack.params, overrides, OVERRIDES_ORIGIN);
    // Keep what was checked, as numbers where the parameter is one (the CLI passes text).
    for (const key of Object.keys(overrides)) overrides[key] = params[key as keyof FaceParams];
    const solvePath = opts.solvePath ?? config.solvePath;
    if (solvePath !== undefined && !isSolvePath(solvePath)) {
      throw new InferenceError(
        'BAD_OPTION',
        pack.manifestPath,
        `solver path "${String(solvePath)}" is not known`,
        `Use one of: ${SOLVE_PATHS.join(', ')}.`,
      );
    }
    // A changed source shot/frame picks another implicit row: check it now, not on the first line.
    implicitEmotion(config.pack.emotionDb, params.source_shot, params.source_frame, OVERRIDES_ORIGIN);
    const next: A2FConfig = { ...config, overrides, params, ...(solvePath === undefined ? {} : { solvePath }) };
    // input_strength is the window gain (docs/nvidia/pack-format.md#windows), applied where the windows are cut.
    return {
      ...pack,
      audio: { ...pack.audio, inputStrength: params.input_strength },
      postprocess: { kind: pack.postprocess.kind, config: { ...next } },
    };
  },

  emotionNames: (pack) => configOf(pack).pack.networkInfo.explicitEmotions,

  channels(pack) {
    const rig = toRigData(configOf(pack).pack);
    return { blendShapes: [...rig.skin.poseNames, ...rig.tongue.poseNames], joints: A2F_JOINTS };
  },

  async prepare(pack) {
    const config = configOf(pack);
    const nv = config.pack;
    const params = config.params ?? nv.params;
    const solvePath = config.solvePath ?? 'coefficients';
    const implicit =
      params.source_shot === nv.params.source_shot && params.source_frame === nv.params.source_frame
        ? nv.implicitEmotion
        : implicitEmotion(nv.emotionDb, params.source_shot, params.source_frame, OVERRIDES_ORIGIN);
    const rig = toRigData(nv);
    const info = nv.networkInfo;
    const sampleRate = pack.audio.sampleRate;
    // One post-processor per frame rate: the smoothers' α, the saccade step and the solvers depend on
    // it, and building the solvers is the expensive part. Runs are synchronous and start from reset.
    const byFps = new Map<string, A2FPostprocessor>();
    const build = (fps: Parameters<typeof fpsLabel>[0]): A2FPostprocessor =>
      new A2FPostprocessor({ rig, params, skinSolver: nv.skin.config, tongueSolver: nv.tongue.config, fps, path: solvePath });
    const postprocessorFor = (fps: Parameters<typeof fpsLabel>[0]): A2FPostprocessor => {
      const key = fpsLabel(fps);
      let post = byFps.get(key);
      if (!post) {
        post = build(fps);
        byFps.set(key, post);
      }
      return post;
    };
    /** post-processors of closed live tracks, by frame rate: a track resets the state it starts from */
    const idle = new Map<string, A2FPostprocessor[]>();
    const blinkOf = (seed: number | undefined, blinks: BlinkControl | undefined): BlinkInput =>
      blinks?.enabled === false
        ? false
        : { seed: seed ?? 0, ...(blinks?.intervalSeconds === undefined ? {} : { intervalSeconds: blinks.intervalSeconds }) };
    const defaultRow = createEmotionTrack({ implicit, info }).emotionForFrames([0]);
    return {
      parameters: {
        actor: info.id.actor,
        ...(config.overrides && Object.keys(config.overrides).length ? { overrides: { ...config.overrides } } : {}),
      },
      inputs: { emotion: defaultRow },
      emotionInputs(emotion): Record<string, FrameInput> {
        const { keys, source, frames } = emotion;
        const track = createEmotionTrack({ implicit, info, keys, origin: source });
        const at = implicit.length;
        // Emotion from the voice (--a2e) comes per frame; keys still hold the emotions they name.
        const voice = frames ? explicitWithVoice(info.explicitEmotions, { ...emotion, frames }, track) : null;
        // Frame k's emotion is read at its target sample t_k, as the SDK's emotion accumulator does.
        return {
          emotion: (frame, targetSample, row) => {
            row.set(implicit, 0);
            row.set(voice ? voice(frame, targetSample / sampleRate) : track.explicitAt(targetSample / sampleRate), at);
          },
        };
      },
      apply(raw, { fps, provenance, seed, emotion, blinks }) {
        const result = raw.outputs.result;
        const off = blinks?.enabled === false;
        const frames = emotion?.frames;
        const described = frames
          ? {
              ...(emotion!.keys.length ? { keys: describeEmotion(emotion, info) } : {}),
              voice: describeVoice(info.explicitEmotions, { ...emotion!, frames }),
            }
          : describeEmotion(emotion, info);
        const anim = postprocessorFor(fps).run(result.data, {
          provenance: { ...provenance, parameters: { ...provenance.parameters, emotion: described } },
          blink: blinkOf(seed, blinks),
        });
        if (off) holdEyesOpen(anim);
        if (!frames) return anim;
        const track = createEmotionTrack({ implicit, info, keys: emotion!.keys, origin: emotion!.source });
        const seconds = (f: number) => frameTargetSample(f, fps, sampleRate) / sampleRate;
        return { ...anim, emotions: voiceCurves(info.explicitEmotions, { ...emotion!, frames }, track, raw.frameCount, seconds) };
      },
      // Every step is causal (docs/live-engine.md). A track owns its solvers' state, so each gets a post-processor of
      // its own; a closed track's is kept for the next one, as building the solvers of a full-size pack takes seconds.
      openTrack({ fps, provenance, seed, emotion, blinks }) {
        if (emotion?.frames) throw new Error('a live track takes emotion keys, not emotion from the voice');
        const off = blinks?.enabled === false;
        const spare = idle.get(fpsLabel(fps));
        const post = spare?.pop() ?? build(fps);
        const track = post.track({
          provenance: { ...provenance, parameters: { ...provenance.parameters, emotion: describeEmotion(emotion, info) } },
          blink: blinkOf(seed, blinks),
        });
        let open = true;
        return {
          push(raw) {
            const anim = track.push(raw.outputs.result.data);
            if (off) holdEyesOpen(anim);
            return anim;
          },
          close() {
            if (!open) return;
            open = false;
            const list = idle.get(fpsLabel(fps)) ?? [];
            list.push(post);
            idle.set(fpsLabel(fps), list);
          },
        };
      },
    };
  },
};

/**
 * Blinks off: no synthesised blink track, and the solved eyeBlink weights held at 0, so neither the
 * network nor a blink_offset floor closes the eyes (docs/animation-controls.md).
 */
function holdEyesOpen(anim: FaceAnimation): void {
  const n = anim.channels.length;
  anim.channels.forEach((name, c) => {
    if (!isBlinkChannel(name)) return;
    for (let f = 0; f < anim.frameCount; f++) anim.weights[f * n + c] = 0;
  });
}

/**
 * The explicit emotion as provenance: the source, the key times and one array per named emotion
 * (the value at each key, the network's default where a key leaves it out), so a USD dictionary
 * holds it as plain number arrays. "default" when the line gave no keys.
 */
function describeEmotion(emotion: LineEmotion | undefined, info: NvidiaPack['networkInfo']): unknown {
  const names = info.explicitEmotions;
  if (!emotion || emotion.keys.length === 0) return 'default';
  const keys = [...emotion.keys].sort((a, b) => a.time - b.time);
  const lower = names.map((n) => n.toLowerCase());
  const canonical = (name: string): string => names[lower.indexOf(name.toLowerCase())] ?? name;
  const used = new Set<string>();
  for (const k of keys) for (const name of Object.keys(k.emotions)) used.add(canonical(name));
  const value = (k: EmotionKey, name: string): number => {
    const hit = Object.entries(k.emotions).find(([n]) => canonical(n) === name);
    return hit ? hit[1] : info.defaultEmotion[names.indexOf(name)];
  };
  const out: Record<string, unknown> = { source: emotion.source, times: keys.map((k) => k.time) };
  for (const name of names) if (used.has(name)) out[name] = keys.map((k) => value(k, name));
  return out;
}
