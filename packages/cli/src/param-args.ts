import { UsageError } from './fatal.js';

/**
 * `--param key=value` (repeatable) → { key: "value" }. Values stay text: the model checks each key
 * and range (and turns numeric text into numbers) when it loads, so errors name the model's rules.
 */
export function parseParamArgs(values: readonly string[] | string | undefined, flag = '--param'): Record<string, string> {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values as string];
  const out: Record<string, string> = {};
  for (const item of list) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(\S(?:.*\S)?)\s*$/.exec(String(item));
    const example = flag === '--param' ? 'lower_face_strength=1.2' : 'max_emotions=3';
    if (!m) throw new UsageError(`${flag} "${item}" is not key=value (e.g. ${flag} ${example})`);
    if (Object.hasOwn(out, m[1])) throw new UsageError(`${flag} ${m[1]} is given twice; give each parameter once`);
    out[m[1]] = m[2];
  }
  return out;
}
