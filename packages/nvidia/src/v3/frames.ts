import { frameCountFor, frameTargetSample, type Rational } from '@a2f/animation';
import { InferenceError } from '@a2f/inference';

/** How a rate that does not divide the network's is delivered: only by choice (docs/nvidia/v3.md#frame-rates). */
export const V3_RESAMPLE = ['nearest'] as const;
export type V3Resample = (typeof V3_RESAMPLE)[number];

/**
 * The internal (network-rate) frame behind each delivered frame. A rate that divides the
 * network's (60 fps: 60, 30, 20, 15, 12, 10 …) takes every n-th frame, so frame k is the network's
 * frame at the same target sample; any other rate (24, 25, 29.97) is an error unless `resample`
 * is "nearest": frame k then takes the network frame nearest its target sample.
 */
export function deliveredFrames(
  network: Rational,
  internalCount: number,
  fps: Rational,
  samples: number,
  sampleRate: number,
  resample: V3Resample | undefined,
  file: string,
): Int32Array {
  const count = Math.min(frameCountFor(samples, fps, sampleRate), resample ? Number.POSITIVE_INFINITY : internalCount);
  const out = new Int32Array(count);
  const stepNum = network.num * fps.den;
  const stepDen = network.den * fps.num;
  if (stepNum % stepDen === 0) {
    const step = stepNum / stepDen;
    for (let k = 0; k < count; k++) out[k] = Math.min(k * step, internalCount - 1);
    return out;
  }
  if (resample !== 'nearest') {
    const rate = (network.num / network.den).toString();
    throw new InferenceError(
      'BAD_OPTION',
      file,
      `${(fps.num / fps.den).toFixed(3).replace(/\.?0+$/, '')} fps does not divide the v3.0 network's ${rate} fps, ` +
        "so its frames fall between the network's",
      `Use a rate that divides ${rate} (60, 30, 20, 15 …), or choose --v3-resample nearest to take the nearest network frame.`,
    );
  }
  for (let k = 0; k < count; k++) {
    const t = frameTargetSample(k, fps, sampleRate);
    const i = Math.round((t * network.num) / (sampleRate * network.den));
    out[k] = Math.max(0, Math.min(internalCount - 1, i));
  }
  return out;
}
