import { A2eRunner } from '@a2f/nvidia';
import type { InferenceEngine } from '@a2f/inference';
import { JobError } from './errors.js';
import type { JobSettings } from './settings.js';

/**
 * The batch's Audio2Emotion runner (--a2e), loaded once with the batch's window, skip, overrides and
 * device; undefined without --a2e. Bad overrides and a misplaced pack stop the batch before any line.
 */
export async function openVoiceEmotion(settings: JobSettings): Promise<A2eRunner | undefined> {
  if (settings.a2e === undefined) return undefined;
  const inference = settings.inference ?? {};
  return A2eRunner.create(settings.a2e, {
    ...(settings.a2eWindow === undefined ? {} : { window: settings.a2eWindow }),
    ...(settings.a2eSkip === undefined ? {} : { skip: settings.a2eSkip }),
    ...(settings.a2eParams ? { params: settings.a2eParams } : {}),
    ...(inference.threads === undefined ? {} : { threads: inference.threads }),
    ...(inference.device === undefined ? {} : { device: inference.device }),
  });
}

/** Emotion from the voice drives a network's explicit emotion input: a model without one cannot take it. */
export function checkVoiceEmotionModel(engine: InferenceEngine, model: string): void {
  if (engine.emotionNames !== null) return;
  throw new JobError(
    'BAD_SETTING',
    '--a2e',
    `the model "${model}" has no emotion input, so emotion from the voice cannot drive it (only NVIDIA Audio2Face-3D packs take emotion)`,
    'Leave out --a2e, or run with an NVIDIA Audio2Face-3D pack (--model models/packs/<name>).',
  );
}
