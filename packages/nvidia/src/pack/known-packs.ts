import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InferenceError } from '@a2f/inference';
import { isRecord, show } from './json-file.js';

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

/** models/nvidia/packs.json: this module lies in packages/nvidia/{src,dist}/pack, four levels below the root. */
export const KNOWN_PACKS_FILE = fileURLToPath(new URL('../../../../models/nvidia/packs.json', import.meta.url));

/** Reads and validates the known-packs manifest (the repository's, or `file`). */
export function knownPacks(file: string = KNOWN_PACKS_FILE): KnownPack[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InferenceError(
      'PACK_JSON',
      file,
      `cannot be read as JSON (${(err as Error).message})`,
      'Restore models/nvidia/packs.json from the repository.',
    );
  }
  return parseKnownPacks(json, file);
}

export function parseKnownPacks(json: unknown, file: string): KnownPack[] {
  const fail = (at: string, expected: string, found: unknown): never => {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `${at} must be ${expected}, found ${show(found)}`,
      'Restore models/nvidia/packs.json from the repository.',
    );
  };
  if (!isRecord(json) || json.format !== 'a2f-known-packs/1') fail('"format"', '"a2f-known-packs/1"', isRecord(json) ? json.format : json);
  const packs = (json as Record<string, unknown>).packs;
  if (!Array.isArray(packs)) return fail('"packs"', 'an array', packs);
  const str = (o: Record<string, unknown>, k: string, at: string): string =>
    typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : fail(`${at}.${k}`, 'a non-empty string', o[k]);
  const nullable = <T>(o: Record<string, unknown>, k: string, at: string, ok: (v: unknown) => v is T, what: string): T | null =>
    o[k] === null || o[k] === undefined ? null : ok(o[k]) ? o[k] : fail(`${at}.${k}`, what, o[k]);
  const isSize = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  const isHex =
    (n?: number) =>
    (v: unknown): v is string =>
      typeof v === 'string' && /^[0-9a-f]+$/i.test(v) && (n === undefined ? v.length >= 4 && v.length <= 64 : v.length === n);
  const seen = new Set<string>();
  return packs.map((p: unknown, i): KnownPack => {
    const at = `packs[${i}]`;
    if (!isRecord(p)) return fail(at, 'an object', p);
    const name = str(p, 'name', at);
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) fail(`${at}.name`, 'lower-case letters, digits, ".", "_" or "-" (it is a folder name)', name);
    if (seen.has(name)) fail(`${at}.name`, 'unique', name);
    seen.add(name);
    if (!Array.isArray(p.files) || p.files.length === 0) fail(`${at}.files`, 'a non-empty array', p.files);
    const files = (p.files as unknown[]).map((f, j): KnownFile => {
      const fat = `${at}.files[${j}]`;
      if (!isRecord(f)) return fail(fat, 'an object', f);
      const path = str(f, 'path', fat);
      if (path.includes('..') || path.startsWith('/')) fail(`${fat}.path`, 'a path inside the pack', path);
      return {
        path,
        size: nullable(f, 'size', fat, isSize, 'a byte count or null'),
        sha256: nullable(f, 'sha256', fat, isHex(64), '64 hex digits or null')?.toLowerCase() ?? null,
        sha256Prefix: nullable(f, 'sha256Prefix', fat, isHex(), 'hex digits or null')?.toLowerCase() ?? null,
        optional: f.optional === true,
      };
    });
    return {
      name,
      title: str(p, 'title', at),
      actor: str(p, 'actor', at),
      version: str(p, 'version', at),
      repo: str(p, 'repo', at),
      revision: str(p, 'revision', at),
      license: str(p, 'license', at),
      skinShapes: nullable(p, 'skinShapes', at, isSize, 'an integer or null'),
      files,
      notes: Array.isArray(p.notes) ? p.notes.filter((n): n is string => typeof n === 'string') : [],
    };
  });
}

/** The known hash of a file as shown to users: full, or the prefix with an ellipsis. */
export const knownHash = (f: KnownFile): string | null => f.sha256 ?? (f.sha256Prefix ? `${f.sha256Prefix}…` : null);
