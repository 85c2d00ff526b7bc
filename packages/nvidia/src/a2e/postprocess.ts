import type { A2eConfig } from '../pack/a2e-pack.js';

/**
 * The SDK's Audio2Emotion post-processing, one frame at a time, in float32 as its kernel computes it
 * (docs/nvidia/audio2emotion.md#post-processing): softmax of logits × contrast, classifier emotions
 * without an A2F counterpart zeroed, all but the `max_emotions` largest zeroed, scattered onto the A2F
 * emotions, blended with the previous frame (live_blend_coef), optionally with the preferred emotion,
 * smoothed towards the previous output over `transition_smoothing` seconds, scaled by emotion_strength.
 */
export class A2ePostprocessor {
  private readonly inLen: number;
  private readonly outLen: number;
  private readonly a2e: Float32Array;
  /** the A2F vector as the kernel keeps it: slots no classifier emotion writes carry the last output */
  private readonly a2f: Float32Array;
  private readonly prev: Float32Array;
  private readonly prevBlended: Float32Array;
  private readonly beginning: Float32Array;
  private readonly preferred: Float32Array;
  private readonly dt: number;
  private first = true;

  constructor(
    private readonly config: A2eConfig,
    /** classifier output i → A2F index, −1: dropped */
    private readonly correspondence: readonly number[],
    /** seconds per frame: the executor's 1/fps, which replaces the file's fixed_dt (executor_core.cpp) */
    dt: number,
  ) {
    this.inLen = correspondence.length;
    this.outLen = config.output_emotion_length;
    this.a2e = new Float32Array(this.inLen);
    this.a2f = new Float32Array(this.outLen);
    this.prev = new Float32Array(this.outLen);
    this.prevBlended = new Float32Array(this.outLen);
    // The SDK starts every track from zeros (ConfigInfoOwner::Init: "beginning emotion" is not in the file).
    this.beginning = new Float32Array(this.outLen);
    this.preferred = Float32Array.from(config.preferred_emotion);
    this.dt = Math.fround(dt);
  }

  /** One frame: `logits` (the classifier's row) → `out` (output_emotion_length values). */
  step(logits: ArrayLike<number>, out: Float32Array): void {
    const f = Math.fround;
    const { a2e, a2f, inLen, outLen, config } = this;
    const first = this.first;
    if (first) a2f.set(this.beginning);
    const contrast = f(config.emotion_contrast);
    let max = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < inLen; i++) {
      a2e[i] = f(logits[i] * contrast);
      if (a2e[i] > max) max = a2e[i];
    }
    let sum = 0;
    for (let i = 0; i < inLen; i++) {
      a2e[i] = f(Math.exp(f(a2e[i] - max)));
      sum = f(sum + a2e[i]);
    }
    for (let i = 0; i < inLen; i++) a2e[i] = f(a2e[i] / sum);
    for (let i = 0; i < inLen; i++) if (this.correspondence[i] === -1) a2e[i] = 0;
    keepLargest(a2e, config.max_emotions);
    for (let i = 0; i < inLen; i++) {
      const j = this.correspondence[i];
      if (j !== -1) a2f[j] = a2e[i];
    }
    const blend = f(config.live_blend_coef);
    const source = first ? this.beginning : this.prev;
    for (let i = 0; i < outLen; i++) {
      a2f[i] = f(f(f(1 - blend) * a2f[i]) + f(blend * source[i]));
      this.prev[i] = a2f[i];
    }
    if (config.enable_preferred_emotion) {
      const s = f(config.preferred_emotion_strength);
      for (let i = 0; i < outLen; i++) a2f[i] = f(f(f(1 - s) * a2f[i]) + f(s * this.preferred[i]));
    }
    if (!first) {
      const w = Math.min(f(this.dt / f(Math.max(f(config.transition_smoothing), f(1e-3)))), 1);
      for (let i = 0; i < outLen; i++) a2f[i] = f(f(w * a2f[i]) + f(f(1 - w) * this.prevBlended[i]));
    }
    this.prevBlended.set(a2f);
    const strength = f(config.emotion_strength);
    for (let i = 0; i < outLen; i++) a2f[i] = f(a2f[i] * strength);
    out.set(a2f);
    this.first = false;
  }
}

/**
 * Zeroes all but the `keep` largest values, as the SDK kernel does: the smallest remaining value is
 * removed first, the lowest index first among equals.
 */
function keepLargest(values: Float32Array, keep: number): void {
  const n = values.length;
  if (keep >= n) return;
  const removed = new Uint8Array(n);
  for (let k = 0; k < n - keep; k++) {
    let at = -1;
    for (let i = 0; i < n; i++) if (!removed[i] && (at < 0 || values[i] < values[at])) at = i;
    removed[at] = 1;
  }
  for (let i = 0; i < n; i++) if (removed[i]) values[i] = 0;
}
