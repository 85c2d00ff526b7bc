import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseFps, type Rational } from '@a2f/animation';
import { checkJson, expects, isRecord, jsonObject, jsonRecord, readJsonFile } from '@a2f/base';
import { parseEmotionSidecar, type EmotionKey } from '@a2f/inference';
import * as v from 'valibot';
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
 * - `a2e`: an Audio2Emotion pack folder (relative to the sidecar's folder): this line's emotion from
 *   the voice, with the batch's window, skip and overrides (docs/nvidia/audio2emotion.md#keys-and-the-voice).
 * - `output`: an output path template, kept as written; whoever renders it owns its syntax and
 *   guards it against leaving the output folder (the watch folder does).
 * Any other field is an error naming the file, the JSON path and the fix: a typo must not pass
 * silently.
 */
export const SIDECAR_SUFFIX = '.a2f.json';

export const SIDECAR_FIELDS = ['$comment', 'emotion', 'emotions', 'fps', 'character', 'model', 'output', 'a2e'] as const;

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
  /** absolute Audio2Emotion pack folder: emotion from the voice for this line */
  readonly a2e?: string;
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
  const { json } = readJsonFile(file, (f) =>
    sidecarError(
      file,
      '$',
      f.problem,
      f.reason === 'syntax'
        ? 'Fix the JSON syntax (a trailing comma or a missing quote is the usual cause).'
        : 'Check the file permissions.',
    ),
  );
  return parseSidecar(json, file);
}

const SHAPE = `A sidecar is an object with any of: ${SIDECAR_FIELDS.map((f) => `"${f}"`).join(', ')} (see README, "Sidecar").`;

const FPS_FIX = 'Write e.g. 24, "29.97" or "30000/1001".';
const pathTo = (what: string) =>
  expects(
    v.pipe(
      v.string(),
      v.check((p) => p.trim() !== ''),
    ),
    'a path',
    `Give the ${what}.`,
  );
const SIDECAR = jsonObject(
  {
    $comment: v.optional(v.unknown()),
    emotion: v.optional(jsonRecord(v.unknown(), 'an object such as {"joy": 0.6}', 'Give emotion names and strengths from 0 to 1.')),
    emotions: v.optional(
      expects(
        v.pipe(v.array(v.unknown()), v.minLength(1)),
        'a non-empty array of keys such as {"time": 0, "joy": 0.6}',
        'List timed keys, or use "emotion" for a constant emotion.',
      ),
    ),
    fps: v.optional(expects(v.union([v.number(), v.string()]), 'a number or a string', FPS_FIX)),
    character: v.optional(pathTo("character as a path relative to the sidecar's folder")),
    model: v.optional(pathTo('model as a path relative to the sidecar\'s folder, or "default"')),
    a2e: v.optional(pathTo("Audio2Emotion pack folder as a path relative to the sidecar's folder")),
    output: v.optional(
      expects(
        v.pipe(
          v.string(),
          v.check((t) => t.trim() !== ''),
        ),
        'an output path template',
        'Give a non-empty string.',
      ),
    ),
  },
  'an object',
  { fix: SHAPE, unknownFix: (key) => `Remove "${key}" or fix its spelling. ${SHAPE}` },
);

/** Checks a parsed sidecar; `file` (absolute) names it in errors and anchors its relative paths. */
export function parseSidecar(json: unknown, file: string): LineSidecar {
  const fail = (at: string, problem: string, fix: string): never => {
    throw sidecarError(file, at, problem, fix);
  };
  // A JSON that --export-json wrote into the audio folder looks like a sidecar by name; say so before its fields are called unknown.
  if (isRecord(json) && Object.hasOwn(json, 'exportFps') && Object.hasOwn(json, 'facsNames')) {
    return fail(
      '$',
      'is an a2f_export animation JSON (written by --export-json), not a sidecar',
      'Move it out of the audio folder; write outputs to a separate --out folder.',
    );
  }
  // Before the values: with both forms given, which one is malformed does not matter yet.
  if (isRecord(json) && Object.hasOwn(json, 'emotion') && Object.hasOwn(json, 'emotions'))
    fail('$', 'has both "emotion" and "emotions"', 'Keep one: "emotion" for a constant emotion, "emotions" for timed keys.');
  const o = checkJson(SIDECAR, json, (i) =>
    sidecarError(file, i.path, i.unknownKey ? 'unknown field' : `expected ${i.expected}, found ${i.foundText}`, i.fix),
  );
  const dir = path.dirname(file);
  const out: { -readonly [K in keyof LineSidecar]: LineSidecar[K] } = { file };

  if (o.emotion) out.emotion = { emotion: o.emotion };
  if (o.emotions) out.emotion = { emotions: o.emotions };
  if (o.fps !== undefined) {
    try {
      out.fps = parseFps(o.fps);
    } catch (err) {
      fail('$.fps', (err as Error).message, FPS_FIX);
    }
  }
  if (o.character !== undefined) out.character = path.resolve(dir, o.character);
  if (o.model !== undefined) out.model = o.model === 'default' ? o.model : path.resolve(dir, o.model);
  if (o.output !== undefined) out.output = o.output;
  if (o.a2e !== undefined) out.a2e = path.resolve(dir, o.a2e);
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
