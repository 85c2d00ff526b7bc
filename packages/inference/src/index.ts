// The generic engine: model packs, a registry of model kinds, ORT sessions in worker threads.
// It knows no model family; families (@a2f/nvidia, @a2f/default-model) register with it on import.
export { loadModelPack } from './pack.js';
export { parseManifest, MANIFEST_FILE, MANIFEST_FORMAT } from './manifest.js';
export { rowWidth } from './pack-types.js';
export type {
  ModelPack,
  NetworkSpec,
  TensorSpec,
  TensorDim,
  AudioParams,
  PostprocessSpec,
  LoadModelPackOptions,
} from './pack-types.js';
export { verifyHashes } from './sha256.js';
export type { VerifyMode } from './pack-types.js';
export { createInferenceEngine, animateAudio, runNetwork } from './engine.js';
export type { InferenceEngine, EngineOptions, AnimateOptions } from './engine.js';
export type { FrameStream, FrameStreamOptions, FrameChunk } from './frame-stream.js';
export type { RunOptions, NetworkOutputs, FrameMatrix, FrameInput } from './run-network.js';
export type { PoolOptions, PoolPlan, Device } from './session-options.js';
export { planPool } from './session-options.js';
export { DEFAULT_BATCH_SIZE } from './run-network.js';
export { frameCount } from './windows.js';
export { checkSession } from './session-check.js';
export type { SessionInfo, TensorMetadata } from './session-check.js';
export { InferenceError } from './errors.js';
export type { InferenceErrorCode } from './errors.js';
export {
  registerKind,
  registerPackFormat,
  registerNamedPack,
  postprocessKind,
  postprocessKinds,
  packFormats,
  namedPacks,
  modelChannels,
} from './registry.js';
export type {
  PostprocessKind,
  Postprocessor,
  PackFormat,
  ValidateContext,
  ApplyContext,
  KindOptions,
  LineEmotion,
  FrameEmotion,
  BlinkControl,
  KindChannels,
  LineRunner,
  NetworkTensor,
  PostprocessTrack,
} from './registry.js';
export { createEmotionTrack, emotionIndex, parseEmotionArg, parseEmotionSidecar, readEmotionSidecar } from './emotion.js';
export type { EmotionKey, EmotionTrack, EmotionTrackOptions } from './emotion.js';
