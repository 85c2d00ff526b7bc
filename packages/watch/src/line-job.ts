import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File, sha256Text } from '@a2f/base';
import {
  describeReplaced,
  lineKey,
  modelSignature,
  type ContextPool,
  type FileHashCache,
  ensureOutputDir,
  lineVariables,
  readSidecar,
  renderOutputPath,
  sidecarPath,
  summarizeError,
  writeFileAtomic,
  type JobSettings,
  type LineSidecar,
  type OutputLocation,
} from '@a2f/pipeline';

type Rational = JobSettings['fps'];
import type { EventSink } from './events.js';
import { backoffMs, failureInfo } from './failures.js';
import type { EntryState, FailureInfo, Journal, OutputFile } from './journal.js';
import { ignoreReason, isSidecar } from './ignore.js';
import { tryAcquire, type HeldLock } from './lock.js';
import type { Owner } from './owner.js';
import { snapshot, type FileSnapshot } from './stability.js';
import type { Outcome, StateDir } from './state.js';
import { removeLineTemps } from './temps.js';

/** The settings every line starts from; a sidecar may override character, model, fps and output. */
export interface BaseLineSettings {
  readonly character: string;
  /** --variant selections: they decide which files a composed character is made of (its hash) */
  readonly variants?: Readonly<Record<string, string>>;
  readonly model: string;
  readonly fps: Rational;
  readonly template: string;
  /** where the template came from, for error messages */
  readonly templateSource: string;
  readonly shotPattern: string;
  readonly modelSignature: string;
  readonly settingsFingerprint: string;
  readonly toolVersion: string;
}

export interface LineEnv {
  readonly inbox: string;
  readonly outRoot: string;
  readonly state: StateDir;
  readonly journal: Journal;
  readonly owner: Owner;
  readonly instance: string;
  readonly pool: ContextPool;
  readonly hashes: FileHashCache;
  readonly base: BaseLineSettings;
  readonly retries: number;
  readonly retryBaseMs: number;
  readonly lockStaleMs: number;
  readonly maxCrashes: number;
  /** when this watcher started: transient failures recorded before it are tried again */
  readonly startedAt: number;
  readonly emit: EventSink;
  requeue(rel: string, delayMs: number): void;
  /** true once a second stop signal asked to checkpoint lines in hand instead of finishing them */
  checkpointing(): boolean;
}

export interface LineInProgress {
  readonly path: string;
  readonly since: string;
  readonly attempt: number;
  readonly out: string;
  stage: string;
}

const TERMINAL = new Set(['done', 'failed', 'duplicate']);

interface Prepared {
  readonly abs: string;
  readonly snap: FileSnapshot;
  readonly audioSha256: string;
  readonly audioSig: string;
  readonly key: string;
  readonly sidecar: LineSidecar | null;
  readonly sidecarError: unknown;
  readonly character: string;
  readonly characters: ReadonlyMap<string, string>;
  readonly model: string;
  readonly fps: Rational;
}

/** One inbox file, start to finish: key, lock, outcome check, duplicate check, pipeline, outcome. */
export class LineRunner {
  readonly inProgress = new Map<string, LineInProgress>();
  private readonly busyReported = new Set<string>();

  constructor(private readonly env: LineEnv) {}

