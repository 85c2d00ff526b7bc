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

/** Validates a preset read from JSON; `origin` names the file in errors. */
export function parseBindingPreset(json: unknown, origin: string): BindingPreset {
  const fail = (why: string): never => {
    throw new Error(
      `${origin}: invalid binding preset: ${why}. Expected {"name": string, "blendShapes": {ours: theirs}, "joints": {ours: theirs}}`,
    );
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail('not a JSON object');
  const o = json as Record<string, unknown>;
  if (typeof o.name !== 'string' || o.name === '') fail('"name" must be a non-empty string');
  const table = (key: string): Record<string, string> => {
    const v = o[key] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(`"${key}" must be an object`);
    for (const [k, t] of Object.entries(v as object)) if (typeof t !== 'string') fail(`"${key}.${k}" must be a string`);
    return v as Record<string, string>;
  };
  return {
    name: o.name as string,
    description: typeof o.description === 'string' ? o.description : undefined,
    blendShapes: table('blendShapes'),
    joints: table('joints'),
  };
}
