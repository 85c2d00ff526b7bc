import { ContextPool, stableJson, type FileHashCache, type JobContext, type JobSettings, type JobSettingsInput } from '@a2f/pipeline';

interface Entry {
  readonly pool: ContextPool;
  readonly hashes: FileHashCache;
  users: number;
  lastUsed: number;
}

/**
 * A worker's loaded contexts, one pipeline ContextPool per distinct job settings (the output folder
 * aside): each loads its model once and reads each character once, and retires a context when a
 * character changes on disk, as the watch folder does. Jobs of one batch share settings, so a
 * worker loads one model for all of them. Beyond `max` pools the least recently used idle one is closed.
 */
export class WorkerContexts {
  private readonly entries = new Map<string, Entry>();
  private closing = false;

  constructor(
    private readonly max: number,
    /** the character hash cache for one settings' variants, which checks each file it lists (roots) */
    private readonly hashesFor: (s: JobSettings) => FileHashCache,
  ) {}

  /** The hash cache of these settings' pool (made on first use). */
  hashes(input: JobSettingsInput, s: JobSettings): FileHashCache {
    return this.entry(input, s).hashes;
  }

  async use<T>(
    input: JobSettingsInput,
    s: JobSettings,
    characters: ReadonlyMap<string, string>,
    fn: (ctx: JobContext) => Promise<T>,
  ): Promise<T> {
    const e = this.entry(input, s);
    e.users++;
    try {
      return await e.pool.use(characters, fn);
    } finally {
      e.users--;
      e.lastUsed = Date.now();
      this.evict();
    }
  }

  /** The current context of these settings is broken (its inference workers died): the next line gets a new one. */
  retire(s: JobSettings): void {
    this.entries.get(keyOf(s))?.pool.retireCurrent();
  }

  async close(): Promise<void> {
    this.closing = true;
    const all = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(all.map((e) => e.pool.close()));
  }

  private entry(input: JobSettingsInput, s: JobSettings): Entry {
    const key = keyOf(s);
    let e = this.entries.get(key);
    if (!e) {
      if (this.closing) throw new Error('the worker is stopping');
      // The first line's input starts the pool; lines of these settings differ only in their output folder.
      e = { pool: new ContextPool(input), hashes: this.hashesFor(s), users: 0, lastUsed: Date.now() };
      this.entries.set(key, e);
    }
    return e;
  }

  private evict(): void {
    while (this.entries.size > this.max) {
      const idle = [...this.entries.entries()].filter(([, e]) => e.users === 0).sort((a, b) => a[1].lastUsed - b[1].lastUsed)[0];
      if (!idle) return;
      this.entries.delete(idle[0]);
      void idle[1].pool.close();
    }
  }
}

/** Settings that decide a loaded context: all of them but where files go. */
const keyOf = (s: JobSettings): string => stableJson({ ...s, outDir: null });
