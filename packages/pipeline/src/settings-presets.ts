// Binding presets by name or path: the `preset` setting's values (the table in settings-schema.ts
// names it; its help lists the presets installed here).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseBindingPreset, type BindingPreset } from '@a2f/animation';
import { readJsonFile } from '@a2f/base';
import { JobError } from './errors.js';
import { ASSETS_DIR } from './tool.js';

export const PRESETS_DIR = path.join(ASSETS_DIR, 'bindings');

export function presetNames(): string[] {
  return existsSync(PRESETS_DIR)
    ? readdirSync(PRESETS_DIR)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort()
    : [];
}

/** A preset by name (templates/bindings/<name>.json) or by path. */
export function loadPreset(nameOrPath: string): BindingPreset {
  const file = presetFile(nameOrPath);
  if (!existsSync(file)) {
    throw new JobError(
      'PRESET_NOT_FOUND',
      file,
      `no binding preset "${nameOrPath}"`,
      `Use one of: ${presetNames().join(', ') || '(none installed)'}, or a path to a preset JSON ` +
        '("a2f inspect <character>" shows what a preset binds).',
    );
  }
  const { json } = readJsonFile(file, (f) => new JobError('BAD_PRESET', file, f.problem, 'Fix the JSON syntax of the preset.'));
  return parseBindingPreset(json, file);
}

/** The file a preset setting names: a path when it looks like one, else templates/bindings/<name>.json. */
export function presetFile(nameOrPath: string): string {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep);
  return isPath ? path.resolve(nameOrPath) : path.join(PRESETS_DIR, `${nameOrPath}.json`);
}
