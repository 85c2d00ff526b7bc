import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseFps, type Rational } from '@a2f/animation';
import { parseEmotionSidecar, type EmotionKey } from '@a2f/inference';
import { JobError } from './errors.js';

/**
 * The per-line sidecar: `<audio name without extension>.a2f.json` next to the audio file
 * (`take_012.wav` → `take_012.a2f.json`). Everything in it is optional; it overrides the batch's
 * settings for that one line.
 *
 * ```json
 * {
 *   "$comment": "anything",
 *   "emotions": [{ "time": 0, "joy": 0.6 }, { "time": 1.5, "anger": 0.3 }],
 *   "fps": "24",
 *   "character": "../assets/hero.usda",
 *   "model": "../models/packs/mark",
 *   "output": "{name}/anim"
 * }
 * ```
 * - `emotion` (constant `{name: 0..1}`) or `emotions` (timed keys), not both: explicit emotion of
 *   NVIDIA packs, in `parseEmotionSidecar`'s format. The names are checked once the model is
 *   known (`sidecarEmotionKeys`), since each pack declares its own.
 * - `fps`: a number or a string `parseFps` reads (24, "29.97", "30000/1001").
 * - `character`, `model`: paths relative to the sidecar's folder (`model` may be "default").
 * - `output`: an output path template, kept as written; whoever renders it owns its syntax and
 *   guards it against leaving the output folder (the watch folder does).
 * Any other field is an error naming the file, the JSON path and the fix: a typo must not pass
 * silently.
 */
export const SIDECAR_SUFFIX = '.a2f.json';

export const SIDECAR_FIELDS = ['$comment', 'emotion', 'emotions', 'fps', 'character', 'model', 'output'] as const;

/** The emotion part as written: exactly one of the two forms, checked against a model's names later. */
export type SidecarEmotion = { readonly emotion: Readonly<Record<string, unknown>> } | { readonly emotions: readonly unknown[] };

export interface LineSidecar {
  /** absolute path of the sidecar */
  readonly file: string;
  readonly emotion?: SidecarEmotion;
  readonly fps?: Rational;
  /** absolute */
  readonly character?: string;
  /** "default" or an absolute pack folder */
  readonly model?: string;
  /** the output path template as written */
  readonly output?: string;
}

/** Where the sidecar of `audio` lives (whether or not it exists). */
export function sidecarPath(audio: string): string {
  const abs = path.resolve(audio);
  return path.join(path.dirname(abs), path.basename(abs).replace(/\.[^.]*$/, '') + SIDECAR_SUFFIX);
}

/** Reads and checks the sidecar of `audio`; null when there is none. Throws JobError('BAD_SIDECAR'). */
export function readSidecar(audio: string): LineSidecar | null {
  const file = sidecarPath(audio);
  if (!existsSync(file)) return null;
  if (!statSync(file).isFile())
    throw sidecarError(
      file,
      '$',
      'is not a file',
      `Remove it or rename it: ${SIDECAR_SUFFIX} next to an audio file is read as that line's sidecar.`,
    );
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw sidecarError(file, '$', `cannot be read (${(err as Error).message})`, 'Check the file permissions.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw sidecarError(
      file,
      '$',
      `is not valid JSON (${(err as Error).message})`,
      'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).',
    );
  }
  return parseSidecar(json, file);
}

const SHAPE = `A sidecar is an object with any of: ${SIDECAR_FIELDS.map((f) => `"${f}"`).join(', ')} (see README, "Sidecar").`;

