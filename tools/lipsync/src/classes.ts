// Mouth classes of espeak-ng phoneme mnemonics (docs/lipsync-eval.md#mouth-classes). The first eight
// are the judge's: what a face must visibly do (jaw open, lips shut, rounded, spread, lower lip on
// the teeth, at rest). The issue adds classes for the tongue and for the lip shapes of sibilants;
// their phonemes stay OTHER as well, so the judge's metrics see the same classes as before.
import { timelineDuration, type Timeline } from './timeline.js';

export const JUDGE_CLASSES = ['OPEN', 'MID', 'ROUNDED', 'SPREAD', 'BILABIAL', 'LABIODENTAL', 'OTHER', 'SILENCE'] as const;
/** tongue between the teeth (th), tongue tip at the ridge (t d n l), s/z (spread, teeth close), sh/zh/ch/j (lips forward) */
export const EXTRA_CLASSES = ['DENTAL', 'ALVEOLAR', 'SIBILANT', 'POSTALVEOLAR'] as const;
export const CLASSES = [...JUDGE_CLASSES, ...EXTRA_CLASSES] as const;
export type MouthClass = (typeof CLASSES)[number];

/** English (en, en-us, en-gb-*, their +variants): espeak-ng's mnemonics by class. */
const ENGLISH: Readonly<Partial<Record<MouthClass, readonly string[]>>> = {
  // low and low-mid vowels, and diphthongs that start low
  OPEN: [
    'a',
    'a#',
    'a2',
    'aa',
    'A:',
    'A@',
    'A#',
    'A~',
    'aI',
    'aI@',
    'aI2',
    'aI3',
    'aU',
    'aU@',
    '0',
    '0#',
    '02',
    'O2',
    'V',
    'O:',
    'O',
    'O@',
  ],
  // central and mid vowels: jaw half open, lips neutral
  MID: ['@', '@2', '@5', '@L', '@#', '3', '3:', 'e@', 'IR', 'VR'],
  ROUNDED: ['u:', 'U', 'U@', 'o@', 'o:', 'oU', 'oU#', 'O:', 'O', 'O@', 'OI', 'O~', 'w', 'w#'],
  SPREAD: ['i:', 'i', 'I', 'I2', 'I#', 'I2#', 'i@', 'i@3', 'E', 'E2', 'E#', 'e', 'e#', 'e:', 'eI'],
  BILABIAL: ['p', 'b', 'm'],
  LABIODENTAL: ['f', 'v'],
  OTHER: ['t', 'd', 'k', 'g', 't#', 't2', 'd#', 't[', 'd[', '?', 's', 'z', 'z#', 'z/2', 'S', 'Z', 'tS', 'dZ', 'T', 'D', 'h', 'x'].concat([
    'n',
    'n-',
    'N',
    'l',
    'l/',
    'l/2',
    'r',
    'r-',
    'j',
    ';',
    'C',
  ]),
  DENTAL: ['T', 'D'],
  ALVEOLAR: ['t', 'd', 't#', 't2', 'd#', 't[', 'd[', 'n', 'n-', 'l', 'l/', 'l/2'],
  SIBILANT: ['s', 'z', 'z#', 'z/2'],
  POSTALVEOLAR: ['S', 'Z', 'tS', 'dZ'],
};

/**
 * German, French, Spanish and Italian (the foreign set): the mnemonics espeak-ng 1.51 speaks there
 * that English does not, by the vowel's height and rounding on the IPA chart (open a/ɑ; mid e ɛ ə ɐ;
 * rounded o ɔ u y ø œ and nasal ɔ̃ œ̃; close front i). Names English already has keep English's class.
 */
const FOREIGN: Readonly<Partial<Record<MouthClass, readonly string[]>>> = {
  OPEN: ['a:', 'a-', 'A', 'a~'],
  MID: ['E:', 'E~', '@-', '@:', 'e~'],
  ROUNDED: ['o', 'u', 'y', 'y:', 'y-', 'Y', 'Y:', 'W', 'W:', 'W~', 'OY', 'o~', 'u-', 'o-'],
  SPREAD: ['i-'],
  OTHER: [
    'ts',
    'pf',
    'R',
    'R2',
    '*',
    '**',
    'r/',
    'n^',
    'l^',
    'J',
    'L',
    'B',
    'Q',
    'c',
    'z2',
    'j/',
    'dz',
    'ss',
    'nn',
    'tt',
    'll',
    'ff',
    'kk',
  ],
  ALVEOLAR: ['ts', 'n^', 'l^', 'dz', 'tt', 'nn', 'll'],
  SIBILANT: ['ss', 'z2'],
};

