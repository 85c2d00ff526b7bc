// Test signals and the measures tests take of them; deterministic, so every run compares equal.

export function sine(n: number, rate: number, hz: number, amp: number, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate + phase);
  return x;
}

/**
 * A vowel-like line: silence, from `from` to `to` seconds a sum of sine partials ([hz, amplitude]),
 * silence to `seconds`. Speech enough for a model to open and close the jaw on.
 */
export function voicedLine(opts: {
  rate: number;
  seconds: number;
  from: number;
  to: number;
  partials: readonly (readonly [number, number])[];
}): Float32Array {
  const { rate } = opts;
  const x = new Float32Array(Math.round(rate * opts.seconds));
  for (let i = Math.round(rate * opts.from); i < Math.round(rate * opts.to); i++) {
    const t = i / rate;
    for (const [f, a] of opts.partials) x[i] += a * Math.sin(2 * Math.PI * f * t);
  }
  return x;
}

/** A short speech-like line: 8 harmonics of f0 under a syllable envelope; distinct f0, distinct samples. */
export function speech(f0: number, seconds = 0.4, rate = 16000): Float32Array {
  const n = Math.round(seconds * rate);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    s[i] = 0.2 * v * Math.sin((Math.PI * i) / n) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
  }
  return s;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

export function peak(x: Float32Array, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

export const firstAbove = (x: Float32Array, threshold: number): number => x.findIndex((v) => Math.abs(v) > threshold);
