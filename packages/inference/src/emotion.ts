import { readFile } from 'node:fs/promises';
import { InferenceError } from './errors.js';

/**
 * The v2.3 `emotion` input, [implicit | explicit] per frame (a2f-v2.3-model.md §3.4):
 * - implicit: one constant row of implicit_emo_db.npz, chosen by source_shot/source_frame;
 * - explicit: named emotions 0..1 at timed keys, interpolated linearly, the first key held
 *   before it and the last held after it (the SDK's closed emotion accumulator).
 */

/** Explicit emotion at a time (seconds); names not given take the network's default_emotion. */
export interface EmotionKey {
  readonly time: number;
  readonly emotions: Readonly<Record<string, number>>;
}

/** Maps names case-insensitively onto the network's explicit_emotions; `where` prefixes errors. */
export function emotionIndex(names: readonly string[]): (name: string, origin: string, where: string) => number {
  const lower = names.map((n) => n.toLowerCase());
  return (name, origin, where) => {
    const i = lower.indexOf(name.toLowerCase());
    if (i < 0) {
      throw new InferenceError('BAD_OPTION', origin, `${where}unknown emotion "${name}"`, `Use one of: ${names.join(', ')}.`);
    }
    return i;
  };
}

function checkValue(v: unknown, origin: string, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
    throw new InferenceError(
      'BAD_OPTION',
      origin,
      `${where}must be a number from 0 to 1, found ${JSON.stringify(v)}`,
      'Emotion strengths run from 0 (absent) to 1 (full).',
    );
  }
  return v;
}

/** An emotion vector for every frame time. */
export interface EmotionTrack {
  /** implicit + explicit */
  readonly width: number;
  /** the explicit part at `time` seconds */
  explicitAt(time: number): Float32Array;
  /** [frames × width] float32: the `emotion` input rows for these frame times (seconds) */
  emotionForFrames(frameTimes: ArrayLike<number>): Float32Array;
}

export interface EmotionTrackOptions {
  /** the implicit row (usually `pack.implicitEmotion`) */
  readonly implicit: Float32Array;
  /** the network's explicit emotion names and the value each takes when a key leaves it out */
  readonly info: { readonly explicitEmotions: readonly string[]; readonly defaultEmotion: ArrayLike<number> };
  /** timed keys; none → default_emotion throughout */
  readonly keys?: readonly EmotionKey[];
  /** named in errors: the sidecar file, "--emotion", … */
  readonly origin?: string;
}

export function createEmotionTrack({ implicit, info, keys = [], origin = 'emotion keys' }: EmotionTrackOptions): EmotionTrack {
  const E = info.explicitEmotions.length;
  const index = emotionIndex(info.explicitEmotions);
  const vectors = keys
    .map((k, i) => {
      if (typeof k.time !== 'number' || !Number.isFinite(k.time) || k.time < 0) {
        throw new InferenceError(
          'BAD_OPTION',
          origin,
          `key ${i}: time must be seconds ≥ 0, found ${JSON.stringify(k.time)}`,
          'Give each key a time in seconds from the start of the audio.',
        );
      }
      const v = Float64Array.from(info.defaultEmotion);
      for (const [name, value] of Object.entries(k.emotions))
        v[index(name, origin, `key ${i}: `)] = checkValue(value, origin, `key ${i}: "${name}" `);
      return { time: k.time, v };
    })
    .sort((a, b) => a.time - b.time);
  for (let i = 1; i < vectors.length; i++) {
    if (vectors[i].time === vectors[i - 1].time) {
      throw new InferenceError('BAD_OPTION', origin, `two keys at time ${vectors[i].time}`, 'Give each key its own time, or merge them.');
    }
  }

  const explicitAt = (t: number): Float32Array => {
    const out = new Float32Array(E);
    if (vectors.length === 0) {
      out.set(info.defaultEmotion);
      return out;
    }
    if (t <= vectors[0].time) {
      out.set(vectors[0].v);
      return out;
    }
    const last = vectors[vectors.length - 1];
    if (t >= last.time) {
      out.set(last.v);
      return out;
    }
    let hi = 1;
    while (vectors[hi].time < t) hi++;
    const a = vectors[hi - 1],
      b = vectors[hi];
    const w = (t - a.time) / (b.time - a.time);
    for (let e = 0; e < E; e++) out[e] = a.v[e] + (b.v[e] - a.v[e]) * w;
    return out;
  };
  const width = implicit.length + E;
  return {
    width,
    explicitAt,
    emotionForFrames(frameTimes) {
      const out = new Float32Array(frameTimes.length * width);
      for (let f = 0; f < frameTimes.length; f++) {
        out.set(implicit, f * width);
        out.set(explicitAt(frameTimes[f]), f * width + implicit.length);
      }
      return out;
    },
  };
}

/**
 * The CLI form `joy=0.6,anger=0.2` → { joy: 0.6, anger: 0.2 } with the network's spelling of each
 * name. `origin` names the option in errors (e.g. "--emotion").
 */
