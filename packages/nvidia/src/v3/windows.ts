import type { V3NetworkInfo } from '../pack/v3-info.js';

/**
 * How the SDK's diffusion executor walks a line (docs/nvidia/v3.md#windows): window w reads
 * buffer_len samples from w·stride − padding_left (zeros outside the audio), stride =
 * buffer_len·centre/frames; the network returns `frames` frames at frames·rate/buffer_len fps of
 * which the centre ones are kept. Internal frame j (over all windows) has target sample
 * floor(j·buffer_len/frames) − padding_left + buffer_len·left/frames; frames before the audio are
 * dropped, and frames run while their target lies inside it.
 */
export interface V3Schedule {
  readonly stride: number;
  readonly targetOffset: number;
  /** the network's own frame rate, num/den (60/1 for the shipped pack) */
  readonly fps: { readonly num: number; readonly den: number };
  /** the first internal frame whose target is ≥ 0 */
  readonly firstFrame: number;
  /** internal frames delivered (target in [0, samples)) */
  readonly frameCount: number;
  /** windows run, in order (the latents chain through every one, the all-padding ones included) */
  readonly windowCount: number;
}

export function windowStart(info: V3NetworkInfo, w: number): number {
  return (w * info.bufferLength * info.framesCenter) / info.framesPerInference - info.paddingLeft;
}

/** Target sample of internal frame j (integer division as the SDK's WindowProgress). */
export function frameTarget(info: V3NetworkInfo, j: number): number {
  const targetOffset = Math.floor((info.bufferLength * info.framesLeft) / info.framesPerInference);
  return Math.floor((j * info.bufferLength) / info.framesPerInference) - info.paddingLeft + targetOffset;
}

export function v3Schedule(info: V3NetworkInfo, samples: number): V3Schedule {
  const stride = (info.bufferLength * info.framesCenter) / info.framesPerInference;
  const targetOffset = Math.floor((info.bufferLength * info.framesLeft) / info.framesPerInference);
  let firstFrame = 0;
  while (frameTarget(info, firstFrame) < 0) firstFrame++;
  // Frames run while target < samples: count them from the first one.
  let frameCount = 0;
  if (samples > 0) {
    let lo = 0;
    let hi = Math.ceil(((samples + info.paddingLeft) * info.framesPerInference) / info.bufferLength) + 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (frameTarget(info, firstFrame + mid) < samples) lo = mid + 1;
      else hi = mid;
    }
    frameCount = lo;
  }
  const windowCount = frameCount === 0 ? 0 : Math.floor((firstFrame + frameCount - 1) / info.framesCenter) + 1;
  const g = gcd(info.framesPerInference * info.sampleRate, info.bufferLength);
  return {
    stride,
    targetOffset,
    fps: { num: (info.framesPerInference * info.sampleRate) / g, den: info.bufferLength / g },
    firstFrame,
    frameCount,
    windowCount,
  };
}

/** Writes window w (buffer_len samples × gain, zeros outside the audio) into `out`. */
export function cutV3Window(samples: Float32Array, info: V3NetworkInfo, w: number, gain: number, out: Float32Array): void {
  const start = windowStart(info, w);
  const g = Math.fround(gain);
  for (let i = 0; i < info.bufferLength; i++) {
    const s = start + i;
    out[i] = s >= 0 && s < samples.length ? samples[s] * g : 0;
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}
