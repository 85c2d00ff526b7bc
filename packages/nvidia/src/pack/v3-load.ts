import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { InferenceError } from '@a2f/inference';
import { parseModelConfig, type FaceParams } from '../params.js';
import { float32Array } from './arrays.js';
import { readBlendshapeRig } from './blendshapes.js';
import { missingFile, readJson } from './json-file.js';
import { NpzFile } from './npz.js';
import type { BlendshapeRig } from './types.js';
import { looksLikeV3ModelJson, parseV3ModelJson, parseV3NetworkInfo, type V3NetworkInfo } from './v3-info.js';

const MODEL_JSON = 'model.json';

/** One identity's post-processing data: model_config_<Id>.json, model_data_<Id>.npz and its blendshape rig. */
export interface V3Identity {
  readonly name: string;
  readonly params: FaceParams;
  readonly neutralSkin: Float32Array;
  readonly lipOpenPoseDelta: Float32Array;
  readonly eyeClosePoseDelta: Float32Array;
  readonly neutralTongue: Float32Array;
  readonly neutralJaw: Float32Array;
  readonly saccadeRotMatrix: Float32Array;
  readonly skin: BlendshapeRig;
  readonly tongue: BlendshapeRig;
  /** the identity's files, absolute */
  readonly files: readonly string[];
}

export interface V3Pack {
  readonly dir: string;
  readonly modelJson: string;
  readonly networkInfoPath: string;
  readonly network: string;
  readonly info: V3NetworkInfo;
  /** in network_info.json's identity order (the one-hot order) */
  readonly identities: readonly V3Identity[];
  readonly notes: readonly string[];
}

/** Whether `dir` holds a v3.0 pack: a model.json with per-identity path arrays. Cheap: reads model.json only. */
export function isV3Pack(dirOrFile: string): boolean {
  const abs = path.resolve(dirOrFile);
  const file = path.basename(abs) === MODEL_JSON ? abs : path.join(abs, MODEL_JSON);
  if (!existsSync(file) || !statSync(file).isFile()) return false;
  try {
    return looksLikeV3ModelJson(JSON.parse(readFileSync(file, 'utf8').replace(/^\uFEFF/, '')));
  } catch {
    return false;
  }
}

/**
 * Loads an Audio2Face-3D v3.0 pack as shipped (docs/nvidia/v3.md#files): model.json, the diffusion
 * network_info.json, and for every identity its model config, model data and skin/tongue rigs.
 * A missing identity file is an error naming the file, the identity and the model.json key.
 */
export async function loadV3Pack(dirOrModelJson: string): Promise<V3Pack> {
  const abs = path.resolve(dirOrModelJson);
  const modelJson = path.basename(abs) === MODEL_JSON ? abs : path.join(abs, MODEL_JSON);
  const dir = path.dirname(modelJson);
  const index = parseV3ModelJson(await readJson(modelJson, MODEL_JSON), modelJson);
  const at = (p: string) => path.resolve(dir, p);
  const networkInfoPath = at(index.networkInfoPath);
  const info = parseV3NetworkInfo(await readJson(networkInfoPath, 'network_info.json', 'model.json "networkInfoPath"'), networkInfoPath);
  const notes: string[] = [];
  let network = at(index.networkPath);
  // NVIDIA's model.json names the TensorRT engine users build; ONNX Runtime loads the network.onnx beside it.
  if (path.extname(network).toLowerCase() !== '.onnx') {
    const onnx = path.join(path.dirname(network), `${path.basename(network, path.extname(network))}.onnx`);
    notes.push(`${modelJson}: "networkPath" names ${path.basename(network)}; loading ${path.basename(onnx)} beside it`);
    network = onnx;
  }
  if (!existsSync(network)) throw missingFile(network, path.basename(network), 'model.json "networkPath"');
  const count = info.identities.length;
  for (const key of ['modelConfigPaths', 'modelDataPaths', 'blendshapePaths'] as const) {
    if (index[key].length !== count) {
      throw new InferenceError(
        'PACK_FIELD',
        modelJson,
        `"${key}" lists ${index[key].length} entries, network_info.json has ${count} identities (${info.identities.join(', ')})`,
        'Use the model.json shipped with the pack: it lists one file per identity, in network_info.json order.',
      );
    }
  }
  const identities: V3Identity[] = [];
  for (let i = 0; i < count; i++) {
    const name = info.identities[i];
    const named = (key: string) => `model.json "${key}"[${i}], identity "${name}"`;
    const files = {
      config: at(index.modelConfigPaths[i]),
      data: at(index.modelDataPaths[i]),
      skinConfig: at(index.blendshapePaths[i].skin.config),
      skinData: at(index.blendshapePaths[i].skin.data),
      tongueConfig: at(index.blendshapePaths[i].tongue.config),
      tongueData: at(index.blendshapePaths[i].tongue.data),
    };
    const origin: Record<keyof typeof files, string> = {
      config: named('modelConfigPaths'),
      data: named('modelDataPaths'),
      skinConfig: named('blendshapePaths'),
      skinData: named('blendshapePaths'),
      tongueConfig: named('blendshapePaths'),
      tongueData: named('blendshapePaths'),
    };
    for (const [k, f] of Object.entries(files) as [keyof typeof files, string][]) {
      if (!existsSync(f)) throw missingFile(f, path.basename(f), origin[k]);
    }
    identities.push(await loadIdentity(name, files, info, notes));
  }
  return { dir, modelJson, networkInfoPath, network, info, identities, notes };
}

