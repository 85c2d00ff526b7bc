// The lip-sync metrics (docs/lipsync-eval.md#metrics): a phoneme timeline, the ground truth from the
// synthesizer, against blendshape animation. Defined as the team's judge defines them, implemented here.
import { channelKey, channelSeries, sampleAt, type Animation } from './anim.js';
import { CLASSES, isKnown, restCores, runs, segments, type MouthClass, type Segment } from './classes.js';
import { timelineDuration, type Timeline } from './timeline.js';

export interface MetricOptions {
  /** s, grid on which class means are taken */
  readonly step?: number;
  /** s, trimmed from each side of a silence that touches speech */
  readonly guard?: number;
  /** s, neighbourhood of the bilabial jaw-dip test */
  readonly local?: number;
  /** s, lags searched in −lagSearch…+lagSearch */
  readonly lagSearch?: number;
  /** floor of jaw_open_ratio's denominator */
  readonly floor?: number;
  /** s, read the animation at audio time + shift (undoes a measured lag) */
  readonly shift?: number;
}

const DEFAULTS: Required<MetricOptions> = { step: 0.005, guard: 0.15, local: 0.15, lagSearch: 0.2, floor: 0.01, shift: 0 };

/** ITU-R BT.1359: sound may lead the picture by up to 90 ms and lag it by up to 185 ms (docs/lipsync-eval.md#sources). */
export const LAG_WINDOW_MS = { lead: -185, lag: 90 } as const;

export const EXPECT = {
  jaw_open_ratio: '>= 2',
  silence_rest: '<= 0.15',
  rounding_contrast: '>= 0.05',
  bilabial_closure: '>= 0.6 and selectivity >= 0.3',
  lag_ms: '-185..+90 ms, graded lag too, neither at the search edge, graded r >= 0.5',
} as const;
export type MetricName = keyof typeof EXPECT;
export const METRICS = Object.keys(EXPECT) as MetricName[];

/** The jaw opening each class calls for, the target of the graded lag. */
export const JAW_TARGET: Readonly<Record<MouthClass, number>> = {
  OPEN: 0.7,
  MID: 0.4,
  SPREAD: 0.3,
  ROUNDED: 0.25,
  OTHER: 0.2,
  DENTAL: 0.2,
  ALVEOLAR: 0.2,
  SIBILANT: 0.2,
  POSTALVEOLAR: 0.2,
  LABIODENTAL: 0.1,
  BILABIAL: 0,
  SILENCE: 0,
};

export interface LagScan {
  readonly value: number;
  readonly refined_ms: number;
  readonly r_best: number;
  readonly r_at_0: number | null;
  readonly at_search_edge: boolean;
}

export interface Scores {
  readonly jaw_open_ratio: { value: number | null; open_mean: number | null; bilabial_mean: number | null; ok: boolean | null };
  readonly silence_rest: { value: number | null; jaw_mean: number | null; seconds: number; top_channel: string | null; ok: boolean | null };
  readonly rounding_contrast: { value: number | null; rounded_mean: number | null; spread_mean: number | null; ok: boolean | null };
  readonly bilabial_closure: {
    value: number | null;
    events: number;
    by_jaw: number | null;
    by_lips: number | null;
    open_vowel_false_rate: number | null;
    open_vowels: number;
    selectivity: number | null;
    missed: string[];
    ok: boolean | null;
  };
  readonly lag_ms: {
    value: number | null;
    refined_ms: number | null;
    r_best: number | null;
    at_search_edge: boolean;
    basis: string;
    jaw_moves: boolean;
    graded: { value: number; r_best: number; at_search_edge: boolean } | null;
    ok: boolean | null;
  };
}

export interface Evaluation {
  readonly metrics: Scores;
  /** jaw_open_ratio, silence_rest and lag_ms all met (the judge's sentence pass) */
  readonly pass: boolean;
  /** the shape metrics again with the measured lag taken out, when the lag is at least a frame */
  readonly lag_compensated?: { shift_ms: number } & Partial<Record<MetricName, number | null>> & { selectivity?: number | null };
  /** per class: seconds heard and the mean of each channel group while heard */
  readonly class_means: Record<string, Record<string, number | null>>;
  readonly unknown_phonemes: string[];
}

