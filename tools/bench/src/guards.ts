// What stands between a measurement and a printed figure (docs/benchmark.md, "Guards"): a rate comes
// from a sample of at least MIN_SAMPLE_SECONDS, a FLOP rate stays under the machine's ceiling, and a
// share of the roofline stays at or under 100 %. A figure that fails is reported as null with the
// reason, never as a number.
import type { CpuCeiling } from './ceiling.js';

/** Below this, timer resolution, a scheduler slice or one GC pause is a large part of the sample. */
export const MIN_SAMPLE_SECONDS = 0.5;

/** A figure, or null with why it is not one. */
export interface Checked {
  readonly value: number | null;
  /** the refused measurement, kept for diagnosis */
  readonly measured?: number;
  readonly note?: string;
}

/** How long a measurement ran: `reps` whole repetitions in `seconds`. */
export interface Sample {
  readonly seconds: number;
  readonly reps: number;
}

/**
 * Runs `once` until it has run at least `minReps` times and for at least `minSeconds` in all, and
 * returns the total: a rate is then work over time actually spent, never scaled up from a sliver.
 */
export async function repeatFor(minSeconds: number, minReps: number, once: () => unknown): Promise<Sample> {
  let reps = 0;
  let seconds = 0;
  while (reps < minReps || seconds < minSeconds) {
    const t = performance.now();
    await once();
    seconds += (performance.now() - t) / 1000;
    reps++;
  }
  return { seconds, reps };
}

/** Synchronous `repeatFor` (CPU-only work that must not yield between repetitions). */
export function repeatForSync(minSeconds: number, minReps: number, once: () => void): Sample {
  let reps = 0;
  let seconds = 0;
  while (reps < minReps || seconds < minSeconds) {
    const t = performance.now();
    once();
    seconds += (performance.now() - t) / 1000;
    reps++;
  }
  return { seconds, reps };
}

/** `work` units per second over `sample`; refused when the sample is shorter than MIN_SAMPLE_SECONDS. */
export function perSecond(work: number, sample: Sample): Checked {
  const measured = work / sample.seconds;
  if (!(sample.seconds >= MIN_SAMPLE_SECONDS)) {
    return {
      value: null,
      measured,
      note:
        `measured over only ${sample.seconds.toFixed(3)} s ` +
        `(at least ${MIN_SAMPLE_SECONDS} s is needed; a shorter sample is not scaled up)`,
    };
  }
  return { value: measured };
}

/** A FLOP rate in GFLOP/s, refused above what the cores can do (null ceiling: a GPU, which the CPU's does not bound). */
export function underCeiling(gflops: Checked, ceiling: CpuCeiling | null): Checked {
  if (gflops.value === null || ceiling === null) return gflops;
  if (gflops.value > ceiling.gflops) {
    return {
      value: null,
      measured: gflops.value,
      note: `${gflops.value.toFixed(0)} GFLOP/s exceeds what the cores can do (${ceiling.basis}): a measuring error, not a figure`,
    };
  }
  return gflops;
}

/** part ÷ whole as a fraction; above 1 the whole (a measured peak) was measured too low, and that is what gets said. */
export function share(part: number | null, whole: number | null, wholeName = 'the roofline'): Checked {
  if (part === null || whole === null || !(whole > 0))
    return { value: null, note: `not computed: ${part === null ? 'the figure' : wholeName} was refused` };
  const measured = part / whole;
  if (measured > 1) {
    return {
      value: null,
      measured,
      note: `measured ${(100 * measured).toFixed(0)} % of ${wholeName}: a share cannot exceed 100 %, so ${wholeName} was measured too low`,
    };
  }
  return { value: measured };
}

/** A line's time split by stage, or why it is left out: stages that add up past the line itself were not measured alike. */
export function stageSplit(stages: Readonly<Record<string, number>>, lineSeconds: number): string {
  const sum = Object.values(stages).reduce((a, b) => a + b, 0);
  // 5 % slack: the stages are separate means, each rounded, and decoding is timed outside the line.
  if (sum > lineSeconds * 1.05) {
    return `stage split left out: its stages add up to ${sum.toFixed(2)} s, more than the line's ${lineSeconds.toFixed(2)} s`;
  }
  return `per line: ${Object.entries(stages)
    .map(([k, v]) => `${k} ${v.toFixed(2)} s`)
    .join(', ')}`;
}
