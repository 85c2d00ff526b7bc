import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { sha256File } from '@a2f/base';
import {
  characterFiles,
  FileHashCache,
  isTransient,
  presetFile,
  readSidecar,
  resolveSettings,
  sidecarPath,
  voicePackOf,
  summarizeError,
  TOOL,
  type JobSettingsInput,
  type LineSidecar,
} from '@a2f/pipeline';
import { UnrecoverableError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { durableOptions, toConnection, type RedisSpec } from './connection.js';
import { WorkerContexts } from './contexts.js';
import {
  DEFAULT_PREFIX,
  DEFAULT_QUEUE,
  HEARTBEAT_MS,
  heartbeatKey,
  LOCK_DURATION_MS,
  MAX_CONTEXTS,
  MAX_STALLED_COUNT,
  STALLED_INTERVAL_MS,
} from './defaults.js';
import { QueueError } from './errors.js';
import type { QueueEvent, QueueEventSink } from './events.js';
import { mapJobData, parseJobData, type LineJobData } from './job-data.js';
import {
  describeFiles,
  finishedFiles,
  originSettingsSha,
  provenanceSummary,
  readReport,
  removeStaleTemps,
  writeErrorFile,
  type FailureRecord,
  type LineJobResult,
} from './outputs.js';
import { resolveRoots, underRoots, type PathMapping } from './roots.js';

export interface WorkerOptions {
  readonly redis: RedisSpec;
  readonly queue?: string;
  readonly prefix?: string;
  /** lines run at once (default 1: one line already uses the inference workers' threads) */
  readonly concurrency?: number;
  /** folders jobs may read audio from and write layers to; required, at least one */
  readonly allowRoots: readonly string[];
  /** the producers' mount points → this machine's */
  readonly pathMap?: readonly PathMapping[];
  readonly log?: QueueEventSink;
  /** this worker's name in logs and heartbeats (default: host-pid-random) */
  readonly id?: string;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly heartbeatMs?: number;
}

export interface QueueWorker {
  readonly id: string;
  /** Takes no new job, finishes the lines in hand, then releases the models and Redis. */
  close(): Promise<void>;
}

type Where = { readonly outDir: string; readonly name: string } | null;

/** A worker process's loop: takes line jobs from the queue and runs them with the pipeline (docs/queue.md). */
export async function startWorker(opts: WorkerOptions): Promise<QueueWorker> {
  const conn = toConnection(opts.redis);
  const roots = resolveRoots(opts.allowRoots);
  const map = opts.pathMap ?? [];
  const queue = opts.queue ?? DEFAULT_QUEUE;
  const prefix = opts.prefix ?? DEFAULT_PREFIX;
  const concurrency = opts.concurrency ?? 1;
  const lockDuration = opts.lockDurationMs ?? LOCK_DURATION_MS;
  const host = hostname();
  const id = opts.id ?? `${host}-${process.pid}-${randomBytes(2).toString('hex')}`;
  const me = { id, host, pid: process.pid };
  const log: QueueEventSink = opts.log ?? (() => {});
  const emit = (e: Omit<QueueEvent, 'worker'>): void => log({ ...e, worker: id } as QueueEvent);
  const counts = { done: 0, failed: 0, reused: 0, active: 0 };
  // Composed characters' files are checked against the roots as they are listed (a sublayer elsewhere is refused).
  const contexts = new WorkerContexts(
    MAX_CONTEXTS,
    (s) =>
      new FileHashCache((file) => {
        const files = characterFiles(file, s);
        for (const f of files) underRoots(f, roots, 'character file');
        return files;
      }),
  );

  /** Everything a line needs before the pipeline runs, each path checked against the roots first. */
  const prepare = async (data: LineJobData, where: { current: Where }) => {
    const outDir = underRoots(String(data.settings.outDir), roots, 'output folder');
    where.current = { outDir, name: data.name };
    const audio = underRoots(data.audio, roots, 'audio file');
    if (!existsSync(audio)) {
      throw new QueueError(
        'AUDIO_NOT_FOUND',
        data.audio,
        `this worker (${host}) cannot see the audio file`,
        'Mount the share the producer reads it from, or map its mount point with --path-map producer-path=worker-path.',
      );
    }
    const input = { ...data.settings, outDir } as JobSettingsInput;
    const s = resolveSettings(input);
    underRoots(s.character, roots, 'character');
    if (s.model !== 'default') underRoots(s.model, roots, 'model folder');
    if (presetFile(s.preset) === path.resolve(s.preset)) underRoots(s.preset, roots, 'binding preset');
    const voicePack = voicePackOf(s);
    if (voicePack !== undefined) underRoots(voicePack, roots, 'Audio2Emotion pack');
    let sidecar: LineSidecar | null = null;
    if (existsSync(sidecarPath(audio))) {
      underRoots(sidecarPath(audio), roots, 'sidecar');
      sidecar = readSidecar(audio);
      if (sidecar?.character) underRoots(sidecar.character, roots, "sidecar's character");
      if (sidecar?.model && sidecar.model !== 'default') underRoots(sidecar.model, roots, "sidecar's model folder");
      if (sidecar?.a2e) underRoots(sidecar.a2e, roots, "sidecar's Audio2Emotion pack");
    }
    const audioSha256 = await sha256File(audio);
    if (audioSha256 !== data.audioSha256) {
      throw new QueueError(
        'AUDIO_CHANGED',
        audio,
        'the audio file changed after the line was queued (its SHA-256 differs), so this job no longer describes it',
        'Add the file again (`a2f queue add`); the new content is a new job.',
      );
    }
    const character = sidecar?.character ?? s.character;
    const characters = new Map([[character, await contexts.hashes(input, s).character(character)]]);
    return { audio, outDir, input, s, sidecar, characters, audioSha256 };
  };

  const processLine = async (job: Job): Promise<LineJobResult> => {
    const started = Date.now();
    const t0 = performance.now();
    const attempt = job.attemptsMade + 1;
    const attempts = job.opts.attempts ?? 1;
    const where: { current: Where } = { current: null };
    let audioName = String((job.data as { audio?: unknown })?.audio ?? job.id);
    counts.active++;
    try {
      const data = mapJobData(parseJobData(job.data, String(job.id)), map);
      audioName = data.audio;
      emit({ ev: 'active', level: 'info', job: job.id, audio: data.audio, attempt });
      const p = await prepare(data, where);
      const base = { audio: p.audio, name: data.name, outDir: p.outDir, worker: me, attempt };
      let pipelineMs = 0;
      const timings = () => {
        const runMs = performance.now() - t0;
        // The queue's own share of the run: checks, hashes and bookkeeping around the pipeline.
        return {
          waitMs: Math.max(0, started - job.timestamp),
          runMs,
          pipelineMs,
          overheadMs: runMs - pipelineMs,
          totalMs: Date.now() - job.timestamp,
        };
      };

      // An earlier failure's error file goes once the line has its layers (docs/queue.md, "Failures").
      const clearError = () => rmSync(path.join(p.outDir, `${data.name}.error.json`), { force: true });
      const finished = finishedFiles(p.outDir, data.name, p.audioSha256, originSettingsSha(p.s, p.sidecar));
      if (finished) {
        clearError();
        const r = readReport(p.outDir, data.name);
        counts.reused++;
        emit({ ev: 'reused', level: 'info', job: job.id, audio: p.audio, files: finished });
        return {
          ...base,
          files: await describeFiles(finished),
          frames: Number(r?.frames ?? 0),
          durationSeconds: Number(r?.durationSeconds ?? 0),
          reused: true,
          timings: timings(),
          provenance: provenanceSummary(r),
        };
      }
      const removed = removeStaleTemps(p.outDir, data.name, Math.min(10_000, lockDuration / 2));
      if (removed.length) emit({ ev: 'cleanup', level: 'info', job: job.id, audio: p.audio, removed });

      let lastStage = '';
      const p0 = performance.now();
      const result = await contexts.use(p.input, p.s, p.characters, (ctx) =>
        ctx.process(p.audio, {
          name: data.name,
          outDir: p.outDir,
          sidecar: p.sidecar,
          onProgress: (pr) => {
            emit({ ev: 'progress', level: 'debug', job: job.id, audio: p.audio, stage: pr.stage, done: pr.done, total: pr.total });
            // One Redis write per stage, not per inference batch: followers show the stage a line is in.
            if (pr.stage !== lastStage) {
              lastStage = pr.stage;
              void job.updateProgress({ stage: pr.stage }).catch(() => {});
            }
          },
        }),
      );
      if (!result.ok) {
        if (result.error.code === 'WORKER_CRASHED') contexts.retire(p.s);
        throw Object.assign(new Error(result.error.message), { code: result.error.code, fix: result.error.fix });
      }
      pipelineMs = performance.now() - p0;
      clearError();
      const r = readReport(p.outDir, data.name);
      const ms = Date.now() - started;
      counts.done++;
      emit({ ev: 'done', level: 'info', job: job.id, audio: p.audio, outputs: result.files, frames: result.frames, ms });
      return {
        ...base,
        files: await describeFiles(result.files),
        frames: result.frames,
        durationSeconds: result.durationSeconds,
        reused: false,
        timings: timings(),
        provenance: provenanceSummary(r),
      };
    } catch (err) {
      throw fail(job, err, audioName, where.current, attempt, attempts);
    } finally {
      counts.active--;
      // The heartbeat says what is done as soon as it is, not up to one beat later.
      await writeBeat();
    }
  };

  /** The error BullMQ records: permanent ones end the job now (UnrecoverableError), transient ones are retried. */
  const fail = (job: Job, err: unknown, audio: string, where: Where, attempt: number, attempts: number): Error => {
    const e = summarizeError(err);
    const transient = isTransient(e);
    const fix = e.fix ?? fixFor(e.code, transient);
    const last = !transient || attempt >= attempts;
    if (!last) {
      emit({ ev: 'retry', level: 'warn', job: job.id, audio, attempt, attempts, code: e.code, message: e.message });
      return new Error(JSON.stringify({ code: e.code, message: e.message, fix, transient }));
    }
    const message = transient && attempts > 1 ? `${e.message} (gave up after ${attempt} attempts)` : e.message;
    const failure: FailureRecord = { code: e.code, message, fix, transient };
    let errorFile: string | undefined;
    if (where) {
      try {
        errorFile = writeErrorFile(where.outDir, where.name, audio, failure, { attempts: attempt, key: String(job.id), worker: me });
      } catch (writeErr) {
        emit({ ev: 'error', level: 'error', job: job.id, audio, message: `cannot write the error file: ${(writeErr as Error).message}` });
      }
    }
    counts.failed++;
    emit({ ev: 'failed', level: 'error', job: job.id, audio, code: e.code, message, fix, transient, attempt, errorFile });
    const recorded = JSON.stringify({ ...failure, ...(errorFile ? { errorFile } : {}) });
    return transient ? new Error(recorded) : new UnrecoverableError(recorded);
  };

  const worker = new Worker(queue, processLine, {
    connection: durableOptions(conn) as ConnectionOptions,
    prefix,
    concurrency,
    lockDuration,
    stalledInterval: opts.stalledIntervalMs ?? STALLED_INTERVAL_MS,
    maxStalledCount: MAX_STALLED_COUNT,
    autorun: false,
  });
  worker.on('stalled', (jobId) => emit({ ev: 'stalled', level: 'warn', job: jobId }));
  let lastError = '';
  worker.on('error', (err) => {
    // A Redis outage repeats the same error on every reconnect try: said once until it changes.
    if (err.message === lastError) return;
    lastError = err.message;
    emit({ ev: 'error', level: 'error', message: `${conn.display}: ${err.message}` });
  });
  worker.on('ready', () => {
    lastError = '';
  });

  const beat = new Redis(durableOptions(conn));
  beat.on('error', () => {});
  const hbKey = heartbeatKey(prefix, queue, id);
  const startedAt = new Date().toISOString();
  const heartbeatMs = opts.heartbeatMs ?? HEARTBEAT_MS;
  const writeBeat = () =>
    beat
      .multi()
      .hset(hbKey, {
        id,
        host,
        pid: String(process.pid),
        concurrency: String(concurrency),
        done: String(counts.done + counts.reused),
        failed: String(counts.failed),
        active: String(counts.active),
        startedAt,
        beatAt: new Date().toISOString(),
        version: TOOL.version,
      })
      .pexpire(hbKey, heartbeatMs * 3)
      .exec()
      .catch(() => {});
  const timer = setInterval(writeBeat, heartbeatMs);
  timer.unref();

  await worker.waitUntilReady();
  await writeBeat();
  void worker.run().catch((err: Error) => emit({ ev: 'error', level: 'error', message: `the worker loop stopped: ${err.message}` }));
  emit({ ev: 'start', level: 'info', queue, prefix, redis: conn.display, concurrency, roots, pathMap: map, host, pid: process.pid });

  let closing: Promise<void> | null = null;
  return {
    id,
    close: () => {
      closing ??= (async () => {
        emit({ ev: 'stopping', level: 'info', reason: 'close', inFlight: counts.active });
        await worker.close();
        clearInterval(timer);
        await contexts.close();
        await beat.del(hbKey).catch(() => {});
        beat.disconnect();
        emit({ ev: 'stopped', level: 'info', done: counts.done + counts.reused, failed: counts.failed });
      })();
      return closing;
    },
  };
}

/** A fix for errors that came without one (file system and system errors), in the queue's words. */
function fixFor(code: string, transient: boolean): string {
  const retry = 'run `a2f queue retry`.';
  if (code === 'ENOSPC' || code === 'EDQUOT') return `Free space (or quota) on the output file system, then ${retry}`;
  if (code === 'EMFILE' || code === 'ENFILE')
    return `Raise the workers' open file limit (LimitNOFILE= in a systemd unit, ulimit -n), then ${retry}`;
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return `Give the workers' user read access to the audio and character and write access to the output folder, then ${retry}`;
  }
  if (transient) return `Usually passes on its own, and the queue tried it several times; once the cause is gone, ${retry}`;
  return 'Fix the file (or its sidecar or settings) and add it again: its new content is a new job (`a2f queue clean` drops this one).';
}
