import { readFileSync, readdirSync, realpathSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sha256Text } from '@a2f/base';
import chokidar, { type FSWatcher } from 'chokidar';
import {
  characterFiles,
  checkOutputDir,
  checkPathTemplate,
  ContextPool,
  FileHashCache,
  modelSignature,
  settingsFingerprint,
  compileShotPattern,
  JobError,
  lineVariables,
  loadPathTemplate,
  outputSettings,
  presetFile,
  renderOutputPath,
  sidecarPath,
  resolveSettings,
  resolveWatchSettings,
  summarizeError,
  TOOL,
  writeFileAtomic,
  type JobSettingsInput,
  type WatchSettings,
  type WatchSettingsInput,
} from '@a2f/pipeline';
import type { EventSink, WatchEvent } from './events.js';
import { backoffMs } from './failures.js';
import { isIgnoredPath, isSidecar } from './ignore.js';
import { IN_FLIGHT, Journal, type EntryState, type EntryStatus } from './journal.js';
import { LineRunner, type BaseLineSettings } from './line-job.js';
import { tryAcquire, type HeldLock } from './lock.js';
import { newOwner, type Owner } from './owner.js';
import { WorkQueue } from './queue.js';
import { sameSnapshot, snapshot, StabilityTracker, type FileSnapshot } from './stability.js';
import { StateDir, STATE_DIR_NAME } from './state.js';
import type { InstanceStatus } from './status.js';
import { removeTempsUnder } from './temps.js';

/**
 * What a watcher runs on. The settings (paths, concurrency, settleMs, retries, lockStaleMs, rescanMs…)
 * are declared, checked and defaulted in pipeline's settings table (settings-schema.ts), as for `a2f watch`.
 */
export interface WatchOptions extends WatchSettingsInput {
  /** the watch folder (inbox): audio files dropped here, in subfolders too */
  readonly inbox: string;
  /** the output root: every layer, report and error file goes under it */
  readonly out: string;
  /** job settings (everything but outDir): character, model, fps, layering, preset, … */
  readonly job: Omit<JobSettingsInput, 'outDir'>;
  readonly onEvent?: EventSink;
  /**
   * Hands each stable line to someone else (a render-farm queue) instead of running it here: called
   * with the line and where its files go (the path template rendered), it resolves once the line is
   * durably handed over; a rejection is retried with backoff. No model is loaded then.
   */
  readonly dispatch?: LineDispatch;
}

export type LineDispatch = (line: {
  readonly audio: string;
  readonly path: string;
  readonly outDir: string;
  readonly name: string;
}) => Promise<{ readonly id: string; readonly added: boolean }>;

const TERMINAL: ReadonlySet<EntryStatus> = new Set(['done', 'failed', 'duplicate']);

/**
 * The watch-folder service: chokidar events → stability → queue → one line at a time per slot,
 * each under its lock, each state change journaled before it is acted on. See README, "Watch folder".
 */
export class Watcher {
  private fsw: FSWatcher | null = null;
  private tracker!: StabilityTracker;
  private queue!: WorkQueue;
  private runner!: LineRunner;
  private timers: NodeJS.Timeout[] = [];
  private stopping: Promise<void> | null = null;
  private checkpoint = false;
  private ready = false;
  private lastStatus = '';
  private resolveDone!: () => void;
  /** settles once the watcher has stopped and released everything */
  readonly done: Promise<void> = new Promise((r) => {
    this.resolveDone = r;
  });
  private readonly startedAt = Date.now();

  private constructor(
    readonly inbox: string,
    readonly outRoot: string,
    readonly state: StateDir,
    readonly instance: string,
    private readonly owner: Owner,
    private readonly instanceLock: HeldLock,
    private readonly journal: Journal,
    private readonly pool: ContextPool,
    private readonly opts: WatchSettings,
    private readonly emit: EventSink,
    private readonly dispatch?: LineDispatch,
  ) {}
  /** dispatch mode: the file state each line had when it was handed over, so a rescan does not hand it over again */
  private readonly handedOver = new Map<string, string>();

