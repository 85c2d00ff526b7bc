import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkJson, describe, expects, isRecord, jsonObject, jsonRecord, sha256File } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { fieldError, missingFile, readJson } from './json-file.js';

/**
 * Audio2Emotion v2.2 packs as NVIDIA ships them (docs/nvidia/audio2emotion.md#files): model.json
 * names network_info.json, the network and model_config.json, read with the keys the SDK's
 * parse_helper.cpp reads; trt_info.json only matters to TensorRT and is checked when present.
 */

export const A2E_MODEL_JSON = 'model.json';
/** The emotion order of the classifier when a pack does not say (the SDK test's kEmotionNames). */
export const A2E_DOCUMENTED_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad'] as const;
/** Tensor names of NVIDIA's export (audio2emotion-sdk scripts/common.py X_TENSOR_NAME, Z_TENSOR_NAME). */
export const A2E_INPUT = 'input_values';
export const A2E_OUTPUT = 'output';

/** `post_processing_config` of model_config.json, as the SDK reads it. */
export interface A2eConfig {
  readonly output_emotion_length: number;
  readonly emotion_contrast: number;
  readonly max_emotions: number;
  readonly live_blend_coef: number;
  readonly enable_preferred_emotion: boolean;
  readonly preferred_emotion_strength: number;
  readonly transition_smoothing: number;
  /** read and kept, but the SDK's executor replaces it with the frame duration (executor_core.cpp) */
  readonly fixed_dt: number;
  readonly emotion_strength: number;
  readonly preferred_emotion: readonly number[];
  /** classifier emotion name → index into the A2F explicit emotions, −1: dropped */
  readonly emotion_correspondence: Readonly<Record<string, number>>;
}

export interface A2ePackFiles {
  readonly modelJson: string;
  readonly networkInfo: string;
  /** the ONNX file that is loaded */
  readonly network: string;
  /** `networkPath` as written (usually network.trt) */
  readonly networkDeclared: string;
  readonly modelConfig: string;
  /** absent when the folder has none (only TensorRT uses it) */
  readonly trtInfo?: string;
}

export interface A2ePack {
  readonly dir: string;
  readonly files: A2ePackFiles;
  /** classifier outputs in the network's order (network_info.json "emotions") */
  readonly emotions: readonly string[];
  readonly sampleRate: number;
  readonly config: A2eConfig;
  /** for each classifier output, its A2F explicit-emotion index or −1 */
  readonly correspondence: readonly number[];
  /** trt_info.json's input_values shapes (min/opt/max samples), when it declares them */
  readonly trtShapes?: Readonly<Record<'min' | 'opt' | 'max', number>>;
  readonly notes: readonly string[];
  readonly sha256?: Readonly<Record<string, string>>;
}

const FIX_CONFIG = 'Use the model_config.json shipped with the Audio2Emotion pack.';
const filePath = expects(v.pipe(v.string(), v.nonEmpty()), 'a relative file path');
const num = expects(v.pipe(v.number(), v.finite()), 'a number');
const unit = expects(v.pipe(v.number(), v.minValue(0), v.maxValue(1)), 'a number from 0 to 1');
const count = (min: number) => expects(v.pipe(v.number(), v.integer(), v.minValue(min)), `an integer ≥ ${min}`);

const MODEL_JSON = jsonObject({ networkInfoPath: filePath, networkPath: filePath, modelConfigPath: filePath }, 'an object', {
  extraKeys: true,
});
const NETWORK_INFO = jsonObject(
  {
    emotions: v.optional(expects(v.pipe(v.array(expects(v.pipe(v.string(), v.nonEmpty()), 'a name')), v.minLength(1)), 'emotion names')),
    audio_params: jsonObject({ samplerate: count(1) }, 'an object', { extraKeys: true }),
  },
  'an object',
  { extraKeys: true },
);
/** The keys parse_helper.cpp reads from "post_processing_config", each required as there. */
export const A2E_CONFIG_SCHEMA = {
  output_emotion_length: count(1),
  emotion_contrast: num,
  max_emotions: count(0),
  live_blend_coef: unit,
  enable_preferred_emotion: expects(v.boolean(), 'true or false'),
  preferred_emotion_strength: unit,
  transition_smoothing: expects(v.pipe(v.number(), v.minValue(0)), 'seconds ≥ 0'),
  fixed_dt: expects(v.pipe(v.number(), v.gtValue(0)), 'seconds > 0'),
  emotion_strength: expects(v.pipe(v.number(), v.minValue(0)), 'a number ≥ 0'),
  preferred_emotion: expects(v.array(num), 'an array of numbers'),
  emotion_correspondence: jsonRecord(expects(v.pipe(v.number(), v.integer(), v.minValue(-1)), 'an integer ≥ −1'), 'an object'),
};
const MODEL_CONFIG = jsonObject({ post_processing_config: jsonObject(A2E_CONFIG_SCHEMA, 'an object', { extraKeys: true }) }, 'an object', {
  extraKeys: true,
});

