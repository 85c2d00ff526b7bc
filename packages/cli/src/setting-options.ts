// The CLI's options for run settings, made from pipeline's settings table (settings-schema.ts):
// flag, alias, type, choices, default and help text all come from there, and the values go back to
// resolveSettings / resolveWatchSettings, which check them; no range is checked here.
import { SETTINGS, type SettingName, type SettingSpec } from '@a2f/pipeline';
import type { Options } from 'yargs';
import { parseParamArgs } from './param-args.js';

/** Settings `a2f inspect` takes too, so it shows the binding a run writes. */
export const INSPECT_SETTINGS: readonly SettingName[] = [
  'variants',
  'skelRoot',
  'skeleton',
  'model',
  'preset',
  'jaw',
  'channels',
  'excludeChannels',
];

export const helpText = (spec: SettingSpec): string => (typeof spec.help === 'function' ? spec.help() : spec.help);

/**
 * yargs options for these settings, in the table's order. With `demand`, a required setting is a
 * required option (`a2f run`); `a2f watch` checks them itself, as `--status` needs none. Typed with no
 * keys: an index-typed record would make yargs drop the types of the options declared after it; the
 * handlers read these through settingsFromArgs.
 */
export function settingOptions(names: readonly SettingName[], demand = false): Record<never, Options> {
  const out: Record<string, Options> = {};
  for (const name of names) {
    const spec: SettingSpec = SETTINGS[name];
    if (spec.flag === undefined) continue;
    const d = spec.default;
    out[spec.flag] = {
      type: spec.type,
      describe: helpText(spec),
      ...(spec.alias ? { alias: spec.alias } : {}),
      ...(spec.choices ? { choices: [...spec.choices] } : {}),
      // A default the command line can write (not `params`' {}): shown in --help, and what the library applies too.
      ...(typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' ? { default: d } : {}),
      ...(demand && spec.required ? { demandOption: true } : {}),
    };
  }
  return out;
}

/** The parsed options as settings by their library names; `--param`/`--a2e-param key=value` become records. */
export function settingsFromArgs(a: Readonly<Record<string, unknown>>, names: readonly SettingName[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const inference: Record<string, unknown> = {};
  for (const name of names) {
    const spec: SettingSpec = SETTINGS[name];
    if (spec.flag === undefined || a[spec.flag] === undefined) continue;
    const keyValues = name === 'params' || name === 'a2eParams';
    const value = keyValues ? parseParamArgs(a[spec.flag] as string[] | string, `--${spec.flag}`) : a[spec.flag];
    if (spec.group === 'inference') inference[name] = value;
    else out[name] = value;
  }
  if (Object.keys(inference).length) out.inference = inference;
  return out;
}