  async run(rel: string): Promise<void> {
    const { env } = this;
    const abs = path.join(env.inbox, ...rel.split('/'));
    const entry = env.journal.get(rel);
    const snap = snapshot(abs);
    if (!snap) return this.gone(rel, entry);

    let prep: Prepared;
    try {
      prep = await this.prepare(abs, snap, entry);
    } catch (err) {
      // Reading the inbox failed (a share that went away, a permission): try again later.
      const e = summarizeError(err);
      env.emit({ ev: 'retry', level: 'warn', path: rel, attempt: 0, code: e.code, message: `cannot read the file yet: ${e.message}` });
      env.requeue(rel, backoffMs(1, env.retryBaseMs));
      return;
    }
    if (
      entry &&
      entry.key === prep.key &&
      TERMINAL.has(entry.status) &&
      this.stillValid(entry.status, entry.error, entry.updatedAt, entry.outputs)
    )
      return;
    const outcome = env.state.readOutcome(rel);
    if (outcome && this.settled(outcome, prep.key)) return this.unchanged(rel, prep, outcome);

    const acquired = tryAcquire(env.state.lockDir(rel), env.owner, { staleMs: env.lockStaleMs }, rel);
    if (!acquired.ok) {
      if (!this.busyReported.has(rel)) {
        this.busyReported.add(rel);
        const h = acquired.holder?.record;
        env.emit({ ev: 'busy', level: 'info', path: rel, holder: h ? { host: h.host, pid: h.pid, instance: h.instance } : null });
      }
      env.requeue(rel, Math.min(2000, Math.max(200, Math.floor(env.lockStaleMs / 10))));
      return;
    }
    this.busyReported.delete(rel);
    const lock = acquired.lock;
    if (acquired.tookOver) {
      const h = acquired.tookOver.record;
      env.emit({
        ev: 'takeover',
        level: 'warn',
        path: rel,
        from: h ? { host: h.host, pid: h.pid, instance: h.instance } : null,
        reason: acquired.tookOver.stale,
      });
    }
    lock.startHeartbeat((reason) => env.emit({ ev: 'lock-lost', level: 'error', path: rel, reason }));
    try {
      const again = env.state.readOutcome(rel);
      if (again && this.settled(again, prep.key)) return this.unchanged(rel, prep, again);
      await this.work(rel, prep, env.journal.get(rel), lock);
    } finally {
      lock.release();
    }
  }

  /** Hashes and reads what decides the line's key. */
  private async prepare(abs: string, snap: FileSnapshot, entry: EntryState | undefined): Promise<Prepared> {
    const { env } = this;
    const audioSig = signature(snap);
    const audioSha256 = entry?.audioSha256 && entry.audioSig === audioSig ? entry.audioSha256 : await sha256File(abs);
    const scFile = sidecarPath(abs);
    let sidecarSha: string | null = null;
    let sidecar: LineSidecar | null = null;
    let sidecarError: unknown = null;
    if (existsSync(scFile)) {
      try {
        sidecarSha = sha256Text(readFileSync(scFile));
        sidecar = readSidecar(abs);
      } catch (err) {
        sidecarError = err;
        sidecarSha ??= 'unreadable';
      }
    }
    const character = sidecar?.character ?? env.base.character;
    let characterSha: string;
    try {
      characterSha = await env.hashes.character(character);
    } catch {
      characterSha = 'missing';
    }
    const model = sidecar?.model ?? env.base.model;
    const modelSig = sidecar?.model ? modelSignature(sidecar.model, env.base.toolVersion) : env.base.modelSignature;
    const key = lineKey({
      audioSha256,
      sidecarSha256: sidecarSha,
      characterSha256: characterSha,
      modelSignature: modelSig,
      settingsFingerprint: env.base.settingsFingerprint,
    });
    return {
      abs,
      snap,
      audioSha256,
      audioSig,
      key,
      sidecar,
      sidecarError,
      character,
      model,
      characters: new Map(characterSha === 'missing' ? [] : [[character, characterSha]]),
      fps: sidecar?.fps ?? env.base.fps,
    };
  }

  /** An outcome that needs no more work for this key (transient failures of an earlier run are retried). */
  private settled(o: Outcome, key: string): boolean {
    return o.key === key && this.stillValid(o.status, o.error, o.at, o.outputs);
  }

