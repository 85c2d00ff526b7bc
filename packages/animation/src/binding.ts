import { A2fError, checkJson, expects, jsonObject, jsonRecord } from '@a2f/base';
import * as v from 'valibot';

/**
 * Binding presets rename our channels to an asset's own names (USD matches tokens exactly, so
 * "JawOpen" never drives "jawOpen" unless someone maps it). Presets live as JSON in templates/bindings.
 */
export interface BindingPreset {
  readonly name: string;
  readonly description?: string;
  /** our blendshape name → the asset's blendshape token */
  readonly blendShapes: Readonly<Record<string, string>>;
  /** our joint channel (jaw, eye_L, eye_R, tongue) → the asset joint's name or path */
  readonly joints: Readonly<Record<string, string>>;
}

export interface ChannelMatch {
  readonly source: string;
  readonly target: string;
}

export interface MatchResult {
  readonly matches: readonly ChannelMatch[];
  /** ours, with nothing to drive on the asset */
  readonly unmatchedSource: readonly string[];
  /** the asset's, that nothing of ours drives */
  readonly unmatchedTarget: readonly string[];
}

export const EMPTY_PRESET: BindingPreset = { name: 'none', blendShapes: {}, joints: {} };

/** Case- and punctuation-insensitive key of a name or of a joint path's last element. */
export const matchKey = (name: string): string => (name.split('/').pop() ?? name).toLowerCase().replace(/[^a-z0-9]/g, '');

function lookup(renames: Readonly<Record<string, string>>, name: string): string {
  if (name in renames) return renames[name];
  const key = matchKey(name);
  for (const [from, to] of Object.entries(renames)) if (matchKey(from) === key) return to;
  return name;
}

/**
 * Matches our channel names to the asset's: through the preset's renames first, then by name
 * ignoring case, punctuation and any joint path prefix. Exact matches win over loose ones, and each
 * target is driven by at most one source.
 */
export function matchChannels(
  source: readonly string[],
  target: readonly string[],
  renames: Readonly<Record<string, string>> = {},
): MatchResult {
  const used = new Set<string>();
  const matches: ChannelMatch[] = [];
  const unmatchedSource: string[] = [];
  for (const s of source) {
    const wanted = lookup(renames, s);
    const exact = target.find((t) => !used.has(t) && (t === wanted || t.split('/').pop() === wanted));
    const loose = exact ?? target.find((t) => !used.has(t) && matchKey(t) === matchKey(wanted));
    if (loose === undefined) unmatchedSource.push(s);
    else {
      used.add(loose);
      matches.push({ source: s, target: loose });
    }
  }
  return { matches, unmatchedSource, unmatchedTarget: target.filter((t) => !used.has(t)) };
}

/** A binding preset file that does not hold a preset. */
export class BindingPresetError extends A2fError<'BAD_PRESET'> {}

const PRESET_SHAPE =
  'A preset is {"name": string, "blendShapes": {ours: theirs}, "joints": ' +
  "{ours: theirs}} (`a2f inspect <character>` lists both sides' names).";
const renames = (what: string) =>
  v.optional(jsonRecord(expects(v.string(), `the ${what} name on the asset (a string)`), 'an object of renames {ours: theirs}'), {});
const PRESET = jsonObject(
  {
    name: expects(v.pipe(v.string(), v.nonEmpty()), 'a non-empty string'),
    description: v.optional(expects(v.string(), 'a string')),
    blendShapes: renames('blendshape'),
    joints: renames('joint'),
  },
  'a JSON object',
  // Keys beyond these were always allowed (notes, $comment): presets are edited by hand in studios.
  { extraKeys: true },
);

/** Validates a preset read from JSON; `origin` names the file in errors. */
export function parseBindingPreset(json: unknown, origin: string): BindingPreset {
  const p = checkJson(
    PRESET,
    json,
    (i) =>
      new BindingPresetError(
        'BAD_PRESET',
        origin,
        i.keys.length === 0
          ? `invalid binding preset: not a JSON object, found ${i.foundText}`
          : `invalid binding preset: "${i.field}" must be ${i.expected}, found ${i.foundText}`,
        i.fix,
      ),
    PRESET_SHAPE,
  );
  return { name: p.name, description: p.description, blendShapes: p.blendShapes, joints: p.joints };
}
