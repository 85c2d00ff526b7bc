import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe } from '@a2f/base';
import { InferenceError, rowWidth, type ModelPack, type PostprocessKind } from '@a2f/inference';
import { VISEME_CHANNELS, VISEME_JOINTS, VISEMES, parseVisemeTable, visemesToFace } from './visemes.js';

interface VisemesConfig {
  /** absolute path of the viseme → ARKit table */
  readonly table: string;
  /** the table path as the manifest wrote it, for errors */
  readonly tableRef: string;
  /** the network output holding the viseme activations */
  readonly output: string;
}

const KEYS = ['kind', 'table', 'output'];

/** `'visemes'`: a network emitting Oculus viseme activations, mapped to ARKit shapes and jaw/eye joints by a table. */
export const visemesKind: PostprocessKind = {
  validate(block, { file, dir, outputs }) {
    const field = (name: string, problem: string, fix: string): never => {
      throw new InferenceError('PACK_FIELD', file, `"postprocess.${name}" ${problem}`, fix);
    };
    const extra = Object.keys(block).find((k) => !KEYS.includes(k));
    if (extra !== undefined) field(extra, 'is not a field of the visemes post-processing', `Remove it; known fields: ${KEYS.join(', ')}.`);
    if (typeof block.table !== 'string' || block.table === '')
      field(
        'table',
        `must be the path of a viseme table JSON, found ${describe(block.table)}`,
        'Point it at templates/visemes/oculus-to-arkit.json or a copy.',
      );
    const tableRef = block.table as string;
    const table = path.resolve(dir, tableRef);
    if (!existsSync(table))
      field(
        'table',
        `names "${tableRef}", which does not exist (looked for ${table})`,
        'Correct the path; it is relative to the pack folder.',
      );

    let output: string;
    if (block.output !== undefined) {
      if (typeof block.output !== 'string' || !outputs.some((o) => o.name === block.output)) {
        field(
          'output',
          `must name one of the outputs (${outputs.map((o) => o.name).join(', ')}), found ${describe(block.output)}`,
          'Correct the output name.',
        );
      }
      output = block.output as string;
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
        `output "${output}" has ${rowWidth(spec)} values per frame (shape [${spec.shape.join(', ')}]), but the visemes post-processing needs ${VISEMES.length} (${VISEMES.join(' ')})`,
        `Declare the output as ["batch", 1, ${VISEMES.length}] or use a post-processing kind that matches the network.`,
      );
    }
    const config: VisemesConfig = { table, tableRef, output };
    return { ...config };
  },

  channels: () => ({ blendShapes: VISEME_CHANNELS, joints: VISEME_JOINTS }),

  async prepare(pack: ModelPack) {
    const { table: file, output } = pack.postprocess.config as unknown as VisemesConfig;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        file,
        `viseme table of ${pack.manifestPath} cannot be read (${(err as Error).message})`,
        'Restore the table or correct "postprocess.table".',
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new InferenceError(
        'PACK_JSON',
        file,
        `is not valid JSON (${(err as Error).message})`,
        'Fix the JSON syntax of the viseme table.',
      );
    }
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
