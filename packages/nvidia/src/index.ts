// NVIDIA Audio2Face-3D v2.3 packs: reading them as shipped, post-processing and solving their
// output, and the `a2f models` logic. Importing this package registers the family with @a2f/inference.
// Audio2Emotion first: its folders hold a model.json too, and formats are tried in registration order.
import './a2e/register.js';
import './register.js';
import './v3/register.js';

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
// Audio2Emotion v2.2: emotion from the voice, fed to the A2F network's explicit emotion (docs/nvidia/audio2emotion.md).
export { loadA2ePack, isA2ePack, A2E_DOCUMENTED_EMOTIONS, A2E_INPUT, A2E_OUTPUT } from './pack/a2e-pack.js';
export type { A2ePack, A2ePackFiles, A2eConfig } from './pack/a2e-pack.js';
export { A2eRunner, toA2eModelPack, A2E_DEFAULT_WINDOW, A2E_DEFAULT_SKIP, A2E_KIND } from './a2e/runner.js';
export type { A2eOptions, A2eFrames } from './a2e/runner.js';
export { A2ePostprocessor } from './a2e/postprocess.js';
export { verifyA2ePack, inspectA2ePack, checkA2eNetwork } from './pack/a2e-models.js';
export type { A2eInspection } from './pack/a2e-models.js';
export { applyA2eOverrides, A2E_PARAM_KEYS } from './a2e/params.js';
// Audio2Face-3D v3.0 (docs/nvidia/v3.md).
export { loadV3Pack, isV3Pack } from './pack/v3-load.js';
export type { V3Pack, V3Identity } from './pack/v3-load.js';
export type { V3NetworkInfo } from './pack/v3-info.js';
export { toV3ModelPack, v3Tensors, NVIDIA_V3_FORMAT, NVIDIA_V3_KIND } from './pack/v3-model-pack.js';
export { philox4x32_10, philoxNormals } from './v3/philox.js';
export { v3Schedule, frameTarget, windowStart } from './v3/windows.js';
export { deliveredFrames, V3_RESAMPLE } from './v3/frames.js';
export { V3_OPTIONS } from './v3/kind.js';
export { V3Postprocessor } from './v3/postprocess.js';