  private stillValid(status: string, error: FailureInfo | undefined, at: string, outputs: readonly OutputFile[] | undefined): boolean {
    if (status === 'failed' && error?.transient && Date.parse(at) < this.env.startedAt) return false;
    // Outputs someone deleted are written again: every line keeps its layer.
    if (status === 'done' && outputs?.some((o) => !existsSync(path.join(this.env.outRoot, o.file)))) return false;
    // A duplicate stands only while the line it points to still has those exact files (that line
    // may since have changed, and its layer with it).
    if (status === 'duplicate' && !(outputs && outputsIntactSync(this.env.outRoot, outputs))) return false;
    return true;
  }

  private unchanged(rel: string, prep: Prepared, o: Outcome): void {
    const { env } = this;
    const mine = o.by.instance === env.instance && o.by.host === env.owner.host;
    const entry = env.journal.get(rel);
    if (entry && entry.status === o.status && entry.key === o.key) return;
    if (mine && o.status === 'done' && entry?.key === o.key && entry.status !== 'done' && entry.starts > entry.completions) {
      // The previous run finished this line (outputs and outcome written) and died before its
      // journal said so: record the completion it made, so the journal counts work exactly.
      env.journal.append({
        ev: 'done',
        path: rel,
        key: o.key,
        out: o.out ?? entry.out ?? '',
        outputs: o.outputs ?? [],
        reason: 'recovered',
      });
      env.emit({ ev: 'done', level: 'info', path: rel, outputs: (o.outputs ?? []).map((x) => x.file), recovered: true });
      return;
    }
    const reason = mine ? 'unchanged' : `done by ${o.by.instance} (pid ${o.by.pid} on ${o.by.host})`;
    env.journal.append({
      ev: 'unchanged',
      path: rel,
      status: o.status,
      key: o.key,
      reason,
      audioSha256: prep.audioSha256,
      audioSig: prep.audioSig,
      size: prep.snap.size,
      mtimeMs: prep.snap.mtimeMs,
      ino: prep.snap.ino,
    });
    env.emit({ ev: 'unchanged', level: 'info', path: rel, status: o.status, reason });
  }

  private gone(rel: string, entry: EntryState | undefined): void {
    const { env } = this;
    if (!entry || TERMINAL.has(entry.status) || entry.status === 'gone') return;
    // Removed while in flight: clean what an interrupted attempt may have left, under the lock.
    if (entry.out) {
      const acquired = tryAcquire(env.state.lockDir(rel), env.owner, { staleMs: env.lockStaleMs }, rel);
      if (acquired.ok) {
        try {
          const loc = path.join(env.outRoot, ...entry.out.split('/'));
          removeLineTemps(path.dirname(loc), path.basename(loc), env.lockStaleMs);
        } finally {
          acquired.lock.release();
        }
      }
    }
    env.journal.append({ ev: 'gone', path: rel });
    env.emit({ ev: 'gone', level: 'info', path: rel });
  }

