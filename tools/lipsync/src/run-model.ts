// A model pack run as `a2f run` runs it: the audio decoded and resampled to 16 kHz by @a2f/audio, the
// pack loaded with every family the pipeline knows, the network and the pack's post-processing in the
// inference engine's workers (30 fps, seed 0, blinks on: a2f run's defaults). The FaceAnimation's
// blendshape channels become an ANIMATION.json (docs/lipsync-eval.md#animationjson).
import { rational, type FaceAnimation } from '@a2f/animation';
import { loadAudio } from '@a2f/audio';
import { createInferenceEngine, type InferenceEngine } from '@a2f/inference';
import { loadModelPack } from '@a2f/pipeline';
import type { Animation } from './anim.js';

export interface ModelOptions {
  readonly fps?: number;
  readonly seed?: number;
  readonly blinks?: boolean;
}

export interface ModelRunner {
  /** the pack's id and kind, for reports */
  readonly label: string;
  animate(wav: string): Promise<Animation>;
  close(): Promise<void>;
}

/** `model`: "default", another registered name, or a pack folder. */
export async function openModel(model: string, o: ModelOptions = {}): Promise<ModelRunner> {
  const pack = await loadModelPack(model);
  const engine: InferenceEngine = await createInferenceEngine(pack);
  const fps = o.fps ?? 30;
  return {
    label: `${model} (${pack.postprocess.kind})`,
    async animate(wav) {
      const audio = await loadAudio(wav, { sampleRate: 16000 });
      const anim = await engine.animate(audio.samples, { fps: rational(fps), seed: o.seed ?? 0, blinks: { enabled: o.blinks ?? true } });
      return toAnimation(anim, fps);
    },
    close: () => engine.close(),
  };
}

export function toAnimation(anim: FaceAnimation, fps: number): Animation {
  const n = anim.channels.length;
  const frames: number[][] = [];
  for (let f = 0; f < anim.frameCount; f++) frames.push(Array.from(anim.weights.subarray(f * n, (f + 1) * n)));
  return { fps, names: [...anim.channels], frames, generator: `${anim.provenance.model.id} ${anim.provenance.model.kind}` };
}
