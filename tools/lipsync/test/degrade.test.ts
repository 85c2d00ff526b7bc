// The degradations measured on a signal whose content is known: a harmonic "vowel" between silences.
import { describe, expect, it } from 'vitest';
import { degrade, DEGRADATIONS, speechPower, type Sound, type Timeline } from '../src/index.js';

const RATE = 22050;
/** 1 s of silence, 1 s of a 150 Hz tone with four harmonics (0.3 peak-ish), 1 s of silence. */
function vowel(): Sound {
  const x = new Float32Array(3 * RATE);
  for (let i = RATE; i < 2 * RATE; i++) {
    const t = i / RATE;
    for (let h = 1; h <= 4; h++) x[i]! += (0.12 / h) * Math.sin(2 * Math.PI * 150 * h * t);
  }
  return { rate: RATE, samples: x };
}
const timeline: Timeline = {
  format: 'lipsync-eval.timeline/1',
  source: 'test',
  text: 'a',
  voice: 'none',
  sample_rate: RATE,
  wav: 'a.wav',
  num_samples: 3 * RATE,
  duration: 3,
  phonemes: [
    { i: 0, ph: 'a', start: 1, end: 2 },
    { i: 1, ph: '_', start: 2, end: 2 },
  ],
};
const db = (ratio: number): number => 10 * Math.log10(ratio);
const diffPower = (a: Float32Array, b: Float32Array, from = 0, to = a.length): number => {
  let e = 0;
  for (let i = from; i < to; i++) e += (a[i]! - b[i]!) ** 2;
  return e / (to - from);
};
/** Amplitude of the sinusoid of frequency f in x (least squares over whole cycles). */
function amplitude(x: Float32Array, f: number, from: number, to: number): number {
  let c = 0;
  let s = 0;
  for (let i = from; i < to; i++) {
    c += x[i]! * Math.cos((2 * Math.PI * f * i) / RATE);
    s += x[i]! * Math.sin((2 * Math.PI * f * i) / RATE);
  }
  return (2 * Math.hypot(c, s)) / (to - from);
}

describe('degradations', () => {
  const clean = vowel();
  const ps = speechPower(clean, timeline);

  it('are deterministic, and seeded by the line', () => {
    const bytes = (s: Float32Array): Buffer => Buffer.from(s.buffer, s.byteOffset, s.byteLength);
    for (const kind of DEGRADATIONS) {
      expect(bytes(degrade(clean, timeline, kind, 'x').samples).equals(bytes(degrade(clean, timeline, kind, 'x').samples)), kind).toBe(
        true,
      );
    }
    expect(degrade(clean, timeline, 'noise10', 'x').samples).not.toEqual(degrade(clean, timeline, 'noise10', 'y').samples);
  });

  it('noise10 adds noise 10 dB under the speech, over the whole take', () => {
    const y = degrade(clean, timeline, 'noise10', 'x').samples;
    expect(db(ps / diffPower(y, clean.samples))).toBeCloseTo(10, 1);
    // in the silence too: the mouth must rest on noise alone
    expect(db(ps / diffPower(y, clean.samples, 0, RATE))).toBeLessThan(11);
  });

  it('music lies 12 dB under the speech and plays through the silences', () => {
    const y = degrade(clean, timeline, 'music', 'x').samples;
    expect(db(ps / diffPower(y, clean.samples))).toBeCloseTo(12, 1);
    expect(db(ps / diffPower(y, clean.samples, 0, RATE))).toBeLessThan(20);
  });

  it('quiet is 30 dB down', () => {
    const y = degrade(clean, timeline, 'quiet', 'x').samples;
    expect(db(speechPower({ rate: RATE, samples: y }, timeline) / ps)).toBeCloseTo(-30, 3);
  });

  it('loud drives the peaks into a soft limit: louder, never past full scale', () => {
    const y = degrade(clean, timeline, 'loud', 'x').samples;
    const peak = Math.max(...y.map(Math.abs));
    expect(peak).toBeLessThanOrEqual(0.98);
    expect(peak).toBeGreaterThan(0.95);
    expect(db(speechPower({ rate: RATE, samples: y }, timeline) / ps)).toBeGreaterThan(9);
  });

  it('phone8k keeps the 300–3400 Hz band and removes what lies outside it', () => {
    const x = new Float32Array(2 * RATE);
    for (let i = 0; i < x.length; i++) {
      const t = i / RATE;
      x[i] = 0.2 * (Math.sin(2 * Math.PI * 100 * t) + Math.sin(2 * Math.PI * 1000 * t) + Math.sin(2 * Math.PI * 6000 * t));
    }
    const tones: Timeline = { ...timeline, duration: 2, num_samples: x.length, phonemes: [{ i: 0, ph: 'a', start: 0, end: 2 }] };
    const y = degrade({ rate: RATE, samples: x }, tones, 'phone8k', 'x').samples;
    const [a, b] = [RATE / 2, (3 * RATE) / 2];
    expect(20 * Math.log10(amplitude(y, 1000, a, b) / 0.2)).toBeCloseTo(0, 0);
    // two 2nd-order high-passes at 300 Hz: about −38 dB at 100 Hz; 6 kHz lies above the 8 kHz rate's Nyquist
    expect(20 * Math.log10(amplitude(y, 100, a, b) / 0.2)).toBeLessThan(-25);
    expect(20 * Math.log10(amplitude(y, 6000, a, b) / 0.2)).toBeLessThan(-30);
  });

  it('breaths and clicks go into the silences only; the speech is untouched', () => {
    const y = degrade(clean, timeline, 'breaths', 'x').samples;
    for (let i = RATE; i < 2 * RATE; i++) if (y[i] !== clean.samples[i]) throw new Error(`speech sample ${i} changed`);
    // an inhalation in the lead, 24 dB under the speech at its level (about −30 dB over the whole lead)
    expect(db(diffPower(y, clean.samples, 0, RATE) / ps)).toBeGreaterThan(-40);
    expect(db(diffPower(y, clean.samples, 0, RATE) / ps)).toBeLessThan(-20);
    expect(diffPower(y, clean.samples, 2 * RATE, 3 * RATE)).toBeGreaterThan(0);
  });
});