  private async work(rel: string, prep: Prepared, entry: EntryState | undefined, lock: HeldLock): Promise<void> {
    const { env } = this;
    const sameKey = entry?.key === prep.key;
    const attempt = sameKey && entry && !TERMINAL.has(entry.status) ? entry.attempt + 1 : 1;

    let location: OutputLocation;
    try {
      if (prep.sidecarError) throw prep.sidecarError;
      location = this.locate(
        prep,
        prep.sidecar?.output ?? env.base.template,
        prep.sidecar?.output ? prep.sidecar.file : env.base.templateSource,
      );
    } catch (err) {
      return this.fail(rel, prep, this.fallbackLocation(prep), failureInfo(summarizeError(err)), attempt);
    }

    const known = env.state.readKey(prep.key);
    if (known && known.path !== rel && (await outputsIntact(env.outRoot, known.outputs))) {
      return this.duplicate(rel, prep, location, known.path, known.outputs);
    }

    if (sameKey && entry && entry.crashes >= env.maxCrashes) {
      return this.fail(
        rel,
        prep,
        location,
        {
          code: 'WATCHER_CRASHED',
          transient: false,
          message:
            `${rel}: the watcher process died ${entry.crashes} times while ` +
            `working on this file (a crash, an out-of-memory kill or kill -9)`,
          fix:
            'Check the file (is it very long, or damaged in a way that crashes the decoder?) and ' +
            "the watcher's memory limit; drop a fixed file again under the same name to retry.",
        },
        attempt,
      );
    }

    env.journal.append({
      ev: 'processing',
      path: rel,
      key: prep.key,
      audioSha256: prep.audioSha256,
      audioSig: prep.audioSig,
      size: prep.snap.size,
      mtimeMs: prep.snap.mtimeMs,
      ino: prep.snap.ino,
      out: location.relative,
      attempt,
    });
    const started = Date.now();
    const progress: LineInProgress = { path: rel, since: new Date(started).toISOString(), attempt, out: location.relative, stage: 'start' };
    this.inProgress.set(rel, progress);
    env.emit({ ev: 'processing', level: 'info', path: rel, attempt, out: location.relative });
    try {
      const removed = removeLineTemps(location.dir, location.base, env.lockStaleMs);
      if (removed.length) env.emit({ ev: 'cleanup', level: 'info', path: rel, removed });

      const result = await env.pool.use(prep.characters, (ctx) =>
        ctx.process(prep.abs, {
          name: location.base,
          outDir: location.dir,
          sidecar: prep.sidecar,
          onProgress: (p) => {
            progress.stage = p.stage;
            env.emit({ ev: 'progress', level: 'debug', path: rel, stage: p.stage, done: p.done, total: p.total });
          },
        }),
      );

      if (!result.ok && env.checkpointing() && result.error.code === 'ENGINE_CLOSED') {
        env.journal.append({ ev: 'interrupted', path: rel, reason: 'shutdown' });
        env.emit({ ev: 'interrupted', level: 'warn', path: rel, reason: 'shutdown' });
        return;
      }
      if (lock.lost) env.emit({ ev: 'lock-lost', level: 'error', path: rel, reason: lock.lost });
      if (result.ok) {
        // A changed file replacing its own layer is the point of watching; anything else is said.
        const replaced = result.replaced;
        if (replaced && replaced.previousAudio !== prep.abs) {
          const files = replaced.files.map((f) => path.relative(env.outRoot, f)).join(', ');
          env.emit({ ev: 'warning', level: 'warn', path: rel, message: `${rel}: replaced ${files}, ${describeReplaced(replaced)}` });
        }
        const outputs = await Promise.all(result.files.map((f) => describeOutput(env.outRoot, f)));
        for (const stale of ['error.json', 'duplicate.json']) rmSync(path.join(location.dir, `${location.base}.${stale}`), { force: true });
        const at = new Date().toISOString();
        env.state.writeOutcome({ v: 1, path: rel, key: prep.key, status: 'done', outputs, out: location.relative, at, by: this.by() });
        env.state.writeKey({ v: 1, key: prep.key, path: rel, out: location.relative, outputs, at });
        const ms = Date.now() - started;
        env.journal.append({ ev: 'done', path: rel, key: prep.key, out: location.relative, outputs, ms });
        env.emit({ ev: 'done', level: 'info', path: rel, outputs: outputs.map((o) => o.file), frames: result.frames, ms });
        return;
      }
      if (result.error.code === 'WORKER_CRASHED') env.pool.retireCurrent();
      await this.failOrRetry(rel, prep, location, failureInfo(result.error), attempt);
    } catch (err) {
      const e = summarizeError(err);
      if (env.checkpointing() && e.code === 'ENGINE_CLOSED') {
        env.journal.append({ ev: 'interrupted', path: rel, reason: 'shutdown' });
        env.emit({ ev: 'interrupted', level: 'warn', path: rel, reason: 'shutdown' });
        return;
      }
      // Our own bookkeeping failed (a full disk under the state folder, a share that went away).
      await this.failOrRetry(rel, prep, location, failureInfo(e), attempt);
    } finally {
      this.inProgress.delete(rel);
    }
  }

