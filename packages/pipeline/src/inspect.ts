import { readFileSync } from 'node:fs';
import { loadModelPack, modelChannels, type KindChannels } from '@a2f/inference';
import type { BindingPreset } from '@a2f/animation';
import { bindChannels, inspectCharacter, type BindingReport, type CharacterInfo } from '@a2f/usd';
import { JobError } from './errors.js';
import './families.js';
import { loadPreset } from './settings-presets.js';
import { resolveSettings, type JobSettingsInput } from './settings.js';

export interface BindingInspection {
  readonly character: CharacterInfo;
  readonly model: string;
  readonly preset: BindingPreset;
  /** the channels the model's animations carry */
  readonly channels: KindChannels;
  readonly binding: BindingReport;
}

/**
 * What a character offers and how a model's channels would bind to it, before any audio runs. The
 * binding uses the run's own code and controls (preset, jaw, channel filters), so inspect and a run agree.
 */
export async function inspectBinding(file: string, presetName: string, opts: Partial<JobSettingsInput> = {}): Promise<BindingInspection> {
  const character = inspectCharacter(readAsset(file), file);
  const preset = loadPreset(presetName);
  const settings = resolveSettings({ ...opts, character: file, outDir: '.' });
  const channels = modelChannels(await loadModelPack(settings.model));
  const binding = bindChannels(channels, character, preset, {
    jaw: settings.jaw,
    ...(settings.channels || settings.excludeChannels
      ? {
          channels: {
            ...(settings.channels ? { include: settings.channels } : {}),
            ...(settings.excludeChannels ? { exclude: settings.excludeChannels } : {}),
          },
        }
      : {}),
  });
  return { character, model: settings.model, preset, channels, binding };
}

function readAsset(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobError(
      'CHARACTER_NOT_FOUND',
      file,
      code === 'EISDIR' ? 'is a folder, not a .usda layer' : `cannot be read (${code ?? 'error'})`,
      'Pass the path of a character asset (.usda) with a SkelRoot, Skeleton and blendshapes.',
    );
  }
}
