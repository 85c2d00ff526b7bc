// An independent reimplementation of Audio2Emotion as the SDK runs it (docs/nvidia/audio2emotion.md),
// in plain float64 from the SDK's description, for the fidelity tests: it shares no code with src/.
import { A_SCALE, P_SCALE, WEIGHTS, A2E_EMOTIONS } from '../../../models/nvidia/make-mini-a2e.mjs';

export interface RefConfig {
  readonly output_emotion_length: number;
  readonly emotion_contrast: number;
  readonly max_emotions: number;
  readonly live_blend_coef: number;
  readonly enable_preferred_emotion: boolean;
  readonly preferred_emotion_strength: number;
  readonly transition_smoothing: number;
  readonly emotion_strength: number;
  readonly preferred_emotion: readonly number[];
  readonly emotion_correspondence: Readonly<Record<string, number>>;
}

/** The mini network's logits (make-mini-a2e.mjs) for the window of `window` samples centred on sample `centre`. */
export function miniLogits(samples: Float32Array, centre: number, window: number): number[] {
  const start = centre - Math.floor(window / 2);
  let a = 0;
  let p = 0;
  for (let i = 0; i < window; i++) {
    const s = start + i;
    const x = s >= 0 && s < samples.length ? samples[s] : 0;
    a += Math.abs(x);
    p += x * x;
  }
  const fa = (A_SCALE * a) / window;
  const fp = Math.log(1 + (P_SCALE * p) / window);
  return A2E_EMOTIONS.map((_, i) => fa * WEIGHTS.w[0][i] + fp * WEIGHTS.w[1][i] + WEIGHTS.b[i]);
}

/** Every frame's A2F explicit emotion for a line at `fps` = num/den, window W, skip K. */
export function referenceA2e(
  samples: Float32Array,
  fps: { num: number; den: number },
  window: number,
  skip: number,
  c: RefConfig,
): number[][] {
  const frames = Math.ceil((samples.length * fps.num) / (16000 * fps.den));
  const target = (k: number) => Math.floor((k * 16000 * fps.den) / fps.num);
  const E = c.output_emotion_length;
  const dt = fps.den / fps.num;
  let work = new Array<number>(E).fill(0);
  let prev = new Array<number>(E).fill(0);
  let prevBlended = new Array<number>(E).fill(0);
  const out: number[][] = [];
  let logits: number[] = [];
  for (let k = 0; k < frames; k++) {
    if (k % (skip + 1) === 0) logits = miniLogits(samples, target(k), window);
    const scaled = logits.map((l) => l * c.emotion_contrast);
    const m = Math.max(...scaled);
    const ex = scaled.map((s) => Math.exp(s - m));
    const sum = ex.reduce((x, y) => x + y, 0);
    const prob = ex.map((e) => e / sum);
    A2E_EMOTIONS.forEach((name, i) => {
      if (c.emotion_correspondence[name] === -1) prob[i] = 0;
    });
    // Keep the max_emotions largest (the smallest dropped first, lower index first among equals).
    const order = prob.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    for (let r = 0; r < prob.length - c.max_emotions; r++) prob[order[r][1]] = 0;
    const a2f = k === 0 ? new Array<number>(E).fill(0) : [...work];
    A2E_EMOTIONS.forEach((name, i) => {
      const j = c.emotion_correspondence[name];
      if (j >= 0) a2f[j] = prob[i];
    });
    const src = k === 0 ? new Array<number>(E).fill(0) : prev;
    let e = a2f.map((v, i) => (1 - c.live_blend_coef) * v + c.live_blend_coef * src[i]);
    prev = [...e];
    if (c.enable_preferred_emotion)
      e = e.map((v, i) => (1 - c.preferred_emotion_strength) * v + c.preferred_emotion_strength * c.preferred_emotion[i]);
    if (k > 0) {
      const w = Math.min(dt / Math.max(c.transition_smoothing, 1e-3), 1);
      e = e.map((v, i) => w * v + (1 - w) * prevBlended[i]);
    }
    prevBlended = [...e];
    e = e.map((v) => v * c.emotion_strength);
    work = [...e];
    out.push(e);
  }
  return out;
}
