import { describe, expects, jsonObject } from '@a2f/base';
import type { ModelPack, PostprocessKind } from '@a2f/inference';
import * as v from 'valibot';
import { parseArticulatorTable } from './articulator-table.js';
import {
  ARTICULATOR_CHANNELS,
  ARTICULATOR_JOINTS,
  ARTICULATORS,
  type Articulator,
  articulatorTrack,
  articulatorsToFace,
} from './articulators.js';
import { checkBlock, chooseOutput, fieldError, lineOptions, readTable, tablePath } from './pack-block.js';

interface ArticulatorsConfig {
  /** absolute path of the articulator → ARKit table */
  readonly table: string;
  /** the table path as the manifest wrote it, for errors */
  readonly tableRef: string;
  /** the network output holding the articulators */
  readonly output: string;
  /** the articulator each column of the output holds */
  readonly channels: readonly Articulator[];
}

const LIST_FIX = `List the output's columns in order, each articulator once: ${ARTICULATORS.join(', ')}.`;

/** The articulators `postprocess` block of a pack.json; channels and output are checked against the network after it. */
const BLOCK = jsonObject({
  kind: v.string(),
  table: expects(
    v.pipe(v.string(), v.nonEmpty()),
    'the path of an articulator table JSON',
    'Point it at an articulator table JSON (the default model ships articulators-to-arkit.json beside its pack.json) or a copy.',
  ),
  channels: expects(v.array(v.string()), "the articulator names of the output's columns, in order", LIST_FIX),
  output: v.optional(expects(v.string(), 'the name of an output', 'Correct the output name.')),
});

/** Every articulator once, in the order the manifest lists them. */
function checkChannels(channels: readonly string[], file: string): Articulator[] {
  const known = new Set<string>(ARTICULATORS);
  channels.forEach((name, i) => {
    if (!known.has(name)) fieldError(file, `channels[${i}]`, `is ${describe(name)}, not an articulator`, LIST_FIX);
    if (channels.indexOf(name) !== i)
      fieldError(file, 'channels', `names "${name}" twice (at ${channels.indexOf(name)} and ${i})`, LIST_FIX);
  });
  const missing = ARTICULATORS.filter((name) => !channels.includes(name));
  if (missing.length > 0) fieldError(file, 'channels', `lacks ${missing.map((m) => `"${m}"`).join(', ')}`, LIST_FIX);
  return channels as Articulator[];
}

/**
 * `'articulators'`: a network emitting articulator values (jaw opening, lip closure, tongue tip, …,
 * accent and voice), mapped to ARKit and tongue shapes by a table, with a procedural upper face.
 */
export const articulatorsKind: PostprocessKind = {
  validate(json, { file, dir, outputs }) {
    const block = checkBlock(BLOCK, json, file, 'articulators');
    const table = tablePath(block.table, dir, file);
    const channels = checkChannels(block.channels, file);
    const output = chooseOutput(outputs, block.output, file, {
      name: 'articulators',
      width: channels.length,
      holds: `${channels.length} articulators`,
      needs: channels.join(' '),
    });
    const config: ArticulatorsConfig = { table, tableRef: block.table, output, channels };
    return { ...config };
  },

  channels: () => ({ blendShapes: ARTICULATOR_CHANNELS, joints: ARTICULATOR_JOINTS }),

  async prepare(pack: ModelPack) {
    const { table: file, output, channels } = pack.postprocess.config as unknown as ArticulatorsConfig;
    const { table, name, sha256 } = readTable(pack, file, 'articulator table', parseArticulatorTable);
    return {
      parameters: { articulatorTable: name, articulatorTableSha256: sha256 },
      apply(raw, ctx) {
        return articulatorsToFace(raw.outputs[output].data, raw.frameCount, channels, lineOptions(table, ctx));
      },
      // Every step is causal (docs/live-engine.md); a track carries its own smoother and procedural state.
      openTrack(ctx) {
        const push = articulatorTrack(channels, lineOptions(table, ctx));
        return { push: (raw) => push(raw.outputs[output].data) };
      },
    };
  },
};