  /** Checks settings, loads the model, claims an instance, replays the journal and starts watching. */
  static async start(opts: WatchOptions): Promise<Watcher> {
    const emit: EventSink = opts.onEvent ?? (() => {});
    // Every value checked before anything is touched: a bad one is the CLI's error, for library callers too.
    const settings = resolveWatchSettings(opts);
    const job = resolveSettings({ ...opts.job, outDir: opts.out });
    const inbox = realDir(opts.inbox, 'watch folder');
    const outRoot = job.outDir;
    checkNesting(inbox, outRoot);
    // Before anything loads: a file, a dangling link, /proc or a read-only folder is one clear error.
    checkOutputDir(outRoot);
    const stateRoot = settings.stateDir ?? path.join(outRoot, STATE_DIR_NAME);
    if (settings.stateDir !== undefined) checkOutputDir(stateRoot, { label: 'state folder (--state)' });
    const relState = path.relative(inbox, stateRoot);
    if (!relState.startsWith('..') && !path.isAbsolute(relState) && !isIgnoredPath(relState)) {
      throw new JobError(
        'BAD_SETTING',
        stateRoot,
        'the state folder is inside the watch folder under a name that is watched',
        'Put it outside the watch folder, or give it a name starting with a dot.',
      );
    }

    const templateSource = `path template "${settings.paths}"`;
    const template = loadPathTemplate(settings.paths);
    checkPathTemplate(template, templateSource);
    compileShotPattern(settings.shotPattern);

    const pool = new ContextPool(job);
    // Bad character, model or preset: refuse to start rather than fail every line (the queue's workers load them).
    if (!opts.dispatch) await pool.open();

    const model = job.model === 'default' ? 'default' : path.resolve(job.model);
    const base: BaseLineSettings = {
      character: job.character,
      ...(job.variants ? { variants: job.variants } : {}),
      model,
      fps: job.fps,
      template,
      templateSource,
      shotPattern: settings.shotPattern,
      modelSignature: modelSignature(model, TOOL.version),
      settingsFingerprint: settingsFingerprint(outputSettings({ ...job, ...settings }), {
        presetSha256: presetSha(job.preset),
        template,
        tool: TOOL.version,
      }),
      toolVersion: TOOL.version,
    };

    let lock: HeldLock | undefined;
    try {
      const state = new StateDir(stateRoot);
      state.ensure();
      const claimed = claimInstance(state, settings.instance, settings.lockStaleMs);
      lock = claimed.lock;
      const journal = Journal.open(state.journalFile(claimed.instance));
      const w = new Watcher(
        inbox,
        outRoot,
        state,
        claimed.instance,
        claimed.owner,
        claimed.lock,
        journal,
        pool,
        settings,
        emit,
        opts.dispatch,
      );
      w.begin(base);
      return w;
    } catch (err) {
      lock?.release();
      await pool.close();
      throw err;
    }
  }

