// Training-time degradations of 16 kHz speech (models/README.md, "How the default model is
// trained"): the network must keep the mouth at rest in noise, music, breaths and clicks, and
// still follow speech that is very loud, very quiet or band-limited like a telephone line. Every
// function takes the seeded generator, so the data set is the same on every machine.

import { resample } from '@a2f/audio';

const RATE = 16000;

export function rms(x, from = 0, to = x.length) {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i] * x[i];
  return Math.sqrt(s / Math.max(1, to - from));
}

function gaussian(rand) {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** White or pink (Paul Kellet's three-pole approximation) noise of unit RMS. */
export function noise(n, rand, pink) {
  const out = new Float32Array(n);
  let b0 = 0;
  let b1 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    const w = gaussian(rand);
    if (!pink) {
      out[i] = w;
      continue;
    }
    b0 = 0.99765 * b0 + w * 0.099046;
    b1 = 0.963 * b1 + w * 0.2965164;
    b2 = 0.57 * b2 + w * 1.0526913;
    out[i] = b0 + b1 + b2 + w * 0.1848;
  }
  const r = rms(out) || 1;
  for (let i = 0; i < n; i++) out[i] /= r;
  return out;
}

/** RBJ biquad (band-pass, constant 0 dB peak) applied in place. */
function bandpass(x, lo, hi) {
  const f0 = Math.sqrt(lo * hi);
  const q = f0 / (hi - lo);
  const w = (2 * Math.PI * f0) / RATE;
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  const b = [alpha / a0, 0, -alpha / a0];
  const a = [(-2 * Math.cos(w)) / a0, (1 - alpha) / a0];
  let x1 = 0;
  let x2 = 0;
  let y1 = 0;
  let y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const y = b[0] * x[i] + b[1] * x1 + b[2] * x2 - a[0] * y1 - a[1] * y2;
    x2 = x1;
    x1 = x[i];
    y2 = y1;
    y1 = y;
    x[i] = y;
  }
  return x;
}

/** A generated music bed: chords of harmonic tones changing every 0.4–1.2 s, a kick and hi-hats. */
export function musicBed(n, rand) {
  const out = new Float32Array(n);
  let i = 0;
  const beat = Math.round(RATE * (0.35 + 0.3 * rand()));
  while (i < n) {
    const len = Math.round(RATE * (0.4 + 0.8 * rand()));
    const root = 110 * 2 ** (Math.floor(rand() * 12) / 12);
    const chord = [1, 2 ** (4 / 12), 2 ** (7 / 12), 2].map((r) => root * r * (rand() < 0.5 ? 1 : 2));
    for (let j = 0; j < len && i + j < n; j++) {
      const t = (i + j) / RATE;
      let s = 0;
      for (const f of chord) for (let h = 1; h <= 4; h++) s += Math.sin(2 * Math.PI * f * h * t) / (h * h);
      out[i + j] += 0.15 * s;
    }
    i += len;
  }
  for (let k = 0; k < n; k += beat) {
    for (let j = 0; j < 2400 && k + j < n; j++) out[k + j] += Math.sin(2 * Math.PI * 55 * (j / RATE)) * Math.exp(-j / 500);
    const hat = k + (beat >> 1);
    for (let j = 0; j < 600 && hat + j < n; j++) out[hat + j] += 0.3 * (rand() * 2 - 1) * Math.exp(-j / 120);
  }
  const r = rms(out) || 1;
  for (let k = 0; k < n; k++) out[k] /= r;
  return out;
}

/** Adds `bed` (unit RMS) at `db` relative to the speech's active RMS. */
export function mixAt(x, bed, db, speechRms) {
  const g = speechRms * 10 ** (db / 20);
  for (let i = 0; i < x.length; i++) x[i] += g * bed[i];
  return x;
}

/** Gain in dB, then a soft limiter above 0.9 of full scale (tanh), as a hot recording clips. */
export function gainClip(x, db) {
  const g = 10 ** (db / 20);
  for (let i = 0; i < x.length; i++) {
    const v = x[i] * g;
    const a = Math.abs(v);
    x[i] = a <= 0.9 ? v : Math.sign(v) * (0.9 + 0.1 * Math.tanh((a - 0.9) / 0.1));
  }
  return x;
}

/** Telephone: down to 8 kHz and back (the resampler's low-pass), then 300–3400 Hz. */
export async function telephone(x) {
  const narrow = await resample(await resample(x, RATE, 8000), 8000, RATE);
  const out = new Float32Array(x.length);
  out.set(narrow.subarray(0, x.length));
  return bandpass(out, 300, 3400);
}

/** Inhaled breaths (band-passed noise, 250–500 ms swell) and lip smacks (2–5 ms clicks) inside the given silent spans. */
export function breathsAndClicks(x, spans, rand, speechRms) {
  for (const [from, to] of spans) {
    if (to - from < RATE * 0.15) continue;
    if (rand() < 0.6) {
      const len = Math.min(to - from - 800, Math.round(RATE * (0.25 + 0.25 * rand())));
      if (len > 800) {
        const start = from + Math.floor(rand() * (to - from - len));
        const b = bandpass(noise(len, rand, true), 400, 2500);
        const g = speechRms * 10 ** ((-22 + 10 * rand()) / 20) * 2;
        for (let j = 0; j < len; j++) x[start + j] += g * b[j] * Math.sin((Math.PI * j) / len) ** 2;
      }
    }
    const clicks = Math.floor(rand() * 3);
    for (let c = 0; c < clicks; c++) {
      const at = from + Math.floor(rand() * (to - from - 100));
      const len = Math.round(RATE * (0.002 + 0.003 * rand()));
      const g = speechRms * 10 ** ((-12 + 10 * rand()) / 20) * 3;
      for (let j = 0; j < len; j++) x[at + j] += g * (rand() * 2 - 1) * Math.exp(-j / (len / 3));
    }
  }
  return x;
}
