import { existsSync } from 'node:fs';
import path from 'node:path';
import { A2eRunner } from '@a2f/nvidia';
import type { InferenceEngine } from '@a2f/inference';
import { JobError } from './errors.js';
import type { JobSettings } from './settings.js';

/**
 * The batch's Audio2Emotion runner (--a2e), loaded once with the batch's window, skip, overrides and
 * device; undefined without --a2e. Bad overrides and a misplaced pack stop the batch before any line.
 */
export async function openVoiceEmotion(settings: JobSettings, sidecarPack?: string): Promise<A2eRunner | undefined> {
  const pack = sidecarPack ?? voicePackOf(settings);
  if (pack === undefined) return undefined;
  const inference = settings.inference ?? {};
  return A2eRunner.create(pack, {
    ...(settings.a2eWindow === undefined ? {} : { window: settings.a2eWindow }),
    ...(settings.a2eSkip === undefined ? {} : { skip: settings.a2eSkip }),
    ...(settings.a2eParams ? { params: settings.a2eParams } : {}),
    ...(inference.threads === undefined ? {} : { threads: inference.threads }),
    ...(inference.device === undefined ? {} : { device: inference.device }),
  });
}

/** `--emotion auto`: emotion from the voice, with the --a2e pack or the one `a2f models pull audio2emotion` installs. */
export const isAutoEmotion = (emotion: string): boolean => emotion.trim().toLowerCase() === 'auto';

/** Where `a2f models pull audio2emotion` puts the pack (the default --packs-dir under the working folder). */
export const DEFAULT_A2E_PACK = path.join('models', 'packs', 'audio2emotion');

/** The Audio2Emotion pack a batch uses: --a2e, or for --emotion auto the installed one; undefined: none. */
export function voicePackOf(settings: JobSettings): string | undefined {
  if (settings.a2e !== undefined) return settings.a2e;
  if (settings.emotion === undefined || !isAutoEmotion(settings.emotion)) return undefined;
  const installed = path.resolve(DEFAULT_A2E_PACK);
  if (existsSync(installed)) return installed;
  throw new JobError(
    'BAD_SETTING',
    '--emotion',
    `"auto" takes emotion from the voice with an Audio2Emotion pack, and none is at ${installed}`,
    'Install it with `a2f models pull audio2emotion` (run from this folder), or name a pack folder with --a2e.',
  );
}

/** Emotion from the voice drives a network's explicit emotion input: a model without one cannot take it. */
export function checkVoiceEmotionModel(engine: InferenceEngine, model: string): void {
  // Both NVIDIA kinds take it frame by frame (v3.0 reads each centre frame at its own 60 fps target time).
  if (engine.emotionNames !== null) return;
  throw new JobError(
    'BAD_SETTING',
    '--a2e',
    `the model "${model}" has no emotion input, so emotion from the voice cannot drive it (only NVIDIA Audio2Face-3D packs take emotion)`,
    'Leave out --a2e, or run with an NVIDIA Audio2Face-3D pack (--model models/packs/<name>).',
  );
}
