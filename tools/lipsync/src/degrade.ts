// Degraded copies of a corpus line (docs/lipsync-eval.md#degradations): the same timeline, harder
// audio. Each is seeded by the line's id, so a corpus degrades to the same samples on every run.
import { isPause } from './classes.js';
import { seededRandom } from '@a2f/animation';
import { biquad, muLaw, pink, power, resample, scaleTo, seedOf, white } from './dsp.js';
import type { Timeline } from './timeline.js';
import type { Sound } from './wav.js';

export const DEGRADATIONS = ['noise10', 'music', 'loud', 'quiet', 'phone8k', 'breaths'] as const;
export type Degradation = (typeof DEGRADATIONS)[number];

export function isDegradation(name: string): name is Degradation {
  return (DEGRADATIONS as readonly string[]).includes(name);
}

const dB = (v: number): number => 10 ** (v / 20);

/** Mean square of the speech: the samples inside phonemes that are not pauses. */
export function speechPower(sound: Sound, timeline: Timeline): number {
  let e = 0;
  let n = 0;
  for (const p of timeline.phonemes) {
    if (isPause(p.ph)) continue;
    const a = Math.max(0, Math.round(p.start * sound.rate));
    const b = Math.min(sound.samples.length, Math.round(p.end * sound.rate));
    for (let i = a; i < b; i++) e += sound.samples[i]! ** 2;
    n += Math.max(0, b - a);
  }
  return n ? e / n : power(sound.samples);
}

/** The degraded audio; the timeline stays what it was (breaths and clicks land in silences, which stay SILENCE). */
export function degrade(sound: Sound, timeline: Timeline, kind: Degradation, id: string): Sound {
  const rnd = seededRandom(seedOf(`${kind}:${id}`));
  const x = sound.samples;
  const ps = speechPower(sound, timeline);
  switch (kind) {
    case 'noise10':
      return { rate: sound.rate, samples: mix(x, noise(x.length, rnd, ps / 10)) };
    case 'music':
      return { rate: sound.rate, samples: mix(x, scaleTo(musicBed(x.length, sound.rate, rnd), ps * 10 ** -1.2)) };
    case 'loud':
      return { rate: sound.rate, samples: loud(x) };
    case 'quiet':
      return { rate: sound.rate, samples: x.map((v) => v * dB(-30)) };
    case 'phone8k':
      return { rate: sound.rate, samples: telephone(x, sound.rate) };
    case 'breaths':
      return { rate: sound.rate, samples: breaths(sound, timeline, rnd, ps) };
  }
}

function mix(a: Float32Array, b: Float32Array): Float32Array {
  return a.map((v, i) => v + b[i]!);
}

/** White and pink noise of equal power, together of power p: 10 dB SNR when p is the speech's ÷ 10. */
function noise(n: number, rnd: () => number, p: number): Float32Array {
  const w = scaleTo(white(n, rnd), p / 2);
  const k = scaleTo(pink(n, rnd), p / 2);
  return mix(w, k);
}

/**
 * The take driven into clipping: +12 dB over full scale on the loudest sample, then a tanh soft
 * limiter (the saturation of an overdriven preamp rather than a hard digital clip).
 */
function loud(x: Float32Array): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const g = peak > 0 ? dB(12) / peak : 1;
  return x.map((v) => 0.98 * Math.tanh(g * v));
}

/** Down to 8 kHz, the 300–3400 Hz telephone band (two 2nd-order sections each side), mu-law, back up. */
function telephone(x: Float32Array, rate: number): Float32Array {
  const y = resample(x, rate, 8000);
  for (let i = 0; i < 2; i++) {
    biquad(y, 8000, 'highpass', 300);
    biquad(y, 8000, 'lowpass', 3400);
  }
  muLaw(y);
  const back = resample(y, 8000, rate);
  const out = new Float32Array(x.length);
  out.set(back.subarray(0, x.length));
  return out;
}

/**
 * A music bed: a I–V–vi–IV chord loop (triads of three harmonics, with a bass an octave down), a
 * kick drum on each beat and a hi-hat between, at 100 bpm from a seeded start in the loop.
 */
