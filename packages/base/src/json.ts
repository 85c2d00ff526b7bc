import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { describe, isRecord } from './describe.js';

/**
 * JSON inputs checked with valibot schemas, reported the way a user can act on: the file, the
 * JSON path, what was expected, what was found and the fix. Schemas carry the "expected" text as
 * their valibot message (see `expects`), optionally with a fix of their own; `checkJson` turns the
 * first issue into the caller's error class, so each package keeps its own codes and wording.
 */

export type JsonKey = string | number;

export interface JsonIssue {
  /** `$.emotions[2].joy` */
  readonly path: string;
  /** the same without `$.`: `emotions[2].joy`, '' at the root (pack.json errors quote this form) */
  readonly field: string;
  readonly keys: readonly JsonKey[];
  /** what belongs there, e.g. `an integer ≥ 1 (samples per window)` */
  readonly expected: string;
  /** the value there; undefined when absent. For an unknown key: that key's value */
  readonly found: unknown;
  /** `describe(found)` */
  readonly foundText: string;
  /** the key is not one the schema knows */
  readonly unknownKey: boolean;
  /** a required key is absent */
  readonly missing: boolean;
  /** the schema's fix for this field, else the caller's */
  readonly fix: string;
}

export type JsonFix = string | ((issue: Omit<JsonIssue, 'fix'>) => string);

// Separates the expected text from a field's own fix inside one valibot message string.
const FIX_MARK = '\u001f';

/** The valibot message of a field: what it expects and, optionally, its own fix. */
export const jsonMessage = (expected: string, fix?: string): string => (fix === undefined ? expected : `${expected}${FIX_MARK}${fix}`);

/** `schema` whose every issue reports `expected` (and `fix`): one sentence for a type and its range checks. */
export const expects = <S extends v.GenericSchema>(schema: S, expected: string, fix?: string): S =>
  v.message(schema, jsonMessage(expected, fix));

export interface JsonObjectOptions {
  /** true: keys outside `entries` pass through (checked by code or noted); default false: an error */
  readonly extraKeys?: boolean;
  /** the fix for an unknown key; default: remove it or fix its spelling, with the known keys */
  readonly unknownFix?: string | ((key: string) => string);
  /** a check of the whole object, after unknown keys and before the values (e.g. "exactly one of") */
  readonly check?: (input: Record<string, unknown>) => { readonly expected: string; readonly fix?: string } | undefined;
  /** the fix when the value is not an object, or a required key is missing and its schema gives none */
  readonly fix?: string;
}

/**
 * A JSON object (never an array, which valibot's object schemas accept) with these entries.
 * Unknown keys are reported before any value, as a typo usually explains the rest.
 */
export function jsonObject<E extends v.ObjectEntries>(entries: E, expected = 'an object', opts: JsonObjectOptions = {}) {
  const known = Object.keys(entries);
  const message = jsonMessage(expected, opts.fix);
  const unknownFix = (key: string): string =>
    typeof opts.unknownFix === 'function'
      ? opts.unknownFix(key)
      : (opts.unknownFix ?? `Remove "${key}" or fix its spelling; known fields: ${known.join(', ')}.`);
  return v.pipe(
    v.custom<Record<string, unknown>>(isRecord, message),
    v.rawCheck<Record<string, unknown>>(({ dataset, addIssue }) => {
      if (!dataset.typed) return;
      const input = dataset.value;
      const key = opts.extraKeys ? undefined : Object.keys(input).find((k) => !known.includes(k));
      if (key !== undefined) {
        addIssue({
          message: jsonMessage('a known field', unknownFix(key)),
          input: key,
          expected: 'never',
          path: [{ type: 'object', origin: 'key', input, key, value: input[key] }],
        });
        return;
      }
      const bad = opts.check?.(input);
      if (bad) addIssue({ message: jsonMessage(bad.expected, bad.fix ?? opts.fix), input });
    }),
    v.looseObject(entries, message),
  );
}

/** A JSON object of any keys whose values all match `value` (arrays refused). */
export const jsonRecord = <S extends v.GenericSchema>(value: S, expected = 'an object', fix?: string) =>
  v.pipe(v.custom<Record<string, unknown>>(isRecord, jsonMessage(expected, fix)), v.record(v.string(), value));

/** `$` followed by `.key` and `[index]` steps. */
export const jsonPath = (keys: readonly JsonKey[]): string => `$${keys.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('')}`;

