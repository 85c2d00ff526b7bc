import { loadModelPack, modelChannels, type KindChannels } from '@a2f/inference';
import type { BindingPreset } from '@a2f/animation';
import { bindChannels, type BindingReport, type CharacterInfo } from '@a2f/usd';
import { characterFor, openCharacterFile } from './character.js';
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
 * character is composed and its Skeleton chosen as a run does (variants, --skel-root/--skeleton,
 * else by the model's channel names), and the binding uses the run's own code and controls (preset,
 * jaw, channel filters), so inspect and a run agree.
 */
export async function inspectBinding(file: string, presetName: string, opts: Partial<JobSettingsInput> = {}): Promise<BindingInspection> {
  const settings = resolveSettings({ ...opts, character: file, outDir: '.' });
  // The character is composed first: a bad asset is reported before the model loads.
  const stage = openCharacterFile(file, settings, 'inspect');
  const preset = loadPreset(presetName);
  const channels = modelChannels(await loadModelPack(settings.model));
  const character = characterFor(stage, settings, channels, preset);
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
