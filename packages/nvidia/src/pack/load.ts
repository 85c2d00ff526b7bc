import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { InferenceError } from '@a2f/inference';
import { implicitEmotion } from '../emotion.js';
import { parseModelConfig } from '../params.js';
import { readBlendshapeRig } from './blendshapes.js';
import { readEmotionDatabase } from './emotion-db.js';
import { sha256File } from '@a2f/base';
import { missingFile, readJson } from './json-file.js';
import { MODEL_JSON_KEYS, parseModelJson, type ModelJsonKey } from './model-json.js';
import { readModelData } from './model-data.js';
import { parseNetworkInfo } from './network-info.js';
import type { NvidiaPack, NvidiaPackFiles } from './types.js';

export const MODEL_JSON = 'model.json';

export interface LoadNvidiaPackOptions {
  /** also hash every file of the pack (≈0.3 s per 100 MB) into `pack.sha256` */
  readonly sha256?: boolean;
}

/** True when `dir` (or the file it names) looks like an NVIDIA pack: it holds a model.json. */
export function isNvidiaPack(dirOrFile: string): boolean {
  const abs = path.resolve(dirOrFile);
  if (path.basename(abs) === MODEL_JSON && existsSync(abs)) return true;
  return existsSync(path.join(abs, MODEL_JSON));
}

/**
 * Loads an Audio2Face-3D v2.3 / v2.3.1 pack from its folder (or its model.json), exactly as NVIDIA
 * ships it, and checks every file against network_info.json. Each problem is an InferenceError
 * (or a ParamError for model_config/bs_*_config values) naming the file, what was expected and
 * what was found. The ONNX file's own I/O is checked separately (checkNvidiaNetwork), since that
 * needs an ORT session.
 */
export async function loadNvidiaPack(dirOrModelJson: string, opts: LoadNvidiaPackOptions = {}): Promise<NvidiaPack> {
  const abs = path.resolve(dirOrModelJson);
  const modelJson = path.basename(abs) === MODEL_JSON && existsSync(abs) && statSync(abs).isFile() ? abs : path.join(abs, MODEL_JSON);
  const dir = path.dirname(modelJson);
  if (!existsSync(modelJson)) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      modelJson,
      existsSync(dir) ? 'no model.json here, so this folder is not an NVIDIA Audio2Face-3D pack' : 'the pack folder does not exist',
      'Pass the folder that holds model.json, network.onnx and the .npz files (as downloaded from Hugging Face).',
    );
  }
  const notes: string[] = [];
  const files = parseModelJson(await readJson(modelJson, 'model.json'), modelJson, notes);
  const named = (field: keyof NvidiaPackFiles): string => {
    const key = (Object.keys(MODEL_JSON_KEYS) as ModelJsonKey[]).find((k) => MODEL_JSON_KEYS[k] === field);
    return `model.json "${key}"`;
  };
  for (const field of ['network', 'modelData', 'emotionDatabase', 'skinData', 'tongueData'] as const) {
    if (!existsSync(files[field]))
      throw missingFile(files[field], path.basename(files[field]), named(field === 'network' ? 'networkDeclared' : field));
  }

  const networkInfo = parseNetworkInfo(
    await readJson(files.networkInfo, 'network_info.json', named('networkInfo')),
    files.networkInfo,
    notes,
  );
  const params = parseModelConfig(await readJson(files.modelConfig, 'model_config.json', named('modelConfig')), files.modelConfig, notes);
  const modelData = await readModelData(files.modelData, networkInfo);
  const emotionDb = await readEmotionDatabase(files.emotionDatabase, networkInfo.implicitEmotionLength, notes);
  const implicit = implicitEmotion(emotionDb, params.source_shot, params.source_frame, files.modelConfig);
  const skin = await readBlendshapeRig(files.skinData, files.skinConfig, networkInfo.numVertsSkin, 'num_verts_skin', notes);
  const tongue = await readBlendshapeRig(files.tongueData, files.tongueConfig, networkInfo.numVertsTongue, 'num_verts_tongue', notes);

  let sha256: Record<string, string> | undefined;
  if (opts.sha256) {
    sha256 = {};
    for (const file of new Set(Object.values(files).filter((f) => existsSync(f))))
      sha256[path.relative(dir, file)] = await sha256File(file);
  }
  return { dir, files, networkInfo, params, modelData, emotionDb, implicitEmotion: implicit, skin, tongue, notes, sha256 };
}
