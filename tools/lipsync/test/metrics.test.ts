// The metrics on a hand-made timeline and animation whose answers are worked out below.
import { describe, expect, it } from 'vitest';
import {
  classify,
  driveScores,
  evaluate,
  isKnown,
  plosiveReleases,
  restCores,
  segments,
  type Animation,
  type Timeline,
} from '../src/index.js';

// 2.6 s: silence, p, t, a, t, m, t, u:, t, i:, silence. Boundaries on 0.1 s so that, at 100 fps, every
// frame from a segment's start to its end (both included) can hold the segment's value: the metrics read
// the animation linearly between frames, so a segment whose frames all hold v reads exactly v.
const PHONES: [string, number, number][] = [
  ['p', 0.5, 0.6],
  ['t', 0.6, 0.7],
  ['a', 0.7, 1.0],
  ['t', 1.0, 1.1],
  ['m', 1.1, 1.2],
  ['t', 1.2, 1.3],
  ['u:', 1.3, 1.5],
  ['t', 1.5, 1.6],
  ['i:', 1.6, 1.8],
  ['_:', 1.8, 1.8],
];
const timeline: Timeline = {
  format: 'lipsync-eval.timeline/1',
  source: 'hand-made',
  text: 'pa mu: i:',
  voice: 'none',
  sample_rate: 1000,
  wav: 'none.wav',
  num_samples: 2600,
  duration: 2.6,
  phonemes: PHONES.map(([ph, start, end], i) => ({ i, ph, start, end })),
};

const NAMES = ['jawOpen', 'mouthPucker', 'mouthFunnel', 'mouthPressLeft', 'mouthPressRight', 'mouthSmileLeft'];
const FPS = 100;
/** Frame values by time: jaw 0.1 on p and m, 0.6 on a, linear between; pucker 0.5 on u:, 0.1 on i:; press 0.3 on p/m. */
function frame(t: number): number[] {
  const inside = (a: number, b: number): boolean => t >= a - 1e-9 && t <= b + 1e-9;
  const ramp = (a: number, va: number, b: number, vb: number): number => va + ((vb - va) * (t - a)) / (b - a);
  let jaw = 0;
  if (inside(0.5, 0.6) || inside(1.1, 1.2)) jaw = 0.1;
  else if (inside(0.7, 1.0)) jaw = 0.6;
  else if (inside(0.6, 0.7)) jaw = ramp(0.6, 0.1, 0.7, 0.6);
  else if (inside(1.0, 1.1)) jaw = ramp(1.0, 0.6, 1.1, 0.1);
  else if (inside(1.2, 1.8)) jaw = 0.25;
  const pucker = inside(1.3, 1.5) ? 0.5 : inside(1.6, 1.8) ? 0.1 : 0;
  const press = inside(0.5, 0.6) || inside(1.1, 1.2) ? 0.3 : 0;
  // mouthSmileLeft holds 0.05 throughout: the face's largest mouth weight while it rests
  return [jaw, pucker, 0, press, press, 0.05];
}
const animation = (shiftFrames = 0): Animation => ({
  fps: FPS,
  names: NAMES,
  frames: Array.from({ length: 261 }, (_, k) => frame((k - shiftFrames) / FPS)),
});

describe('classes', () => {
  it('classes espeak-ng mnemonics as the judge does, plus the tongue and sibilant classes', () => {
    expect(classify('O:')).toEqual(['OPEN', 'ROUNDED']);
    expect(classify("'a")).toEqual(['OPEN']);
    expect(classify('T')).toEqual(['OTHER', 'DENTAL']);
    expect(classify('n')).toEqual(['OTHER', 'ALVEOLAR']);
    expect(classify('S')).toEqual(['OTHER', 'POSTALVEOLAR']);
    expect(classify('z')).toEqual(['OTHER', 'SIBILANT']);
    expect(classify('_:')).toEqual(['SILENCE']);
    expect(classify('y:')).toEqual(['ROUNDED']);
    expect(classify('Q9')).toEqual(['OTHER']);
    expect(isKnown('Q9')).toBe(false);
    expect(isKnown('u:')).toBe(true);
  });

  it('cuts the timeline into gap-free segments and trims the rest cores next to speech only', () => {
    const segs = segments(timeline);
    expect(segs[0]).toMatchObject({ ph: '', start: 0, end: 0.5, classes: ['SILENCE'] });
    expect(segs.at(-1)).toMatchObject({ ph: '', start: 1.8, end: 2.6, classes: ['SILENCE'] });
    // the zero-length _: is dropped
    expect(segs.map((s) => s.ph).join(' ')).toBe(' p t a t m t u: t i: ');
    const cores = restCores(segs, 0.15);
    expect(cores.map((c) => [c.start, +c.end.toFixed(6)])).toEqual([
      [0, 0.35],
      [1.95, 2.6],
    ]);
  });
});

