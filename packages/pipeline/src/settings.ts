import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  JAW_MODES,
  parseBindingPreset,
  parseChannelGlobs,
  parseFps,
  type BindingPreset,
  type JawMode,
  type Rational,
} from '@a2f/animation';
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
  /** procedural blinks (default on); off also holds the eyeBlink channels at 0 (docs/animation-controls.md) */
  readonly blinks: boolean;
  /** mean seconds between blinks; absent: the model's own default */
  readonly blinkIntervalSeconds?: number;
  /** which jaw driver is written; 'auto' (default) decides per character */
  readonly jaw: JawMode | 'auto';
  /** channel globs to write (absent: all) and to leave out, on our channel names */
  readonly channels?: readonly string[];
  readonly excludeChannels?: readonly string[];
}

/** Where blink intervals may lie: a blink lasts 0.25 s, and beyond 10 minutes a line never blinks. */
export const BLINK_INTERVAL_RANGE = [0.5, 600] as const;

export type JobSettingsInput = Pick<JobSettings, 'character' | 'outDir'> &
  Partial<Omit<JobSettings, 'fps' | 'channels' | 'excludeChannels'>> & {
    fps?: Rational | string | number;
    /** globs as a list or as the CLI's comma-separated text */
    channels?: string | readonly string[];
    excludeChannels?: string | readonly string[];
  };

export function resolveSettings(input: JobSettingsInput): JobSettings {
  const layering = input.layering ?? 'override';
  if (layering !== 'override' && layering !== 'reference') {
    throw new JobError('BAD_SETTING', 'settings', `layering "${String(layering)}" is not known`, 'Use "override" or "reference".');
  }
  if (input.solvePath !== undefined && input.solvePath !== 'coefficients' && input.solvePath !== 'mesh') {
    throw new JobError('BAD_SETTING', 'settings', `solver path "${String(input.solvePath)}" is not known`, 'Use "coefficients" or "mesh".');
  }
  if (input.emotion !== undefined && input.emotion.trim() === '') {
    throw new JobError(
      'BAD_SETTING',
      '--emotion',
      'is empty',
      'Write name=value pairs such as joy=0.6,anger=0.2, or leave the option out.',
    );
  }
  const controls = resolveControls(input);
  const seed = input.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0)
    throw new JobError('BAD_SETTING', 'settings', `seed ${seed} is not a non-negative integer`, 'Pass a whole number such as 0 or 42.');
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
    ...controls,
  };
}

/** The animation controls as resolved (requested, not per-character): the watch folder keys lines on them. */
export function animationControls(s: JobSettings): Readonly<Record<string, unknown>> {
  return {
    blinks: s.blinks,
    blinkIntervalSeconds: s.blinkIntervalSeconds ?? 'model default',
    jaw: s.jaw,
    channels: s.channels ?? null,
    excludeChannels: s.excludeChannels ?? null,
  };
}

/** Blinks, jaw and channel filters, checked the same for the CLI and library users. */
function resolveControls(
  input: JobSettingsInput,
): Pick<JobSettings, 'blinks' | 'blinkIntervalSeconds' | 'jaw' | 'channels' | 'excludeChannels'> {
  const bad = (origin: string, what: string, fix: string): never => {
    throw new JobError('BAD_SETTING', origin, what, fix);
  };
  const blinks = input.blinks ?? true;
  if (typeof blinks !== 'boolean') bad('--blinks', `must be true or false, not ${JSON.stringify(blinks)}`, 'Use --blinks or --no-blinks.');
  const interval = input.blinkIntervalSeconds;
  if (interval !== undefined) {
    const [lo, hi] = BLINK_INTERVAL_RANGE;
    if (typeof interval !== 'number' || !Number.isFinite(interval) || interval < lo || interval > hi) {
      bad(
        '--blink-interval',
        `${JSON.stringify(interval)} is not a number of seconds in [${lo}, ${hi}]`,
        'Give the mean seconds between blinks, e.g. --blink-interval 4 (people blink every 3–4 s).',
      );
    }
    if (!blinks) bad('--blink-interval', 'is given with --no-blinks, which turns blinks off', 'Leave out one of the two.');
  }
  const jaw = input.jaw ?? 'auto';
  if (!JAW_MODES.includes(jaw)) bad('--jaw', `"${String(jaw)}" is not a jaw mode`, `Use one of: ${JAW_MODES.join(', ')}.`);
  const globs = (value: string | readonly string[] | undefined, origin: string): string[] | undefined => {
    if (value === undefined) return undefined;
    try {
      return parseChannelGlobs(typeof value === 'string' ? value : value.join(','));
    } catch (err) {
      return bad(
        origin,
        (err as Error).message,
        'Give comma-separated channel name patterns such as "jaw*,mouth*" (a2f inspect lists the names).',
      );
    }
  };
  const channels = globs(input.channels, '--channels');
  const excludeChannels = globs(input.excludeChannels, '--exclude-channels');
  return {
    blinks,
    jaw,
    ...(interval === undefined ? {} : { blinkIntervalSeconds: interval }),
    ...(channels ? { channels } : {}),
    ...(excludeChannels ? { excludeChannels } : {}),
  };
}

export const PRESETS_DIR = path.join(TEMPLATES_DIR, 'bindings');

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
  const isPath = nameOrPath.endsWith('.json') || nameOrPath.includes('/') || nameOrPath.includes(path.sep);
  const file = isPath ? path.resolve(nameOrPath) : path.join(PRESETS_DIR, `${nameOrPath}.json`);
  if (!existsSync(file)) {
    throw new JobError(
      'PRESET_NOT_FOUND',
      file,
      `no binding preset "${nameOrPath}"`,
      `Use one of: ${presetNames().join(', ') || '(none installed)'}, or a path to a preset JSON (see templates/README.md).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new JobError('BAD_PRESET', file, `not valid JSON (${(err as Error).message})`, 'Fix the JSON syntax of the preset.');
  }
  return parseBindingPreset(json, file);
}
