import { checkJson, expects, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { fieldError } from './json-file.js';

const INFO_FIX = 'Use the network_info.json shipped with the Audio2Face-3D v3.0 pack.';
const INDEX_FIX = 'Use the model.json shipped with the Audio2Face-3D v3.0 pack.';

const text = expects(v.pipe(v.string(), v.nonEmpty()), 'a non-empty string');
const int = (min = 1) => expects(v.pipe(v.number(), v.integer(), v.minValue(min)), `an integer ≥ ${min}`);
const names = (what: string) => expects(v.pipe(v.array(text), v.minLength(1)), `a non-empty array of ${what}`);

/** The diffusion network_info.json, as the SDK's diffusion NetworkInfoOwner::Init reads it (docs/nvidia/v3.md#network-info). */
const NETWORK_INFO = jsonObject(
  {
    id: jsonObject(
      {
        type: expects(v.literal('diffusion'), '"diffusion" (a v3.0 pack; v2.3 regression packs have "regression")'),
        output: expects(v.literal('geometry'), '"geometry"'),
      },
      'an object',
      { extraKeys: true },
    ),
    params: jsonObject(
      {
        emotions: names('emotion names'),
        default_emotion: expects(v.array(expects(v.pipe(v.number(), v.finite()), 'a number')), 'an array of numbers'),
        identities: names('identity names'),
        skin_size: v.pipe(int(), v.multipleOf(3, 'a multiple of 3 (vertices × xyz)')),
        tongue_size: v.pipe(int(), v.multipleOf(3, 'a multiple of 3 (vertices × xyz)')),
        jaw_size: v.pipe(int(), v.multipleOf(3, 'a multiple of 3 (key points × xyz)')),
        eyes_size: int(),
        num_diffusion_steps: int(),
        num_gru_layers: int(),
        gru_latent_dim: int(),
        num_frames_left_truncate: int(0),
        num_frames_right_truncate: int(0),
        num_frames_center: int(),
      },
      'an object',
      { extraKeys: true },
    ),
    audio_params: jsonObject({ buffer_len: int(), padding_left: int(0), padding_right: int(0), samplerate: int() }, 'an object', {
      extraKeys: true,
    }),
  },
  'an object',
  { extraKeys: true },
);

export interface V3NetworkInfo {
  readonly emotions: readonly string[];
  readonly defaultEmotion: Float32Array;
  readonly identities: readonly string[];
  readonly skinSize: number;
  readonly tongueSize: number;
  readonly jawSize: number;
  readonly eyesSize: number;
  readonly diffusionSteps: number;
  readonly gruLayers: number;
  readonly gruLatentDim: number;
  readonly framesLeft: number;
  readonly framesRight: number;
  readonly framesCenter: number;
  readonly bufferLength: number;
  readonly paddingLeft: number;
  readonly paddingRight: number;
  readonly sampleRate: number;
  /** skin + tongue + jaw + eyes: values per frame of `prediction` */
  readonly frameWidth: number;
  /** left + centre + right: frames per inference */
  readonly framesPerInference: number;
}

export function parseV3NetworkInfo(json: unknown, file: string): V3NetworkInfo {
  const { params: p, audio_params: a } = checkJson(NETWORK_INFO, json, fieldError(file, INFO_FIX));
  if (p.default_emotion.length !== p.emotions.length) {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `"params.default_emotion" has ${p.default_emotion.length} values for ${p.emotions.length} emotions`,
      INFO_FIX,
    );
  }
  const framesPerInference = p.num_frames_left_truncate + p.num_frames_center + p.num_frames_right_truncate;
  // The SDK's window stride is buffer_len·centre/frames samples: it must be whole (docs/nvidia/v3.md#windows).
  if ((a.buffer_len * p.num_frames_center) % framesPerInference !== 0) {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `"audio_params.buffer_len" ${a.buffer_len} × ${p.num_frames_center} centre frames is not a whole number of ` +
        `${framesPerInference}-frame strides`,
      INFO_FIX,
    );
  }
  return {
    emotions: p.emotions,
    defaultEmotion: Float32Array.from(p.default_emotion),
    identities: p.identities,
    skinSize: p.skin_size,
    tongueSize: p.tongue_size,
    jawSize: p.jaw_size,
    eyesSize: p.eyes_size,
    diffusionSteps: p.num_diffusion_steps,
    gruLayers: p.num_gru_layers,
    gruLatentDim: p.gru_latent_dim,
    framesLeft: p.num_frames_left_truncate,
    framesRight: p.num_frames_right_truncate,
    framesCenter: p.num_frames_center,
    bufferLength: a.buffer_len,
    paddingLeft: a.padding_left,
    paddingRight: a.padding_right,
    sampleRate: a.samplerate,
    frameWidth: p.skin_size + p.tongue_size + p.jaw_size + p.eyes_size,
    framesPerInference,
  };
}

const pathText = expects(v.pipe(v.string(), v.nonEmpty()), 'a file name');
const rigPaths = jsonObject({ config: pathText, data: pathText }, 'an object with "config" and "data"', { extraKeys: true });

/** The v3.0 model.json: one path per identity, in network_info.json's identity order (SDK ReadDiffusionModelInfo). */
const MODEL_JSON = jsonObject(
  {
    networkInfoPath: pathText,
    networkPath: pathText,
    modelConfigPaths: expects(v.pipe(v.array(pathText), v.minLength(1)), 'an array of model_config_<Identity>.json names'),
    modelDataPaths: expects(v.pipe(v.array(pathText), v.minLength(1)), 'an array of model_data_<Identity>.npz names'),
    blendshapePaths: expects(
      v.pipe(v.array(jsonObject({ skin: rigPaths, tongue: rigPaths }, 'an object', { extraKeys: true })), v.minLength(1)),
      'an array of { skin, tongue } file pairs, one per identity',
    ),
  },
  'an object',
  { extraKeys: true },
);

export type V3ModelJson = v.InferOutput<typeof MODEL_JSON>;

export function parseV3ModelJson(json: unknown, file: string): V3ModelJson {
  return checkJson(MODEL_JSON, json, fieldError(file, INDEX_FIX));
}

/** A model.json in the v3.0 layout (per-identity path arrays), told apart from v2.3's without validating it. */
export function looksLikeV3ModelJson(json: unknown): boolean {
  return typeof json === 'object' && json !== null && Array.isArray((json as Record<string, unknown>).modelConfigPaths);
}
