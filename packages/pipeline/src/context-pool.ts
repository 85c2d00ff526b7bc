import { JobError } from './errors.js';
import { JobContext } from './job.js';
import type { JobSettingsInput } from './settings.js';

interface Generation {
  readonly ctx: Promise<JobContext>;
  users: number;
  retired: boolean;
  /** character asset → the SHA-256 it had when this context first bound a line to it */
  readonly characters: Map<string, string>;
}

/**
 * The loaded model(s) and parsed character(s) the watcher runs lines on. A JobContext caches each
 * character it parsed, so when a character asset changes on disk (its hash differs from the one
 * this context bound lines to) the context is retired: new lines get a fresh one, and the old one
 * is closed once its last line finishes. A context whose inference workers died is retired the
 * same way. Closing always awaits the pipeline's close(), which lets ORT finish the batch it is
 * running: a worker is never terminated mid-run.
 */
export class ContextPool {
  private current: Generation | null = null;
  private readonly all = new Set<Generation>();
  private closed = false;

  constructor(private readonly settings: JobSettingsInput) {}

  /** Loads the first context; rejects on bad settings (character, model, preset), so the watcher never starts half-configured. */
  async open(): Promise<void> {
    await this.generation().ctx;
  }

  /** Runs `fn` on a context that has seen `characters` (path → SHA-256) as they are now. */
  async use<T>(characters: ReadonlyMap<string, string>, fn: (ctx: JobContext) => Promise<T>): Promise<T> {
    // Closed for shutdown: a line that reaches this point is checkpointed, not given a new model.
    if (this.closed) throw new JobError('ENGINE_CLOSED', 'watcher', 'the watcher is stopping', 'The line is redone on the next start.');
    let gen = this.generation();
    for (const [file, sha] of characters) {
      const known = gen.characters.get(file);
      if (known !== undefined && known !== sha) {
        this.retire(gen);
        gen = this.generation();
        break;
      }
    }
    for (const [file, sha] of characters) if (!gen.characters.has(file)) gen.characters.set(file, sha);
    gen.users++;
    try {
      return await fn(await gen.ctx);
    } finally {
      gen.users--;
      if (gen.retired && gen.users === 0) void this.closeGeneration(gen);
    }
  }

  /** The current context is broken (its workers died): the next line gets a new one. */
  retireCurrent(): void {
    if (this.current) this.retire(this.current);
  }

  /** Closes every context, awaiting each pipeline close (in-flight inference batches finish first). */
  async close(): Promise<void> {
    this.closed = true;
    const gens = [...this.all];
    this.current = null;
    await Promise.all(gens.map((g) => this.closeGeneration(g)));
  }

  private generation(): Generation {
    if (!this.current) {
      const gen: Generation = { ctx: JobContext.create(this.settings), users: 0, retired: false, characters: new Map() };
      // A context that fails to load is not kept: the next line tries again and reports the error.
      gen.ctx.catch(() => {
        if (this.current === gen) this.current = null;
        this.all.delete(gen);
      });
      this.current = gen;
      this.all.add(gen);
    }
    return this.current;
  }

  private retire(gen: Generation): void {
    gen.retired = true;
    if (this.current === gen) this.current = null;
    if (gen.users === 0) void this.closeGeneration(gen);
  }

  private async closeGeneration(gen: Generation): Promise<void> {
    if (!this.all.delete(gen)) return;
    try {
      await (await gen.ctx).close();
    } catch {
      // A context that never loaded has nothing to close.
    }
  }
}
