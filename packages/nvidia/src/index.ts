// NVIDIA Audio2Face-3D v2.3 packs: reading them as shipped, post-processing and solving their
// output, and the `a2f models` logic. Importing this package registers the family with @a2f/inference.
import './register.js';

export { loadNvidiaPack, isNvidiaPack, MODEL_JSON } from './pack/load.js';
export type { LoadNvidiaPackOptions } from './pack/load.js';
export type {
  NvidiaPack,
  NvidiaPackFiles,
  NetworkInfo,
  ModelData,
  EmotionDatabase,
  EmotionShot,
  BlendshapeRig,
  Span,
} from './pack/types.js';
export { toRigData } from './postprocess/rig-data.js';
export { toModelPack, nvidiaTensors, NVIDIA_FORMAT, NVIDIA_KIND, BATCH_AXIS } from './pack/model-pack.js';
export { checkNvidiaNetwork } from './pack/network-check.js';
export { parseNetworkInfo } from './pack/network-info.js';
export { parseModelJson } from './pack/model-json.js';
export { MODEL_DATA_KEYS } from './pack/model-data.js';
export { NpzFile, readNpz, readNpy } from './pack/npz.js';
export { parseNpy } from './pack/npy.js';
export type { NpyArray, NpyDtype } from './pack/npy.js';
export { knownPacks, parseKnownPacks, KNOWN_PACKS_FILE } from './pack/known-packs.js';
export type { KnownPack, KnownFile } from './pack/known-packs.js';
export { pullPack, findKnownPack, DEFAULT_BASE_URL, PARTIAL_DIR } from './pack/pull.js';
export type { PullOptions, PullProgress, PullResult, PulledFile } from './pack/pull.js';
export { listPacks, verifyPack, inspectPack } from './pack/models.js';
export type { PackListing, PackStatus, VerifyReport, VerifiedFile, VerifyOptions, PackInspection, RigSummary } from './pack/models.js';
export { RECORD_FILE } from './pack/install-record.js';
export { implicitEmotion } from './emotion.js';
// Post-processing + solve on their own, for measuring them apart from the network (npm run bench).
export { A2FPostprocessor } from './postprocess/assemble.js';
export type { SolvePath } from './postprocess/assemble.js';
export { nvidiaFormat } from './register.js';
