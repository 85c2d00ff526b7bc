/**
 * Steady-state throughput of a run that reports after each batch: the frames completed after the
 * first report, over the time since it. Excludes what happens once per run (session warm-up, the
 * pipeline filling), which a per-frame figure must not carry.
 */
export class ProgressClock {
  private first: { t: number; done: number } | null = null;
  private last: { t: number; done: number } | null = null;
  private readonly started = performance.now();

  readonly onProgress = (done: number): void => {
    const t = performance.now();
    this.first ??= { t, done };
    this.last = { t, done };
  };

  /** Frames per second; falls back to the whole run's average when only one batch reported. */
  framesPerSecond(): number {
    const { first, last } = this;
    if (!first || !last) throw new Error('the run reported no progress');
    if (last.done > first.done && last.t > first.t) return ((last.done - first.done) * 1000) / (last.t - first.t);
    return (last.done * 1000) / (last.t - this.started);
  }
}

export const seconds = (fromMs: number): number => (performance.now() - fromMs) / 1000;
