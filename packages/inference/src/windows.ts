import { frameCountFor, frameTargetSample, type Rational } from '@a2f/animation';
import type { AudioParams } from './pack-types.js';

/** Offline frame count (A2F: frames run while their target sample lies inside the audio). */
export function frameCount(sampleCount: number, fps: Rational, audio: AudioParams): number {
  return frameCountFor(sampleCount, fps, audio.sampleRate);
}

/**
 * Writes the windows of frames [first, first+count) into `out` (count × bufferLength), exactly as
 * the A2F SDK reads them: frame k covers [t_k − bufferOffset, t_k − bufferOffset + bufferLength)
 * with t_k = floor(k·rate·den/num), zeros outside the audio, every sample × inputStrength.
 * Called per batch with a reused buffer, so a long line never holds all its windows at once.
 * `origin`: the line's sample index of samples[0], for a live stream that has dropped the audio
 * no window needs any more (docs/live-engine.md); samples past the end are zeros, as at a line's end.
 */
export function cutWindows(
  samples: Float32Array,
  audio: AudioParams,
  fps: Rational,
  first: number,
  count: number,
  out: Float32Array,
  origin = 0,
): void {
  const { bufferLength: len, bufferOffset, sampleRate } = audio;
  // The SDK holds input_strength as a float; f32·f32 is exact in double, so one rounding on store equals its float multiply.
  const gain = Math.fround(audio.inputStrength);
  if (out.length < count * len) throw new RangeError(`window buffer holds ${out.length} samples, ${count}×${len} needed`);
  const n = samples.length;
  for (let i = 0; i < count; i++) {
    const row = out.subarray(i * len, (i + 1) * len);
    const start = frameTargetSample(first + i, fps, sampleRate) - bufferOffset - origin;
    const from = Math.max(0, start);
    const to = Math.min(n, start + len);
    if (to <= from) {
      row.fill(0);
      continue;
    }
    row.fill(0, 0, from - start);
    row.fill(0, to - start);
    const dst = from - start;
    if (gain === 1) {
      row.set(samples.subarray(from, to), dst);
    } else {
      for (let j = from; j < to; j++) row[dst + j - from] = samples[j] * gain;
    }
  }
}
