import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { resolveSettings, uniqueNames, type JobSettingsInput } from '@a2f/pipeline';
import { Job, Queue, type ConnectionOptions } from 'bullmq';
import { checkReachable, durableOptions, toConnection, type RedisConnection, type RedisSpec } from './connection.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_PREFIX, DEFAULT_QUEUE } from './defaults.js';
import { absoluteSettings, submitter, type LineJobData } from './job-data.js';
import { characterHashes, keyLine } from './job-key.js';
import { mapPath, type PathMapping } from './roots.js';
import { parseFailure, type JobFailure } from './failure.js';

export interface QueueTarget {
  readonly redis: RedisSpec;
  readonly queue?: string;
  readonly prefix?: string;
}

export interface EnqueueOptions extends QueueTarget {
  /** audio files, one job each; names are made as `a2f run` makes them (docs/output-names.md) */
  readonly files: readonly string[];
  /** `a2f run`'s settings: character and outDir required, the rest as for a run */
  readonly settings: JobSettingsInput;
  /** output stems, one per file, when the caller chose them (the watch folder's path template) */
  readonly names?: readonly string[];
  /** this machine's mount points → the names workers know (applied to every stored path) */
  readonly pathMap?: readonly PathMapping[];
  /** tries for transient failures (default 4) and the first retry delay, doubling (default 5 s) */
  readonly attempts?: number;
  readonly backoffMs?: number;
}

export interface Enqueued {
  /** the job id: the line's key */
  readonly id: string;
  readonly audio: string;
  /** false: the same line (same key) was already queued, running, done or failed; nothing new was added */
  readonly added: boolean;
}

/** Opens a queue for a producer: Redis must answer now (a clear error at once), later outages are waited out. */
export async function openQueue(t: QueueTarget): Promise<{ queue: Queue; conn: RedisConnection }> {
  const conn = toConnection(t.redis);
  await checkReachable(conn);
  const queue = new Queue(t.queue ?? DEFAULT_QUEUE, {
    connection: durableOptions(conn) as ConnectionOptions,
    prefix: t.prefix ?? DEFAULT_PREFIX,
  });
  // Connection errors during an outage are ioredis's to retry; an EventEmitter without a listener would throw them.
  queue.on('error', () => {});
  await queue.waitUntilReady();
  return { queue, conn };
}

export type LinesToAdd = Omit<EnqueueOptions, keyof QueueTarget>;

/** A producer that stays connected (a watcher hands over lines one by one); close it when done. */
export interface Producer {
  enqueue(lines: LinesToAdd): Promise<Enqueued[]>;
  close(): Promise<void>;
}

/**
 * Adds one job per line, its id the line's key: adding a line that is already in the queue (from
 * this producer, another one, or a watcher) adds nothing, as BullMQ keeps one job per id. The
 * settings are checked with the settings table first, so a bad setting adds no job at all.
 */
export async function enqueueLines(o: EnqueueOptions): Promise<Enqueued[]> {
  // A bad setting first, then Redis (one clear error at once), then the files.
  resolveSettings(o.settings);
  const p = await openProducer(o);
  try {
    return await p.add(await prepareLines(o));
  } finally {
    await p.close();
  }
}

/** Opens a producer: Redis must answer now (REDIS_UNREACHABLE at once); later outages are waited out. */
export async function createProducer(t: QueueTarget): Promise<Producer> {
  const p = await openProducer(t);
  return { enqueue: async (lines) => p.add(await prepareLines(lines)), close: p.close };
}

interface Prepared {
  readonly data: LineJobData;
  readonly id: string;
  readonly nonce: string;
  readonly audio: string;
  readonly attempts: number;
  readonly backoffMs: number;
}

async function prepareLines(o: LinesToAdd): Promise<Prepared[]> {
  const resolved = resolveSettings(o.settings);
  const settings = absoluteSettings(o.settings, o.pathMap);
  const files = o.files.map((f) => path.resolve(f));
  const names = o.names ?? uniqueNames(files);
  const hashes = characterHashes(resolved);
  const out: Prepared[] = [];
  for (let i = 0; i < files.length; i++) {
    const keyed = await keyLine({ audio: files[i], name: names[i] }, resolved, hashes);
    const nonce = randomBytes(8).toString('hex');
    out.push({
      id: keyed.key,
      nonce,
      audio: files[i],
      attempts: o.attempts ?? DEFAULT_ATTEMPTS,
      backoffMs: o.backoffMs ?? DEFAULT_BACKOFF_MS,
      data: {
        v: 1,
        audio: mapPath(files[i], o.pathMap ?? []),
        name: names[i],
        settings,
        audioSha256: keyed.audioSha256,
        submitted: submitter(nonce),
      },
    });
  }
  return out;
}

async function openProducer(t: QueueTarget): Promise<{ add(lines: readonly Prepared[]): Promise<Enqueued[]>; close(): Promise<void> }> {
  const { queue } = await openQueue(t);
  return {
    add: async (lines) => {
      const out: Enqueued[] = [];
      for (const l of lines) {
        await queue.add('line', l.data, { jobId: l.id, attempts: l.attempts, backoff: { type: 'exponential', delay: l.backoffMs } });
        // BullMQ answers an existing id with that id and keeps the stored job: whose data is stored says who added it.
        const stored = await Job.fromId(queue, l.id);
        out.push({ id: l.id, audio: l.audio, added: (stored?.data as LineJobData | undefined)?.submitted?.nonce === l.nonce });
      }
      return out;
    },
    close: () => queue.close(),
  };
}

export interface FollowProgress {
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly active: number;
  /** a line in progress and its stage (decode, infer, write), when one is */
  readonly current?: { readonly audio: string; readonly stage: string };
}

export interface FollowResult {
  readonly done: number;
  readonly failed: readonly JobFailure[];
}

/**
 * Follows jobs to their end (done, or failed for good) by polling their states: a poll survives a
 * Redis restart where an event stream could miss events. A job that vanished (cleaned) counts as failed.
 */
export async function followJobs(
  o: QueueTarget & { ids: readonly string[]; onProgress?: (p: FollowProgress) => void; pollMs?: number },
): Promise<FollowResult> {
  const { queue } = await openQueue(o);
  const pending = new Set(o.ids);
  let done = 0;
  const failed: JobFailure[] = [];
  try {
    for (;;) {
      let active = 0;
      let current: FollowProgress['current'];
      for (const id of [...pending]) {
        // The state alone (one script call); the job itself only where its details are shown.
        const state = await queue.getJobState(id);
        if (state === 'completed') {
          pending.delete(id);
          done++;
        } else if (state === 'failed' || state === 'unknown') {
          pending.delete(id);
          const job = await Job.fromId(queue, id);
          failed.push(
            job
              ? parseFailure(job)
              : { id, audio: '', code: 'JOB_GONE', message: `job ${id} is no longer in the queue`, fix: 'Add the line again.' },
          );
        } else if (state === 'active') {
          active++;
          const job = current ? undefined : await Job.fromId(queue, id);
          if (job)
            current = { audio: String((job.data as LineJobData).audio), stage: (job.progress as { stage?: string }).stage ?? 'start' };
        }
      }
      o.onProgress?.({ total: o.ids.length, done, failed: failed.length, active, ...(current ? { current } : {}) });
      if (pending.size === 0) return { done, failed };
      // A big batch is polled less often: about 1 ms of waiting per line still pending keeps Redis's load flat.
      await new Promise((r) => setTimeout(r, Math.max(o.pollMs ?? 500, pending.size)));
    }
  } finally {
    await queue.close();
  }
}
