// Reference animations made straight from a timeline (docs/lipsync-eval.md#checking-the-checks): an
// ideal face that does what every phoneme needs, and faces that must fail (still, random). They show
// that the metrics and the channel checks can pass and can fail.
import { ARKIT_BLENDSHAPES, seededRandom, TONGUE_BLENDSHAPES } from '@a2f/animation';
import type { Animation } from './anim.js';
import { plosiveReleases, segments, type MouthClass } from './classes.js';
import type { Timeline } from './timeline.js';

export const SYNTHETIC_CHANNELS: readonly string[] = [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES];

/** What each class asks of the face (a phoneme in two classes takes the larger value of each channel). */
const TARGETS: Readonly<Record<MouthClass, Readonly<Record<string, number>>>> = {
  OPEN: { jawOpen: 0.7, mouthLowerDownLeft: 0.2, mouthLowerDownRight: 0.2 },
  MID: { jawOpen: 0.4 },
  ROUNDED: { jawOpen: 0.25, mouthPucker: 0.6, mouthFunnel: 0.3 },
  SPREAD: { jawOpen: 0.3, mouthStretchLeft: 0.25, mouthStretchRight: 0.25, mouthSmileLeft: 0.15, mouthSmileRight: 0.15 },
  BILABIAL: { jawOpen: 0, mouthPressLeft: 0.5, mouthPressRight: 0.5, mouthClose: 0.2 },
  LABIODENTAL: { jawOpen: 0.1, mouthRollLower: 0.5, mouthUpperUpLeft: 0.2, mouthUpperUpRight: 0.2 },
  OTHER: { jawOpen: 0.2 },
  DENTAL: { tongueOut: 0.25, tongueTipUp: 0.15 },
  ALVEOLAR: { tongueTipUp: 0.7, tongueUp: 0.15 },
  SIBILANT: { mouthStretchLeft: 0.2, mouthStretchRight: 0.2 },
  POSTALVEOLAR: { mouthFunnel: 0.5 },
  SILENCE: {},
};

export type SyntheticKind = 'ideal' | 'still' | 'noise';

export interface SyntheticOptions {
  readonly fps?: number;
  /** Gaussian smoothing of the ideal face, ms (coarticulation-like ramps; 0: steps) */
  readonly smoothMs?: number;
  /** the ideal face delayed by this many ms (negative: ahead of the sound) */
  readonly shiftMs?: number;
  readonly seed?: number;
}

/**
 * `ideal`: per-class mouth and tongue targets, a cheek puff over ±30 ms of each p/b release, brows up
 * a little over each vowel with primary stress, a small saccade every 1.3 s and a blink at 2 s.
 * `still`: every weight 0. `noise`: every weight uniform in [0, 1).
 */
export function syntheticAnimation(timeline: Timeline, kind: SyntheticKind, o: SyntheticOptions = {}): Animation {
  const fps = o.fps ?? 30;
  const K = Math.ceil(timeline.duration * fps) + 1;
  const names = SYNTHETIC_CHANNELS;
  const at = new Map(names.map((n, i) => [n, i]));
  if (kind === 'still') return { fps, names, frames: Array.from({ length: K }, () => names.map(() => 0)), generator: 'still' };
  if (kind === 'noise') {
    const rnd = seededRandom(o.seed ?? 1);
    return { fps, names, frames: Array.from({ length: K }, () => names.map(() => rnd())), generator: 'noise' };
  }
  const segs = segments(timeline);
  const releases = plosiveReleases(timeline);
  const stressed = segs.filter((s) => s.stress === 1);
  const delay = (o.shiftMs ?? 0) / 1000;
  const set = (row: number[], name: string, v: number): void => {
    const i = at.get(name)!;
    row[i] = Math.max(row[i]!, v);
  };
  let frames = Array.from({ length: K }, (_, k) => {
    const t = k / fps - delay;
    const row = names.map(() => 0);
    const seg = segs.find((s) => t >= s.start && t < s.end);
    if (seg) for (const c of seg.classes) for (const [n, v] of Object.entries(TARGETS[c])) set(row, n, v);
    if (releases.some((r) => Math.abs(t - r) <= 0.03)) set(row, 'cheekPuff', 0.25);
    if (stressed.some((s) => t >= s.start - 0.05 && t < s.end + 0.1)) {
      set(row, 'browInnerUp', 0.15);
      set(row, 'browOuterUpLeft', 0.1);
      set(row, 'browOuterUpRight', 0.1);
    }
    const look = Math.floor(k / fps / 1.3) % 3;
    if (look === 1) {
      set(row, 'eyeLookOutLeft', 0.15);
      set(row, 'eyeLookInRight', 0.15);
    } else if (look === 2) {
      set(row, 'eyeLookUpLeft', 0.1);
      set(row, 'eyeLookUpRight', 0.1);
    }
    if (Math.abs(k / fps - 2) < 0.08) {
      set(row, 'eyeBlinkLeft', 1);
      set(row, 'eyeBlinkRight', 1);
    }
    return row;
  });
  if (o.smoothMs) frames = gaussian(frames, (o.smoothMs / 1000) * fps);
  const label = `ideal${o.smoothMs ? ` smooth ${o.smoothMs} ms` : ''}${o.shiftMs ? ` shift ${o.shiftMs} ms` : ''}`;
  return { fps, names, frames, generator: label };
}

function gaussian(frames: number[][], sigma: number): number[][] {
  const R = Math.ceil(3 * sigma);
  const ker = Array.from({ length: 2 * R + 1 }, (_, j) => Math.exp(-0.5 * ((j - R) / sigma) ** 2));
  return frames.map((_, k) => {
    const out = new Array<number>(frames[0]!.length).fill(0);
    let sum = 0;
    ker.forEach((g, j) => {
      const m = k + j - R;
      if (m < 0 || m >= frames.length) return;
      sum += g;
      frames[m]!.forEach((v, c) => {
        out[c]! += g * v;
      });
    });
    return out.map((v) => v / sum);
  });
}
