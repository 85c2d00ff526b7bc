import type { Rational } from './time.js';

/** Small, fast, seedable PRNG (mulberry32) so blinks and saccades are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A2F's smoothing coefficient for a half-life in seconds: α = 1 − 0.5^(dt/halfLife). */
export function halfLifeAlpha(halfLifeSeconds: number, fps: Rational): number {
  if (halfLifeSeconds <= 0) return 1;
  return 1 - 0.5 ** (fps.den / fps.num / halfLifeSeconds);
}

/**
 * Second-order exponential smoother (two cascaded one-pole stages, the A2F skin smoother), applied
 * in place to each column of a frame-major matrix. The first frame initialises the state, so a
 * constant signal passes unchanged.
 */
export function smoothColumns(values: Float32Array, columns: number, alpha: number): void {
  if (alpha >= 1 || columns === 0) return;
  const frames = values.length / columns;
  const s1 = values.slice(0, columns);
  const s2 = values.slice(0, columns);
  for (let f = 1; f < frames; f++) {
    const row = f * columns;
    for (let c = 0; c < columns; c++) {
      s1[c] += (values[row + c] - s1[c]) * alpha;
      s2[c] += (s1[c] - s2[c]) * alpha;
      values[row + c] = s2[c];
    }
  }
}

/** Mean seconds between procedural blinks: people at rest blink every 3–4 s. */
export const DEFAULT_BLINK_INTERVAL_SECONDS = 3.5;

export interface BlinkOptions {
  frameCount: number;
  fps: Rational;
  seed?: number;
  /** mean seconds between blinks (A2F's microservice used 3.0) */
  intervalSeconds?: number;
  /** seconds from open to closed to open */
  durationSeconds?: number;
}

/**
 * Procedural blink curve in [0, 1] (1 = closed): intervals drawn uniformly from 0.5–1.5× the mean,
 * a quick close and a slower open, as people blink. The same seed gives the same curve.
 */
export function blinkCurve(opts: BlinkOptions): Float32Array {
  return blinkCurveStream(opts)(opts.frameCount);
}

/**
 * blinkCurve frame by frame, for a track whose length is not known yet (a live stream): each call
 * returns the next `count` values, and the calls together equal blinkCurve of their total length,
 * bit for bit (a frame's value depends only on the blinks around it, never on where the curve ends).
 * Holds only the blinks that still reach frames not yet returned.
 */
export function blinkCurveStream(opts: Omit<BlinkOptions, 'frameCount'>): (count: number) => Float32Array {
  const { fps } = opts;
  const interval = opts.intervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS;
  const duration = opts.durationSeconds ?? 0.25;
  if (!(interval > 0) || !(duration > 0)) throw new RangeError('blink interval and duration must be positive');
  const rand = seededRandom(opts.seed ?? 0);
  const spf = fps.den / fps.num;
  const closing = duration * 0.4;
  let next = interval * (0.3 + 0.7 * rand());
  let pending: number[] = [];
  let done = 0;
  return (count) => {
    const end = done + count;
    const out = new Float32Array(count);
    // The blinks blinkCurve of `end` frames visits: those starting before the last frame's end.
    for (; next < end * spf; next += Math.max(duration * 2, interval * (0.5 + rand()))) pending.push(next);
    for (const t of pending) {
      const first = Math.max(done, Math.floor(t / spf));
      const last = Math.min(end - 1, Math.ceil((t + duration) / spf));
      for (let f = first; f <= last; f++) {
        const u = f * spf - t;
        let v = 0;
        if (u >= 0 && u < closing) v = Math.sin((u / closing) * (Math.PI / 2));
        else if (u >= closing && u <= duration) v = Math.cos(((u - closing) / (duration - closing)) * (Math.PI / 2));
        out[f - done] = Math.max(out[f - done], v);
      }
    }
    pending = pending.filter((t) => Math.ceil((t + duration) / spf) >= end);
    done = end;
    return out;
  };
}