function readModelJsonRaw(file: string): Record<string, unknown> | null {
  try {
    const json: unknown = JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, ''));
    return isRecord(json) ? json : null;
  } catch {
    return null;
  }
}

/** Whether the folder (or its model.json) is an Audio2Emotion pack; cheap: reads model.json only. */
export function isA2ePack(dirOrFile: string): boolean {
  const abs = path.resolve(dirOrFile);
  const file = path.basename(abs) === A2E_MODEL_JSON ? abs : path.join(abs, A2E_MODEL_JSON);
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  const json = readModelJsonRaw(file);
  if (!json) return false;
  // NVIDIA's A2E model.json names exactly these three files; Audio2Face packs name more (model data, blendshapes).
  const own = ['networkInfoPath', 'networkPath', 'modelConfigPath'];
  const others = Object.keys(json).filter((k) => !own.includes(k) && /path/i.test(k));
  return own.every((k) => typeof json[k] === 'string') && others.length === 0;
}

/** Loads an Audio2Emotion pack from its folder (or model.json); every problem names the file and the fix. */
export async function loadA2ePack(dirOrModelJson: string, opts: { readonly sha256?: boolean } = {}): Promise<A2ePack> {
  const abs = path.resolve(dirOrModelJson);
  const modelJson =
    path.basename(abs) === A2E_MODEL_JSON && existsSync(abs) && statSync(abs).isFile() ? abs : path.join(abs, A2E_MODEL_JSON);
  const dir = path.dirname(modelJson);
  if (!existsSync(modelJson)) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      modelJson,
      existsSync(dir) ? 'no model.json here, so this folder is not an Audio2Emotion pack' : 'the pack folder does not exist',
      'Pass the folder that holds model.json, network.onnx, network_info.json and model_config.json (nvidia/Audio2Emotion-v2.2).',
    );
  }
  const raw = await readJson(modelJson, 'model.json');
  if (isRecord(raw) && ('modelDataPath' in raw || 'blendshapePaths' in raw || 'identities' in raw)) {
    throw new InferenceError(
      'PACK_FIELD',
      modelJson,
      'is an Audio2Face-3D pack (its model.json names model data and blendshapes), not an Audio2Emotion pack',
      'Pass this folder as --model, and an Audio2Emotion pack (nvidia/Audio2Emotion-v2.2, a2f models pull audio2emotion) as --a2e.',
    );
  }
  const paths = checkJson(MODEL_JSON, raw, fieldError(modelJson, 'Use the model.json shipped with the Audio2Emotion pack.'));
  const notes: string[] = [];
  const resolve = (p: string) => path.resolve(dir, p.replace(/\\/g, '/'));
  const networkInfo = resolve(paths.networkInfoPath);
  const networkDeclared = resolve(paths.networkPath);
  const modelConfig = resolve(paths.modelConfigPath);
  const network = onnxBeside(networkDeclared, paths.networkPath, modelJson, notes);
  if (!existsSync(network)) throw missingFile(network, path.basename(network), 'model.json "networkPath"');

  const info = checkJson(
    NETWORK_INFO,
    await readJson(networkInfo, 'network_info.json', 'model.json "networkInfoPath"'),
    fieldError(networkInfo, 'Use the network_info.json shipped with the Audio2Emotion pack.'),
  );
  let emotions: readonly string[] | undefined = info.emotions;
  if (!emotions) {
    emotions = A2E_DOCUMENTED_EMOTIONS;
    notes.push(`${networkInfo}: no "emotions" list; using the documented order ${A2E_DOCUMENTED_EMOTIONS.join(', ')}`);
  }
  const dup = emotions.find((n, i) => emotions!.indexOf(n) !== i);
  if (dup !== undefined) {
    throw new InferenceError(
      'PACK_FIELD',
      networkInfo,
      `"emotions" names "${dup}" twice`,
      'Use the network_info.json shipped with the pack.',
    );
  }

  const { post_processing_config: config } = checkJson(
    MODEL_CONFIG,
    await readJson(modelConfig, 'model_config.json', 'model.json "modelConfigPath"'),
    fieldError(modelConfig, FIX_CONFIG),
  );
  const correspondence = checkConfig(config, emotions, modelConfig);
  for (const k of Object.keys(config))
    if (!Object.hasOwn(A2E_CONFIG_SCHEMA, k)) notes.push(`${modelConfig}: ignoring "post_processing_config.${k}" (not read by the SDK)`);

  const trtInfo = path.join(dir, 'trt_info.json');
  const trtShapes = existsSync(trtInfo) ? readTrtShapes(trtInfo, await readJson(trtInfo, 'trt_info.json'), notes) : undefined;

  const files: A2ePackFiles = {
    modelJson,
    networkInfo,
    network,
    networkDeclared,
    modelConfig,
    ...(existsSync(trtInfo) ? { trtInfo } : {}),
  };
  let sha256: Record<string, string> | undefined;
  if (opts.sha256) {
    sha256 = {};
    for (const f of new Set(Object.values(files))) if (existsSync(f)) sha256[path.relative(dir, f)] = await sha256File(f);
  }
  return {
    dir,
    files,
    emotions,
    sampleRate: info.audio_params.samplerate,
    config: { ...config, preferred_emotion: [...config.preferred_emotion], emotion_correspondence: { ...config.emotion_correspondence } },
    correspondence,
    ...(trtShapes ? { trtShapes } : {}),
    notes,
    ...(sha256 ? { sha256 } : {}),
  };
}

