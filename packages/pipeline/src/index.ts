import './families.js';

export { JobContext, outputName, relativeAssetPath } from './job.js';
export type { LineResult, LineSuccess, LineFailure, LineProgress, BindingSummary, ProcessOptions } from './job.js';
export { processLines, uniqueNames } from './batch.js';
export type { BatchHooks } from './batch.js';
export {
  resolveSettings,
  resolveRunSettings,
  resolveWatchSettings,
  outputSettings,
  provenanceSettings,
  animationControls,
  namesOf,
  settingLabel,
} from './settings.js';
export type {
  JobSettings,
  JobSettingsInput,
  Layering,
  InferenceSettings,
  RunSettings,
  RunSettingsInput,
  WatchSettings,
  WatchSettingsInput,
} from './settings.js';
export { SETTINGS, SETTING_NAMES, BLINK_INTERVAL_RANGE, LAYERINGS, DEVICES, SOLVE_PATHS } from './settings-schema.js';
export type { SettingSpec, SettingName, SettingScope, SettingEffect } from './settings-schema.js';
export { loadPreset, presetNames, presetFile, PRESETS_DIR } from './settings-presets.js';
export { writeFileAtomic, writeTextStream } from '@a2f/base';
export { fileStem, safeFileName, stemOf, uniqueStems, MAX_STEM_BYTES } from './names.js';
export { checkOutputDir, makeDirs } from './output-dir.js';
export { describeReplaced } from './clobber.js';
export type { ReplacedOutput } from './clobber.js';
export type { OutputDirOptions } from './output-dir.js';
export type { TextSink } from '@a2f/base';
export { JobError, summarizeError } from './errors.js';
export { isTransient } from './transient.js';
// The watch folder's and the queue's shared parts: one line key recipe, one context cache.
export { lineKey, settingsFingerprint, fingerprint, stableJson } from './line-key.js';
export type { KeyParts, KeyExtras } from './line-key.js';
export { FileHashCache, modelSignature } from './file-hashes.js';
export { ContextPool } from './context-pool.js';
export type { ErrorSummary } from './errors.js';
export { TOOL } from './tool.js';
export { readSidecar, parseSidecar, sidecarPath, sidecarEmotionKeys, SIDECAR_SUFFIX, SIDECAR_FIELDS } from './sidecar.js';
export type { LineSidecar, SidecarEmotion } from './sidecar.js';
export {
  renderOutputPath,
  ensureOutputDir,
  checkPathTemplate,
  loadPathTemplate,
  pathTemplateNames,
  lineVariables,
  compileShotPattern,
  fpsPathLabel,
  safeStem,
  OutputPathError,
  OUTPUT_PATH_VARIABLES,
  PATH_TEMPLATES_DIR,
  DEFAULT_PATH_TEMPLATE,
  DEFAULT_SHOT_PATTERN,
  NO_SHOT,
} from './output-path.js';
export type { OutputLocation, OutputPathVars, OutputPathVariable, LineVariableInput } from './output-path.js';
// Model loading with every family this pipeline knows registered (the CLI's `inspect` and `models`).
export { loadModelPack, modelChannels } from '@a2f/inference';
export type { ModelPack } from '@a2f/inference';
export { inspectBinding } from './inspect.js';
export { characterFiles } from './character.js';
export type { BindingInspection } from './inspect.js';
export { voicePackOf } from './voice-emotion.js';
// The live streaming engine (docs/live-engine.md): pushed PCM → frames equal to `a2f run`'s.
export { openLiveStream, LIVE_SAMPLE_RATES } from './live.js';
export type { LiveStream, LiveStreamOptions, LiveFrame, LiveStats, LiveSettingsInput, LiveEmotionKey } from './live.js';
export { LiveModels } from './live-models.js';
export type { LiveModelLease, LiveModelsOptions } from './live-models.js';
export type { EmotionKey } from '@a2f/inference';
