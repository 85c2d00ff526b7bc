import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkJson, expects, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { fieldError } from './json-file.js';
import type { NvidiaPackFiles } from './types.js';

/** model.json key → which NvidiaPackFiles entry it fills. */
export const MODEL_JSON_KEYS = {
  networkInfoPath: 'networkInfo',
  networkPath: 'networkDeclared',
  modelConfigPath: 'modelConfig',
  modelDataPath: 'modelData',
  emotionDatabasePath: 'emotionDatabase',
  'blendshapePaths.skin.data': 'skinData',
  'blendshapePaths.skin.config': 'skinConfig',
  'blendshapePaths.tongue.data': 'tongueData',
  'blendshapePaths.tongue.config': 'tongueConfig',
} as const satisfies Record<string, keyof NvidiaPackFiles>;

export type ModelJsonKey = keyof typeof MODEL_JSON_KEYS;

const filePath = expects(v.pipe(v.string(), v.nonEmpty()), 'a relative file path');
const rig = jsonObject({ data: filePath, config: filePath }, 'an object', { extraKeys: true });
/** model.json: the keys of MODEL_JSON_KEYS, each a path; other keys are the SDK's business and pass. */
const MODEL_JSON = jsonObject(
  {
    networkInfoPath: filePath,
    networkPath: filePath,
    modelConfigPath: filePath,
    modelDataPath: filePath,
    emotionDatabasePath: filePath,
    blendshapePaths: jsonObject({ skin: rig, tongue: rig }, 'an object', { extraKeys: true }),
  },
  'an object',
  { extraKeys: true },
);

/**
 * Reads `model.json` (docs/nvidia/pack-format.md#model-index): every path is relative to the folder of model.json. `networkPath`
 * names `network.trt`, a TensorRT engine users build themselves; ONNX Runtime loads the
 * `network.onnx` beside it, and a note says so.
 */
export function parseModelJson(json: unknown, file: string, notes: string[] = []): NvidiaPackFiles {
  const dir = path.dirname(file);
  const parsed = checkJson(MODEL_JSON, json, fieldError(file, 'Use the model.json shipped with the pack.'));
  const get = (key: ModelJsonKey): string => {
    let v: unknown = parsed;
    for (const part of key.split('.')) v = (v as Record<string, unknown>)[part];
    // Paths written on Windows may use backslashes; they are separators, never name characters here.
    return (v as string).replace(/\\/g, '/');
  };
  const out: Record<string, string> = { modelJson: file };
  for (const [key, field] of Object.entries(MODEL_JSON_KEYS)) out[field] = path.resolve(dir, get(key as ModelJsonKey));

  const declared = out.networkDeclared;
  if (path.extname(declared).toLowerCase() === '.onnx') {
    out.network = declared;
  } else {
    const onnx = path.join(path.dirname(declared), `${path.basename(declared, path.extname(declared))}.onnx`);
    if (!existsSync(onnx)) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        onnx,
        `network is missing: model.json "networkPath" names "${get('networkPath')}" (a TensorRT engine), ` +
          'and ONNX Runtime needs the ONNX file beside it',
        `Put the pack's network.onnx at ${onnx} (download the complete pack again with a2f models pull).`,
      );
    }
    out.network = onnx;
    notes.push(
      `${file}: "networkPath" names ${path.basename(declared)} (a TensorRT engine); loading ${path.basename(onnx)} beside it instead`,
    );
  }
  return out as unknown as NvidiaPackFiles;
}
