import { type JsonIssue, readJsonFile } from '@a2f/base';
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
  return readJsonFile(file, (f) =>
    f.reason === 'missing'
      ? missingFile(file, what, origin)
      : new InferenceError(
          'PACK_JSON',
          file,
          `${what} ${f.problem}`,
          'Restore the file from the original download; it was edited or damaged.',
        ),
  ).json;
}

/**
 * checkJson's failure as the NVIDIA files word it: `"params.num_verts_skin" must be an integer ≥ 1,
 * found the string "x"`. `fix` applies where the field has no fix of its own.
 */
export const fieldError =
  (file: string, fix: string) =>
  (i: JsonIssue): InferenceError =>
    new InferenceError(
      'PACK_FIELD',
      file,
      i.unknownKey ? `unknown field "${i.field}"` : `"${i.field || '(root)'}" must be ${i.expected}, found ${i.foundText}`,
      i.fix || fix,
    );