  private async failOrRetry(rel: string, prep: Prepared, location: OutputLocation, failure: FailureInfo, attempt: number): Promise<void> {
    const { env } = this;
    if (failure.transient && attempt <= env.retries) {
      const delayMs = backoffMs(attempt, env.retryBaseMs);
      env.journal.append({ ev: 'retry', path: rel, key: prep.key, attempt, error: failure });
      env.emit({ ev: 'retry', level: 'warn', path: rel, attempt, delayMs, code: failure.code, message: failure.message });
      env.requeue(rel, delayMs);
      return;
    }
    const final = failure.transient ? { ...failure, message: `${failure.message} (gave up after ${attempt} attempts)` } : failure;
    this.fail(rel, prep, location, final, attempt);
  }

  /** A permanent failure: `<base>.error.json` in the output tree, the outcome, the journal. */
  private fail(rel: string, prep: Prepared, location: OutputLocation, failure: FailureInfo, attempts: number): void {
    const { env } = this;
    const at = new Date().toISOString();
    const errorFile = path.join(location.dir, `${location.base}.error.json`);
    let written: OutputFile[] = [];
    try {
      ensureOutputDir(location, env.outRoot);
      writeFileAtomic(
        errorFile,
        JSON.stringify(
          {
            audio: rel,
            what: `${rel} could not be animated (${failure.code})`,
            why: failure.message,
            fix: failure.fix,
            code: failure.code,
            transient: failure.transient,
            attempts,
            key: prep.key,
            at,
            watcher: this.by(),
          },
          null,
          2,
        ) + '\n',
      );
      written = [describeOutputSync(env.outRoot, errorFile)];
    } catch (err) {
      env.emit({ ev: 'error', level: 'error', path: rel, message: `cannot write ${errorFile}: ${(err as Error).message}` });
    }
    env.state.writeOutcome({
      v: 1,
      path: rel,
      key: prep.key,
      status: 'failed',
      error: failure,
      outputs: written,
      out: location.relative,
      at,
      by: this.by(),
    });
    env.journal.append({
      ev: 'failed',
      path: rel,
      key: prep.key,
      out: location.relative,
      error: failure,
      outputs: written,
      attempt: attempts,
      audioSha256: prep.audioSha256,
      audioSig: prep.audioSig,
      size: prep.snap.size,
      mtimeMs: prep.snap.mtimeMs,
      ino: prep.snap.ino,
    });
    env.emit({
      ev: 'failed',
      level: 'error',
      path: rel,
      code: failure.code,
      message: failure.message,
      fix: failure.fix,
      transient: failure.transient,
      errorFile: path.relative(env.outRoot, errorFile).split(path.sep).join('/'),
    });
  }

  /** Same content and settings as a line already done: no recomputation, a note where its layer would be. */
  private duplicate(rel: string, prep: Prepared, location: OutputLocation, of: string, outputs: readonly OutputFile[]): void {
    const { env } = this;
    const note = path.join(location.dir, `${location.base}.duplicate.json`);
    const at = new Date().toISOString();
    ensureOutputDir(location, env.outRoot);
    writeFileAtomic(
      note,
      JSON.stringify(
        {
          audio: rel,
          duplicateOf: of,
          why: `${rel} has the same audio, sidecar and settings as ${of}, whose layers are already written; it was not computed again`,
          layers: outputs.map((o) => path.relative(location.dir, path.join(env.outRoot, o.file)).split(path.sep).join('/')),
          fix:
            'Use the layers listed here. To get layers under this name, change its settings ' +
            "(a sidecar) or remove the earlier line's outputs and drop this file again.",
          key: prep.key,
          at,
        },
        null,
        2,
      ) + '\n',
    );
    env.state.writeOutcome({ v: 1, path: rel, key: prep.key, status: 'duplicate', of, outputs, out: location.relative, at, by: this.by() });
    env.journal.append({
      ev: 'duplicate',
      path: rel,
      key: prep.key,
      of,
      outputs,
      out: location.relative,
      audioSha256: prep.audioSha256,
      audioSig: prep.audioSig,
      size: prep.snap.size,
      mtimeMs: prep.snap.mtimeMs,
      ino: prep.snap.ino,
    });
    env.emit({ ev: 'duplicate', level: 'info', path: rel, of, note: path.relative(env.outRoot, note).split(path.sep).join('/') });
  }

