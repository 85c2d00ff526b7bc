import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parseBindingPreset, parseFps, type BindingPreset, type Rational } from '@a2f/animation';
import type { SolvePath } from '@a2f/inference';
import { JobError } from './errors.js';
import { TEMPLATES_DIR } from './tool.js';

export type Layering = 'override' | 'reference';

export interface InferenceSettings {
  readonly batchSize?: number;
  readonly workers?: number;
  readonly threads?: number;
  readonly device?: 'cpu' | 'cuda';
}

/** Everything that decides what a job writes. Two jobs with equal settings and audio write equal files. */
export interface JobSettings {
  /** the character asset (.usda) the layers compose onto */
  readonly character: string;
  readonly outDir: string;
  readonly fps: Rational;
  /** 'default' (the embedded model) or a model pack folder */
  readonly model: string;
  readonly layering: Layering;
  /** a preset name from templates/bindings or a path to a preset JSON */
  readonly preset: string;
  /** override layering: the layer sublayers the character, so it opens on its own */
  readonly sublayerCharacter: boolean;
  /** seed of procedural motion (blinks) */
  readonly seed: number;
  /** also write NVIDIA's a2f_export JSON next to the layer, for engines that do not read USD */
  readonly exportJson: boolean;
  /**
   * animate what is there of audio that is cut short or damaged instead of failing the line; the
   * shortfall goes into the report and the layer's provenance (docs/audio-input.md). Default false.
   */
  readonly allowTruncated: boolean;
  readonly inference: InferenceSettings;
  /**
   * Explicit emotion for every line, in the CLI form `joy=0.6,anger=0.2` (NVIDIA packs only). A
   * line's sidecar emotion replaces it for that line.
   */
  readonly emotion?: string;
  /** post-processing parameter overrides (NVIDIA packs: model_config.json keys), e.g. { lower_face_strength: 1.2 } */
  readonly params: Readonly<Record<string, string | number>>;
  /** NVIDIA packs: blendshape solve from PCA coefficients (default) or from the rebuilt mesh */
  readonly solvePath?: SolvePath;
}

export type JobSettingsInput = Pick<JobSettings, 'character' | 'outDir'> & Partial<Omit<JobSettings, 'fps'>> & { fps?: Rational | string | number };

export function resolveSettings(input: JobSettingsInput): JobSettings {
  const layering = input.layering ?? 'override';
  if (layering !== 'override' && layering !== 'reference') {
    throw new JobError('BAD_SETTING', 'settings', `layering "${String(layering)}" is not known`, 'Use "override" or "reference".');
  }
  if (input.solvePath !== undefined && input.solvePath !== 'coefficients' && input.solvePath !== 'mesh') {
    throw new JobError('BAD_SETTING', 'settings', `solver path "${String(input.solvePath)}" is not known`, 'Use "coefficients" or "mesh".');
  }
  if (input.emotion !== undefined && input.emotion.trim() === '') {
    throw new JobError('BAD_SETTING', '--emotion', 'is empty', 'Write name=value pairs such as joy=0.6,anger=0.2, or leave the option out.');
  }
  const seed = input.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) throw new JobError('BAD_SETTING', 'settings', `seed ${seed} is not a non-negative integer`, 'Pass a whole number such as 0 or 42.');
  return {
    character: path.resolve(input.character),
    outDir: path.resolve(input.outDir),
    fps: parseFps(input.fps ?? 30),
    model: input.model ?? 'default',
    layering,
    preset: input.preset ?? 'arkit',
    sublayerCharacter: input.sublayerCharacter ?? true,
    seed,
    exportJson: input.exportJson ?? false,
    allowTruncated: input.allowTruncated ?? false,
    inference: input.inference ?? {},
    ...(input.emotion === undefined ? {} : { emotion: input.emotion }),
    params: { ...input.params },
    ...(input.solvePath === undefined ? {} : { solvePath: input.solvePath }),
  };
}

export const PRESETS_DIR = path.join(TEMPLATES_DIR, 'bindings');

export function presetNames(): string[] {
  return existsSync(PRESETS_DIR) ? readdirSync(PRESETS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).sort() : [];
}

/** A preset by name (templates/bindings/<name>.json) or by path. */
export function loadPreset(nameOrPath: string): BindingPreset {
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep);
  const file = isPath ? path.resolve(nameOrPath) : path.join(PRESETS_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new JobError('PRESET_NOT_FOUND', file, `no binding preset "${nameOrPath}"`,
      `Use one of: ${presetNames().join(', ') || '(none installed)'}, or a path to a preset JSON (see templates/README.md).`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new JobError('BAD_PRESET', file, `not valid JSON (${(err as Error).message})`, 'Fix the JSON syntax of the preset.');
  }
  return parseBindingPreset(json, file);
}
