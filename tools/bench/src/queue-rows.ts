// The render-farm queue's figures (measured by queue-farm.ts), their table rows, targets and notes:
// here rather than spread over report.ts, table.ts and targets.ts, which only call into this file (and
// this one imports none of them, so report.ts can take its types from here).

export interface QueueFarmPlan {
  /** `a2f worker` processes per round */
  readonly workers: readonly number[];
  /** lines per round and each line's length */
  readonly lines: number;
  readonly lineSeconds: number;
  /** lines timed one at a time on one idle worker, for the overhead */
  readonly overheadJobs: number;
}

export interface QueueRate {
  /** `a2f worker` processes (one line at a time each, the worker's default) */
  readonly workers: number;
  /** null with `note`: the round was too short to be a rate */
  readonly linesPerMinute: number | null;
  readonly audioMinutesPerMinute: number | null;
  /** from the first add to the last completion seen */
  readonly seconds: number;
  readonly note?: string;
}

export interface QueueOverhead {
  /** Redis' AOF fsync policy during the measurement: the README's recipe (always), or once a second */
  readonly appendfsync: 'always' | 'everysec';
  readonly jobs: number;
  /** Redis' add → completion timestamps, minus the worker's own time on the line (its checks and the pipeline), per job */
  readonly meanMs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  /** of meanMs: from the add until a worker took the job (the rest is the worker's bookkeeping and the completion) */
  readonly pickupMs: number;
  /** the worker's mean time on one of these lines */
  readonly lineMs: number;
  /** meanMs ÷ lineMs */
  readonly fractionOfLine: number;
}

export interface QueueFarmFigures {
  readonly lines: number;
  readonly lineSeconds: number;
  readonly rates: readonly QueueRate[];
  /** appendfsync always (the recipe's, judged against the target), then everysec; empty with `note` when no Redis could start */
  readonly overheads: readonly QueueOverhead[];
  readonly note?: string;
}

const f = (x: number | null, digits = 1): string => (x === null ? '—' : x.toFixed(digits));

/** [figure, value, settings] rows for the bench table. */
export function queueRows(q: QueueFarmFigures): [string, string, string][] {
  if (q.rates.length === 0) return [['render-farm queue', '—', q.note ?? 'not measured']];
  const rows: [string, string, string][] = q.rates.map((r) => [
    `render-farm queue, ${r.workers} worker process${r.workers > 1 ? 'es' : ''}`,
    r.linesPerMinute === null ? '—' : `${f(r.linesPerMinute, 0)} lines/min`,
    `${q.lines} lines × ${q.lineSeconds} s (48 kHz stereo), default model, one line at a time per worker; ` +
      `${f(r.audioMinutesPerMinute, 2)} min of audio per minute; first add to last completion ${f(r.seconds, 2)} s` +
      (r.note ? `; ${r.note}` : ''),
  ]);
  for (const o of q.overheads) {
    rows.push([
      `render-farm queue, overhead per job, appendfsync ${o.appendfsync}`,
      `${f(o.meanMs)} ms (${f(100 * o.fractionOfLine, 2)} % of a line)`,
      `Redis' add → completion minus the worker's time on the line, ${o.jobs} lines one at a time on an idle worker; ` +
        `median ${f(o.medianMs)} ms, max ${f(o.maxMs)} ms, of which ${f(o.pickupMs)} ms until a worker took the job; ` +
        `a line took the worker ${f(o.lineMs, 0)} ms`,
    ]);
  }
  return rows;
}

/** The targets, judged on the README recipe's Redis (fsync on every write). */
export function queueTargets<T>(
  q: QueueFarmFigures,
  below: (name: string, value: number | null | undefined, max: number, unit: string, shown: string, why?: string) => T,
): T[] {
  const why = q.note ?? 'not measured';
  const o = q.overheads.find((x) => x.appendfsync === 'always');
  return [
    below('render-farm queue, overhead per job (appendfsync always)', o?.meanMs, 20, 'ms', '< 20 ms', why),
    below("render-farm queue, overhead per job, share of a line's time", o?.fractionOfLine, 0.01, '', '< 1 %', why),
  ];
}

export const queueNotes = (q: QueueFarmFigures): string[] => [
  ...(q.note ? [`render-farm queue: ${q.note}`] : []),
  ...q.rates.filter((r) => r.note).map((r) => `render-farm queue, ${r.workers} worker(s): ${r.note}`),
];
