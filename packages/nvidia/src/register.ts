import { postprocessKind, registerKind, registerPackFormat, type PackFormat } from '@a2f/inference';
import { nvidiaKind } from './kind.js';
import { isNvidiaPack, loadNvidiaPack, MODEL_JSON } from './pack/load.js';
import { NVIDIA_KIND, toModelPack } from './pack/model-pack.js';
import { isV3Pack } from './pack/v3-load.js';

/**
 * NVIDIA's own folder layout (model.json and the files it names), read exactly as NVIDIA ships it.
 * NVIDIA packs carry no hash table of their own, so `verify` does not apply to them (`a2f models
 * verify` compares them with the known packs' hashes).
 */
export const nvidiaFormat: PackFormat = {
  name: 'NVIDIA Audio2Face-3D v2.3 (model.json)',
  marker: MODEL_JSON,
  // v3.0 packs have a model.json too; their own format (v3/register.ts) reads them.
  detect: (dir) => isNvidiaPack(dir) && !isV3Pack(dir),
  async load(dir) {
    const pack = await toModelPack(await loadNvidiaPack(dir));
    // Cross-checks network_info.json's result width against model_data.npz's sizes.
    postprocessKind(NVIDIA_KIND)!.validate(pack.postprocess.config, { file: pack.manifestPath, dir: pack.dir, outputs: pack.outputs });
    return pack;
  },
};

registerKind(NVIDIA_KIND, nvidiaKind);
registerPackFormat(nvidiaFormat);
