import { registerKind, registerPackFormat, type PackFormat } from '@a2f/inference';
import { isV3Pack, loadV3Pack } from '../pack/v3-load.js';
import { NVIDIA_V3_KIND, toV3ModelPack } from '../pack/v3-model-pack.js';
import { nvidiaV3Kind } from './kind.js';

/** NVIDIA's v3.0 layout: a model.json with one config, model data and rig per identity (docs/nvidia/v3.md#files). */
export const nvidiaV3Format: PackFormat = {
  name: 'NVIDIA Audio2Face-3D v3.0 (model.json, per identity)',
  marker: 'model.json',
  detect: isV3Pack,
  load: async (dir) => toV3ModelPack(await loadV3Pack(dir)),
};

registerKind(NVIDIA_V3_KIND, nvidiaV3Kind);
registerPackFormat(nvidiaV3Format);