function musicBed(n: number, rate: number, rnd: () => number): Float32Array {
  const out = new Float32Array(n);
  const beat = 0.6;
  const chords = [
    [261.63, 329.63, 392.0],
    [196.0, 246.94, 293.66],
    [220.0, 261.63, 329.63],
    [174.61, 220.0, 261.63],
  ];
  const offset = Math.floor(rnd() * 16) * beat;
  const hat = white(n, rnd);
  for (let i = 0; i < n; i++) {
    const t = i / rate + offset;
    const bar = Math.floor(t / (4 * beat));
    const chord = chords[bar % chords.length]!;
    const inChord = t - bar * 4 * beat;
    const env = Math.min(1, inChord / 0.02) * (0.6 + 0.4 * Math.exp(-inChord / 0.8));
    let v = 0;
    for (const f of chord) for (let h = 1; h <= 3; h++) v += (Math.sin(2 * Math.PI * f * h * t) / h) * 0.2;
    v += 0.3 * Math.sin(Math.PI * chord[0]! * t);
    v *= env;
    const inBeat = t - Math.floor(t / beat) * beat;
    // kick: a sine falling from 120 to 50 Hz, 150 ms decay
    const kf = 50 + 70 * Math.exp(-inBeat / 0.03);
    v += 1.2 * Math.sin(2 * Math.PI * kf * inBeat) * Math.exp(-inBeat / 0.15);
    // hi-hat: a 30 ms noise burst on the off-beat
    const off = inBeat - beat / 2;
    if (off >= 0) v += 0.25 * hat[i]! * Math.exp(-off / 0.03);
    out[i] = v;
  }
  return out;
}

/** Silences long enough to hold a breath or a click: the lead, the tail and pauses of ≥ 0.25 s. */
function silences(timeline: Timeline): { start: number; end: number; where: 'lead' | 'tail' | 'pause' }[] {
  const spoken = timeline.phonemes.filter((p) => p.end > p.start && !isPause(p.ph));
  if (!spoken.length) return [];
  const out: { start: number; end: number; where: 'lead' | 'tail' | 'pause' }[] = [];
  out.push({ start: 0, end: spoken[0]!.start, where: 'lead' });
  for (let i = 1; i < spoken.length; i++) {
    if (spoken[i]!.start - spoken[i - 1]!.end >= 0.25) out.push({ start: spoken[i - 1]!.end, end: spoken[i]!.start, where: 'pause' });
  }
  out.push({ start: spoken.at(-1)!.end, end: timeline.duration, where: 'tail' });
  return out;
}

/**
 * Breaths and mouth noises where nobody speaks: an inhalation (noise shaped by a 0.5–2.5 kHz band,
 * swelling and fading, 24 dB under the speech) before the first word and in longer pauses, and lip
 * smacks / tongue clicks (8 ms damped 2–3.5 kHz ringing, peaks 10 dB under the speech's) at the start
 * of the lead, in pauses and after the last word.
 */
function breaths(sound: Sound, timeline: Timeline, rnd: () => number, ps: number): Float32Array {
  const { rate } = sound;
  const out = sound.samples.slice();
  let peak = 0;
  for (const v of out) peak = Math.max(peak, Math.abs(v));
  const addBreath = (start: number, len: number, level: number): void => {
    const n = Math.round(len * rate);
    const b = biquad(biquad(pink(n, rnd), rate, 'highpass', 500), rate, 'lowpass', 2500);
    for (let i = 0; i < n; i++) b[i]! *= Math.sin((Math.PI * i) / n) ** 2;
    scaleTo(b, ps * dB(level) ** 2);
    const a = Math.round(start * rate);
    for (let i = 0; i < n && a + i < out.length; i++) out[a + i]! += b[i]!;
  };
  const addClick = (at: number): void => {
    const f = 2000 + 1500 * rnd();
    const n = Math.round(0.008 * rate);
    const a = Math.round(at * rate);
    const amp = peak * dB(-10);
    for (let i = 0; i < n && a + i < out.length; i++)
      out[a + i]! += amp * Math.sin((2 * Math.PI * f * i) / rate) * Math.exp(-i / (0.0015 * rate));
  };
  for (const s of silences(timeline)) {
    const len = s.end - s.start;
    if (s.where === 'lead') {
      addClick(Math.min(0.08, len / 4));
      const b = Math.min(0.35, len - 0.3);
      if (b > 0.1) addBreath(s.end - 0.2 - b, b, -24);
    } else if (s.where === 'pause') {
      addClick(s.start + len / 2);
      if (len >= 0.6) addBreath(s.start + 0.15, Math.min(0.3, len - 0.35), -24);
    } else {
      if (len > 0.3) addClick(s.start + 0.25);
      if (len > 0.55) addBreath(s.start + 0.3, Math.min(0.25, len - 0.32), -30);
    }
  }
  return out;
}