async function loadIdentity(
  name: string,
  files: { config: string; data: string; skinConfig: string; skinData: string; tongueConfig: string; tongueData: string },
  info: V3NetworkInfo,
  notes: string[],
): Promise<V3Identity> {
  const json = (await readJson(files.config, path.basename(files.config))) as { config?: Record<string, unknown> };
  // v3.0 configs have no implicit emotion (no emotion database): the shot keys are filled so the v2.3 reader applies.
  const config = json && typeof json === 'object' && json.config && typeof json.config === 'object' ? json.config : undefined;
  const params = parseModelConfig(config ? { config: { source_shot: '-', source_frame: 0, ...config } } : json, files.config, notes);
  const npz = await NpzFile.open(files.data);
  const skinVerts = info.skinSize / 3;
  const tongueVerts = info.tongueSize / 3;
  const jawPoints = info.jawSize / 3;
  const read = async (key: string, shape: number[], meaning: string): Promise<Float32Array> => {
    if (!npz.has(key)) {
      throw new InferenceError(
        'PACK_FIELD',
        files.data,
        `has no "${key}" (${meaning}); it holds ${npz.keys().join(', ')}`,
        'Use the model_data_<Identity>.npz shipped with the v3.0 pack.',
      );
    }
    const arr = await npz.read(key);
    return float32Array(arr, files.data, key, [shape, [shape.reduce((a, b) => a * b, 1)]], meaning);
  };
  try {
    const neutralSkin = await read('neutral_skin', [skinVerts, 3], 'the skin neutral');
    const lipOpenPoseDelta = await read('lip_open_pose_delta', [skinVerts, 3], 'the lip-open pose');
    const eyeClosePoseDelta = await read('eye_close_pose_delta', [skinVerts, 3], 'the eye-close pose');
    const neutralTongue = await read('neutral_tongue', [tongueVerts, 3], 'the tongue neutral');
    const neutralJaw = await read('neutral_jaw', [jawPoints, 3], 'the jaw key points');
    const saccadeArr = await npz.read('saccade_rot_matrix');
    const saccadeRotMatrix = float32Array(saccadeArr, files.data, 'saccade_rot_matrix', [[saccadeArr.shape[0] ?? 0, 2]], 'rows × (x, y)');
    const skin = await readBlendshapeRig(files.skinData, files.skinConfig, skinVerts, 'params.skin_size / 3', notes);
    const tongue = await readBlendshapeRig(files.tongueData, files.tongueConfig, tongueVerts, 'params.tongue_size / 3', notes);
    return {
      name,
      params,
      neutralSkin,
      lipOpenPoseDelta,
      eyeClosePoseDelta,
      neutralTongue,
      neutralJaw,
      saccadeRotMatrix,
      skin,
      tongue,
      files: Object.values(files),
    };
  } finally {
    await npz.close();
  }
}
