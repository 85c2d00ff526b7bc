// What a client's stream header and chunks may hold, and how they map onto a run's settings
// (docs/serve/protocol.md#the-header). Every check names the message field and what to send instead.
import { status } from '@grpc/grpc-js';
import { StreamError } from './errors.js';

export const MIN_SAMPLE_RATE = 16_000;
export const MAX_SAMPLE_RATE = 144_000;

/** NVIDIA's documented face parameters (camelCase on the wire) → the model's post-processing keys (docs/nvidia/postprocess.md). */
export const FACE_PARAMS: Readonly<Record<string, string>> = {
  lowerFaceSmoothing: 'lower_face_smoothing',
  upperFaceSmoothing: 'upper_face_smoothing',
  lowerFaceStrength: 'lower_face_strength',
  upperFaceStrength: 'upper_face_strength',
  faceMaskLevel: 'face_mask_level',
  faceMaskSoftness: 'face_mask_softness',
  skinStrength: 'skin_strength',
  blinkStrength: 'blink_strength',
  eyelidOpenOffset: 'eyelid_open_offset',
  lipOpenOffset: 'lip_open_offset',
  blinkOffset: 'blink_offset',
  tongueStrength: 'tongue_strength',
  tongueHeightOffset: 'tongue_height_offset',
  tongueDepthOffset: 'tongue_depth_offset',
};

/** The emotion names the protocol documents; others (Maya-ACE's `out_of_breath`) are dropped with a warning. */
export const EMOTION_NAMES = ['amazement', 'anger', 'cheekiness', 'disgust', 'fear', 'grief', 'joy', 'outofbreath', 'pain', 'sadness'];

/** EmotionPostProcessingParameters fields: Audio2Emotion's post-processing (docs/nvidia/audio2emotion.md). */
const A2E_FIELDS = [
  'emotion_contrast',
  'live_blend_coef',
  'enable_preferred_emotion',
  'preferred_emotion_strength',
  'emotion_strength',
  'max_emotions',
];

export interface AudioHeaderMsg {
  audio_format?: string;
  channel_count?: number;
  samples_per_second?: number;
  bits_per_sample?: number;
}
export interface EmotionKeyMsg {
  time_code?: number;
  emotion?: Record<string, number>;
}
export interface StreamHeaderMsg {
  audio_header?: AudioHeaderMsg;
  face_params?: {
    float_params?: Record<string, number>;
    integer_params?: Record<string, number>;
    float_array_params?: Record<string, unknown>;
  };
  emotion_post_processing_params?: Record<string, number | boolean | string | undefined>;
  blendshape_params?: {
    bs_weight_multipliers?: Record<string, number>;
    bs_weight_offsets?: Record<string, number>;
    enable_clamping_bs_weight?: boolean;
  };
  emotion_params?: { live_transition_time?: number; beginning_emotion?: Record<string, number> };
}

export interface EmotionKey {
  readonly timeSeconds: number;
  readonly emotions: Record<string, number>;
}

/** A header made into what the stream runs with. */
export interface StreamPlan {
  readonly sampleRate: number;
  /** face parameters for the model (`--param` keys), those the model has */
  readonly params: Record<string, number>;
  /** beginning_emotion as a key at 0 s, when given */
  readonly beginning?: EmotionKey;
  /** what was given but does not apply, for the stream's status */
  readonly warnings: string[];
}

const HDR = 'audio_stream_header';

/** Checks the audio header: 16-bit PCM mono at 16–144 kHz. */
export function checkAudioHeader(h: AudioHeaderMsg | undefined): number {
  const at = `${HDR}.audio_header`;
  if (!h) throw bad(`${at} is missing`, 'Send the audio format (PCM), channel_count 1, samples_per_second and bits_per_sample 16.');
  if (h.audio_format !== undefined && h.audio_format !== 'AUDIO_FORMAT_PCM')
    throw bad(`${at}.audio_format is ${h.audio_format}`, 'Send AUDIO_FORMAT_PCM.');
  if (h.channel_count !== 1)
    throw bad(`${at}.channel_count is ${h.channel_count ?? 0}`, 'Send mono audio (channel_count 1): mix the channels down first.');
  if (h.bits_per_sample !== 16)
    throw bad(`${at}.bits_per_sample is ${h.bits_per_sample ?? 0}`, 'Send 16-bit samples (bits_per_sample 16).');
  const rate = h.samples_per_second ?? 0;
  if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE)
    throw bad(
      `${at}.samples_per_second is ${rate}`,
      `Send audio at ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz (resample it first; 16000 is advised).`,
    );
  return rate;
}

/**
 * The header as run settings. `modelParams`: the post-processing keys the server's model takes (none
 * for the default model); a face parameter it lacks is a warning, as is any undocumented name.
 */