/** L/R pairs are averaged into one group; a group is present when any of its channels is. */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  jawOpen: ['jawopen'],
  mouthClose: ['mouthclose'],
  mouthFunnel: ['mouthfunnel'],
  mouthPucker: ['mouthpucker'],
  mouthPress: ['mouthpressleft', 'mouthpressright'],
  mouthSmile: ['mouthsmileleft', 'mouthsmileright'],
  mouthStretch: ['mouthstretchleft', 'mouthstretchright'],
  mouthLowerDown: ['mouthlowerdownleft', 'mouthlowerdownright'],
  mouthUpperUp: ['mouthupperupleft', 'mouthupperupright'],
  mouthRollLower: ['mouthrolllower'],
  mouthRollUpper: ['mouthrollupper'],
};

const round = (v: number | null | undefined, d: number): number | null =>
  v == null || !Number.isFinite(v) ? null : Math.round(v * 10 ** d) / 10 ** d;
const r3 = (v: number | null | undefined): number | null => round(v, 3);
const r1 = (v: number | null | undefined): number | null => round(v, 1);

export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n < 3) return null;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 1e-12 && bb > 1e-12 ? ab / Math.sqrt(aa * bb) : null;
}

/** Max over channels, frame by frame. */
function maxOf(list: readonly Float64Array[], frames: number): Float64Array {
  const out = new Float64Array(frames).fill(-Infinity);
  for (const s of list) for (let k = 0; k < frames; k++) if (s[k]! > out[k]!) out[k] = s[k]!;
  return out;
}

/**
 * Scores one animation against one timeline. When the lag is a frame or more (and not at the search
 * edge), the shape metrics are measured again with the animation read that much later.
 */
export function evaluate(timeline: Timeline, anim: Animation, options: MetricOptions = {}): Evaluation {
  const o = { ...DEFAULTS, ...options };
  const out = score(timeline, anim, o);
  const v = out.metrics.lag_ms.value;
  if (v == null || out.metrics.lag_ms.at_search_edge || Math.abs(v) < 1000 / anim.fps - 1e-6) return out;
  const sub = score(timeline, anim, { ...o, shift: o.shift + v / 1000 }).metrics;
  return {
    ...out,
    lag_compensated: {
      shift_ms: v,
      jaw_open_ratio: sub.jaw_open_ratio.value,
      silence_rest: sub.silence_rest.value,
      rounding_contrast: sub.rounding_contrast.value,
      bilabial_closure: sub.bilabial_closure.value,
      selectivity: sub.bilabial_closure.selectivity,
    },
  };
}

