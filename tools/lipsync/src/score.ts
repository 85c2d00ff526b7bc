// A corpus scored: every line's metrics and face drives, and the issue's table of how many lines met
// each expectation (docs/lipsync-eval.md#the-runner).
import type { Animation } from './anim.js';
import type { Corpus } from './corpora.js';
import { driveScores, type DriveScores } from './drives.js';
import { evaluate, METRICS, type Evaluation, type MetricName } from './metrics.js';

export interface SentenceResult {
  readonly id: string;
  readonly voice: string;
  readonly wpm: number;
  readonly evaluation: Evaluation;
  readonly drives: DriveScores;
}

export interface MetricSummary {
  readonly judged: number;
  readonly passed: number;
  readonly mean: number | null;
}

export interface SetReport {
  /** what was scored: the model or the animation folder */
  readonly source: string;
  readonly set: string;
  readonly variant: string;
  readonly sentences: readonly SentenceResult[];
  readonly summary: Readonly<Record<MetricName, MetricSummary | null>>;
  /** jaw_open_ratio, silence_rest and lag_ms all met, of the sentences where all three are judged */
  readonly all: { readonly judged: number; readonly passed: number };
}

/** The judge's sentence pass: these three met together. */
const ALL_OF: readonly MetricName[] = ['jaw_open_ratio', 'silence_rest', 'lag_ms'];

/**
 * Metrics that hold in any language, for the foreign set: rounding is left out, as which vowels are
 * rounded differs by language and espeak-ng's classes of them are ours, not the judge's.
 */
const LANGUAGE_INDEPENDENT: readonly MetricName[] = ['jaw_open_ratio', 'silence_rest', 'bilabial_closure', 'lag_ms'];

export function scoreCorpus(corpus: Corpus, animations: ReadonlyMap<string, Animation>, source: string): SetReport {
  const sentences = corpus.items.map((item) => {
    const anim = animations.get(item.id);
    if (!anim) throw new Error(`no animation for ${item.id} of ${corpus.set}/${corpus.variant}`);
    return {
      id: item.id,
      voice: item.voice,
      wpm: item.wpm,
      evaluation: evaluate(item.timeline, anim),
      drives: driveScores(item.timeline, anim),
    };
  });
  const metrics = corpus.set === 'foreign' ? LANGUAGE_INDEPENDENT : METRICS;
  const summary = Object.fromEntries(
    METRICS.map((m) => {
      if (!metrics.includes(m)) return [m, null];
      const judged = sentences.filter((s) => s.evaluation.metrics[m].ok != null);
      const values = sentences.map((s) => s.evaluation.metrics[m].value).filter((v): v is number => v != null);
      return [
        m,
        {
          judged: judged.length,
          passed: judged.filter((s) => s.evaluation.metrics[m].ok).length,
          mean: values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 1000) / 1000 : null,
        },
      ];
    }),
  ) as Record<MetricName, MetricSummary | null>;
  // a sentence without p/b/m (or without an open vowel) has no jaw ratio: it is not counted here
  const allJudged = sentences.filter((s) => ALL_OF.every((m) => s.evaluation.metrics[m].ok != null));
  return {
    source,
    set: corpus.set,
    variant: corpus.variant,
    sentences,
    summary,
    all: { judged: allJudged.length, passed: allJudged.filter((s) => s.evaluation.pass).length },
  };
}

const HEADINGS: Readonly<Record<MetricName, string>> = {
  jaw_open_ratio: 'jaw open vs p/b/m ≥ 2×',
  silence_rest: 'rest in silence',
  rounding_contrast: 'rounding',
  bilabial_closure: 'lips close at p/b/m',
  lag_ms: 'lag within −185…+90 ms',
};

const cell = (s: MetricSummary | null, withMean: boolean): string =>
  s == null ? '—' : `${s.passed}/${s.judged}${withMean && s.mean != null ? ` (mean ${s.mean})` : ''}`;

/** The issue's table: one row per scored set, pass counts per metric (means where they say something). */
export function summaryTable(reports: readonly SetReport[]): string {
  const head = `| | ${METRICS.map((m) => HEADINGS[m]).join(' | ')} | all of jaw, rest and lag |`;
  const rows = reports.map((r) => {
    const cells = METRICS.map((m) => cell(r.summary[m], m === 'jaw_open_ratio' || m === 'silence_rest' || m === 'lag_ms'));
    const label = `${r.source}, ${r.set}${r.variant === 'clean' ? '' : ` + ${r.variant}`}`;
    return `| ${label} | ${cells.join(' | ')} | **${r.all.passed}/${r.all.judged}** |`;
  });
  return [head, `|---|${METRICS.map(() => '---|').join('')}---|`, ...rows].join('\n');
}

const fmt = (v: number | null | undefined, ok?: boolean | null): string => (v == null ? '—' : `${v}${ok === false ? ' ✗' : ''}`);

const DETAIL_HEAD = [
  'id',
  'voice',
  'wpm',
  'jaw ratio',
  'rest',
  'rounding',
  'closure (sel.)',
  'lag ms (graded r)',
  'pass',
  'tongue t/d/n/l',
  'th',
  'f/v tuck',
  'puff',
  'brows',
  'eyes',
];

/** One row per sentence: the metric values (✗ where an expectation is missed) and the face drives. */
export function detailTable(r: SetReport): string {
  const rows = r.sentences.map((s) => {
    const m = s.evaluation.metrics;
    const d = s.drives;
    const cells = [
      s.id,
      s.voice,
      String(s.wpm),
      fmt(m.jaw_open_ratio.value, m.jaw_open_ratio.ok),
      fmt(m.silence_rest.value, m.silence_rest.ok),
      fmt(m.rounding_contrast.value, m.rounding_contrast.ok),
      `${fmt(m.bilabial_closure.value, m.bilabial_closure.ok)} (${fmt(m.bilabial_closure.selectivity)})`,
      `${fmt(m.lag_ms.value, m.lag_ms.ok)} (${fmt(m.lag_ms.graded?.r_best)})`,
      s.evaluation.pass ? 'yes' : 'no',
      ...[d.tongue_tip, d.tongue_dental, d.lip_tuck, d.cheek_puff, d.brow_range, d.eye_range].map((v) => fmt(v)),
    ];
    return `| ${cells.join(' | ')} |`;
  });
  const head = `| ${DETAIL_HEAD.join(' | ')} |`;
  return [head, `|${'---|'.repeat(DETAIL_HEAD.length)}`, ...rows].join('\n');
}
