import { fileURLToPath } from 'node:url';
import { checkJson, describe, expects, jsonObject, readJsonFile } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { fieldError } from './json-file.js';

/** One file of a known pack. size/sha256 are null where no source records them. */
export interface KnownFile {
  readonly path: string;
  readonly size: number | null;
  /** full 64-digit SHA-256 when known (test packs), else null */
  readonly sha256: string | null;
  /** leading hex digits of the SHA-256 (the reference gives 8) */
  readonly sha256Prefix: string | null;
  /** only used for TensorRT: a pull tolerates its absence */
  readonly optional: boolean;
}

export interface KnownPack {
  /** what users type: `a2f models pull mark` */
  readonly name: string;
  readonly title: string;
  readonly actor: string;
  readonly version: string;
  /** Hugging Face repo id */
  readonly repo: string;
  /** pinned commit */
  readonly revision: string;
  readonly license: string;
  readonly skinShapes: number | null;
  readonly files: readonly KnownFile[];
  readonly notes: readonly string[];
}

/**
 * The known-packs table, copied into the package's assets/ by its build from the repository's
 * models/nvidia/packs.json (docs/architecture.md); this module lies in {src,dist}/pack, two levels down.
 */
export const KNOWN_PACKS_FILE = fileURLToPath(new URL('../../assets/packs.json', import.meta.url));

const FIX = 'Reinstall @a2f/nvidia (its assets/packs.json is damaged), or pass --known-packs with a correct file.';
const text = expects(v.pipe(v.string(), v.nonEmpty()), 'a non-empty string');
const byteCount = (what: string) => v.nullish(expects(v.pipe(v.number(), v.safeInteger(), v.minValue(0)), what));
const hex = (what: string, length: v.GenericValidation<string, string>) =>
  v.nullish(expects(v.pipe(v.string(), v.hexadecimal(), length), what));

const KNOWN_FILE = jsonObject({
  path: v.pipe(
    text,
    v.check((p) => !p.includes('..') && !p.startsWith('/'), 'a path inside the pack'),
  ),
  size: byteCount('a byte count or null'),
  sha256: hex('64 hex digits or null', v.length(64)),
  sha256Prefix: hex(
    'hex digits or null',
    v.check((h) => h.length >= 4 && h.length <= 64),
  ),
  optional: v.optional(expects(v.boolean(), 'true or false')),
});
const KNOWN_PACK = jsonObject({
  name: v.pipe(text, v.regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-" (it is a folder name)')),
  // files before the descriptive fields: a broken file list matters more than a missing title.
  files: expects(v.pipe(v.array(KNOWN_FILE), v.minLength(1)), 'a non-empty array'),
  title: text,
  actor: text,
  version: text,
  repo: text,
  revision: text,
  license: text,
  skinShapes: byteCount('an integer or null'),
  notes: v.optional(expects(v.array(v.string()), 'an array of strings'), []),
});
const KNOWN_PACKS = jsonObject({
  $comment: v.optional(v.unknown()),
  format: expects(v.literal('a2f-known-packs/1'), '"a2f-known-packs/1"'),
  packs: expects(v.array(KNOWN_PACK), 'an array'),
});

/** Reads and validates the known-packs manifest (the repository's, or `file`). */
export function knownPacks(file: string = KNOWN_PACKS_FILE): KnownPack[] {
  const { json } = readJsonFile(file, (f) => new InferenceError('PACK_JSON', file, f.problem, FIX));
  return parseKnownPacks(json, file);
}

export function parseKnownPacks(json: unknown, file: string): KnownPack[] {
  const { packs } = checkJson(KNOWN_PACKS, json, fieldError(file, FIX));
  const seen = new Set<string>();
  return packs.map((p, i): KnownPack => {
    if (seen.has(p.name)) throw new InferenceError('PACK_FIELD', file, `"packs[${i}].name" must be unique, found ${describe(p.name)}`, FIX);
    seen.add(p.name);
    return {
      name: p.name,
      title: p.title,
      actor: p.actor,
      version: p.version,
      repo: p.repo,
      revision: p.revision,
      license: p.license,
      skinShapes: p.skinShapes ?? null,
      notes: p.notes,
      files: p.files.map((f) => ({
        path: f.path,
        size: f.size ?? null,
        sha256: f.sha256?.toLowerCase() ?? null,
        sha256Prefix: f.sha256Prefix?.toLowerCase() ?? null,
        optional: f.optional === true,
      })),
    };
  });
}

/** The known hash of a file as shown to users: full, or the prefix with an ellipsis. */
export const knownHash = (f: KnownFile): string | null => f.sha256 ?? (f.sha256Prefix ? `${f.sha256Prefix}…` : null);
