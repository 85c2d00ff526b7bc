import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { resolveSettings, uniqueNames, type JobSettingsInput } from '@a2f/pipeline';
import { Job, Queue, type ConnectionOptions } from 'bullmq';
import { checkReachable, durableOptions, toConnection, type RedisConnection, type RedisSpec } from './connection.js';
import { DEFAULT_ATTEMPTS, DEFAULT_BACKOFF_MS, DEFAULT_PREFIX, DEFAULT_QUEUE } from './defaults.js';
import { absoluteSettings, submitter, type LineJobData } from './job-data.js';
import { characterHashes, keyLine } from './job-key.js';
import { mapPath, type PathMapping } from './roots.js';
import { parseFailure, type JobFailure } from './status.js';

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
  queue.on('error', () => {});
  await queue.waitUntilReady();
  return { queue, conn };
}

/**
 * Adds one job per line, its id the line's key: adding a line that is already in the queue (from
 * this producer, another one, or a watcher) adds nothing, as BullMQ keeps one job per id. The
 * settings are checked with the settings table first, so a bad setting adds no job at all.
 */
export async function enqueueLines(o: EnqueueOptions): Promise<Enqueued[]> {
  const resolved = resolveSettings(o.settings);
  const settings = absoluteSettings(o.settings, o.pathMap);
  const files = o.files.map((f) => path.resolve(f));
  const names = o.names ?? uniqueNames(files);
  const hashes = characterHashes(resolved);
  const keyed = [];
  for (let i = 0; i < files.length; i++) keyed.push(await keyLine({ audio: files[i], name: names[i] }, resolved, hashes));
  const { queue } = await openQueue(o);
  try {
    const out: Enqueued[] = [];
    for (let i = 0; i < files.length; i++) {
      const nonce = randomBytes(8).toString('hex');
      const data: LineJobData = {
        v: 1,
        audio: mapPath(files[i], o.pathMap ?? []),
        name: names[i],
        settings,
        audioSha256: keyed[i].audioSha256,
        submitted: submitter(nonce),
      };
      const id = keyed[i].key;
      await queue.add('line', data, {
        jobId: id,
        attempts: o.attempts ?? DEFAULT_ATTEMPTS,
        backoff: { type: 'exponential', delay: o.backoffMs ?? DEFAULT_BACKOFF_MS },
      });
      // BullMQ answers an existing id with that id and keeps the stored job: whose data is stored says who added it.
      const stored = await Job.fromId(queue, id);
      out.push({ id, audio: files[i], added: (stored?.data as LineJobData | undefined)?.submitted?.nonce === nonce });
    }
    return out;
  } finally {
    await queue.close();
  }
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
        const job = await Job.fromId(queue, id);
        const state = job ? await job.getState() : 'unknown';
        if (state === 'completed') {
          pending.delete(id);
          done++;
        } else if (state === 'failed' || state === 'unknown' || !job) {
          pending.delete(id);
          failed.push(
            job
              ? parseFailure(job)
              : { id, audio: '', code: 'JOB_GONE', message: `job ${id} is no longer in the queue`, fix: 'Add the line again.' },
          );
        } else if (state === 'active') {
          active++;
          const stage = (job.progress as { stage?: string } | undefined)?.stage;
          if (!current && job) current = { audio: String((job.data as LineJobData).audio), stage: stage ?? 'start' };
        }
      }
      o.onProgress?.({ total: o.ids.length, done, failed: failed.length, active, ...(current ? { current } : {}) });
      if (pending.size === 0) return { done, failed };
      await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  } finally {
    await queue.close();
  }
}
