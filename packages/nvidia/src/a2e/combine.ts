import { InferenceError, emotionIndex, type EmotionTrack, type FrameEmotion, type LineEmotion } from '@a2f/inference';

/**
 * The rule for a line with both emotion keys (a sidecar, --emotion) and emotion from the voice
 * (docs/nvidia/audio2emotion.md#keys-and-the-voice): an emotion any key names follows the keys for the
 * whole line; every other emotion follows Audio2Emotion frame by frame.
 */
export function explicitWithVoice(
  names: readonly string[],
  emotion: LineEmotion & { readonly frames: FrameEmotion },
  track: EmotionTrack,
): (frame: number, seconds: number) => Float32Array {
  const { frames, keys, source } = emotion;
  if (frames.width !== names.length) {
    throw new InferenceError(
      'BAD_OPTION',
      source,
      `Audio2Emotion gives ${frames.width} emotions per frame (output_emotion_length), ` +
        `the network takes ${names.length} (${names.join(', ')})`,
      'Use an Audio2Emotion pack made for this Audio2Face-3D pack (both v2.2/v2.3 packs use the same 10 emotions).',
    );
  }
  const index = emotionIndex(names);
  const keyed = new Set<number>();
  for (const k of keys) for (const name of Object.keys(k.emotions)) keyed.add(index(name, source, ''));
  const out = new Float32Array(names.length);
  return (frame, seconds) => {
    const f = Math.min(frame, frames.frameCount - 1);
    out.set(frames.values.subarray(f * frames.width, (f + 1) * frames.width));
    if (keyed.size) {
      const fromKeys = track.explicitAt(seconds);
      for (const e of keyed) out[e] = fromKeys[e];
    }
    return out;
  };
}

/** The curves the network took, frame by frame, for the layer and the export JSON (FaceAnimation.emotions). */
export function voiceCurves(
  names: readonly string[],
  emotion: LineEmotion & { readonly frames: FrameEmotion },
  track: EmotionTrack,
  frameCount: number,
  seconds: (frame: number) => number,
): { names: string[]; values: Float32Array } {
  if (emotion.frames.frameCount !== frameCount) {
    throw new InferenceError(
      'BAD_OPTION',
      emotion.source,
      `the emotion from the voice has ${emotion.frames.frameCount} frames, the line has ${frameCount}`,
      'Make the Audio2Emotion frames from the same samples at the same frame rate as the line (A2eRunner.emotions).',
    );
  }
  const at = explicitWithVoice(names, emotion, track);
  const values = new Float32Array(frameCount * names.length);
  for (let f = 0; f < frameCount; f++) values.set(at(f, seconds(f)), f * names.length);
  return { names: [...names], values };
}

/** Provenance of a line's emotion from the voice: what made it, and which emotions the keys held instead. */
export function describeVoice(names: readonly string[], emotion: LineEmotion & { readonly frames: FrameEmotion }): Record<string, unknown> {
  const index = emotionIndex(names);
  const keyed = new Set<string>();
  for (const k of emotion.keys) for (const name of Object.keys(k.emotions)) keyed.add(names[index(name, emotion.source, '')]!);
  return { ...emotion.frames.provenance, ...(keyed.size ? { keyedEmotions: [...keyed] } : {}) };
}
