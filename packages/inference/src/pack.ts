import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceError } from './errors.js';
import { parseManifest, MANIFEST_FILE } from './manifest.js';
import { isNvidiaPack, loadNvidiaPack } from './nvidia/pack/load.js';
import { NVIDIA_KIND, toModelPack } from './nvidia/pack/model-pack.js';
import { postprocessKind } from './postprocess/registry.js';
import { verifyHashes, type VerifyMode } from './sha256.js';

export type TensorDim = number | string;

/** One network tensor as a pack declares it; shape[0] is always the symbolic batch axis. */
export interface TensorSpec {
  readonly name: string;
  readonly type: 'float32';
  readonly shape: readonly TensorDim[];
}

/** How audio is windowed for the network (A2F `audio_params` + `input_strength`). */
export interface AudioParams {
  readonly sampleRate: number;
  readonly bufferLength: number;
  /** samples of the window before the frame's target sample */
  readonly bufferOffset: number;
  readonly inputStrength: number;
}

/** Which post-processing turns raw outputs into a FaceAnimation, with its kind-specific, load-checked config. */
export interface PostprocessSpec {
  readonly kind: string;
  readonly config: Readonly<Record<string, unknown>>;
}

/**
 * A model, whatever layout it shipped in: `pack.json` folders load with format 'a2f-pack/1';
 * NVIDIA's v2.3 folders (model.json …) get their own loader producing this same shape.
 */
export interface ModelPack {
  readonly format: string;
  readonly id: string;
  readonly name: string;
  readonly version: string;
  readonly license: string;
  /** absolute folder of the pack */
  readonly dir: string;
  /** the file that declared all this; errors about the pack name it */
  readonly manifestPath: string;
  readonly networkPath: string;
  readonly networkSha256: string;
  /** declared hashes, pack-relative path → lowercase hex */
  readonly sha256: Readonly<Record<string, string>>;
  /** files whose hash was checked when the pack loaded (pack-relative) */
  readonly verified: readonly string[];
  readonly audio: AudioParams;
  /** the input fed the audio windows; every other input is supplied per frame by the caller or post-processing kind */
  readonly audioInput: string;
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
  readonly postprocess: PostprocessSpec;
  /** where the weights came from, free-form, copied from the manifest */
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** The part of a pack the ORT workers need. */
export type NetworkSpec = Pick<ModelPack, 'id' | 'manifestPath' | 'networkPath' | 'audio' | 'audioInput' | 'inputs' | 'outputs'>;

export interface LoadModelPackOptions {
  /**
   * SHA-256 check of the files the manifest lists: 'auto' (default) hashes files up to 64 MiB and
   * skips larger ones (a 75 MB v2.3 network costs ~0.3 s per load); 'always'; 'never' skips it.
   */
  readonly verify?: VerifyMode;
}

/** `models/default` of the repository: this module lies in packages/inference/{src,dist}, three levels below the root. */
export const DEFAULT_PACK_DIR = fileURLToPath(new URL('../../../models/default/', import.meta.url));

/**
 * Loads `'default'` (the embedded model), a pack folder (or its pack.json), or an NVIDIA
 * Audio2Face-3D v2.3 / v2.3.1 folder exactly as NVIDIA ships it (or its model.json), and
 * validates every field. NVIDIA packs carry no hash table of their own: `opts.verify` does not
 * apply to them (`a2f models verify` compares them with the known packs' hashes).
 */
export async function loadModelPack(nameOrDir: string, opts: LoadModelPackOptions = {}): Promise<ModelPack> {
  if (nameOrDir !== 'default' && isNvidiaPack(nameOrDir)) {
    const pack = await toModelPack(await loadNvidiaPack(nameOrDir));
    // Cross-checks network_info.json's result width against model_data.npz's sizes.
    postprocessKind(NVIDIA_KIND)!.validate(pack.postprocess.config, { file: pack.manifestPath, dir: pack.dir, outputs: pack.outputs });
    return pack;
  }
  const dir = resolvePackDir(nameOrDir);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      manifestPath,
      `no ${MANIFEST_FILE} or model.json here (expected a model pack folder${nameOrDir === 'default' ? ': the embedded default model is missing' : ''})`,
      nameOrDir === 'default'
        ? 'Rebuild the default model (see models/README.md) or pass a pack folder.'
        : `Pass 'default', a folder holding ${MANIFEST_FILE} and the files it names, or an NVIDIA Audio2Face-3D pack folder (model.json, network.onnx, the .npz files).`,
    );
  }
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch (err) {
    throw new InferenceError('PACK_NOT_FOUND', manifestPath, `cannot be read (${(err as Error).message})`, 'Check the file permissions.');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new InferenceError(
      'PACK_JSON',
      manifestPath,
      `is not valid JSON (${(err as Error).message})`,
      'Fix the JSON syntax of the manifest.',
    );
  }
  const pack = parseManifest(json, manifestPath);
  const verified = await verifyHashes(pack, opts.verify ?? 'auto');
  return { ...pack, verified };
}

function resolvePackDir(nameOrDir: string): string {
  if (nameOrDir === 'default') return DEFAULT_PACK_DIR;
  const abs = path.resolve(nameOrDir);
  // Accept the manifest itself too: people tab-complete to the file.
  if (path.basename(abs) === MANIFEST_FILE && existsSync(abs) && statSync(abs).isFile()) return path.dirname(abs);
  return abs;
}
