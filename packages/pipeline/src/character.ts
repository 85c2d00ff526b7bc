// The character a job binds to: its file composed once (any USD form: .usda, .usdc, .usd, .usdz,
// with every arc followed; docs/usd-reading.md), then read with the Skeleton the settings name or
// the one whose meshes carry the most of the model's channels.
import { statSync } from 'node:fs';
import type { BindingPreset } from '@a2f/animation';
import type { KindChannels } from '@a2f/inference';
import { openCharacter, skeletonByChannels, type CharacterInfo, type CharacterStage } from '@a2f/usd';
import { JobError } from './errors.js';
import type { JobSettings } from './settings.js';

/** What of the settings picks and composes the character. */
export type CharacterSettings = Pick<JobSettings, 'variants' | 'skelRoot' | 'skeleton'>;

const FORMS = '(.usda, .usdc, .usd or .usdz)';
/** How to fix a character that is not there, in the words of the command that was given it. */
const FIXES = {
  job: `Pass --character the path of the character asset ${FORMS} the animation should drive.`,
  inspect: `Pass the path of a character asset ${FORMS} with a SkelRoot, Skeleton and blendshapes.`,
};

/** Opens a character file: a missing file or a folder is CHARACTER_NOT_FOUND; a bad layer is the reader's UsdError. */
export function openCharacterFile(file: string, settings: CharacterSettings, caller: keyof typeof FIXES = 'job'): CharacterStage {
  const fix = FIXES[caller];
  let folder = false;
  try {
    folder = statSync(file).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobError('CHARACTER_NOT_FOUND', file, `cannot be read (${code ?? 'error'})`, fix);
  }
  if (folder) throw new JobError('CHARACTER_NOT_FOUND', file, 'is a folder, not a USD layer', fix);
  return openCharacter(file, settings.variants ? { variants: settings.variants } : {});
}

/**
 * The files a character is composed of, root first, for a watcher that redoes lines when any of them
 * changes; the file alone when it cannot be composed (the line that uses it reports why).
 */
export function characterFiles(file: string, settings: Pick<CharacterSettings, 'variants'>): readonly string[] {
  try {
    return openCharacter(file, settings.variants ? { variants: settings.variants } : {}).files;
  } catch {
    return [file];
  }
}

/** The character as bound for a model: the named Skeleton, or the one whose meshes carry the most of its channels. */
export function characterFor(
  stage: CharacterStage,
  settings: CharacterSettings,
  channels: KindChannels,
  preset: BindingPreset,
): CharacterInfo {
  return stage.read({
    ...(settings.skelRoot === undefined ? {} : { skelRoot: settings.skelRoot }),
    ...(settings.skeleton === undefined ? {} : { skeleton: settings.skeleton }),
    choose: skeletonByChannels(channels, preset),
  });
}