function score(timeline: Timeline, anim: Animation, o: Opts): Evaluation {
  const fps = anim.fps;
  const K = anim.frames.length;
  const duration = timelineDuration(timeline);
  const segs = segments(timeline);
  const channels = channelSeries(anim);
  const read = (s: ArrayLike<number>, t: number): number => sampleAt(s, fps, t + o.shift);

  const series: Record<string, Float64Array> = {};
  for (const [group, keys] of Object.entries(GROUPS)) {
    const present = keys.filter((k) => channels.has(k));
    if (!present.length) continue;
    const s = new Float64Array(K);
    for (const k of present) {
      const c = channels.get(k)!;
      for (let f = 0; f < K; f++) s[f]! += c[f]! / present.length;
    }
    series[group] = s;
  }
  const jaw = series.jawOpen;
  if (!jaw) throw new Error('the animation has no jawOpen channel (names match ignoring case, separators and prefixes)');
  // Every mouth weight that opens or shapes the mouth: jawOpen and mouth* except mouthClose (which shuts it).
  const mouthKeys = [...channels.keys()].filter((k) => k === 'jawopen' || (k.startsWith('mouth') && k !== 'mouthclose'));
  series.mouthMax = maxOf(
    mouthKeys.map((k) => channels.get(k)!),
    K,
  );
  const lipKeys = ['mouthclose', 'mouthpressleft', 'mouthpressright'].filter((k) => channels.has(k));
  const lips = lipKeys.length
    ? maxOf(
        lipKeys.map((k) => channels.get(k)!),
        K,
      )
    : undefined;

  // ---- class means on a grid ----
  const cores = restCores(segs, o.guard);
  const groups = Object.keys(series);
  const acc = new Map<MouthClass, { n: number; sums: Float64Array }>(
    CLASSES.map((c) => [c, { n: 0, sums: new Float64Array(groups.length) }]),
  );
  let si = 0;
  for (let i = 0; (i + 0.5) * o.step < duration; i++) {
    const t = (i + 0.5) * o.step;
    while (si < segs.length - 1 && t >= segs[si]!.end) si++;
    const seg = segs[si]!;
    const cls: MouthClass[] = seg.classes.filter((c) => c !== 'SILENCE');
    if (seg.classes.includes('SILENCE') && cores.some((c) => t >= c.start && t < c.end)) cls.push('SILENCE');
    if (!cls.length) continue;
    const v = groups.map((g) => read(series[g]!, t));
    for (const c of cls) {
      const a = acc.get(c)!;
      a.n++;
      for (let g = 0; g < groups.length; g++) a.sums[g]! += v[g]!;
    }
  }
  const mean = (c: MouthClass, g: string): number | null => {
    const a = acc.get(c)!;
    const gi = groups.indexOf(g);
    return a.n && gi >= 0 ? a.sums[gi]! / a.n : null;
  };
  const class_means: Record<string, Record<string, number | null>> = {};
  for (const c of CLASSES) {
    const row: Record<string, number | null> = { seconds: r3(acc.get(c)!.n * o.step) };
    for (const g of groups) row[g] = r3(mean(c, g));
    class_means[c] = row;
  }

  // ---- jaw_open_ratio ----
  const openJaw = mean('OPEN', 'jawOpen');
  const bilJaw = mean('BILABIAL', 'jawOpen');
  const jawRatio = openJaw != null && bilJaw != null ? r3(openJaw / Math.max(bilJaw, o.floor)) : null;

  // ---- silence_rest ----
  let top: string | null = null;
  let topMean = -Infinity;
  for (const k of mouthKeys) {
    let s = 0;
    let n = 0;
    for (const c of cores) {
      for (let t = c.start + o.step / 2; t < c.end; t += o.step) {
        s += read(channels.get(k)!, t);
        n++;
      }
    }
    if (n && s / n > topMean) {
      topMean = s / n;
      top = anim.names.find((nm) => channelKey(nm) === k) ?? k;
    }
  }
  const rest = r3(mean('SILENCE', 'mouthMax'));

  // ---- rounding_contrast ----
  const hasLipRound = series.mouthPucker !== undefined || series.mouthFunnel !== undefined;
  const lipRound = (c: MouthClass): number | null =>
    hasLipRound && acc.get(c)!.n ? (mean(c, 'mouthPucker') || 0) + (mean(c, 'mouthFunnel') || 0) : null;
  const rounded = lipRound('ROUNDED');
  const spread = lipRound('SPREAD');

  // ---- bilabial_closure ----
  const closure = bilabial(segs, jaw, lips, fps, o);

  // ---- lag ----
  const lag = lagOf(segs, jaw, duration, fps, o);

  const scores: Scores = {
    jaw_open_ratio: { value: jawRatio, open_mean: r3(openJaw), bilabial_mean: r3(bilJaw), ok: jawRatio == null ? null : jawRatio >= 2 },
    silence_rest: {
      value: rest,
      jaw_mean: r3(mean('SILENCE', 'jawOpen')),
      seconds: r3(acc.get('SILENCE')!.n * o.step) ?? 0,
      top_channel: top,
      ok: rest == null ? null : rest <= 0.15,
    },
    rounding_contrast: {
      value: rounded != null && spread != null ? r3(rounded - spread) : null,
      rounded_mean: r3(rounded),
      spread_mean: r3(spread),
      ok: rounded != null && spread != null ? r3(rounded - spread)! >= 0.05 : null,
    },
    bilabial_closure: closure,
    lag_ms: lag,
  };
  const pass = scores.jaw_open_ratio.ok === true && scores.silence_rest.ok === true && scores.lag_ms.ok === true;
  return {
    metrics: scores,
    pass,
    class_means,
    unknown_phonemes: [...new Set(timeline.phonemes.map((p) => p.ph).filter((p) => !isKnown(p)))],
  };
}

