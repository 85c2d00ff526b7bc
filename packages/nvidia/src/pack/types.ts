import type { FaceParams, SolverConfig } from '../params.js';

/** A slice of the network's `result` row. */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

/** `network_info.json`, validated, with the sizes derived from it (docs/nvidia/pack-format.md#network-info). */
export interface NetworkInfo {
  readonly id: { readonly type: 'regression'; readonly actor: string; readonly version: string; readonly output: 'geometry' };
  readonly implicitEmotionLength: number;
  readonly explicitEmotions: readonly string[];
  readonly defaultEmotion: readonly number[];
  readonly numShapesSkin: number;
  readonly numShapesTongue: number;
  readonly numVertsSkin: number;
  readonly numVertsTongue: number;
  readonly resultJawSize: number;
  readonly resultEyesSize: number;
  readonly audio: { readonly bufferLength: number; readonly bufferOffset: number; readonly sampleRate: number };
  /** implicit + explicit: the last dim of the `emotion` input */
  readonly emotionLength: number;
  /** skin + tongue shapes + jaw + eyes: the last dim of `result` */
  readonly resultLength: number;
  /** where each part lies in a `result` row, in the network's order */
  readonly layout: { readonly skin: Span; readonly tongue: Span; readonly jaw: Span; readonly eyes: Span };
}

/**
 * `model_data.npz`: the SDK's 8 arrays, flat float32 in C order. Matrices are [shapes, verts, 3];
 * poses and means are [verts, 3]; the saccade table is [frames, 2] (x, y).
 */
export interface ModelData {
  readonly shapesMatrixSkin: Float32Array;
  readonly shapesMeanSkin: Float32Array;
  readonly lipOpenPoseDelta: Float32Array;
  readonly eyeClosePoseDelta: Float32Array;
  readonly shapesMatrixTongue: Float32Array;
  readonly shapesMeanTongue: Float32Array;
  readonly neutralJaw: Float32Array;
  readonly saccadeRotMatrix: Float32Array;
  readonly saccadeFrames: number;
}

/** One shot of `implicit_emo_db.npz`: rows start … start+size−1 of the table. */
export interface EmotionShot {
  readonly name: string;
  readonly start: number;
  readonly size: number;
}

/** `implicit_emo_db.npz`: `rows` is [frames × width] float32. */
export interface EmotionDatabase {
  readonly file: string;
  readonly rows: Float32Array;
  readonly width: number;
  readonly shots: readonly EmotionShot[];
}

/** `bs_skin.npz`/`bs_tongue.npz` + its solver config (docs/nvidia/solver.md#rig, #config). */
export interface BlendshapeRig {
  /** pose names in file order, without the leading "neutral" */
  readonly poseNames: readonly string[];
  /** [verts × 3] */
  readonly neutral: Float32Array;
  /** one [verts × 3] delta per pose, in `poseNames` order */
  readonly deltas: readonly Float32Array[];
  /** vertex indices the solver restricts itself to; absent when the rig has none (tongue) */
  readonly frontalMask?: Int32Array;
  readonly rigVersion?: string;
  readonly vertexCount: number;
  readonly config: SolverConfig;
}

/** Absolute paths of a pack's files, as model.json names them (network mapped to the .onnx). */
export interface NvidiaPackFiles {
  readonly modelJson: string;
  readonly networkInfo: string;
  /** the ONNX file that is actually loaded */
  readonly network: string;
  /** `networkPath` as model.json wrote it (usually "network.trt") */
  readonly networkDeclared: string;
  readonly modelConfig: string;
  readonly modelData: string;
  readonly emotionDatabase: string;
  readonly skinData: string;
  readonly skinConfig: string;
  readonly tongueData: string;
  readonly tongueConfig: string;
}

/** A v2.3 / v2.3.1 regression pack read from the folder exactly as NVIDIA ships it. */
export interface NvidiaPack {
  /** absolute folder of model.json */
  readonly dir: string;
  readonly files: NvidiaPackFiles;
  readonly networkInfo: NetworkInfo;
  /** model_config.json "config" (parseModelConfig) */
  readonly params: FaceParams;
  readonly modelData: ModelData;
  readonly emotionDb: EmotionDatabase;
  /** the implicit emotion row for params.source_shot / source_frame */
  readonly implicitEmotion: Float32Array;
  readonly skin: BlendshapeRig;
  readonly tongue: BlendshapeRig;
  /** things worth telling a user that are not errors (network.trt mapping, defaulted params, ignored keys) */
  readonly notes: readonly string[];
  /** pack-relative path → SHA-256 hex, when loaded with `{ sha256: true }` */
  readonly sha256?: Readonly<Record<string, string>>;
}
