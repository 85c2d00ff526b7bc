import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { InferenceError } from '@a2f/inference';

/** Where a pack file was named: e.g. `model.json "modelDataPath"`, for "missing" errors. */
export type Origin = string;

export function missingFile(file: string, what: string, origin: Origin | undefined): InferenceError {
  return new InferenceError(
    'PACK_NOT_FOUND',
    file,
    `${what} is missing${origin ? ` (named by ${origin})` : ''}`,
    'Download the complete pack again (a2f models pull) or copy the missing file from the original download.',
  );
}

/** Reads and parses a JSON file of the pack; a BOM is tolerated (Windows editors add one). */
export async function readJson(file: string, what: string, origin?: Origin): Promise<unknown> {
  if (!existsSync(file)) throw missingFile(file, what, origin);
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InferenceError(
      'PACK_JSON',
      file,
      `${what} is not valid JSON (${(err as Error).message})`,
      'Restore the file from the original download; it was edited or damaged.',
    );
  }
}

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** How a JSON value looks in an error: short and typed. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return 'an object';
}
