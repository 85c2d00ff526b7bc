import type { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { durableOptions } from './connection.js';
import { DEFAULT_PREFIX, DEFAULT_QUEUE, heartbeatPattern } from './defaults.js';
import { parseFailure, type JobFailure } from './failure.js';
import type { LineJobResult } from './outputs.js';
import { openQueue, type QueueTarget } from './producer.js';

export interface WorkerBeat {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly concurrency: number;
  readonly done: number;
  readonly failed: number;
  readonly active: number;
  readonly startedAt: string;
  readonly beatAt: string;
  /** milliseconds since its last heartbeat, by this machine's clock */
  readonly ageMs: number;
}

export interface QueueStatus {
  readonly queue: string;
  readonly redis: string;
  readonly counts: {
    readonly waiting: number;
    readonly active: number;
    readonly delayed: number;
    readonly done: number;
    readonly failed: number;
  };
  /** the most recent failures (up to 50), each with its code, message and fix */
  readonly failures: readonly JobFailure[];
  /** over the lines finished in the last 10 minutes: from the first one's start to the last one's end */
  readonly throughput: {
    readonly lines: number;
    readonly windowMinutes: number;
    readonly linesPerMinute: number;
    readonly audioMinutesPerMinute: number;
  };
  readonly workers: readonly WorkerBeat[];
}

const TEN_MINUTES = 10 * 60_000;

/** Counts, recent failures, throughput and the workers' heartbeats. */
export async function queueStatus(t: QueueTarget): Promise<QueueStatus> {
  const { queue, conn } = await openQueue(t);
  try {
    const c = await queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    const failedJobs = await queue.getJobs(['failed'], 0, 49, false);
    const recent = await recentCompleted(queue);
    return {
      queue: t.queue ?? DEFAULT_QUEUE,
      redis: conn.display,
      counts: {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        done: c.completed ?? 0,
        failed: c.failed ?? 0,
      },
      failures: failedJobs.filter(Boolean).map(parseFailure),
      throughput: throughput(recent),
      workers: await readBeats(durableOptions(conn), t.prefix ?? DEFAULT_PREFIX, t.queue ?? DEFAULT_QUEUE),
    };
  } finally {
    await queue.close();
  }
}

async function recentCompleted(queue: Queue): Promise<Job[]> {
  const since = Date.now() - TEN_MINUTES;
  const out: Job[] = [];
  // Newest first, in pages, until a page reaches past the window.
  for (let start = 0; ; start += 200) {
    const page = (await queue.getJobs(['completed'], start, start + 199, false)).filter(Boolean);
    out.push(...page.filter((j) => (j.finishedOn ?? 0) >= since));
    if (page.length < 200 || page.some((j) => (j.finishedOn ?? 0) < since)) return out;
  }
}

function throughput(jobs: readonly Job[]): QueueStatus['throughput'] {
  if (jobs.length === 0) return { lines: 0, windowMinutes: 0, linesPerMinute: 0, audioMinutesPerMinute: 0 };
  const first = Math.min(...jobs.map((j) => j.processedOn ?? j.finishedOn ?? Date.now()));
  const last = Math.max(...jobs.map((j) => j.finishedOn ?? Date.now()));
  const minutes = Math.max(1 / 60, (last - first) / 60_000);
  const audioSeconds = jobs.reduce((sum, j) => sum + Number((j.returnvalue as LineJobResult | null)?.durationSeconds ?? 0), 0);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    lines: jobs.length,
    windowMinutes: round(minutes),
    linesPerMinute: round(jobs.length / minutes),
    audioMinutesPerMinute: round(audioSeconds / 60 / minutes),
  };
}

async function readBeats(options: ReturnType<typeof durableOptions>, prefix: string, queue: string): Promise<WorkerBeat[]> {
  const client = new Redis(options);
  client.on('error', () => {});
  try {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await client.scan(cursor, 'MATCH', heartbeatPattern(prefix, queue), 'COUNT', 200);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    const now = Date.now();
    const beats = await Promise.all(keys.map((k) => client.hgetall(k)));
    return beats
      .filter((b) => b.id)
      .map((b) => ({
        id: b.id!,
        host: b.host ?? '',
        pid: Number(b.pid),
        concurrency: Number(b.concurrency),
        done: Number(b.done),
        failed: Number(b.failed),
        active: Number(b.active),
        startedAt: b.startedAt ?? '',
        beatAt: b.beatAt ?? '',
        ageMs: now - Date.parse(b.beatAt ?? ''),
      }))
      .sort((a, b) => a.id.localeCompare(b.id));
  } finally {
    client.disconnect();
  }
}

/** Moves every failed job back to waiting (after the file or setting was fixed); returns how many. */
export async function retryFailed(t: QueueTarget): Promise<number> {
  const { queue } = await openQueue(t);
  try {
    let n = 0;
    for (;;) {
      const jobs = (await queue.getJobs(['failed'], 0, 199, true)).filter(Boolean);
      if (jobs.length === 0) return n;
      for (const j of jobs) {
        await j.retry('failed');
        n++;
      }
    }
  } finally {
    await queue.close();
  }
}

/**
 * Removes finished jobs: failed ones (default), done ones, or both, older than `graceMs`. A removed
 * done line is a new job when added again (its layers are then found and kept, not recomputed).
 */
export async function cleanQueue(
  t: QueueTarget & { which?: 'failed' | 'done' | 'all'; graceMs?: number },
): Promise<{ failed: number; done: number }> {
  const { queue } = await openQueue(t);
  const which = t.which ?? 'failed';
  const grace = t.graceMs ?? 0;
  const drain = async (type: 'failed' | 'completed'): Promise<number> => {
    let n = 0;
    for (;;) {
      const ids = await queue.clean(grace, 1000, type);
      n += ids.length;
      if (ids.length < 1000) return n;
    }
  };
  try {
    return {
      failed: which === 'done' ? 0 : await drain('failed'),
      done: which === 'failed' ? 0 : await drain('completed'),
    };
  } finally {
    await queue.close();
  }
}
