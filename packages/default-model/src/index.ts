// The embedded default model: a small network that hears articulators (or, in older packs, visemes) in
// speech, and the tables that map them to ARKit shapes, jaw and tongue (models/README.md;
// docs/architecture.md#model-families). Importing this package registers the "articulators" and
// "visemes" kinds and the model name "default" with @a2f/inference.
import { fileURLToPath } from 'node:url';
import { registerKind, registerNamedPack } from '@a2f/inference';
import { articulatorsKind } from './articulators-kind.js';
import { visemesKind } from './kind.js';

/**
 * The folder of the embedded model (pack.json, model.onnx, its tables): the package's assets/, copied
 * in by its build from the repository's models/default, templates/articulators and templates/visemes,
 * so an installed package carries them (docs/architecture.md). Same depth from src/ and dist/.
 */
export const DEFAULT_PACK_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

registerKind('visemes', visemesKind);
registerKind('articulators', articulatorsKind);
registerNamedPack('default', DEFAULT_PACK_DIR);

export { visemesKind } from './kind.js';
export { VISEMES, VISEME_CHANNELS, VISEME_JOINTS, parseVisemeTable, visemesToFace } from './visemes.js';
export type { VisemeTable, VisemePostprocessOptions } from './visemes.js';
export { articulatorsKind } from './articulators-kind.js';
export { ARTICULATORS, ARTICULATOR_CHANNELS, ARTICULATOR_JOINTS, articulatorTrack, articulatorsToFace } from './articulators.js';
export type { Articulator, ArticulatorTable, ArticulatorOptions } from './articulators.js';
export { parseArticulatorTable } from './articulator-table.js';
export {
  UPPER_FACE_DEFAULTS,
  browStream,
  browTrack,
  gazeRotation,
  gazeStream,
  gazeTrack,
  speechBlinkStream,
  speechBlinks,
} from './procedural.js';
export type { BrowParameters, GazeMode, GazeTrack, SaccadeParameters, SpeechBlinkParameters, UpperFaceParameters } from './procedural.js';