  private begin(base: BaseLineSettings): void {
    const { opts, emit, journal, state } = this;
    const { lockStaleMs } = opts;
    emit({
      ev: 'start',
      level: 'info',
      instance: this.instance,
      host: this.owner.host,
      pid: this.owner.pid,
      inbox: this.inbox,
      out: this.outRoot,
      state: state.root,
      template: base.template,
      version: TOOL.version,
    });
    this.instanceLock.startHeartbeat((reason) => {
      // Another process now owns our journal: stop at once rather than write it from two places.
      emit({ ev: 'error', level: 'error', message: `lost the instance lock of "${this.instance}" (${reason}); stopping` });
      void this.stop({ checkpoint: true });
    });
    const r = journal.replay;
    const inFlight = [...journal.entries().values()].filter((e) => IN_FLIGHT.has(e.status));
    emit({
      ev: 'journal',
      level: r.tornTail || r.badLines.length ? 'warn' : 'info',
      file: journal.file,
      records: r.records,
      entries: journal.entries().size,
      tornTail: r.tornTail,
      badLines: r.badLines,
      inFlight: inFlight.length,
    });
    const removed = removeTempsUnder(state.root, lockStaleMs);
    if (removed.length) emit({ ev: 'cleanup', level: 'info', removed: removed.map((f) => path.relative(state.root, f)) });

    this.runner = new LineRunner({
      inbox: this.inbox,
      outRoot: this.outRoot,
      state,
      journal,
      owner: this.owner,
      instance: this.instance,
      pool: this.pool,
      hashes: new FileHashCache((file) => characterFiles(file, base)),
      base,
      retries: opts.retries,
      retryBaseMs: opts.retryBaseMs,
      lockStaleMs,
      maxCrashes: opts.maxCrashes,
      startedAt: this.startedAt,
      emit,
      requeue: (rel, delayMs) => this.queue.push(rel, delayMs),
      checkpointing: () => this.checkpoint,
    });
    this.queue = new WorkQueue(
      opts.concurrency,
      (rel) => (this.dispatch ? this.handOver(rel, base, this.dispatch) : this.runner.run(rel)),
      (rel, err) => {
        const e = summarizeError(err);
        emit({ ev: 'error', level: 'error', path: rel, code: e.code, message: e.message });
        this.queue.push(rel, opts.retryBaseMs);
      },
    );

    // Lines in flight when the last run ended go first: they were complete then.
    for (const e of inFlight) {
      if (e.status === 'processing') {
        journal.append({ ev: 'interrupted', path: e.path, reason: 'crash' });
        emit({ ev: 'interrupted', level: 'warn', path: e.path, reason: 'crash', attempt: e.attempt });
      }
      this.queue.push(e.path, 0, true);
    }

    const settleMs = opts.settleMs;
    this.tracker = new StabilityTracker(
      { settleMs },
      (rel, _file, snap) => this.onStable(rel, snap),
      (rel) => this.queue.remove(rel),
    );
    this.fsw = chokidar.watch(this.inbox, {
      ignored: (p: string) => {
        const rel = path.relative(this.inbox, p);
        return rel !== '' && isIgnoredPath(rel);
      },
      ignoreInitial: false,
      persistent: true,
      usePolling: opts.poll,
      interval: opts.pollIntervalMs,
      binaryInterval: opts.pollIntervalMs,
      depth: opts.depth,
      awaitWriteFinish: false,
    });
    this.fsw.on('add', (p) => this.onFile(p));
    this.fsw.on('change', (p) => this.onFile(p));
    this.fsw.on('unlink', (p) => this.onUnlink(p));
    this.fsw.on('error', (err) => emit({ ev: 'error', level: 'error', message: `watching ${this.inbox}: ${(err as Error).message}` }));
    this.fsw.on('ready', () => {
      this.ready = true;
      // Our own walk as well: chokidar normalises backslashes, so on Linux it drops names that
      // hold one (take\..\x.wav); the walk finds them, and the output path guard refuses them.
      this.rescan();
      emit({ ev: 'ready', level: 'info', settling: this.tracker.size, queued: this.queue.stats.queued });
    });

    this.every(1000, () => this.writeStatus(false));
    const rescanMs = opts.rescanMs;
    if (rescanMs > 0) this.every(rescanMs, () => this.rescan());
    if (opts.once) this.every(Math.min(500, settleMs), () => this.stopWhenIdle());
  }