type Opts = Required<MetricOptions>;

/** Exact min and max of a piecewise-linear frame series over audio time [a, b]. */
function range(s: Float64Array, fps: number, a: number, b: number, shift: number): [number, number] {
  const x = a + shift;
  const y = b + shift;
  const ends = [sampleAt(s, fps, x), sampleAt(s, fps, y)];
  let lo = Math.min(...ends);
  let hi = Math.max(...ends);
  for (let k = Math.max(0, Math.ceil(x * fps)); k < s.length && k / fps <= y; k++) {
    lo = Math.min(lo, s[k]!);
    hi = Math.max(hi, s[k]!);
  }
  return [lo, hi];
}

/**
 * A closure is seen when, inside the event (± half a frame), the jaw falls to half its maximum over
 * the event ± `local` (or to 0.02), or the lip-closing channels rise by 0.1 over their minimum there.
 * The same test on the middle half of open vowels is the false-alarm rate.
 */
function bilabial(
  segs: readonly Segment[],
  jaw: Float64Array,
  lips: Float64Array | undefined,
  fps: number,
  o: Opts,
): Scores['bilabial_closure'] {
  const closes = (wa: number, wb: number, na: number, nb: number) => {
    const [jmin] = range(jaw, fps, wa, wb, o.shift);
    const [, jmax] = range(jaw, fps, na, nb, o.shift);
    const byJaw = jmin <= 0.5 * jmax || jmin <= 0.02;
    let byLips = false;
    if (lips) {
      const [, lmax] = range(lips, fps, wa, wb, o.shift);
      const [lmin] = range(lips, fps, na, nb, o.shift);
      byLips = lmax - lmin >= 0.1;
    }
    return { byJaw, byLips, closed: byJaw || byLips };
  };
  const half = 0.5 / fps;
  const events = runs(segs, 'BILABIAL').map((r) => ({ r, ...closes(r.start - half, r.end + half, r.start - o.local, r.end + o.local) }));
  const opens = runs(segs, 'OPEN')
    .filter((r) => r.end - r.start >= 0.06)
    .map((r) => {
      const q = (r.end - r.start) / 4;
      return closes(r.start + q, r.end - q, r.start - o.local, r.end + o.local);
    });
  const share = <T>(list: readonly T[], pick: (x: T) => boolean): number | null =>
    list.length ? r3(list.filter(pick).length / list.length) : null;
  const value = share(events, (e) => e.closed);
  const falseRate = share(opens, (e) => e.closed);
  const selectivity = events.length && opens.length ? r3(value! - falseRate!) : null;
  return {
    value,
    events: events.length,
    by_jaw: share(events, (e) => e.byJaw),
    by_lips: lips ? share(events, (e) => e.byLips) : null,
    open_vowel_false_rate: falseRate,
    open_vowels: opens.length,
    selectivity,
    missed: events.filter((e) => !e.closed).map((e) => `${e.r.phs.join(' ')}@${e.r.start.toFixed(2)}`),
    ok: value == null ? null : value >= 0.6 && (selectivity == null || selectivity >= 0.3),
  };
}

