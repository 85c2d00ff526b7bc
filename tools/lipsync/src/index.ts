// @a2f/lipsync: the repository's own lip-sync evaluation (docs/lipsync-eval.md). Speech with exact
// phoneme timelines (espeak-ng, festival), the mouth classes, the metrics, corpora and their
// degradations, and a runner that scores a model pack or a folder of animations. Not shipped.
export { ensurePhonemizer, REPO_ROOT, CACHE_DIR, PHONEMIZE_SOURCE } from './phonemizer.js';
export { synthesize, synthesizeFestival, FESTIVAL_PHONES } from './synthesize.js';
export type { SynthesizeOptions, FestivalOptions, Synthesized } from './synthesize.js';
export { readTimeline, checkTimeline, timelineDuration, TIMELINE_FORMAT } from './timeline.js';
export type { Timeline, TimelinePhoneme } from './timeline.js';
export {
  classify,
  segments,
  plosiveReleases,
  runs,
  restCores,
  isPause,
  isKnown,
  classTable,
  CLASSES,
  JUDGE_CLASSES,
  EXTRA_CLASSES,
} from './classes.js';
export type { MouthClass, Segment, Run } from './classes.js';
export { readWav, writeWav } from './wav.js';
export type { Sound } from './wav.js';
export { readAnimation, checkAnimation, channelKey, channelSeries, sampleAt } from './anim.js';
export type { Animation } from './anim.js';
export { evaluate, pearson, EXPECT, METRICS, JAW_TARGET, LAG_WINDOW_MS } from './metrics.js';
export type { Evaluation, Scores, MetricOptions, MetricName } from './metrics.js';
export { DEGRADATIONS, degrade, isDegradation, speechPower } from './degrade.js';
export type { Degradation } from './degrade.js';
export { buildCorpus, readCorpusLines, corpusFile, SETS, CORPORA_DIR } from './corpora.js';
export type { Corpus, CorpusItem, CorpusLine, BuildOptions } from './corpora.js';
export { openModel, toAnimation } from './run-model.js';
export type { ModelRunner, ModelOptions } from './run-model.js';
export { syntheticAnimation, SYNTHETIC_CHANNELS } from './synthetic.js';
export type { SyntheticKind, SyntheticOptions } from './synthetic.js';
export { driveScores, DRIVE_EXPECT } from './drives.js';
export type { DriveScores } from './drives.js';
export { scoreCorpus, summaryTable, detailTable } from './score.js';
export type { SetReport, SentenceResult, MetricSummary } from './score.js';
export { main } from './cli.js';
export {
  checksFor,
  metricChecks,
  restCheck,
  robustnessChecks,
  driveChecks,
  failures,
  ISSUE_SHARE,
  DEGRADED_SHARE,
} from './expectations.js';
export type { Check } from './expectations.js';
