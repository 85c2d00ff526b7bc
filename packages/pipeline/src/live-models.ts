import path from 'node:path';
import { JobError } from './errors.js';
import { loadModel, type LoadedModel } from './job.js';
import { stableJson } from './line-key.js';
import type { JobSettings } from './settings.js';

interface Entry {
  readonly model: Promise<LoadedModel>;
  users: number;
  /** when its last stream let go (performance.now), for closing the longest idle first */
  idleSince: number;
  retired: boolean;
}

export interface LiveModelsOptions {
  /**
   * Models no stream uses that stay loaded for the next stream (default 2): streams whose settings
   * differ (another model, other parameter overrides) each load an engine, and the idle ones beyond
   * this many are closed, the longest idle first.
   */
  readonly keepIdle?: number;
}

/** A model held for a stream; release() once the stream is done with it. */
export interface LiveModelLease {
  readonly model: LoadedModel;
  release(): void;
  /** The engine is broken (its workers died): later streams load a new one; this one closes when its streams let go. */
  retire(): void;
}

/**
 * The models live streams run on, loaded once and shared: a server holds one LiveModels for its
 * lifetime, so every stream with the same model settings shares one engine (its worker threads),
 * as the lines of a batch share JobContext's (docs/live-engine.md). Models are loaded with the
 * job's own loadModel, so overrides, the solver path and --emotion are checked the same way. A
 * JobContext (ContextPool) is not used because it needs a character and an output folder, which a
 * stream that records nothing does not have.
 */
export class LiveModels {
  private readonly entries = new Map<string, Entry>();
  private closed = false;
  private readonly keepIdle: number;

  constructor(opts: LiveModelsOptions = {}) {
    this.keepIdle = opts.keepIdle ?? 2;
  }

  /** Loads the model these settings name (or shares the loaded one); rejects with the job's errors. */
  async acquire(settings: JobSettings): Promise<LiveModelLease> {
    if (this.closed) {
      throw new JobError(
        'ENGINE_CLOSED',
        'live',
        'the live models are closed (the server is stopping)',
        'Open the stream on a running server.',
      );
    }
    const key = modelKeyOf(settings);
    let entry = this.entries.get(key);
    if (!entry) {
      const loading = loadModel(settings, settings.model);
      const created: Entry = { model: loading, users: 0, idleSince: 0, retired: false };
      // A model that fails to load is not kept: the next stream tries again and reports it again.
      loading.catch(() => {
        if (this.entries.get(key) === created) this.entries.delete(key);
      });
      this.entries.set(key, created);
      entry = created;
    }
    entry.users++;
    let model: LoadedModel;
    try {
      model = await entry.model;
    } catch (err) {
      entry.users--;
      throw err;
    }
    let released = false;
    const held = entry;
    return {
      model,
      release: () => {
        if (released) return;
        released = true;
        held.users--;
        if (held.users > 0) return;
        held.idleSince = performance.now();
        if (held.retired) void closeEngine(held);
        else this.closeIdle();
      },
      retire: () => {
        if (held.retired) return;
        held.retired = true;
        if (this.entries.get(key) === held) this.entries.delete(key);
        if (held.users === 0) void closeEngine(held);
      },
    };
  }

  /** Engines loaded (or loading) now. */
  get loaded(): number {
    return this.entries.size;
  }

  /** Streams using a model now (all models together). */
  get users(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.users;
    return n;
  }

  /** Closes the idle models beyond keepIdle, the longest idle first; a stream that wants one again reloads it. */
  private closeIdle(): void {
    const idle = [...this.entries].filter(([, e]) => e.users === 0).sort(([, a], [, b]) => b.idleSince - a.idleSince);
    for (const [key, entry] of idle.slice(this.keepIdle)) {
      this.entries.delete(key);
      void closeEngine(entry);
    }
  }

  /** Closes every engine; ORT finishes the batch it is running first. Streams still open fail on their next push. */
  async close(): Promise<void> {
    this.closed = true;
    const loaded = await Promise.allSettled([...this.entries.values()].map((e) => e.model));
    this.entries.clear();
    await Promise.all(loaded.map((m) => (m.status === 'fulfilled' ? m.value.engine.close() : undefined)));
  }
}

/** Closes an entry's engine; one that never loaded has nothing to close. */
const closeEngine = (entry: Entry): Promise<void> => entry.model.then((m) => m.engine.close()).catch(() => undefined);

/** What decides a loaded model: the pack, its overrides, solver path, kind options, the pool and --emotion. */
function modelKeyOf(s: JobSettings): string {
  return stableJson({
    model: s.model === 'default' ? s.model : path.resolve(s.model),
    params: s.params,
    solvePath: s.solvePath,
    identity: s.identity,
    v3Noise: s.v3Noise,
    v3Resample: s.v3Resample,
    inference: s.inference,
    emotion: s.emotion,
    channels: s.channels,
    excludeChannels: s.excludeChannels,
  });
}