const MAP = new Map<string, MouthClass[]>();
for (const table of [ENGLISH, FOREIGN]) {
  const fresh = new Map<string, MouthClass[]>();
  for (const [cls, names] of Object.entries(table) as [MouthClass, readonly string[]][]) {
    for (const ph of names) {
      if (table === FOREIGN && MAP.has(ph)) continue;
      fresh.set(ph, [...(fresh.get(ph) ?? []), cls]);
    }
  }
  for (const [ph, cls] of fresh) MAP.set(ph, cls);
}

/** A pause or boundary: `_`, `_:`, `_!`, `_|`, `|`, `||`, or no name. */
export const isPause = (ph: string): boolean => ph === '' || ph.startsWith('_') || ph === '|' || ph === '||';

const bare = (ph: string): string => ph.replace(/^['",%=]+/, '');

/** The classes of one mnemonic; stress marks stuck to it are ignored; an unknown one is OTHER. */
export function classify(ph: string): MouthClass[] {
  if (isPause(ph)) return ['SILENCE'];
  return MAP.get(bare(ph)) ?? ['OTHER'];
}

/** Whether the tables know the mnemonic (unknown ones are reported beside the scores). */
export const isKnown = (ph: string): boolean => isPause(ph) || MAP.has(bare(ph));

/** The class table as documented in docs/lipsync-eval.md: class → mnemonics. */
export function classTable(): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [ph, cls] of MAP) {
    for (const c of cls) {
      out[c] ??= [];
      out[c].push(ph);
    }
  }
  out.SILENCE = ['_', '_:', '_!', '_|', 'any name starting with _', 'before the first and after the last phoneme'];
  return out;
}

export interface Segment {
  readonly ph: string;
  readonly start: number;
  readonly end: number;
  readonly classes: readonly MouthClass[];
  /** index of the phoneme in the timeline; absent for the silence before the first / after the last */
  readonly i?: number;
  readonly stress?: number;
}

/**
 * The timeline as gap-free segments over [0, duration): the silence before the first phoneme and
 * after the last, and every phoneme of non-zero length with its classes.
 */
export function segments(timeline: Timeline): Segment[] {
  const duration = timelineDuration(timeline);
  const out: Segment[] = [];
  let t = 0;
  for (const p of timeline.phonemes) {
    if (!(p.end > p.start)) continue;
    if (p.start > t + 1e-9) out.push({ ph: '', start: t, end: p.start, classes: ['SILENCE'] });
    out.push({ ph: p.ph, start: p.start, end: p.end, classes: classify(p.ph), i: p.i, ...(p.stress ? { stress: p.stress } : {}) });
    t = p.end;
  }
  if (duration > t + 1e-9) out.push({ ph: '', start: t, end: duration, classes: ['SILENCE'] });
  return out;
}

/**
 * When the lips of each p and b open, in seconds. espeak-ng stamps a stop at its release (`event`;
 * our phonemizer moves the start back over the closure) and the phoneme runs on through the
 * aspiration, ending 25–100 ms after the release; festival's stop holds closure then release: its end.
 */
export function plosiveReleases(timeline: Timeline): number[] {
  return timeline.phonemes.filter((p) => p.end > p.start && (p.ph === 'p' || p.ph === 'b')).map((p) => p.event ?? p.end);
}

export interface Run {
  start: number;
  end: number;
  readonly phs: string[];
}

/** Touching segments of one class joined into events: the "m p" of "lamp" is one closure. */
export function runs(segs: readonly Segment[], cls: MouthClass): Run[] {
  const out: Run[] = [];
  for (const s of segs) {
    if (!s.classes.includes(cls)) continue;
    const last = out.at(-1);
    if (last && Math.abs(last.end - s.start) < 1e-9) {
      last.end = s.end;
      last.phs.push(s.ph);
    } else {
      out.push({ start: s.start, end: s.end, phs: [s.ph] });
    }
  }
  return out;
}

/**
 * The silences the rest metric judges: each silent run less `guard` seconds on every side that
 * touches speech (a mouth may get ready before a word and settle after it); empty ones dropped.
 */
export function restCores(segs: readonly Segment[], guard: number): { start: number; end: number }[] {
  const end = segs.at(-1)?.end ?? 0;
  const out: { start: number; end: number }[] = [];
  for (const r of runs(segs, 'SILENCE')) {
    const a = r.start <= 1e-9 ? 0 : r.start + guard;
    const b = r.end >= end - 1e-9 ? end : r.end - guard;
    if (b - a > 1e-9) out.push({ start: a, end: b });
  }
  return out;
}
