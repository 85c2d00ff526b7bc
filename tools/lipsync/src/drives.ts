// Whether a model drives the rest of the face it claims (docs/lipsync-eval.md#the-rest-of-the-face):
// the tongue on t/d/n/l and th, the lower lip tucked on f/v, the cheeks puffed at p/b releases, the
// brows moving a little, the eyes moving. Each is a contrast between the sounds that call for the
// shape and open vowels, which do not.
import { channelKey, channelSeries, sampleAt, type Animation } from './anim.js';
import { plosiveReleases, segments, type MouthClass, type Segment } from './classes.js';
import { timelineDuration, type Timeline } from './timeline.js';

export interface DriveScores {
  /** mean tongueTipUp during t d n l − during open vowels */
  readonly tongue_tip: number | null;
  /** mean max(tongueOut, tongueStretch) during th − during open vowels */
  readonly tongue_dental: number | null;
  /** mean mouthRollLower during f v − during open vowels */
  readonly lip_tuck: number | null;
  /** mean cheekPuff within ±60 ms of a p/b release − during open vowels 150 ms or more from any */
  readonly cheek_puff: number | null;
  /** largest swing (max − min) of a brow channel over the line, and the largest brow weight */
  readonly brow_range: number | null;
  readonly brow_max: number | null;
  /** largest swing of an eyeLook channel over the line */
  readonly eye_range: number | null;
  readonly blink_max: number | null;
}

/** Thresholds the tests hold a model to, for the sentences that have the sounds (docs/lipsync-eval.md#the-rest-of-the-face). */
export const DRIVE_EXPECT = {
  tongue_tip: 0.1,
  tongue_dental: 0.05,
  lip_tuck: 0.1,
  cheek_puff: 0.03,
  /** brows move when they swing by this much … */
  brow_moves: 0.03,
  /** … and stay subtle below this */
  brow_subtle: 0.4,
  eye_moves: 0.02,
} as const;

const STEP = 0.005;
const round = (v: number | null): number | null => (v == null || !Number.isFinite(v) ? null : Math.round(v * 1000) / 1000);

export function driveScores(timeline: Timeline, anim: Animation): DriveScores {
  const ch = channelSeries(anim);
  const segs = segments(timeline);
  const duration = timelineDuration(timeline);
  const series = (keys: string[]): Float64Array | undefined => {
    const present = keys.map((k) => ch.get(channelKey(k))).filter((s): s is Float64Array => s !== undefined);
    if (!present.length) return undefined;
    return present[0]!.map((_, f) => Math.max(...present.map((s) => s[f]!)));
  };
  const meanWhere = (s: Float64Array | undefined, keep: (t: number, seg: Segment) => boolean): number | null => {
    if (!s) return null;
    let sum = 0;
    let n = 0;
    let si = 0;
    for (let t = STEP / 2; t < duration; t += STEP) {
      while (si < segs.length - 1 && t >= segs[si]!.end) si++;
      if (!keep(t, segs[si]!)) continue;
      sum += sampleAt(s, anim.fps, t);
      n++;
    }
    return n ? sum / n : null;
  };
  const inClass = (c: MouthClass) => (_t: number, s: Segment) => s.classes.includes(c);
  const contrast = (s: Float64Array | undefined, c: MouthClass, base = inClass('OPEN')): number | null => {
    const a = meanWhere(s, inClass(c));
    const b = meanWhere(s, base);
    return a == null || b == null ? null : round(a - b);
  };
  const releases = plosiveReleases(timeline);
  const near = (t: number, w: number): boolean => releases.some((r) => Math.abs(t - r) <= w);
  const puff = series(['cheekPuff']);
  const atRelease = releases.length ? meanWhere(puff, (t) => near(t, 0.06)) : null;
  const away = meanWhere(puff, (t, s) => s.classes.includes('OPEN') && !near(t, 0.15));
  const swing = (keys: string[]): { range: number | null; max: number | null } => {
    let range: number | null = null;
    let max: number | null = null;
    for (const k of keys) {
      const s = ch.get(channelKey(k));
      if (!s) continue;
      const hi = Math.max(...s);
      range = Math.max(range ?? 0, hi - Math.min(...s));
      max = Math.max(max ?? 0, hi);
    }
    return { range: round(range), max: round(max) };
  };
  const brows = swing(['browInnerUp', 'browOuterUpLeft', 'browOuterUpRight', 'browDownLeft', 'browDownRight']);
  const eyes = swing(['Left', 'Right'].flatMap((side) => ['Down', 'In', 'Out', 'Up'].map((d) => `eyeLook${d}${side}`)));
  return {
    tongue_tip: contrast(series(['tongueTipUp']), 'ALVEOLAR'),
    tongue_dental: contrast(series(['tongueOut', 'tongueStretch']), 'DENTAL'),
    lip_tuck: contrast(series(['mouthRollLower']), 'LABIODENTAL'),
    cheek_puff: atRelease == null || away == null ? null : round(atRelease - away),
    brow_range: brows.range,
    brow_max: brows.max,
    eye_range: eyes.range,
    blink_max: swing(['eyeBlinkLeft', 'eyeBlinkRight']).max,
  };
}