  /** Dispatch mode: the stable line goes to the queue, with the output location its template gives it. */
  private async handOver(rel: string, base: BaseLineSettings, dispatch: LineDispatch): Promise<void> {
    const abs = path.join(this.inbox, ...rel.split('/'));
    const snap = snapshot(abs);
    if (!snap) return;
    // The sidecar is part of the line's key: a changed one is handed over again.
    const sc = snapshot(sidecarPath(abs));
    const sig = `${snap.size}:${snap.mtimeMs}:${snap.ino}|${sc ? `${sc.size}:${sc.mtimeMs}:${sc.ino}` : ''}`;
    if (this.handedOver.get(rel) === sig) return;
    try {
      const vars = lineVariables({
        audio: abs,
        inputRoot: this.inbox,
        character: base.character,
        model: base.model,
        fps: base.fps,
        shotPattern: base.shotPattern,
      });
      const loc = renderOutputPath(base.template, vars, this.outRoot, base.templateSource);
      const r = await dispatch({ audio: abs, path: rel, outDir: loc.dir, name: loc.base });
      this.handedOver.set(rel, sig);
      this.emit({ ev: 'dispatched', level: 'info', path: rel, id: r.id, added: r.added });
    } catch (err) {
      const e = summarizeError(err);
      if (e.code === 'OUTPUT_PATH') {
        this.emit({ ev: 'error', level: 'error', path: rel, code: e.code, message: e.message });
        return;
      }
      this.emit({
        ev: 'retry',
        level: 'warn',
        path: rel,
        attempt: 0,
        code: e.code,
        message: `cannot hand the line over yet: ${e.message}`,
      });
      this.queue.push(rel, backoffMs(1, this.opts.retryBaseMs));
    }
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  private rel(abs: string): string {
    return path.relative(this.inbox, abs).split(path.sep).join('/');
  }

  private onFile(abs: string): void {
    if (this.stopping) return;
    const rel = this.rel(abs);
    if (isIgnoredPath(rel)) return;
    this.tracker.touch(rel, abs);
  }

  private onUnlink(abs: string): void {
    const rel = this.rel(abs);
    this.tracker.forget(rel);
    if (isSidecar(rel)) {
      this.touchSiblings(rel);
      return;
    }
    this.queue.remove(rel);
    const e = this.journal.get(rel);
    if (e && (e.status === 'queued' || e.status === 'retrying') && !this.queue.has(rel)) {
      this.journal.append({ ev: 'gone', path: rel });
      this.emit({ ev: 'gone', level: 'info', path: rel });
    }
  }

  private onStable(rel: string, snap: FileSnapshot): void {
    if (this.stopping) return;
    if (isSidecar(rel)) {
      // A sidecar changes its line's key: look at the line again.
      this.touchSiblings(rel);
      return;
    }
    const e = this.journal.get(rel);
    if (!(e && TERMINAL.has(e.status) && sameAs(e, snap))) {
      if (!(e && e.status === 'queued' && sameAs(e, snap))) {
        this.journal.append({ ev: 'seen', path: rel, size: snap.size, mtimeMs: snap.mtimeMs, ino: snap.ino });
        this.emit({ ev: 'seen', level: 'info', path: rel, size: snap.size });
      }
    }
    this.queue.push(rel);
  }

  /** The audio files a sidecar belongs to (`take.a2f.json` → take.wav, take.flac…), touched again. */
  private touchSiblings(sidecarRel: string): void {
    const dirRel = path.posix.dirname(sidecarRel);
    const stem = path.posix.basename(sidecarRel).slice(0, -'.a2f.json'.length);
    const dir = path.join(this.inbox, ...(dirRel === '.' ? [] : dirRel.split('/')));
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (isSidecar(n) || isIgnoredPath(n) || n.replace(/\.[^.]*$/, '') !== stem || n === path.posix.basename(sidecarRel)) continue;
      const rel = dirRel === '.' ? n : `${dirRel}/${n}`;
      this.tracker.touch(rel, path.join(dir, n));
    }
  }

