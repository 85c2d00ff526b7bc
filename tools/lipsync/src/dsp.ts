// Signal pieces the degradations are built from: a seed per line, noise colours, biquad filters,
// a windowed-sinc resampler and G.711 mu-law. Deterministic: the same seed gives the same samples
// (the generator is @a2f/animation's seededRandom, the one the blinks and saccades draw from).

/** Seed from a string (FNV-1a), so each line of a corpus gets its own noise. */
export function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export function white(n: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = 2 * rnd() - 1;
  return out;
}

/** Pink (1/f) noise: white noise through Paul Kellet's "refined" filter, a sum of seven first-order sections. */
export function pink(n: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  let b3 = 0;
  let b4 = 0;
  let b5 = 0;
  let b6 = 0;
  for (let i = 0; i < n; i++) {
    const w = 2 * rnd() - 1;
    b0 = 0.99886 * b0 + w * 0.0555179;
    b1 = 0.99332 * b1 + w * 0.0750759;
    b2 = 0.969 * b2 + w * 0.153852;
    b3 = 0.8665 * b3 + w * 0.3104856;
    b4 = 0.55 * b4 + w * 0.5329522;
    b5 = -0.7616 * b5 - w * 0.016898;
    out[i] = b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362;
    b6 = w * 0.115926;
  }
  return out;
}

/** Mean square of x[a, b). */
export function power(x: ArrayLike<number>, a = 0, b = x.length): number {
  let e = 0;
  for (let i = a; i < b; i++) e += x[i]! * x[i]!;
  return b > a ? e / (b - a) : 0;
}

export function scaleTo(x: Float32Array, targetPower: number): Float32Array {
  const p = power(x);
  const g = p > 0 ? Math.sqrt(targetPower / p) : 0;
  for (let i = 0; i < x.length; i++) x[i]! *= g;
  return x;
}

export type BiquadType = 'lowpass' | 'highpass' | 'bandpass';

/** One RBJ-cookbook biquad, run in place over x. */
export function biquad(x: Float32Array, rate: number, type: BiquadType, freq: number, q = Math.SQRT1_2): Float32Array {
  const w = (2 * Math.PI * freq) / rate;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  let b0: number;
  let b1: number;
  let b2: number;
  if (type === 'lowpass') [b0, b1, b2] = [(1 - cos) / 2, 1 - cos, (1 - cos) / 2];
  else if (type === 'highpass') [b0, b1, b2] = [(1 + cos) / 2, -(1 + cos), (1 + cos) / 2];
  else [b0, b1, b2] = [alpha, 0, -alpha];
  const a0 = 1 + alpha;
  const a1 = -2 * cos;
  const a2 = 1 - alpha;
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = (b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1;
    x1 = x0;
    y2 = y1;
    y1 = y0;
    x[i] = y0;
  }
  return x;
}

/**
 * Band-limited resampling: each output sample is the input convolved with a Hann-windowed sinc whose
 * cutoff is 0.95 × the lower Nyquist rate, 16 zero crossings each side. Rates are whole numbers, so
 * output m lies at input position m·from/to, whose fraction repeats every to/gcd outputs: the taps of
 * each such phase are computed once.
 */
export function resample(x: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return x.slice();
  const g = gcd(from, to);
  const up = to / g;
  const down = from / g;
  const n = Math.floor((x.length * to) / from);
  const out = new Float32Array(n);
  const fc = (0.95 * Math.min(from, to)) / 2 / from; // cutoff in cycles per input sample
  const half = Math.ceil((16 * from) / (0.95 * Math.min(from, to)));
  const taps = 2 * half + 1;
  const table = new Float64Array(up * taps);
  for (let p = 0; p < up; p++) {
    const frac = p / up; // centre = base + frac
    for (let j = 0; j < taps; j++) {
      const d = j - half - frac; // tap at input base - half + j
      const sinc = d === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * d) / (Math.PI * d);
      const win = Math.abs(d) >= half ? 0 : 0.5 + 0.5 * Math.cos((Math.PI * d) / half);
      table[p * taps + j] = sinc * win;
    }
  }
  for (let m = 0; m < n; m++) {
    const num = m * down;
    const base = Math.floor(num / up);
    const p = num - base * up;
    const k0 = base - half;
    let s = 0;
    const t = p * taps;
    for (let j = Math.max(0, -k0); j < taps && k0 + j < x.length; j++) s += x[k0 + j]! * table[t + j]!;
    out[m] = s;
  }
  return out;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** G.711 mu-law: compress to 8 bits and expand back (the telephone's quantization). */
export function muLaw(x: Float32Array): Float32Array {
  const mu = 255;
  for (let i = 0; i < x.length; i++) {
    const v = Math.max(-1, Math.min(1, x[i]!));
    const c = (Math.sign(v) * Math.log1p(mu * Math.abs(v))) / Math.log1p(mu);
    const q = Math.round(c * 127) / 127;
    x[i] = (Math.sign(q) * ((1 + mu) ** Math.abs(q) - 1)) / mu;
  }
  return x;
}