describe('plosive releases', () => {
  // espeak-ng's p: closure from 0.5 s, released at 0.55 s, aspirated to 0.65 s; festival's b (no event): 0.9–1.0 s
  const stops: Timeline = {
    ...timeline,
    phonemes: [
      { i: 0, ph: 'p', start: 0.5, end: 0.65, event: 0.55 },
      { i: 1, ph: 'a', start: 0.65, end: 0.9 },
      { i: 2, ph: 'b', start: 0.9, end: 1.0 },
      { i: 3, ph: 'm', start: 1.0, end: 1.1, event: 1.0 },
      { i: 4, ph: 'a', start: 1.1, end: 1.8 },
    ],
  };

  it('lie at the event where the synthesizer stamped one, else at the end; m has none', () => {
    expect(plosiveReleases(stops)).toEqual([0.55, 1.0]);
  });

  it('cheek_puff reads the puff around the release, not at the end of the aspiration', () => {
    const puffAround = (centres: number[]): Animation => ({
      fps: FPS,
      names: ['jawOpen', 'cheekPuff'],
      frames: Array.from({ length: 261 }, (_, k) => [0.3, centres.some((c) => Math.abs(k / FPS - c) <= 0.03 + 1e-9) ? 0.5 : 0]),
    });
    // ±30 ms of puff 0.5 (ramps of a frame) inside ±60 ms of each release: (0.06 × 0.5 + 0.005) / 0.12 ≈ 0.29 over the vowels' 0
    expect(driveScores(stops, puffAround([0.55, 1.0])).cheek_puff).toBeGreaterThan(0.25);
    // a puff 100 ms after the p's release (where its phoneme ends) counts only at the b: half as much
    expect(driveScores(stops, puffAround([0.65, 1.0])).cheek_puff).toBeLessThan(0.2);
  });
});

describe('metrics', () => {
  const e = evaluate(timeline, animation());
  const m = e.metrics;

  it('jaw_open_ratio: jaw in open vowels over jaw during p/b/m', () => {
    // a reads 0.6 throughout, p and m 0.1: 0.6 / 0.1
    expect(m.jaw_open_ratio).toMatchObject({ value: 6, open_mean: 0.6, bilabial_mean: 0.1, ok: true });
  });

  it('silence_rest: the largest mouth weight in the rest cores', () => {
    // jaw 0 in [0, 0.35) and [1.95, 2.6); mouthSmileLeft 0.05 is the largest weight there
    expect(m.silence_rest).toMatchObject({ value: 0.05, jaw_mean: 0, top_channel: 'mouthSmileLeft', ok: true });
    expect(m.silence_rest.seconds).toBeCloseTo(0.35 + 0.65, 2);
  });

  it('rounding_contrast: pucker + funnel in rounded minus spread vowels', () => {
    expect(m.rounding_contrast).toMatchObject({ value: 0.4, rounded_mean: 0.5, spread_mean: 0.1, ok: true });
  });

  it('bilabial_closure: both closures seen, the open vowel not taken for one', () => {
    // p and m: jaw 0.1 ≤ half of the 0.6 nearby, and the press rises 0.3 over its minimum (0) nearby;
    // the middle half of a (0.775–0.925 s): jaw 0.6, no press, so no false closure
    expect(m.bilabial_closure).toMatchObject({
      value: 1,
      events: 2,
      by_jaw: 1,
      by_lips: 1,
      open_vowel_false_rate: 0,
      selectivity: 1,
      ok: true,
    });
  });

  it('lag_ms: 0 when the jaw follows the open vowel; the sentence passes', () => {
    expect(m.lag_ms.value).toBe(0);
    expect(m.lag_ms.at_search_edge).toBe(false);
    expect(m.lag_ms.graded!.r_best).toBeGreaterThanOrEqual(0.5);
    expect(m.lag_ms.ok).toBe(true);
    expect(e.pass).toBe(true);
    expect(e.lag_compensated).toBeUndefined();
  });

  it('a jaw 100 ms late is measured +100 ms, outside the +90 ms window, and compensated', () => {
    const late = evaluate(timeline, animation(10));
    expect(late.metrics.lag_ms.value).toBe(100);
    expect(late.metrics.lag_ms.ok).toBe(false);
    expect(late.pass).toBe(false);
    // read 100 ms later, the shapes are exactly the unshifted ones again
    expect(late.lag_compensated).toMatchObject({ shift_ms: 100, jaw_open_ratio: 6, rounding_contrast: 0.4 });
  });

  it('a jaw 100 ms early is measured −100 ms, inside the −185 ms window', () => {
    const early = evaluate(timeline, animation(-10));
    expect(early.metrics.lag_ms.value).toBe(-100);
    expect(early.metrics.lag_ms.ok).toBe(true);
  });

  it('a still face fails: no jaw contrast, and no timing to measure', () => {
    const still: Animation = { fps: FPS, names: NAMES, frames: Array.from({ length: 261 }, () => NAMES.map(() => 0)) };
    const s = evaluate(timeline, still).metrics;
    // 0 / max(0, 0.01 floor)
    expect(s.jaw_open_ratio.value).toBe(0);
    expect(s.jaw_open_ratio.ok).toBe(false);
    expect(s.lag_ms).toMatchObject({ value: null, jaw_moves: false, ok: false });
    expect(s.bilabial_closure.value).toBe(1); // a jaw at 0 is "closed" everywhere …
    expect(s.bilabial_closure.selectivity).toBe(0); // … including in the open vowel, so it tells nothing
    expect(s.bilabial_closure.ok).toBe(false);
  });

  it('reads channel names with any case, separators and namespace', () => {
    const renamed: Animation = { ...animation(), names: NAMES.map((n) => `face.${n.replace(/([A-Z])/g, '_$1').toUpperCase()}`) };
    expect(evaluate(timeline, renamed).metrics.jaw_open_ratio.value).toBe(6);
  });

  it('refuses an animation without jawOpen', () => {
    const noJaw: Animation = { fps: FPS, names: ['mouthPucker'], frames: [[0], [0]] };
    expect(() => evaluate(timeline, noJaw)).toThrow(/no jawOpen channel/);
  });
});
