/**
 * The work queue: each inbox file at most once in it, at most `concurrency` at work. A file that
 * changes while it is being worked on is run again afterwards (the second run finds whether its
 * content really changed). Delayed entries (retries, files locked by another watcher) wait on a
 * timer and stay out of the way until then.
 */
export class WorkQueue {
  private readonly pending: string[] = [];
  private readonly queued = new Set<string>();
  private readonly running = new Set<string>();
  private readonly again = new Set<string>();
  private readonly delayed = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly concurrency: number,
    private readonly work: (item: string) => Promise<void>,
    private readonly onError: (item: string, err: unknown) => void,
  ) {}

  get stats(): { queued: number; running: number; delayed: number } {
    return { queued: this.pending.length, running: this.running.size, delayed: this.delayed.size };
  }

  runningItems(): string[] {
    return [...this.running];
  }

  queuedItems(): string[] {
    return [...this.pending];
  }

  delayedItems(): string[] {
    return [...this.delayed.keys()];
  }

  has(item: string): boolean {
    return this.queued.has(item) || this.running.has(item) || this.delayed.has(item);
  }

  /** Queues `item` (now, or after `delayMs`). Already queued: no-op; running: run once more after. */
  push(item: string, delayMs = 0, front = false): void {
    if (this.stopped) return;
    if (delayMs > 0) {
      if (this.queued.has(item) || this.delayed.has(item)) return;
      const t = setTimeout(() => {
        this.delayed.delete(item);
        this.push(item);
      }, delayMs);
      this.delayed.set(item, t);
      return;
    }
    const timer = this.delayed.get(item);
    if (timer) {
      clearTimeout(timer);
      this.delayed.delete(item);
    }
    if (this.running.has(item)) {
      this.again.add(item);
      return;
    }
    if (this.queued.has(item)) return;
    this.queued.add(item);
    if (front) this.pending.unshift(item);
    else this.pending.push(item);
    this.pump();
  }

  /** Drops a queued or delayed item (its file went away); a running one finishes. */
  remove(item: string): void {
    const timer = this.delayed.get(item);
    if (timer) clearTimeout(timer);
    this.delayed.delete(item);
    this.again.delete(item);
    if (this.queued.delete(item)) this.pending.splice(this.pending.indexOf(item), 1);
  }

  /** Starts nothing more; queued and delayed items stay unstarted (the journal has them). */
  stop(): void {
    this.stopped = true;
    for (const t of this.delayed.values()) clearTimeout(t);
    this.delayed.clear();
    this.settleIdle();
  }

  /** Resolves when nothing runs and, unless stopped, nothing is queued. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.running.size === 0 && (this.stopped || this.pending.length === 0);
  }

  private settleIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private pump(): void {
    while (!this.stopped && this.running.size < this.concurrency && this.pending.length > 0) {
      const item = this.pending.shift()!;
      this.queued.delete(item);
      this.running.add(item);
      void this.work(item)
        .catch((err: unknown) => this.onError(item, err))
        .finally(() => {
          this.running.delete(item);
          if (this.again.delete(item)) this.push(item);
          this.pump();
          this.settleIdle();
        });
    }
    this.settleIdle();
  }
}
