/** SHA-256 check of a pack's listed files when it loads (LoadModelPackOptions.verify). */
export type VerifyMode = 'auto' | 'always' | 'never';

export type TensorDim = number | string;

/** One network tensor as a pack declares it; shape[batchAxis ?? 0] is the symbolic batch axis. */
export interface TensorSpec {
  readonly name: string;
  readonly type: 'float32';
  readonly shape: readonly TensorDim[];
  /**
   * Where the batch axis is when it is not first (recurrent states such as [layers, steps, B, dim]);
   * only for kinds that drive the network themselves (Postprocessor.animateLine).
   */
  readonly batchAxis?: number;
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

/** Values per frame: the product of the non-batch dims. */
export function rowWidth(t: TensorSpec): number {
  return t.shape.slice(1).reduce<number>((w, d) => w * (d as number), 1);
}
