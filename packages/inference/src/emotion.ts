import { checkJson, describe, expects, isRecord, jsonMessage, jsonObject, jsonRecord, readJsonFile } from '@a2f/base';
import * as v from 'valibot';
import { InferenceError } from './errors.js';

/**
 * Emotion tracks for models with an emotion input: named emotions 0..1 at timed keys (from the
 * CLI's --emotion or a sidecar), interpolated linearly, the first key held before it and the last
 * held after it, the SDK's closed emotion accumulator. A family prepends its own constant part per
 * frame (NVIDIA v2.3: the implicit row of implicit_emo_db.npz; docs/nvidia/emotion.md).
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

function checkValue(value: unknown, origin: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new InferenceError(
      'BAD_OPTION',
      origin,
      `${where}must be a number from 0 to 1, found ${describe(value)}`,
      'Emotion strengths run from 0 (absent) to 1 (full).',
    );
  }
  return value;
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
          `key ${i}: time must be seconds ≥ 0, found ${describe(k.time)}`,
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
  const sidecar = checkJson(SIDECAR, json, (i) =>
    i.unknownKey
      ? new InferenceError('BAD_OPTION', file, `at ${i.path}: unknown field`, i.fix)
      : new InferenceError('BAD_OPTION', file, `at ${i.path}: expected ${i.expected}, found ${i.foundText}`, i.fix),
  );
  // The schema checked the values; the names are the network's, so they are checked here.
  const values = (o: Readonly<Record<string, unknown>>, path: string): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const [k, value] of Object.entries(o)) {
      if (k === 'time') continue;
      let name: string;
      try {
        name = names[index(k, file, '')];
      } catch {
        return fail(`${path}.${k}`, `unknown emotion "${k}"`, `Use one of: ${names.join(', ')}.`);
      }
      if (name in out) fail(`${path}.${k}`, `"${name}" is given twice (names are case-insensitive)`, 'Give each emotion once per key.');
      out[name] = value as number;
    }
    return out;
  };
  if (sidecar.emotion) return [{ time: 0, emotions: values(sidecar.emotion, '$.emotion') }];
  let prev = -1;
  return (sidecar.emotions ?? []).map((key, i) => {
    const path = `$.emotions[${i}]`;
    if (key.time <= prev)
      fail(`${path}.time`, `${key.time} is not after the previous key's ${prev}`, 'List keys in increasing time order, one key per time.');
    prev = key.time;
    return { time: key.time, emotions: values(key, path) };
  });
}

const SHAPE = 'The sidecar is {"emotion": {"joy": 0.6}} (constant) or {"emotions": [{"time": 0, "joy": 0.6}, …]} (timed).';
const strength = expects(
  v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1)),
  'a number from 0 to 1',
  'Emotion strengths run from 0 (absent) to 1 (full).',
);
const timedKey = v.pipe(
  v.custom<Record<string, unknown>>(isRecord, jsonMessage('an object like {"time": 0, "joy": 0.6}', SHAPE)),
  v.objectWithRest(
    {
      time: expects(
        v.pipe(v.number(), v.finite(), v.minValue(0)),
        'seconds ≥ 0',
        'Give each key a "time" in seconds from the start of the audio.',
      ),
    },
    strength,
  ),
);
const SIDECAR = jsonObject(
  {
    $comment: v.optional(v.unknown()),
    emotion: v.optional(jsonRecord(strength, 'an object of emotion strengths', SHAPE)),
    emotions: v.optional(expects(v.pipe(v.array(timedKey), v.minLength(1)), 'a non-empty array of keys', SHAPE)),
  },
  'an object',
  {
    fix: SHAPE,
    unknownFix: (key) => `${SHAPE} Remove "${key}" or fix its spelling.`,
    check: (o) =>
      Object.hasOwn(o, 'emotion') === Object.hasOwn(o, 'emotions') ? { expected: 'exactly one of "emotion" or "emotions"' } : undefined,
  },
);

/** Reads and validates a sidecar file. */
export async function readEmotionSidecar(file: string, names: readonly string[]): Promise<EmotionKey[]> {
  const { json } = readJsonFile(
    file,
    (f) =>
      new InferenceError(
        'BAD_OPTION',
        file,
        f.problem,
        f.reason === 'syntax'
          ? 'Fix the JSON syntax (a trailing comma or missing quote is the usual cause).'
          : 'Check the sidecar path and permissions.',
      ),
  );
  return parseEmotionSidecar(json, file, names);
}
