// Settings as a job, the CLI and the watch service use them: checked and defaulted from the one
// table in settings-schema.ts, and the parts of them that decide the output.
import * as v from 'valibot';
import { JobError } from './errors.js';
import {
  SETTINGS,
  SETTING_NAMES,
  type Given,
  type InferenceSettings,
  type InferenceSettingsInput,
  type Resolved,
  type SettingName,
  type SettingScope,
  type SettingSpec,
} from './settings-schema.js';

export type Layering = Resolved<'job'>['layering'];
export type { InferenceSettings } from './settings-schema.js';
// Presets stay importable from here, where the job has always found them.
export { loadPreset, presetNames, PRESETS_DIR } from './settings-presets.js';

/** Everything that decides what a job writes (settings-schema.ts says what each is). */
export type JobSettings = Resolved<'job'> & { readonly inference: InferenceSettings };
export type JobSettingsInput = Given<'job'> & { readonly inference?: InferenceSettingsInput };
/** `a2f run`'s own options: what happens around a batch, not what a line writes. */
export type RunSettings = Resolved<'run'>;
export type RunSettingsInput = Given<'run'>;
/** The watch service's own settings: where lines go, and how it watches, retries and shares a state folder. */
export type WatchSettings = Resolved<'watch'>;
export type WatchSettingsInput = Given<'watch'>;

/** Checks a job's settings and fills in the defaults; the same checks for the CLI and library callers. */
export function resolveSettings(input: JobSettingsInput): JobSettings {
  const given = input as Readonly<Record<string, unknown>>;
  const inference = (input.inference ?? {}) as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  const inferenceOut: Record<string, unknown> = {};
  for (const name of namesOf('job')) {
    const spec: SettingSpec = SETTINGS[name];
    if (spec.group === 'inference') {
      // The group sits where its first member is, so the resolved settings keep one key order.
      if (!('inference' in out)) out.inference = inferenceOut;
      setResolved(inferenceOut, name, inference[name]);
    } else {
      setResolved(out, name, given[name]);
    }
  }
  if (out.blinkIntervalSeconds !== undefined && out.blinks === false) {
    throw new JobError('BAD_SETTING', '--blink-interval', 'is given with --no-blinks, which turns blinks off', 'Leave out one of the two.');
  }
  // The page shows the layer as USD composes it: an override layer that does not sublayer the character has no face to show.
  if (out.preview === true && out.sublayerCharacter === false && out.layering === 'override') {
    throw new JobError(
      'BAD_SETTING',
      '--preview',
      'is given with --no-sublayer: such a layer does not compose the character, so its page would have no face to show',
      'Leave out --no-sublayer for previews (or --layering reference), or write the pages of the shot stack with a2f preview.',
    );
  }
  return out as JobSettings;
}

/** `a2f run`'s options around a batch (fail fast, clobber), checked and defaulted. */
export function resolveRunSettings(input: RunSettingsInput = {}): RunSettings {
  return resolveScope('run', input) as RunSettings;
}

/** The watch service's settings, checked and defaulted: a library caller gets the CLI's checks and defaults. */
export function resolveWatchSettings(input: WatchSettingsInput = {}): WatchSettings {
  return resolveScope('watch', input) as WatchSettings;
}

/**
 * The resolved settings that change a line's output (effect layer or outcome in the table), in the
 * table's order: what the watch key is made from. Where files go and how fast they are made are not in it.
 */
export function outputSettings(s: JobSettings & Partial<WatchSettings>): Readonly<Record<string, unknown>> {
  return pick(s, (spec) => spec.effect !== 'none');
}

/**
 * The settings a written layer records as its origin (the report's settings hash): those that change
 * what the layer holds. allowTruncated and the device are not: an intact file gives the same layer.
 */
export function provenanceSettings(s: JobSettings): Readonly<Record<string, unknown>> {
  return pick(s, (spec) => spec.effect === 'layer' && spec.scope === 'job');
}

/** The animation controls as resolved (requested, not per-character): the watch key's "controls" part. */
export function animationControls(s: JobSettings): Readonly<Record<string, unknown>> {
  return {
    blinks: s.blinks,
    blinkIntervalSeconds: s.blinkIntervalSeconds ?? 'model default',
    jaw: s.jaw,
    channels: s.channels ?? null,
    excludeChannels: s.excludeChannels ?? null,
  };
}

/** The table's settings of one scope, in its order. */
export function namesOf(scope: SettingScope): SettingName[] {
  return SETTING_NAMES.filter((n) => SETTINGS[n].scope === scope);
}

/** The CLI's name for a setting in messages: its flag, or its own name where it has none. */
export const settingLabel = (name: SettingName): string => {
  const flag = (SETTINGS[name] as SettingSpec).flag;
  return flag ? `--${flag}` : name;
};

function resolveScope(scope: SettingScope, input: object): Record<string, unknown> {
  const given = input as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const name of namesOf(scope)) setResolved(out, name, given[name]);
  return out;
}

/** One setting: checked against its schema, or its default when not given; unset when it has neither. */
function setResolved(out: Record<string, unknown>, name: SettingName, value: unknown): void {
  const spec: SettingSpec = SETTINGS[name];
  if (value === undefined) {
    if (spec.required) {
      throw new JobError('BAD_SETTING', settingLabel(name), 'is missing', spec.fix);
    }
    if (spec.default === undefined) return;
    // A default passes through the schema too: '30' becomes the frame rate 30/1.
    out[name] = v.parse(spec.schema, spec.default);
    return;
  }
  const r = v.safeParse(spec.schema, value, { abortEarly: true, message: () => '' });
  if (r.success) {
    out[name] = r.output;
    return;
  }
  throw new JobError('BAD_SETTING', settingLabel(name), problem(spec, value, r.issues[0].message), spec.fix);
}

/** The problem with a value: a parser's own words where it has them (globs), else what was expected. */
function problem(spec: SettingSpec, value: unknown, own: string): string {
  if (own) return own;
  // A flag given twice reaches here as a list (yargs collects repeats).
  if (Array.isArray(value)) return `is given more than once (${JSON.stringify(value)}); it takes one value, ${spec.expects}`;
  const shown = typeof value === 'number' && !Number.isFinite(value) ? String(value) : JSON.stringify(value);
  return `${shown} is not ${spec.expects}`;
}

function pick(s: object, keep: (spec: SettingSpec) => boolean): Readonly<Record<string, unknown>> {
  const values = s as Readonly<Record<string, unknown>>;
  const inference = (values.inference ?? {}) as Readonly<Record<string, unknown>>;
  const out: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const spec: SettingSpec = SETTINGS[name];
    const value = spec.group === 'inference' ? inference[name] : values[name];
    if (keep(spec) && value !== undefined) out[name] = value;
  }
  return out;
}
