import { existsSync } from 'node:fs';
import path from 'node:path';
import { InferenceError } from '@a2f/inference';
import { isRecord, show } from './json-file.js';
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

/**
 * Reads `model.json` (§2.4): every path is relative to the folder of model.json. `networkPath`
 * names `network.trt`, a TensorRT engine users build themselves; ONNX Runtime loads the
 * `network.onnx` beside it, and a note says so.
 */
export function parseModelJson(json: unknown, file: string, notes: string[] = []): NvidiaPackFiles {
  const dir = path.dirname(file);
  const fail = (key: string, found: unknown): never => {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `"${key}" must be a relative file path, found ${show(found)}`,
      'Use the model.json shipped with the pack.',
    );
  };
  if (!isRecord(json)) fail('(root)', json);
  const get = (key: string): string => {
    let v: unknown = json;
    for (const part of key.split('.')) v = isRecord(v) ? v[part] : undefined;
    // Paths written on Windows may use backslashes; they are separators, never name characters here.
    return typeof v === 'string' && v !== '' ? v.replace(/\\/g, '/') : fail(key, v);
  };
  const out: Record<string, string> = { modelJson: file };
  for (const [key, field] of Object.entries(MODEL_JSON_KEYS)) out[field] = path.resolve(dir, get(key));

  const declared = out.networkDeclared;
  if (path.extname(declared).toLowerCase() === '.onnx') {
    out.network = declared;
  } else {
    const onnx = path.join(path.dirname(declared), `${path.basename(declared, path.extname(declared))}.onnx`);
    if (!existsSync(onnx)) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        onnx,
        `network is missing: model.json "networkPath" names "${get('networkPath')}" (a TensorRT engine), and ONNX Runtime needs the ONNX file beside it`,
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