export function planStream(header: StreamHeaderMsg, modelParams: ReadonlySet<string>): StreamPlan {
  const sampleRate = checkAudioHeader(header.audio_header);
  const warnings: string[] = [];
  const params: Record<string, number> = {};
  const notForModel: string[] = [];
  for (const [name, value] of Object.entries(header.face_params?.float_params ?? {})) {
    const key = FACE_PARAMS[name];
    if (key === undefined)
      warnings.push(`face parameter "${name}" is not one the protocol documents; ignored (known: ${Object.keys(FACE_PARAMS).join(', ')})`);
    else if (!modelParams.has(key)) notForModel.push(name);
    else params[key] = finite(value, `${HDR}.face_params.float_params["${name}"]`);
  }
  if (notForModel.length) warnings.push(`face parameters ${listed(notForModel)} do not apply to this server's model; ignored`);
  for (const kind of ['integer_params', 'float_array_params'] as const) {
    const names = Object.keys(header.face_params?.[kind] ?? {});
    if (names.length) warnings.push(`face_params.${kind} ${names.join(', ')}: the protocol documents none; ignored`);
  }
  // Audio2Emotion reads windows around each frame that a stream has not received yet, so it does not
  // run live (docs/live-engine.md): the parameters that shape its output have nothing to act on.
  const pp = header.emotion_post_processing_params ?? {};
  const a2e = [
    ...A2E_FIELDS.filter((f) => pp[f] !== undefined).map((f) => `emotion_post_processing_params.${f}`),
    ...(header.emotion_params?.live_transition_time === undefined ? [] : ['emotion_params.live_transition_time']),
  ];
  if (a2e.length) warnings.push(`${a2e.join(', ')} shape emotion from the voice (Audio2Emotion), which does not run live; ignored`);
  const start = header.emotion_params?.beginning_emotion;
  const beginning =
    start && Object.keys(start).length
      ? checkEmotionKey({ time_code: 0, emotion: start }, `${HDR}.emotion_params.beginning_emotion`, (w) => warnings.push(w))
      : undefined;
  return { sampleRate, params, beginning, warnings };
}

/** Emotion keys of one chunk: time codes ≥ 0, weights 0..1, undocumented names dropped with a warning. */
export function checkEmotionKey(k: EmotionKeyMsg, at: string, warn: (msg: string) => void): EmotionKey {
  const t = k.time_code ?? 0;
  if (!Number.isFinite(t) || t < 0)
    throw bad(`${at}.time_code is ${t}`, 'Send time codes in seconds from the start of the clip, 0 or more.');
  const emotions: Record<string, number> = {};
  for (const [name, w] of Object.entries(k.emotion ?? {})) {
    if (!EMOTION_NAMES.includes(name)) {
      warn(`emotion "${name}" is not one the protocol documents; ignored (known: ${EMOTION_NAMES.join(', ')})`);
      continue;
    }
    const value = finite(w, `${at}.emotion["${name}"]`);
    if (value < 0 || value > 1) throw bad(`${at}.emotion["${name}"] is ${value}`, 'Send emotion weights from 0 to 1.');
    emotions[name] = value;
  }
  return { timeSeconds: t, emotions };
}

/** Per-weight multiplier and offset (by the stream's blendshape names), then clamping to [0, 1] when asked. */
export interface WeightAdjust {
  readonly multipliers: Float32Array;
  readonly offsets: Float32Array;
  readonly clamp: boolean;
  /** false: every multiplier 1, every offset 0, no clamping; the weights go out as the model made them */
  readonly active: boolean;
}

export function planWeights(bs: StreamHeaderMsg['blendshape_params'], names: readonly string[], warn: (msg: string) => void): WeightAdjust {
  const mult = nameMap(bs?.bs_weight_multipliers, 'bs_weight_multipliers', names, warn);
  const off = nameMap(bs?.bs_weight_offsets, 'bs_weight_offsets', names, warn);
  const multipliers = new Float32Array(names.length).fill(1);
  const offsets = new Float32Array(names.length);
  names.forEach((n, i) => {
    multipliers[i] = mult.get(n) ?? 1;
    offsets[i] = off.get(n) ?? 0;
  });
  const clamp = bs?.enable_clamping_bs_weight === true;
  return { multipliers, offsets, clamp, active: clamp || mult.size > 0 || off.size > 0 };
}

/** The weights a frame sends: `w·multiplier + offset`, clamped when asked (a new array; `w` is untouched). */
export function adjustWeights(w: Float32Array, adj: WeightAdjust): number[] {
  const out = new Array<number>(w.length);
  for (let i = 0; i < w.length; i++) {
    const v = adj.active ? w[i] * adj.multipliers[i] + adj.offsets[i] : w[i];
    out[i] = adj.clamp ? Math.min(1, Math.max(0, v)) : v;
  }
  return out;
}

function nameMap(
  given: Record<string, number> | undefined,
  field: string,
  names: readonly string[],
  warn: (msg: string) => void,
): Map<string, number> {
  const out = new Map<string, number>();
  const unknown: string[] = [];
  // Case-insensitive: NVIDIA's configs spell ARKit names in PascalCase, models often in camelCase.
  const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
  for (const [name, value] of Object.entries(given ?? {})) {
    const own = byLower.get(name.toLowerCase());
    if (own !== undefined) out.set(own, finite(value, `${HDR}.blendshape_params.${field}["${name}"]`));
    else unknown.push(name);
  }
  if (unknown.length)
    warn(`blendshape_params.${field} names ${unknown.length} blendshapes the model does not output (${listed(unknown)}); ignored`);
  return out;
}

/** Names for a message: the first few, then how many more. */
export const listed = (names: readonly string[], max = 8): string =>
  names.length <= max ? names.join(', ') : `${names.slice(0, max).join(', ')} and ${names.length - max} more`;

function finite(value: unknown, at: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw bad(`${at} is ${String(value)}`, 'Send a finite number.');
  return value;
}

const bad = (problem: string, fix: string) => new StreamError(status.INVALID_ARGUMENT, `${problem}. ${fix}`);
