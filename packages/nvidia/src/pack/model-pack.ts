import path from 'node:path';
import type { ModelPack, TensorSpec } from '@a2f/inference';
import { sha256File } from '@a2f/base';
import type { NetworkInfo, NvidiaPack } from './types.js';

/** `ModelPack.format` of packs read by this loader. */
export const NVIDIA_FORMAT = 'nvidia-a2f-v2.3';
/** The post-processing kind that turns `result` rows into geometry/weights. */
export const NVIDIA_KIND = 'a2f-v2.3';
/** The batch axis name in NVIDIA's export (train_regression.py dynamic_axes). */
export const BATCH_AXIS = 'batch_size';

/** The tensors network_info.json implies: input [B,1,buffer_len], emotion [B,1,16+E], result [B,1,S+T+J+eyes]. */
export function nvidiaTensors(info: NetworkInfo): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  return {
    inputs: [
      { name: 'input', type: 'float32', shape: [BATCH_AXIS, 1, info.audio.bufferLength] },
      { name: 'emotion', type: 'float32', shape: [BATCH_AXIS, 1, info.emotionLength] },
    ],
    outputs: [{ name: 'result', type: 'float32', shape: [BATCH_AXIS, 1, info.resultLength] }],
  };
}

const title = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The engine's generic ModelPack for an NVIDIA pack. `postprocess.config.pack` carries the loaded
 * NvidiaPack (arrays included) for the 'a2f-v2.3' kind; `manifestPath` is network_info.json, the
 * file that declares the I/O contract, so contract errors point there. The network is hashed
 * here unless the pack was loaded with `{ sha256: true }`.
 */
export async function toModelPack(pack: NvidiaPack): Promise<ModelPack> {
  const info = pack.networkInfo;
  const rel = (f: string) => path.relative(pack.dir, f);
  const sha256 = { ...(pack.sha256 ?? {}) };
  const networkRel = rel(pack.files.network);
  sha256[networkRel] ??= await sha256File(pack.files.network);
  const { inputs, outputs } = nvidiaTensors(info);
  return {
    format: NVIDIA_FORMAT,
    id: `nvidia-a2f-${info.id.actor}-v${info.id.version}`.replace(/[^A-Za-z0-9._-]/g, '_'),
    name: `Audio2Face-3D v${info.id.version} ${title(info.id.actor)}`,
    version: info.id.version,
    license: 'NVIDIA Open Model License',
    dir: pack.dir,
    manifestPath: pack.files.networkInfo,
    networkPath: pack.files.network,
    networkSha256: sha256[networkRel],
    sha256,
    verified: [],
    audio: {
      sampleRate: info.audio.sampleRate,
      bufferLength: info.audio.bufferLength,
      bufferOffset: info.audio.bufferOffset,
      inputStrength: pack.params.input_strength,
    },
    audioInput: 'input',
    inputs,
    outputs,
    postprocess: { kind: NVIDIA_KIND, config: { pack } },
    provenance: {
      source: 'NVIDIA Audio2Face-3D pack (model.json layout)',
      actor: info.id.actor,
      version: info.id.version,
      modelJson: rel(pack.files.modelJson),
      network: networkRel,
      sourceShot: pack.params.source_shot,
      sourceFrame: pack.params.source_frame,
    },
  };
}
