import { InferenceError } from '@a2f/inference';
import { isRecord, show } from './json-file.js';
import type { NetworkInfo } from './types.js';

const FIX = 'Use the network_info.json shipped with the pack.';

/**
 * Validates `network_info.json` like the SDK's `NetworkInfoOwner::Init` (§2.3): regression network
 * with geometry output, explicit_emotions and default_emotion of equal length. Every size comes
 * from the file; nothing is assumed about Mark's numbers.
 */
export function parseNetworkInfo(json: unknown, file: string, notes: string[] = []): NetworkInfo {
  const fail = (path: string, expected: string, found: unknown): never => {
    throw new InferenceError('PACK_FIELD', file, `"${path}" must be ${expected}, found ${show(found)}`, FIX);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> => (isRecord(v) ? v : fail(path, 'an object', v));
  const root = obj(json, '(root)');
  const id = obj(root.id, 'id');
  const params = obj(root.params, 'params');
  const audio = obj(root.audio_params, 'audio_params');
  const str = (o: Record<string, unknown>, key: string, path: string): string =>
    typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : fail(path, 'a non-empty string', o[key]);
  const int = (o: Record<string, unknown>, key: string, path: string, min = 1): number => {
    const v = o[key];
    return typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(path, `an integer ≥ ${min}`, v);
  };

  if (id.type !== 'regression') {
    fail('id.type', '"regression" (this loader reads the v2.3 regression networks; v3.0 diffusion packs are not supported yet)', id.type);
  }
  if (id.output !== 'geometry') fail('id.output', '"geometry"', id.output);

  const explicit = params.explicit_emotions;
  if (!Array.isArray(explicit) || explicit.some((e) => typeof e !== 'string' || e === '')) {
    fail('params.explicit_emotions', 'an array of emotion names', explicit);
  }
  const names = explicit as string[];
  const dup = names.find((n, i) => names.findIndex((m) => m.toLowerCase() === n.toLowerCase()) !== i);
  if (dup !== undefined) fail('params.explicit_emotions', 'distinct names', `"${dup}" twice`);
  const def = params.default_emotion;
  if (!Array.isArray(def) || def.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
    fail('params.default_emotion', 'an array of numbers', def);
  }
  if ((def as number[]).length !== names.length) {
    fail('params.default_emotion', `as long as params.explicit_emotions (${names.length})`, def);
  }

  const bufferLength = int(audio, 'buffer_len', 'audio_params.buffer_len');
  const bufferOffset = int(audio, 'buffer_ofs', 'audio_params.buffer_ofs', 0);
  if (bufferOffset > bufferLength) fail('audio_params.buffer_ofs', `at most buffer_len (${bufferLength})`, bufferOffset);
  const sampleRate = int(audio, 'samplerate', 'audio_params.samplerate');

  const p = (key: string, min = 1) => int(params, key, `params.${key}`, min);
  const implicitEmotionLength = p('implicit_emotion_len', 0);
  const numShapesSkin = p('num_shapes_skin');
  const numShapesTongue = p('num_shapes_tongue');
  const numVertsSkin = p('num_verts_skin');
  const numVertsTongue = p('num_verts_tongue');
  const resultJawSize = p('result_jaw_size');
  if (resultJawSize % 3 !== 0) fail('params.result_jaw_size', 'a multiple of 3 (jaw key points × xyz)', resultJawSize);
  const resultEyesSize = p('result_eyes_size');

  const known = [
    'implicit_emotion_len',
    'explicit_emotions',
    'default_emotion',
    'num_shapes_skin',
    'num_shapes_tongue',
    'num_verts_skin',
    'num_verts_tongue',
    'result_jaw_size',
    'result_eyes_size',
  ];
  for (const k of Object.keys(params))
    if (!known.includes(k)) notes.push(`${file}: ignoring "params.${k}" (not read by the Audio2Face-3D SDK)`);

  const skin = { offset: 0, length: numShapesSkin };
  const tongue = { offset: skin.length, length: numShapesTongue };
  const jaw = { offset: tongue.offset + tongue.length, length: resultJawSize };
  const eyes = { offset: jaw.offset + jaw.length, length: resultEyesSize };
  return {
    id: { type: 'regression', actor: str(id, 'actor', 'id.actor'), version: str(id, 'version', 'id.version'), output: 'geometry' },
    implicitEmotionLength,
    explicitEmotions: names,
    defaultEmotion: def as number[],
    numShapesSkin,
    numShapesTongue,
    numVertsSkin,
    numVertsTongue,
    resultJawSize,
    resultEyesSize,
    audio: { bufferLength, bufferOffset, sampleRate },
    emotionLength: implicitEmotionLength + names.length,
    resultLength: eyes.offset + eyes.length,
    layout: { skin, tongue, jaw, eyes },
  };
}