export function parseEmotionArg(text: string, names: readonly string[], origin = '--emotion'): Record<string, number> {
  const index = emotionIndex(names);
  const out: Record<string, number> = {};
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0)
    throw new InferenceError('BAD_OPTION', origin, 'is empty', `Write name=value pairs, e.g. ${names[0]}=0.6,${names[1] ?? names[0]}=0.2.`);
  for (const part of parts) {
    const m = part.match(/^([^=\s]+)\s*=\s*(\S+)$/);
    if (!m) throw new InferenceError('BAD_OPTION', origin, `"${part}" is not name=value`, `Write name=value pairs, e.g. ${names[0]}=0.6.`);
    const name = names[index(m[1], origin, '')];
    if (name in out) throw new InferenceError('BAD_OPTION', origin, `"${name}" is given twice`, 'Give each emotion once.');
    const value = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(m[2]) ? Number(m[2]) : Number.NaN;
    out[name] = checkValue(value, origin, `"${name}" `);
  }
  return out;
}

/**
 * Sidecar `<audio>.a2f.json`, an object with exactly one of
 *   { "emotion":  { "joy": 0.6 } }                                      constant for the whole line
 *   { "emotions": [ { "time": 0, "joy": 0.6 }, { "time": 1.5, "joy": 0, "anger": 0.3 } ] }
 * and optionally "$comment" (any value). No other fields: a typo must not pass silently.
 * - "time": seconds from the start of the audio, ≥ 0, strictly increasing from key to key;
 * - every other field of a key is an explicit emotion of the pack's network_info.json (names
 *   case-insensitive, each at most once per key), a number from 0 to 1; a name a key leaves out
 *   takes the network's default_emotion (0 for Mark);
 * - between keys values are interpolated linearly; before the first key the first is held, after
 *   the last the last is held. The constant form is one key at time 0.
 * Errors are InferenceError('BAD_OPTION', file, 'at <JSON path>: <problem>', <fix>), the path in
 * `$.emotions[2].joy` form.
 */
export function parseEmotionSidecar(json: unknown, file: string, names: readonly string[]): EmotionKey[] {
  const index = emotionIndex(names);
  const fail = (path: string, problem: string, fix: string): never => {
    throw new InferenceError('BAD_OPTION', file, `at ${path}: ${problem}`, fix);
  };
  const shape = 'The sidecar is {"emotion": {"joy": 0.6}} (constant) or {"emotions": [{"time": 0, "joy": 0.6}, …]} (timed).';
  const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObj(json)) return fail('$', `expected an object, found ${kind(json)}`, shape);
  for (const k of Object.keys(json)) {
    if (!['emotion', 'emotions', '$comment'].includes(k)) fail(`$.${k}`, 'unknown field', `${shape} Remove "${k}" or fix its spelling.`);
  }
  if ('emotion' in json === 'emotions' in json) {
    fail('$', 'expected exactly one of "emotion" or "emotions"', shape);
  }
  const values = (o: Record<string, unknown>, path: string, skip: string[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(o)) {
      if (skip.includes(k)) continue;
      let name: string;
      try {
        name = names[index(k, file, '')];
      } catch {
        return fail(`${path}.${k}`, `unknown emotion "${k}"`, `Use one of: ${names.join(', ')}.`);
      }
      if (name in out) fail(`${path}.${k}`, `"${name}" is given twice (names are case-insensitive)`, 'Give each emotion once per key.');
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) {
        fail(`${path}.${k}`, `expected a number from 0 to 1, found ${kind(v)}`, 'Emotion strengths run from 0 (absent) to 1 (full).');
      }
      out[name] = v as number;
    }
    return out;
  };
  if ('emotion' in json) {
    if (!isObj(json.emotion)) return fail('$.emotion', `expected an object of emotion strengths, found ${kind(json.emotion)}`, shape);
    return [{ time: 0, emotions: values(json.emotion, '$.emotion', []) }];
  }
  const list = json.emotions;
  if (!Array.isArray(list) || list.length === 0)
    return fail('$.emotions', `expected a non-empty array of keys, found ${kind(list)}`, shape);
  let prev = -1;
  return list.map((key: unknown, i) => {
    const path = `$.emotions[${i}]`;
    if (!isObj(key)) return fail(path, `expected an object like {"time": 0, "joy": 0.6}, found ${kind(key)}`, shape);
    const t = key.time;
    if (typeof t !== 'number' || !Number.isFinite(t) || t < 0)
      fail(`${path}.time`, `expected seconds ≥ 0, found ${kind(t)}`, 'Give each key a "time" in seconds from the start of the audio.');
    if ((t as number) <= prev)
      fail(`${path}.time`, `${t} is not after the previous key's ${prev}`, 'List keys in increasing time order, one key per time.');
    prev = t as number;
    return { time: t as number, emotions: values(key, path, ['time']) };
  });
}

/** Reads and validates a sidecar file. */
export async function readEmotionSidecar(file: string, names: readonly string[]): Promise<EmotionKey[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new InferenceError('BAD_OPTION', file, `cannot be read (${(err as Error).message})`, 'Check the sidecar path and permissions.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new InferenceError(
      'BAD_OPTION',
      file,
      `is not valid JSON (${(err as Error).message})`,
      'Fix the JSON syntax (a trailing comma or missing quote is the usual cause).',
    );
  }
  return parseEmotionSidecar(json, file, names);
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
