import { InferenceError, registerKind, registerPackFormat, type PackFormat, type PostprocessKind } from '@a2f/inference';
import { A2E_MODEL_JSON, isA2ePack } from '../pack/a2e-pack.js';
import { A2E_KIND } from './runner.js';

const asModel = (file: string): InferenceError =>
  new InferenceError(
    'PACK_FIELD',
    file,
    'is an Audio2Emotion pack (it classifies emotion from the voice), not an Audio2Face-3D pack that animates a face',
    'Pass it as --a2e <folder>, with an Audio2Face-3D pack (or "default") as --model.',
  );

/**
 * Audio2Emotion folders also hold a model.json, so this format is registered before the Audio2Face
 * one: given as a model, such a folder fails with an error that says where it belongs (A2eRunner loads it).
 */
export const a2eGuardFormat: PackFormat = {
  name: 'NVIDIA Audio2Emotion v2.2 (model.json; emotion only, for --a2e)',
  marker: A2E_MODEL_JSON,
  detect: isA2ePack,
  load(dir) {
    return Promise.reject(asModel(dir.endsWith(A2E_MODEL_JSON) ? dir : `${dir.replace(/[\\/]+$/, '')}/${A2E_MODEL_JSON}`));
  },
};

/** The classifier runs through the engine's `run()` only; it has no channels and animates nothing. */
export const a2eKind: PostprocessKind = {
  validate(block) {
    return { ...block };
  },
  channels: () => ({ blendShapes: [], joints: [] }),
  prepare(pack) {
    return Promise.reject(asModel(pack.manifestPath));
  },
};

registerKind(A2E_KIND, a2eKind);
registerPackFormat(a2eGuardFormat);