/**
 * Runs `schema` on parsed JSON and returns its output, or throws `fail(issue)` for the first issue
 * (in the schema's order, unknown keys of an object first). `fix` is the fix where the field gives none.
 */
export function checkJson<S extends v.GenericSchema>(
  schema: S,
  json: unknown,
  fail: (issue: JsonIssue) => Error,
  fix: JsonFix = '',
): v.InferOutput<S> {
  const result = v.safeParse(schema, json, { abortEarly: true });
  if (result.success) return result.output;
  throw fail(toJsonIssue(schema, result.issues[0], fix));
}

function toJsonIssue(schema: v.GenericSchema, issue: v.BaseIssue<unknown>, fix: JsonFix): JsonIssue {
  const steps = issue.path ?? [];
  const keys = steps.map((s) => s.key as JsonKey);
  const last = steps.at(-1);
  let message = issue.message;
  let found: unknown = issue.input;
  // valibot marks both an unknown key and a missing one as a key issue; an unknown one expects 'never'.
  const unknownKey = last?.origin === 'key' && issue.expected === 'never';
  const missing = last?.origin === 'key' && !unknownKey;
  if (unknownKey) found = last?.value;
  // An object schema reports a missing key with its own message: the field's schema says better what belongs there.
  if (missing) {
    const field = schemaAt(schema, keys);
    const own = field ? v.safeParse(field, undefined, { abortEarly: true }) : undefined;
    if (own && !own.success) message = own.issues[0].message;
  }
  const [said, ownFix] = message.split(FIX_MARK);
  // A schema without a message of ours gets valibot's sentence ("Invalid type: Expected number but
  // received …"): its bare expectation reads better.
  const expected = /^Invalid \w+: /.test(said) && issue.expected ? issue.expected : said;
  const path = jsonPath(keys);
  const base = { path, field: path.replace(/^\$\.?/, ''), keys, expected, found, foundText: describe(found), unknownKey, missing };
  return { ...base, fix: ownFix ?? (typeof fix === 'string' ? fix : fix(base)) };
}

type AnySchema = v.GenericSchema & {
  readonly entries?: v.ObjectEntries;
  readonly item?: v.GenericSchema;
  readonly value?: v.GenericSchema;
  readonly wrapped?: v.GenericSchema;
  readonly options?: readonly v.GenericSchema[];
  readonly pipe?: readonly { readonly kind: string }[];
};

/** The schema `keys` lead to inside `schema`, looking through pipes, optionals and unions. */
function schemaAt(schema: v.GenericSchema, keys: readonly JsonKey[]): v.GenericSchema | undefined {
  let at: v.GenericSchema[] = [schema];
  for (const key of keys) {
    const next: v.GenericSchema[] = [];
    for (const s of at.flatMap(alternatives)) {
      if (s.entries && typeof key === 'string' && Object.hasOwn(s.entries, key)) next.push(s.entries[key] as v.GenericSchema);
      else if (s.item && typeof key === 'number') next.push(s.item);
      else if (s.type === 'record' && s.value) next.push(s.value);
    }
    if (next.length === 0) return undefined;
    at = next;
  }
  return at[0];
}

function alternatives(schema: v.GenericSchema): AnySchema[] {
  const s = schema as AnySchema;
  const inner = [
    ...(s.wrapped ? [s.wrapped] : []),
    ...(s.options ?? []),
    ...((s.pipe ?? []).filter((p) => p !== s && p.kind === 'schema') as v.GenericSchema[]).slice(1),
  ];
  return [s, ...inner.flatMap(alternatives)];
}

export interface JsonReadFailure {
  readonly reason: 'missing' | 'unreadable' | 'syntax';
  /** `does not exist`, `cannot be read (EACCES …)`, `is not valid JSON (Unexpected token …)` */
  readonly problem: string;
}

/**
 * Reads and parses a JSON file; a byte-order mark is tolerated (Windows editors add one). A file
 * that is absent, unreadable or not JSON throws `fail(failure)`, so each caller keeps its error
 * class and fix. Returns the text too: some callers hash it.
 */
export function readJsonFile(file: string, fail: (failure: JsonReadFailure) => Error): { json: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw code === 'ENOENT'
      ? fail({ reason: 'missing', problem: 'does not exist' })
      : fail({ reason: 'unreadable', problem: `cannot be read (${(err as Error).message})` });
  }
  try {
    return { json: JSON.parse(text.replace(/^\uFEFF/, '')), text };
  } catch (err) {
    throw fail({ reason: 'syntax', problem: `is not valid JSON (${(err as Error).message})` });
  }
}