  /** Walks the inbox for files the watcher has not got in hand, in case the file system dropped an event. */
  private rescan(): void {
    if (this.stopping || !this.ready) return;
    const walk = (dirRel: string, depth: number): void => {
      const dir = path.join(this.inbox, ...(dirRel ? dirRel.split('/') : []));
      let entries: import('node:fs').Dirent[];
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const d of entries) {
        const rel = dirRel ? `${dirRel}/${d.name}` : d.name;
        if (isIgnoredPath(d.name)) continue;
        if (d.isDirectory()) {
          if (depth < this.opts.depth) walk(rel, depth + 1);
          continue;
        }
        if (!d.isFile() || isSidecar(rel) || this.tracker.has(rel) || this.queue.has(rel)) continue;
        const e = this.journal.get(rel);
        const snap = snapshot(path.join(dir, d.name));
        if (snap && e && TERMINAL.has(e.status) && sameAs(e, snap)) continue;
        this.tracker.touch(rel, path.join(dir, d.name));
      }
    };
    walk('', 0);
  }

  private stopWhenIdle(): void {
    if (!this.ready || this.stopping) return;
    const s = this.queue.stats;
    if (this.tracker.size === 0 && s.queued === 0 && s.running === 0 && s.delayed === 0) void this.stop({ reason: 'idle (--once)' });
  }

  /**
   * Stops watching. By default the lines in hand are finished; with `checkpoint` (a second signal)
   * the model is closed at once, which lets ORT finish only its current batch: those lines are
   * journaled as interrupted and redone on the next start. Either way the pipeline's close() is
   * awaited, so no inference worker is ever terminated mid-run.
   */
  stop(o: { checkpoint?: boolean; reason?: string } = {}): Promise<void> {
    if (o.checkpoint && !this.checkpoint) {
      this.checkpoint = true;
      this.emit({
        ev: 'stopping',
        level: 'warn',
        reason: o.reason ?? 'checkpoint',
        inFlight: this.runner.inProgress.size,
        checkpoint: true,
      });
      void this.pool.close();
    }
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      if (!this.checkpoint)
        this.emit({ ev: 'stopping', level: 'info', reason: o.reason ?? 'stop', inFlight: this.runner.inProgress.size, checkpoint: false });
      for (const t of this.timers) clearInterval(t);
      this.timers = [];
      this.tracker.close();
      this.queue.stop();
      await this.fsw?.close();
      await this.queue.idle();
      await this.pool.close();
      this.writeStatus(true);
      const counts = this.counts();
      this.journal.close();
      this.instanceLock.release();
      this.emit({ ev: 'stopped', level: 'info', counts });
      this.resolveDone();
    })();
    return this.stopping;
  }

  private counts(): Record<EntryStatus, number> {
    const c: Record<EntryStatus, number> = { queued: 0, processing: 0, retrying: 0, done: 0, failed: 0, duplicate: 0, gone: 0 };
    for (const e of this.journal.entries().values()) c[e.status]++;
    return c;
  }

  /** This watcher's live status, as `status/<instance>.json` holds it. */
  status(stopped = false): InstanceStatus {
    const q = this.queue.stats;
    const failures = [...this.journal.entries().values()]
      .filter((e) => e.status === 'failed')
      .slice(-20)
      .map((e) => ({ path: e.path, code: e.error?.code ?? 'ERROR', message: e.error?.message ?? '', at: e.updatedAt }));
    return {
      v: 1,
      instance: this.instance,
      host: this.owner.host,
      pid: this.owner.pid,
      inbox: this.inbox,
      out: this.outRoot,
      startedAt: new Date(this.startedAt).toISOString(),
      updatedAt: new Date().toISOString(),
      stopped,
      live: { settling: this.tracker.size, queued: q.queued, waiting: q.delayed, inProgress: this.runner.inProgress.size },
      journal: this.counts(),
      inProgress: [...this.runner.inProgress.values()].map((p) => ({ ...p })),
      queued: this.queue.queuedItems().slice(0, 50),
      waiting: this.queue.delayedItems().slice(0, 50),
      recentFailures: failures,
    };
  }

  private writeStatus(stopped: boolean): void {
    const s = this.status(stopped);
    const text = JSON.stringify(s, null, 1) + '\n';
    const sig = sha256Text(JSON.stringify({ ...s, updatedAt: '' }));
    // Rewritten when something changed, and at least every 10 s so readers can tell it is alive.
    if (!stopped && sig === this.lastStatus && Date.now() - Date.parse(this.lastStatusAt) < 10_000) return;
    try {
      writeFileAtomic(this.state.statusFile(this.instance), text);
      this.lastStatus = sig;
      this.lastStatusAt = s.updatedAt;
    } catch (err) {
      this.emit({ ev: 'warning', level: 'warn', message: `cannot write the status file: ${(err as Error).message}` });
    }
  }

  private lastStatusAt = new Date(0).toISOString();
}