/** The checks PostProcessor::Init and ConfigInfoOwner::Init make; returns the correspondence in the network's order. */
export function checkConfig(config: A2eConfig, emotions: readonly string[], file: string): number[] {
  const fail = (field: string, expected: string, found: unknown): never => {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `"post_processing_config.${field}" must be ${expected}, found ${describe(found)}`,
      FIX_CONFIG,
    );
  };
  const E = config.output_emotion_length;
  if (config.preferred_emotion.length !== E) fail('preferred_emotion', `${E} numbers (output_emotion_length)`, config.preferred_emotion);
  return emotions.map((name) => {
    const j = config.emotion_correspondence[name];
    if (j === undefined) fail(`emotion_correspondence.${name}`, `an index (network_info.json lists "${name}")`, j);
    if (j! >= E) fail(`emotion_correspondence.${name}`, `−1 or an index below output_emotion_length (${E})`, j);
    return j!;
  });
}

/** network.trt (what NVIDIA's model.json names) is a TensorRT engine; ONNX Runtime loads the .onnx beside it. */
function onnxBeside(declared: string, written: string, modelJson: string, notes: string[]): string {
  if (path.extname(declared).toLowerCase() === '.onnx') return declared;
  const onnx = path.join(path.dirname(declared), `${path.basename(declared, path.extname(declared))}.onnx`);
  notes.push(`${modelJson}: "networkPath" names ${written} (a TensorRT engine); loading ${path.basename(onnx)} beside it instead`);
  return onnx;
}

/** `trt_build_param.batch`'s `--minShapes=input_values:1x5000` entries, with `{NAME}` filled from "defaults". */
function readTrtShapes(file: string, json: unknown, notes: string[]): A2ePack['trtShapes'] {
  const params = isRecord(json) && isRecord(json.trt_build_param) ? Object.values(json.trt_build_param).flat() : null;
  if (!params) {
    notes.push(`${file}: no "trt_build_param"; only TensorRT reads this file, so it is not used`);
    return undefined;
  }
  const defaults = isRecord(json) && isRecord(json.defaults) ? json.defaults : {};
  const out: Partial<Record<'min' | 'opt' | 'max', number>> = {};
  for (const p of params) {
    if (typeof p !== 'string') continue;
    const text = p.replace(/\{(\w+)\}/g, (m, k: string) => (k in defaults ? String(defaults[k]) : m));
    const m = /^--(min|opt|max)Shapes=.*\binput_values:\d+x(\d+)/.exec(text);
    if (m) out[m[1] as 'min' | 'opt' | 'max'] = Number(m[2]);
  }
  return out.min !== undefined && out.opt !== undefined && out.max !== undefined
    ? (out as Record<'min' | 'opt' | 'max', number>)
    : undefined;
}
