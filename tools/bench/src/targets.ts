// The targets for a 2-core machine, checked against one run's figures. A bench reports
// them; it never fails on them (timings are the machine's, not the code's). A figure that was not
// measured or was refused leaves its target unjudged, with the reason.
import { liveNotes, liveTargets } from './live-rows.js';
import { queueNotes, queueTargets } from './queue-rows.js';
import type { BenchReport, TargetResult } from './report.js';

type Value = number | null | undefined;

function judged(
  name: string,
  target: string,
  value: Value,
  unit: string,
  why: string | undefined,
  met: (v: number) => boolean,
  margin: (v: number) => number,
): TargetResult {
  if (value === null || value === undefined)
    return { name, target, value: null, unit, met: null, margin: null, note: why ?? 'not measured' };
  return { name, target, value, unit, met: met(value), margin: margin(value) };
}
const atLeast = (name: string, value: Value, min: number, unit: string, shown = `≥ ${min} ${unit}`, why?: string): TargetResult =>
  judged(
    name,
    shown,
    value,
    unit,
    why,
    (v) => v >= min,
    (v) => v / min - 1,
  );
const below = (name: string, value: Value, max: number, unit: string, shown = `< ${max} ${unit}`, why?: string): TargetResult =>
  judged(
    name,
    shown,
    value,
    unit,
    why,
    (v) => v < max,
    (v) => 1 - v / max,
  );

export function evaluateTargets(r: Omit<BenchReport, 'targets' | 'notes'>): TargetResult[] {
  const hour = r.memory.benchPackHour;
  return [
    atLeast('v2.3-shaped network, batched', r.best?.framesPerSecond, 60, 'frames/s', undefined, 'every throughput point was refused'),
    atLeast('share of the measured roofline', r.best?.rooflineFraction, 0.5, '', '≥ 50 %', r.best?.shareNote ?? 'no throughput point'),
    below(
      "post-processing + solve per frame, share of the network's",
      r.postprocess.fractionOfNetwork.coefficients,
      0.02,
      '',
      '< 2 %',
      'no network figure to compare with',
    ),
    atLeast('end to end, speed-up over the straightforward port', r.speedup, 10, '×', '≥ 10×'),
    below(
      `peak RSS, ${r.memory.defaultModel.audioMinutes}-minute line, default model`,
      r.memory.defaultModel.peakRssMB,
      1500,
      'MB',
      '< 1.5 GB',
    ),
    below(`peak RSS, ${hour.minutes}-minute line, v2.3-shaped pack`, hour.peakRssMB, 1500, 'MB', '< 1.5 GB', hour.note),
    atLeast('.usda writing', r.usdWrite.megabytesPerSecond, 50, 'MB/s'),
    below(
      'character read, 50 MB crate asset',
      (r.characterRead.crateMB ?? 0) >= 45 ? r.characterRead.crateSeconds : null,
      1,
      's',
      '< 1 s',
      r.characterRead.crateSeconds === null ? (r.characterRead.note ?? 'not measured') : 'the quick run reads a smaller asset',
    ),
    below(
      'preview page load, 100 k points × 52 shapes',
      r.preview.points >= 100_000 ? r.preview.loadMs : null,
      3000,
      'ms',
      '< 3 s',
      r.preview.loadMs === null ? (r.preview.note ?? 'not measured') : 'the quick run loads a smaller face',
    ),
    atLeast(
      "preview playback at 1×, share of the layer's frames drawn",
      r.preview.playback?.shareDrawn,
      0.95,
      '',
      '≥ 95 %',
      r.preview.playback ? 'no frame was counted' : (r.preview.note ?? 'not measured'),
    ),
    ...queueTargets(r.queue, below),
    ...liveTargets(r.live, atLeast),
  ];
}

/** Every figure this run refused or left out, with the reason: printed under the tables. */
export function notesOf(r: Omit<BenchReport, 'targets' | 'notes'>): string[] {
  return [
    ...r.roofline.layouts.filter((l) => l.note).map((l) => `roofline ${l.workers}×${l.threads}: ${l.note}`),
    ...(r.roofline.gflops === null && r.roofline.note ? [`roofline: ${r.roofline.note}`] : []),
    ...r.throughput.flatMap((p) =>
      [p.note, p.shareNote].filter(Boolean).map((n) => `network ${p.workers}×${p.threads} batch ${p.batch}: ${n}`),
    ),
    ...(r.preview.note ? [`preview: ${r.preview.note}`] : []),
    ...queueNotes(r.queue),
    ...liveNotes(r.live),
    ...(r.memory.benchPackHour.note
      ? [`peak RSS, ${r.memory.benchPackHour.minutes}-minute line, v2.3-shaped pack: ${r.memory.benchPackHour.note}`]
      : []),
  ];
}
