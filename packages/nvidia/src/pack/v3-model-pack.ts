import path from 'node:path';
import { sha256File } from '@a2f/base';
import type { ModelPack, TensorSpec } from '@a2f/inference';
import type { V3NetworkInfo } from './v3-info.js';
import type { V3Pack } from './v3-load.js';

export const NVIDIA_V3_FORMAT = 'nvidia-a2f-v3.0';
export const NVIDIA_V3_KIND = 'a2f-v3.0';
const B = 'batch_size';

/**
 * The diffusion network's tensors (docs/nvidia/v3.md#tensors, SDK model_diffusion.cpp bindings):
 * window [B, buffer_len], identity [B, identities], emotion [B, centre, emotions], input_latents
 * [steps, layers, B, latent] (batch third), noise [B, steps+1, frames, width] → prediction
 * [B, frames, width], output_latents like input_latents.
 */
export function v3Tensors(info: V3NetworkInfo): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const latents = (name: string): TensorSpec => ({
    name,
    type: 'float32',
    shape: [info.diffusionSteps, info.gruLayers, B, info.gruLatentDim],
    batchAxis: 2,
  });
  return {
    inputs: [
      { name: 'window', type: 'float32', shape: [B, info.bufferLength] },
      { name: 'identity', type: 'float32', shape: [B, info.identities.length] },
      { name: 'emotion', type: 'float32', shape: [B, info.framesCenter, info.emotions.length] },
      latents('input_latents'),
      { name: 'noise', type: 'float32', shape: [B, info.diffusionSteps + 1, info.framesPerInference, info.frameWidth] },
    ],
    outputs: [{ name: 'prediction', type: 'float32', shape: [B, info.framesPerInference, info.frameWidth] }, latents('output_latents')],
  };
}

export async function toV3ModelPack(pack: V3Pack): Promise<ModelPack> {
  const info = pack.info;
  const rel = (f: string) => path.relative(pack.dir, f);
  const networkSha256 = await sha256File(pack.network);
  const { inputs, outputs } = v3Tensors(info);
  const first = pack.identities[0];
  return {
    format: NVIDIA_V3_FORMAT,
    id: 'nvidia-a2f-v3.0',
    name: `Audio2Face-3D v3.0 (${info.identities.join(', ')})`,
    version: '3.0',
    license: 'NVIDIA Open Model License',
    dir: pack.dir,
    manifestPath: pack.networkInfoPath,
    networkPath: pack.network,
    networkSha256,
    sha256: { [rel(pack.network)]: networkSha256 },
    verified: [],
    // bufferOffset: where the first kept frame's target lies in a window (buffer_len·left/frames).
    audio: {
      sampleRate: info.sampleRate,
      bufferLength: info.bufferLength,
      bufferOffset: Math.floor((info.bufferLength * info.framesLeft) / info.framesPerInference),
      inputStrength: first.params.input_strength,
    },
    audioInput: 'window',
    inputs,
    outputs,
    postprocess: { kind: NVIDIA_V3_KIND, config: { pack } },
    provenance: {
      source: 'NVIDIA Audio2Face-3D v3.0 pack (model.json layout)',
      identities: [...info.identities],
      modelJson: rel(pack.modelJson),
    },
  };
}