/** Checks a parsed sidecar; `file` (absolute) names it in errors and anchors its relative paths. */
export function parseSidecar(json: unknown, file: string): LineSidecar {
  const fail = (at: string, problem: string, fix: string): never => {
    throw sidecarError(file, at, problem, fix);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return fail('$', `expected an object, found ${kind(json)}`, SHAPE);
  const o = json as Record<string, unknown>;
  // A JSON that --export-json wrote into the audio folder looks like a sidecar by name; say so.
  if (Object.hasOwn(o, 'exportFps') && Object.hasOwn(o, 'facsNames')) {
    return fail(
      '$',
      'is an a2f_export animation JSON (written by --export-json), not a sidecar',
      'Move it out of the audio folder; write outputs to a separate --out folder.',
    );
  }
  for (const key of Object.keys(o)) {
    if (!(SIDECAR_FIELDS as readonly string[]).includes(key))
      fail(`$.${key}`, 'unknown field', `Remove "${key}" or fix its spelling. ${SHAPE}`);
  }
  const dir = path.dirname(file);
  const out: { -readonly [K in keyof LineSidecar]: LineSidecar[K] } = { file };

  const hasOne = Object.hasOwn(o, 'emotion');
  const hasMany = Object.hasOwn(o, 'emotions');
  if (hasOne && hasMany)
    fail('$', 'has both "emotion" and "emotions"', 'Keep one: "emotion" for a constant emotion, "emotions" for timed keys.');
  if (hasOne) {
    const e = o.emotion;
    if (typeof e !== 'object' || e === null || Array.isArray(e))
      fail('$.emotion', `expected an object such as {"joy": 0.6}, found ${kind(e)}`, 'Give emotion names and strengths from 0 to 1.');
    out.emotion = { emotion: e as Record<string, unknown> };
  }
  if (hasMany) {
    const e = o.emotions;
    if (!Array.isArray(e) || e.length === 0)
      fail(
        '$.emotions',
        `expected a non-empty array of keys such as {"time": 0, "joy": 0.6}, found ${kind(e)}`,
        'List timed keys, or use "emotion" for a constant emotion.',
      );
    out.emotion = { emotions: e as unknown[] };
  }
  if (Object.hasOwn(o, 'fps')) {
    const v = o.fps;
    if (typeof v !== 'number' && typeof v !== 'string')
      fail('$.fps', `expected a number or a string, found ${kind(v)}`, 'Write e.g. 24, "29.97" or "30000/1001".');
    try {
      out.fps = parseFps(v as number | string);
    } catch (err) {
      fail('$.fps', (err as Error).message, 'Write e.g. 24, "29.97" or "30000/1001".');
    }
  }
  const pathField = (key: 'character' | 'model'): string | undefined => {
    if (!Object.hasOwn(o, key)) return undefined;
    const v = o[key];
    if (typeof v !== 'string' || v.trim() === '')
      return fail(
        `$.${key}`,
        `expected a path, found ${kind(v)}`,
        `Give the ${key} as a path relative to the sidecar's folder${key === 'model' ? ', or "default"' : ''}.`,
      );
    return key === 'model' && v === 'default' ? v : path.resolve(dir, v);
  };
  const character = pathField('character');
  if (character !== undefined) out.character = character;
  const model = pathField('model');
  if (model !== undefined) out.model = model;
  if (Object.hasOwn(o, 'output')) {
    const v = o.output;
    if (typeof v !== 'string' || v.trim() === '')
      fail('$.output', `expected an output path template, found ${kind(v)}`, 'Give a non-empty string.');
    out.output = v as string;
  }
  return out;
}

/**
 * The sidecar's emotion keys, checked against the model's explicit emotion names (`null`: the
 * model has no emotion input, which makes an emotion in the sidecar an error rather than
 * something silently dropped). Undefined when the sidecar gives no emotion.
 */
export function sidecarEmotionKeys(sidecar: LineSidecar, names: readonly string[] | null, model: string): EmotionKey[] | undefined {
  if (!sidecar.emotion) return undefined;
  const field = 'emotion' in sidecar.emotion ? 'emotion' : 'emotions';
  if (names === null) {
    throw sidecarError(
      sidecar.file,
      `$.${field}`,
      `the model "${model}" has no emotion input (only NVIDIA Audio2Face-3D packs take emotion)`,
      'Remove the emotion from the sidecar, or run the line with an NVIDIA pack (--model models/packs/<name>).',
    );
  }
  return parseEmotionSidecar(sidecar.emotion, sidecar.file, names);
}

function sidecarError(file: string, at: string, problem: string, fix: string): JobError {
  return new JobError('BAD_SIDECAR', file, `at ${at}: ${problem}`, fix);
}

function kind(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  return `${typeof v} ${JSON.stringify(v)}`;
}
