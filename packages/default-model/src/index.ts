// The embedded default model: a small network that finds visemes in speech, and the table that maps
// them to ARKit shapes, jaw and tongue (models/README.md; docs/architecture.md#model-families). Importing this package registers the
// "visemes" kind and the model name "default" with @a2f/inference.
import { fileURLToPath } from 'node:url';
import { registerKind, registerNamedPack } from '@a2f/inference';
import { visemesKind } from './kind.js';

/**
 * The folder of the embedded model (pack.json, model.onnx, the viseme table): the package's assets/,
 * copied in by its build from the repository's models/default and templates/visemes, so an installed
 * package carries them (docs/architecture.md). Same depth from src/ and dist/.
 */
export const DEFAULT_PACK_DIR = fileURLToPath(new URL('../assets/', import.meta.url));

registerKind('visemes', visemesKind);
registerNamedPack('default', DEFAULT_PACK_DIR);

export { visemesKind } from './kind.js';
export { VISEMES, VISEME_CHANNELS, VISEME_JOINTS, parseVisemeTable, visemesToFace } from './visemes.js';
export type { VisemeTable, VisemePostprocessOptions } from './visemes.js';
