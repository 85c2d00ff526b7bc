import { checkJson, describe, expects, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';
import { fieldError } from './json-file.js';
import type { NetworkInfo } from './types.js';

const FIX = 'Use the network_info.json shipped with the pack.';

const text = expects(v.pipe(v.string(), v.nonEmpty()), 'a non-empty string');
const int = (min = 1) => expects(v.pipe(v.number(), v.integer(), v.minValue(min)), `an integer ≥ ${min}`);

/** The `params` keys the SDK reads; others are noted and ignored. */
const PARAMS = {
  explicit_emotions: expects(v.array(expects(v.pipe(v.string(), v.nonEmpty()), 'an emotion name')), 'an array of emotion names'),
  default_emotion: expects(v.array(expects(v.pipe(v.number(), v.finite()), 'a number')), 'an array of numbers'),
  implicit_emotion_len: int(0),
  num_shapes_skin: int(),
  num_shapes_tongue: int(),
  num_verts_skin: int(),
  num_verts_tongue: int(),
  result_jaw_size: v.pipe(int(), v.multipleOf(3, 'a multiple of 3 (jaw key points × xyz)')),
  result_eyes_size: int(),
};

const NETWORK_INFO = jsonObject(
  {
    id: jsonObject(
      {
        type: expects(
          v.literal('regression'),
          '"regression" (this loader reads the v2.3 regression networks; a v3.0 diffusion pack has a model.json ' +
            'listing files per identity, docs/nvidia/v3.md)',
        ),
        output: expects(v.literal('geometry'), '"geometry"'),
        actor: text,
        version: text,
      },
      'an object',
      { extraKeys: true },
    ),
    params: jsonObject(PARAMS, 'an object', { extraKeys: true }),
    audio_params: jsonObject({ buffer_len: int(), buffer_ofs: int(0), samplerate: int() }, 'an object', { extraKeys: true }),
  },
  'an object',
  { extraKeys: true },
);

/**
 * Validates `network_info.json` like the SDK's `NetworkInfoOwner::Init` (docs/nvidia/pack-format.md,
 * "Network info"): regression network with geometry output, explicit_emotions and default_emotion of
 * equal length. Every size comes from the file; nothing is assumed about Mark's numbers.
 */
export function parseNetworkInfo(json: unknown, file: string, notes: string[] = []): NetworkInfo {
  const fail = (path: string, expected: string, found: string): never => {
    throw new InferenceError('PACK_FIELD', file, `"${path}" must be ${expected}, found ${found}`, FIX);
  };
  const { id, params, audio_params: audio } = checkJson(NETWORK_INFO, json, fieldError(file, FIX));

  const names = params.explicit_emotions;
  const dup = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
  if (dup !== undefined) fail('params.explicit_emotions', 'distinct names', `"${dup}" twice`);
  const def = params.default_emotion;
  if (def.length !== names.length) {
    fail('params.default_emotion', `as long as params.explicit_emotions (${names.length})`, describe(def));
  }
  const bufferLength = audio.buffer_len;
  const bufferOffset = audio.buffer_ofs;
  if (bufferOffset > bufferLength) fail('audio_params.buffer_ofs', `at most buffer_len (${bufferLength})`, describe(bufferOffset));

  for (const k of Object.keys(params))
    if (!Object.hasOwn(PARAMS, k)) notes.push(`${file}: ignoring "params.${k}" (not read by the Audio2Face-3D SDK)`);

  const skin = { offset: 0, length: params.num_shapes_skin };
  const tongue = { offset: skin.length, length: params.num_shapes_tongue };
  const jaw = { offset: tongue.offset + tongue.length, length: params.result_jaw_size };
  const eyes = { offset: jaw.offset + jaw.length, length: params.result_eyes_size };
  return {
    id: { type: 'regression', actor: id.actor, version: id.version, output: 'geometry' },
    implicitEmotionLength: params.implicit_emotion_len,
    explicitEmotions: names,
    defaultEmotion: def,
    numShapesSkin: params.num_shapes_skin,
    numShapesTongue: params.num_shapes_tongue,
    numVertsSkin: params.num_verts_skin,
    numVertsTongue: params.num_verts_tongue,
    resultJawSize: params.result_jaw_size,
    resultEyesSize: params.result_eyes_size,
    audio: { bufferLength, bufferOffset, sampleRate: audio.samplerate },
    emotionLength: params.implicit_emotion_len + names.length,
    resultLength: eyes.offset + eyes.length,
    layout: { skin, tongue, jaw, eyes },
  };
}
