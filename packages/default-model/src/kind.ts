import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkJson, describe, expects, jsonObject, readJsonFile } from '@a2f/base';
import { InferenceError, rowWidth, type ModelPack, type PostprocessKind } from '@a2f/inference';
import * as v from 'valibot';
import { VISEME_CHANNELS, VISEME_JOINTS, VISEMES, parseVisemeTable, visemesToFace } from './visemes.js';

interface VisemesConfig {
  /** absolute path of the viseme → ARKit table */
  readonly table: string;
  /** the table path as the manifest wrote it, for errors */
  readonly tableRef: string;
  /** the network output holding the viseme activations */
  readonly output: string;
}

/** The visemes `postprocess` block of a pack.json; the output name is checked against the network's outputs after it. */
const BLOCK = jsonObject({
  kind: v.string(),
  table: expects(
    v.pipe(v.string(), v.nonEmpty()),
    'the path of a viseme table JSON',
    'Point it at a viseme table JSON (the default model ships oculus-to-arkit.json beside its pack.json) or a copy.',
  ),
  output: v.optional(expects(v.string(), 'the name of an output', 'Correct the output name.')),
});

/** `'visemes'`: a network emitting Oculus viseme activations, mapped to ARKit shapes and jaw/eye joints by a table. */
export const visemesKind: PostprocessKind = {
  validate(json, { file, dir, outputs }) {
    const field = (name: string, problem: string, fix: string): never => {
      throw new InferenceError('PACK_FIELD', file, `"postprocess.${name}" ${problem}`, fix);
    };
    const block = checkJson(BLOCK, json, (i) =>
      i.unknownKey
        ? new InferenceError('PACK_FIELD', file, `"postprocess.${i.field}" is not a field of the visemes post-processing`, i.fix)
        : new InferenceError('PACK_FIELD', file, `"postprocess.${i.field}" must be ${i.expected}, found ${i.foundText}`, i.fix),
    );
    const tableRef = block.table;
    const table = path.resolve(dir, tableRef);
    if (!existsSync(table))
      field(
        'table',
        `names "${tableRef}", which does not exist (looked for ${table})`,
        'Correct the path; it is relative to the pack folder.',
      );

    let output: string;
    if (block.output !== undefined) {
      if (!outputs.some((o) => o.name === block.output)) {
        field(
          'output',
          `must name one of the outputs (${outputs.map((o) => o.name).join(', ')}), found ${describe(block.output)}`,
          'Correct the output name.',
        );
      }
      output = block.output;
    } else if (outputs.length === 1) {
      output = outputs[0].name;
    } else {
      return field(
        'output',
        'is needed because the network has several outputs',
        `Set it to the output holding the ${VISEMES.length} viseme activations.`,
      );
    }
    const spec = outputs.find((o) => o.name === output)!;
    if (rowWidth(spec) !== VISEMES.length) {
      throw new InferenceError(
        'PACK_FIELD',
        file,
        `output "${output}" has ${rowWidth(spec)} values per frame (shape [${spec.shape.join(', ')}]), ` +
          `but the visemes post-processing needs ${VISEMES.length} (${VISEMES.join(' ')})`,
        `Declare the output as ["batch", 1, ${VISEMES.length}] or use a post-processing kind that matches the network.`,
      );
    }
    const config: VisemesConfig = { table, tableRef, output };
    return { ...config };
  },

  channels: () => ({ blendShapes: VISEME_CHANNELS, joints: VISEME_JOINTS }),

  async prepare(pack: ModelPack) {
    const { table: file, output } = pack.postprocess.config as unknown as VisemesConfig;
    const { json, text } = readJsonFile(file, (f) =>
      f.reason === 'syntax'
        ? new InferenceError('PACK_JSON', file, f.problem, 'Fix the JSON syntax of the viseme table.')
        : new InferenceError(
            'PACK_NOT_FOUND',
            file,
            `viseme table of ${pack.manifestPath} ${f.problem}`,
            'Restore the table or correct "postprocess.table".',
          ),
    );
    const parsed = parseVisemeTable(json, file);
    const sha256 = createHash('sha256').update(text).digest('hex');
    return {
      // A stable name, not a path: a path means nothing beside the layer on another machine.
      parameters: { visemeTable: `${pack.id}/${path.basename(file)}@${sha256.slice(0, 12)}`, visemeTableSha256: sha256 },
      apply(raw, { fps, provenance, seed, blinks }) {
        return visemesToFace(raw.outputs[output].data, raw.frameCount, {
          fps,
          table: parsed,
          provenance,
          ...(seed === undefined ? {} : { seed }),
          ...(blinks ? { blinkIntervalSeconds: blinks.enabled ? blinks.intervalSeconds : 0 } : {}),
        });
      },
    };
  },
};
