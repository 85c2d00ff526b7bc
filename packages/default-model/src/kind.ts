import { expects, jsonObject } from '@a2f/base';
import type { ModelPack, PostprocessKind } from '@a2f/inference';
import * as v from 'valibot';
import { checkBlock, chooseOutput, lineOptions, readTable, tablePath } from './pack-block.js';
import { VISEME_CHANNELS, VISEME_JOINTS, VISEMES, parseVisemeTable, visemeTrack, visemesToFace } from './visemes.js';

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
    const block = checkBlock(BLOCK, json, file, 'visemes');
    const table = tablePath(block.table, dir, file);
    const output = chooseOutput(outputs, block.output, file, {
      name: 'visemes',
      width: VISEMES.length,
      holds: `${VISEMES.length} viseme activations`,
      needs: VISEMES.join(' '),
    });
    const config: VisemesConfig = { table, tableRef: block.table, output };
    return { ...config };
  },

  channels: () => ({ blendShapes: VISEME_CHANNELS, joints: VISEME_JOINTS }),

  async prepare(pack: ModelPack) {
    const { table: file, output } = pack.postprocess.config as unknown as VisemesConfig;
    const { table, name, sha256 } = readTable(pack, file, 'viseme table', parseVisemeTable);
    return {
      parameters: { visemeTable: name, visemeTableSha256: sha256 },
      apply(raw, ctx) {
        return visemesToFace(raw.outputs[output].data, raw.frameCount, lineOptions(table, ctx));
      },
      // Every step is causal (docs/live-engine.md); a track carries its own smoother and blink state.
      openTrack(ctx) {
        const push = visemeTrack(lineOptions(table, ctx));
        return { push: (raw) => push(raw.outputs[output].data) };
      },
    };
  },
};