  private locate(prep: Prepared, template: string, source: string): OutputLocation {
    const { env } = this;
    const vars = lineVariables({
      audio: prep.abs,
      inputRoot: env.inbox,
      character: prep.character,
      model: prep.model,
      fps: prep.fps,
      shotPattern: env.base.shotPattern,
    });
    // take.wav and take.flac side by side would write the same layer: while both are there, each
    // is named with its extension (take.wav, take.flac), whichever comes first (docs/output-names.md).
    const clash = hasSameStemSibling(prep.abs) && vars.ext ? `.${vars.ext}` : '';
    const location = renderOutputPath(
      template,
      clash ? { ...vars, name: vars.name + clash, stem: vars.stem + clash } : vars,
      env.outRoot,
      source,
    );
    ensureOutputDir(location, env.outRoot, source);
    return location;
  }

  /** Where an error goes when the line's own template cannot be used: the inbox layout, or the output root. */
  private fallbackLocation(prep: Prepared): OutputLocation {
    const { env } = this;
    const vars = lineVariables({
      audio: prep.abs,
      inputRoot: env.inbox,
      character: env.base.character,
      model: env.base.model,
      fps: env.base.fps,
      shotPattern: env.base.shotPattern,
    });
    try {
      const loc = renderOutputPath('{dir}/{name}', vars, env.outRoot);
      ensureOutputDir(loc, env.outRoot);
      return loc;
    } catch {
      return renderOutputPath('{name}', vars, env.outRoot);
    }
  }

  private by(): Outcome['by'] {
    return { instance: this.env.instance, host: this.env.owner.host, pid: this.env.owner.pid };
  }
}

async function describeOutput(root: string, file: string): Promise<OutputFile> {
  return { file: path.relative(root, file).split(path.sep).join('/'), sha256: await sha256File(file), bytes: statSync(file).size };
}

function describeOutputSync(root: string, file: string): OutputFile {
  const bytes = readFileSync(file);
  return { file: path.relative(root, file).split(path.sep).join('/'), sha256: sha256Text(bytes), bytes: bytes.length };
}

/** Another line (not a sidecar, not a file being written) with the same name but another extension, in the same folder. */
function hasSameStemSibling(abs: string): boolean {
  const base = path.basename(abs);
  const stem = base.replace(/\.[^.]*$/, '');
  try {
    return readdirSync(path.dirname(abs)).some(
      (n) => n !== base && n.replace(/\.[^.]*$/, '') === stem && !isSidecar(n) && ignoreReason(n) === null,
    );
  } catch {
    return false;
  }
}

const signature = (s: FileSnapshot): string => `${s.size}:${s.mtimeMs}:${s.ino}`;

function outputsIntactSync(root: string, outputs: readonly OutputFile[]): boolean {
  return (
    outputs.length > 0 &&
    outputs.every((o) => {
      try {
        return sha256Text(readFileSync(path.join(root, ...o.file.split('/')))) === o.sha256;
      } catch {
        return false;
      }
    })
  );
}

/** The earlier line's files are all still there, byte for byte. */
async function outputsIntact(root: string, outputs: readonly OutputFile[]): Promise<boolean> {
  for (const o of outputs) {
    const file = path.join(root, ...o.file.split('/'));
    try {
      if (statSync(file).size !== o.bytes || (await sha256File(file)) !== o.sha256) return false;
    } catch {
      return false;
    }
  }
  return outputs.length > 0;
}