function sameAs(e: EntryState, snap: FileSnapshot): boolean {
  return e.size !== undefined && sameSnapshot({ size: e.size, mtimeMs: e.mtimeMs ?? -1, ino: e.ino ?? -1 }, snap);
}

function realDir(dir: string, what: string): string {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(dir);
  } catch {
    throw new JobError('BAD_SETTING', path.resolve(dir), `the ${what} does not exist`, `Create it, or pass the folder to watch.`);
  }
  if (!st.isDirectory()) throw new JobError('BAD_SETTING', path.resolve(dir), `the ${what} is not a folder`, 'Pass a folder.');
  return realpathSync(dir);
}

/** Outputs inside the inbox would be picked up as new lines (an error file for an error file…). */
function checkNesting(inbox: string, out: string): void {
  let realOut = out;
  try {
    realOut = realpathSync(out);
  } catch {
    // Not created yet: its resolved path is what it will be.
  }
  const inside = (child: string, parent: string) => {
    const rel = path.relative(parent, child);
    return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
  };
  if (inside(realOut, inbox)) {
    throw new JobError(
      'BAD_SETTING',
      out,
      'the output folder is inside the watch folder, so every layer and error file would be taken for a new line',
      'Use an output folder outside the watch folder.',
    );
  }
  if (inside(inbox, realOut)) {
    throw new JobError(
      'BAD_SETTING',
      inbox,
      'the watch folder is inside the output folder, so a path template could write into it',
      'Use separate folders, e.g. /share/a2f/inbox and /share/a2f/layers.',
    );
  }
}

function presetSha(preset: string): string {
  try {
    return sha256Text(readFileSync(presetFile(preset)));
  } catch {
    return 'missing';
  }
}

/**
 * Claims an instance name, which owns a journal. An explicit name that a live process holds is an
 * error; the default (the host name) moves on to host-2, host-3… so several watchers on one
 * machine each get their own journal, and a restarted watcher gets back the one it left.
 */
function claimInstance(state: StateDir, wanted: string | undefined, staleMs: number): { instance: string; lock: HeldLock; owner: Owner } {
  const base =
    wanted ??
    (os
      .hostname()
      .replace(/[^A-Za-z0-9._-]+/g, '_')
      .replace(/^[._-]+/, '') ||
      'watcher');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(base)) {
    throw new JobError(
      'BAD_SETTING',
      'instance',
      `"${base}" is not a usable instance name`,
      'Use letters, digits, dot, dash and underscore (at most 64).',
    );
  }
  const candidates = wanted ? [base] : [base, ...Array.from({ length: 15 }, (_, i) => `${base}-${i + 2}`)];
  for (const instance of candidates) {
    const owner = newOwner(instance);
    const r = tryAcquire(state.instanceLockDir(instance), owner, { staleMs }, `instance ${instance}`);
    if (r.ok) return { instance, lock: r.lock, owner };
    if (wanted) {
      const h = r.holder?.record;
      throw new JobError(
        'INSTANCE_BUSY',
        state.instanceLockDir(instance),
        `the watcher instance "${instance}" is running${h ? ` (pid ${h.pid} on ${h.host})` : ''}`,
        'Stop it first, or give this watcher another --instance name.',
      );
    }
  }
  throw new JobError(
    'INSTANCE_BUSY',
    state.root,
    `${candidates.length} watchers already run as ${base}…${base}-${candidates.length}`,
    'Stop some, or pass --instance.',
  );
}

export type { WatchEvent };
