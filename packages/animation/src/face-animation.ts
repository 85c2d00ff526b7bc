import type { Rational } from './time.js';

/**
 * One joint's motion, relative to the joint's rest pose in the character: the USD writer composes
 * rest translation + `translations[f]` and rest rotation · `rotations[f]`. Keeping motion relative
 * keeps inference ignorant of any particular skeleton.
 */
export interface JointTrack {
  readonly name: string;
  /** frames × 4, unit quaternions (w, x, y, z). */
  readonly rotations: Float32Array;
  /** frames × 3, offsets in the joint's parent space, in centimetres (A2F's unit; the USD writer converts to the asset's metersPerUnit). */
  readonly translations: Float32Array;
}

export interface Provenance {
  readonly tool: { readonly name: string; readonly version: string };
  readonly model: { readonly id: string; readonly kind: string; readonly version?: string; readonly sha256?: string };
  /** Every parameter that changes the result (strengths, smoothing, seeds, emotion keys...). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly audio?: {
    readonly file: string;
    readonly sha256: string;
    readonly sampleRate: number;
    readonly channels: number;
    readonly durationSeconds: number;
    /**
     * Set only when the audio was cut short or damaged and processed anyway (--allow-truncated):
     * what was wrong, how far the intact audio reached and what was animated (docs/audio-input.md).
     */
    readonly truncation?: {
      readonly code: string;
      readonly reason: string;
      readonly declaredSeconds?: number;
      readonly goodSeconds: number;
      readonly decodedSeconds: number;
    };
  };
}

/** The one data model every stage agrees on: per-frame blendshape weights and joint motion. */
export interface FaceAnimation {
  readonly fps: Rational;
  readonly frameCount: number;
  /** Blendshape channel names; `weights` columns follow this order. */
  readonly channels: readonly string[];
  /** frameCount × channels.length, frame-major. */
  readonly weights: Float32Array;
  readonly joints: readonly JointTrack[];
  readonly provenance: Provenance;
  /** the explicit emotion the network took per frame, when it came from the voice (NVIDIA packs with --a2e) */
  readonly emotions?: EmotionCurves;
}

/** Emotion strengths per frame, written beside the animation so an animator can see and edit them (docs/usd-layers.md). */
export interface EmotionCurves {
  /** the network's explicit emotion names, in its order */
  readonly names: readonly string[];
  /** frameCount × names.length, frame-major */
  readonly values: Float32Array;
}

export interface FaceAnimationInit {
  fps: Rational;
  frameCount: number;
  channels: readonly string[];
  joints?: readonly string[];
  provenance: Provenance;
}

/** Allocates an all-zero animation: weights 0, joints at rest (identity rotation, zero offset). */
export function createFaceAnimation(init: FaceAnimationInit): FaceAnimation {
  const { frameCount, channels } = init;
  if (!Number.isInteger(frameCount) || frameCount < 0) throw new RangeError(`frameCount ${frameCount} must be a non-negative integer`);
  if (new Set(channels).size !== channels.length) throw new Error('blendshape channel names must be unique');
  const joints = (init.joints ?? []).map((name) => {
    const rotations = new Float32Array(frameCount * 4);
    for (let f = 0; f < frameCount; f++) rotations[f * 4] = 1;
    return { name, rotations, translations: new Float32Array(frameCount * 3) };
  });
  return {
    fps: init.fps,
    frameCount,
    channels: [...channels],
    weights: new Float32Array(frameCount * channels.length),
    joints,
    provenance: init.provenance,
  };
}

export function channelIndex(anim: FaceAnimation, name: string): number {
  const i = anim.channels.indexOf(name);
  if (i < 0) throw new Error(`no blendshape channel "${name}" (have: ${anim.channels.join(', ')})`);
  return i;
}

/** One channel over all frames (a copy). */
export function channelCurve(anim: FaceAnimation, name: string): Float32Array {
  const c = channelIndex(anim, name);
  const n = anim.channels.length;
  const out = new Float32Array(anim.frameCount);
  for (let f = 0; f < anim.frameCount; f++) out[f] = anim.weights[f * n + c];
  return out;
}

export function jointTrack(anim: FaceAnimation, name: string): JointTrack | undefined {
  return anim.joints.find((j) => j.name === name);
}

/** Throws on anything a USD consumer would choke on: wrong lengths, NaN/Inf, non-unit quaternions. */
export function validateFaceAnimation(anim: FaceAnimation): void {
  const { frameCount, channels } = anim;
  if (anim.weights.length !== frameCount * channels.length) {
    throw new Error(`weights has ${anim.weights.length} values, expected ${frameCount}×${channels.length}`);
  }
  for (let i = 0; i < anim.weights.length; i++) {
    if (!Number.isFinite(anim.weights[i])) {
      throw new Error(`weight of "${channels[i % channels.length]}" at frame ${Math.floor(i / channels.length)} is not finite`);
    }
  }
  for (const j of anim.joints) {
    if (j.rotations.length !== frameCount * 4 || j.translations.length !== frameCount * 3) {
      throw new Error(
        `joint "${j.name}" has ${j.rotations.length / 4} rotations and ${j.translations.length / 3} translations for ${frameCount} frames`,
      );
    }
    for (let f = 0; f < frameCount; f++) {
      const q = j.rotations.subarray(f * 4, f * 4 + 4);
      const n = Math.hypot(q[0], q[1], q[2], q[3]);
      if (!(Math.abs(n - 1) < 1e-3)) throw new Error(`joint "${j.name}" rotation at frame ${f} is not a unit quaternion (|q| = ${n})`);
      const t = j.translations.subarray(f * 3, f * 3 + 3);
      if (!t.every(Number.isFinite)) throw new Error(`joint "${j.name}" translation at frame ${f} is not finite`);
    }
  }
  const e = anim.emotions;
  if (e && (e.values.length !== frameCount * e.names.length || !e.values.every(Number.isFinite))) {
    throw new Error(`emotion curves hold ${e.values.length} values, expected ${frameCount}×${e.names.length} finite ones`);
  }
}
