export { loadModelPack, DEFAULT_PACK_DIR } from './pack.js';
export type { ModelPack, NetworkSpec, TensorSpec, TensorDim, AudioParams, PostprocessSpec, LoadModelPackOptions } from './pack.js';
export type { VerifyMode } from './sha256.js';
export { createInferenceEngine, animateAudio, runNetwork } from './engine.js';
export type { InferenceEngine, EngineOptions, AnimateOptions } from './engine.js';
export type { RunOptions, NetworkOutputs, FrameMatrix, FrameInput } from './run-network.js';
export type { PoolOptions, PoolPlan, Device } from './session-options.js';
export { planPool } from './session-options.js';
export { DEFAULT_BATCH_SIZE } from './run-network.js';
export { frameCount } from './windows.js';
export { InferenceError } from './errors.js';
export type { InferenceErrorCode } from './errors.js';
export { postprocessKinds, modelChannels } from './postprocess/registry.js';
export type { BlinkControl, KindChannels } from './postprocess/registry.js';
export { parseEmotionArg, parseEmotionSidecar } from './nvidia/emotion.js';
export type { EmotionKey } from './nvidia/emotion.js';
export type { SolvePath } from './nvidia/postprocess/assemble.js';
export { isNvidiaPack, loadNvidiaPack, listPacks, pullPack, verifyPack, inspectPack, knownPacks } from './nvidia/pack/index.js';
export type {
  PackListing,
  PackStatus,
  PullOptions,
  PullProgress,
  PullResult,
  VerifyReport,
  PackInspection,
  KnownPack,
} from './nvidia/pack/index.js';
// Post-processing + solve on their own, for measuring them apart from the network (a2f bench).
export { A2FPostprocessor } from './nvidia/postprocess/assemble.js';
export { toRigData } from './nvidia/pack/model-pack.js';
