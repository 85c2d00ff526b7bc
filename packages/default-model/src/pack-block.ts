// What the default model's post-processing kinds (visemes, articulators) share: the checks of a
// pack.json "postprocess" block that points at a mapping table, and the reading of that table, so
// both kinds word their errors the same way (docs/pack-format.md).
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkJson, describe, readJsonFile } from '@a2f/base';
import type { Provenance, Rational } from '@a2f/animation';
import { InferenceError, rowWidth, type ApplyContext, type BlinkControl, type ModelPack, type TensorSpec } from '@a2f/inference';
import type * as v from 'valibot';

/** Throws the PACK_FIELD error of `"postprocess.<name>"` in `file`. */
export function fieldError(file: string, name: string, problem: string, fix: string): never {
  throw new InferenceError('PACK_FIELD', file, `"postprocess.${name}" ${problem}`, fix);
}

/** Checks a "postprocess" block against its schema; `kindName` words the unknown-field error. */
export function checkBlock<S extends v.GenericSchema>(schema: S, json: unknown, file: string, kindName: string): v.InferOutput<S> {
  return checkJson(schema, json, (i) =>
    i.unknownKey
      ? new InferenceError('PACK_FIELD', file, `"postprocess.${i.field}" is not a field of the ${kindName} post-processing`, i.fix)
      : new InferenceError('PACK_FIELD', file, `"postprocess.${i.field}" must be ${i.expected}, found ${i.foundText}`, i.fix),
  );
}

/** The table `ref` names, resolved against the pack folder; a missing file is an error naming both. */
export function tablePath(ref: string, dir: string, file: string): string {
  const table = path.resolve(dir, ref);
  if (!existsSync(table)) {
    fieldError(
      file,
      'table',
      `names "${ref}", which does not exist (looked for ${table})`,
      'Correct the path; it is relative to the pack folder.',
    );
  }
  return table;
}

/**
 * The network output a kind reads: the one `name` names, or the only one. Its values per frame
 * must be `width`; `holds` says what they are (for the fix) and `needs` lists them (for the error).
 */
export function chooseOutput(
  outputs: readonly TensorSpec[],
  name: string | undefined,
  file: string,
  kind: { name: string; width: number; holds: string; needs: string },
): string {
  let output: string;
  if (name !== undefined) {
    if (!outputs.some((o) => o.name === name)) {
      fieldError(
        file,
        'output',
        `must name one of the outputs (${outputs.map((o) => o.name).join(', ')}), found ${describe(name)}`,
        'Correct the output name.',
      );
    }
    output = name;
  } else if (outputs.length === 1) {
    output = outputs[0].name;
  } else {
    return fieldError(
      file,
      'output',
      'is needed because the network has several outputs',
      `Set it to the output holding the ${kind.holds}.`,
    );
  }
  const spec = outputs.find((o) => o.name === output) as TensorSpec;
  if (rowWidth(spec) !== kind.width) {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `output "${output}" has ${rowWidth(spec)} values per frame (shape [${spec.shape.join(', ')}]), ` +
        `but the ${kind.name} post-processing needs ${kind.width} (${kind.needs})`,
      `Declare the output as ["batch", 1, ${kind.width}] or use a post-processing kind that matches the network.`,
    );
  }
  return output;
}

/**
 * Reads a pack's table JSON and parses it with `parse`. Returns it with the provenance entry that
 * names it: a stable name with the content's hash, not a path (a path means nothing beside the
 * layer on another machine).
 */
export function readTable<T>(
  pack: ModelPack,
  file: string,
  what: string,
  parse: (json: unknown, origin: string) => T,
): { table: T; name: string; sha256: string } {
  const { json, text } = readJsonFile(file, (f) =>
    f.reason === 'syntax'
      ? new InferenceError('PACK_JSON', file, f.problem, `Fix the JSON syntax of the ${what}.`)
      : new InferenceError(
          'PACK_NOT_FOUND',
          file,
          `${what} of ${pack.manifestPath} ${f.problem}`,
          'Restore the table or correct "postprocess.table".',
        ),
  );
  const table = parse(json, file);
  const sha256 = createHash('sha256').update(text).digest('hex');
  return { table, name: `${pack.id}/${path.basename(file)}@${sha256.slice(0, 12)}`, sha256 };
}

/** A line's blink control as the kinds' option: absent keeps the default interval, off is interval 0 (eyeBlink held at 0). */
const blinkOption = (blinks: BlinkControl | undefined): { blinkIntervalSeconds?: number } =>
  blinks
    ? blinks.enabled
      ? blinks.intervalSeconds === undefined
        ? {}
        : { blinkIntervalSeconds: blinks.intervalSeconds }
      : { blinkIntervalSeconds: 0 }
    : {};

/**
 * What both kinds pass their post-processing for a line, whole (apply) or streamed (openTrack):
 * the table, the line's fps and provenance, its seed where it has one and its blink control.
 */
export function lineOptions<T>(
  table: T,
  { fps, provenance, seed, blinks }: ApplyContext,
): { fps: Rational; table: T; provenance: Provenance; seed?: number; blinkIntervalSeconds?: number } {
  return { fps, table, provenance, ...(seed === undefined ? {} : { seed }), ...blinkOption(blinks) };
}