/** The share of each frame's span [k − ½, k + ½] / fps (clipped to the audio) covered by the target. */
function perFrame(n: number, fps: number, duration: number, cover: (a: number, b: number) => number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = Math.max(0, (k - 0.5) / fps);
    const b = Math.min(duration, (k + 0.5) / fps);
    out[k] = b > a ? cover(a, b) / (b - a) : 0;
  }
  return out;
}

/**
 * The shift of the jaw (whole frames, ±lagSearch) that correlates best with open vowels sounding,
 * and with the graded jaw target of every class; positive: the jaw moves after the sound.
 */
function lagOf(segs: readonly Segment[], jaw: Float64Array, duration: number, fps: number, o: Opts): Scores['lag_ms'] {
  const K = jaw.length;
  const n = Math.min(K, Math.floor(duration * fps) + 1);
  const overlap = (a: number, b: number, s: number, e: number): number => Math.max(0, Math.min(b, e) - Math.max(a, s));
  const openRuns = runs(segs, 'OPEN');
  const indicator = perFrame(n, fps, duration, (a, b) => openRuns.reduce((sum, r) => sum + overlap(a, b, r.start, r.end), 0));
  const graded = perFrame(n, fps, duration, (a, b) => {
    let sum = 0;
    for (const s of segs) {
      const ov = Math.min(b, s.end) - Math.max(a, s.start);
      if (ov > 0) sum += ov * Math.max(...s.classes.map((c) => JAW_TARGET[c]));
    }
    return sum;
  });
  const S = Math.round(o.lagSearch * fps);
  const scan = (target: Float64Array): LagScan | null => {
    const rs: (number | null)[] = [];
    for (let s = -S; s <= S; s++) {
      const xs: number[] = [];
      const ys: number[] = [];
      for (let k = 0; k < n; k++) {
        if (k + s >= 0 && k + s < K) {
          xs.push(jaw[k + s]!);
          ys.push(target[k]!);
        }
      }
      rs.push(pearson(xs, ys));
    }
    let best = -1;
    for (let i = 0; i < rs.length; i++) if (rs[i] != null && (best < 0 || rs[i]! > rs[best]!)) best = i;
    if (best < 0) return null;
    const rb = rs[best]!;
    const before = rs[best - 1];
    const after = rs[best + 1];
    // parabola through the best and its neighbours: a sub-frame estimate, reported beside the frame one
    let d = 0;
    if (before != null && after != null) {
      const den = before - 2 * rb + after;
      if (den < 0) d = Math.max(-0.5, Math.min(0.5, (before - after) / (2 * den)));
    }
    const s = best - S;
    return {
      value: r1((s * 1000) / fps - o.shift * 1000)!,
      refined_ms: r1(((s + d) * 1000) / fps - o.shift * 1000)!,
      r_best: r3(rb)!,
      r_at_0: r3(rs[S]),
      at_search_edge: Math.abs(s) === S,
    };
  };
  const main = scan(indicator);
  const alt = scan(graded);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of jaw) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const jawMoves = hi - lo > 1e-6;
  const picked = main ?? alt;
  const gradedOut = alt ? { value: alt.value, r_best: alt.r_best, at_search_edge: alt.at_search_edge } : null;
  const inWindow = (x: number): boolean => x >= LAG_WINDOW_MS.lead && x <= LAG_WINDOW_MS.lag;
  const ok = picked
    ? inWindow(picked.value) &&
      !picked.at_search_edge &&
      !!gradedOut &&
      gradedOut.r_best >= 0.5 &&
      inWindow(gradedOut.value) &&
      !gradedOut.at_search_edge
    : jawMoves
      ? null
      : false;
  return {
    value: picked?.value ?? null,
    refined_ms: picked?.refined_ms ?? null,
    r_best: picked?.r_best ?? null,
    at_search_edge: picked?.at_search_edge ?? false,
    basis: main ? 'open-vowel indicator' : alt ? 'graded (no open vowel in this line)' : 'none',
    jaw_moves: jawMoves,
    graded: gradedOut,
    ok,
  };
}
