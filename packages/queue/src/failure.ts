import type { Job } from 'bullmq';

/** A failed line as `a2f queue status` and followJobs show it (docs/queue.md, "Failures"). */
export interface JobFailure {
  readonly id: string;
  readonly audio: string;
  readonly code: string;
  readonly message: string;
  readonly fix: string;
  readonly errorFile?: string;
  readonly attempts?: number;
  readonly at?: string;
}

/** A failed job's failure as the worker recorded it (JSON in BullMQ's failedReason), or its plain reason. */
export function parseFailure(job: Job): JobFailure {
  const audio = String((job.data as { audio?: unknown } | undefined)?.audio ?? '');
  const base = {
    id: String(job.id),
    audio,
    attempts: job.attemptsMade,
    ...(job.finishedOn ? { at: new Date(job.finishedOn).toISOString() } : {}),
  };
  try {
    const f = JSON.parse(job.failedReason) as { code?: string; message?: string; fix?: string; errorFile?: string };
    if (typeof f.code === 'string' && typeof f.message === 'string') {
      return { ...base, code: f.code, message: f.message, fix: f.fix ?? '', ...(f.errorFile ? { errorFile: f.errorFile } : {}) };
    }
  } catch {
    // Not ours: a job its worker stopped answering for too often (BullMQ's stalled limit), or another tool's.
  }
  const stalled = /stalled/i.test(job.failedReason ?? '');
  return {
    ...base,
    code: stalled ? 'WORKER_DIED' : 'FAILED',
    message: job.failedReason ?? 'failed',
    fix: stalled
      ? 'Workers died on this line again and again (a crash or an out-of-memory kill): ' +
        "check the file and the workers' memory, then `a2f queue retry`."
      : 'Read the message: a cause outside the line fixed, `a2f queue retry` runs it again; a fixed file is added again.',
  };
}
