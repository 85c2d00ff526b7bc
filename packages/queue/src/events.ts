/**
 * What a worker reports, one object per event, like the watch folder's events: `a2f worker` prints
 * each as a JSON line on stdout (with a timestamp) for log collectors, and a human line on stderr.
 * Every event has `ev`, `level` and `worker`; events about a job have `job` (its id) and `audio`.
 */
export type QueueEventName =
  | 'start'
  | 'active'
  | 'progress'
  | 'done'
  | 'reused'
  | 'retry'
  | 'failed'
  | 'stalled'
  | 'cleanup'
  | 'error'
  | 'stopping'
  | 'stopped';

export interface QueueEvent {
  readonly ev: QueueEventName;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly worker: string;
  readonly job?: string;
  readonly audio?: string;
  readonly message?: string;
  readonly [field: string]: unknown;
}

export type QueueEventSink = (e: QueueEvent) => void;

/** One human line (two for a failure's fix) for an event; null for those that go to the JSON log only. */
export function formatQueueEvent(e: QueueEvent): string | null {
  const a = e.audio ?? e.job ?? '';
  switch (e.ev) {
    case 'start':
      return (
        `a2f worker ${e.worker}: queue "${String(e.queue)}" on ${String(e.redis)}, ` +
        `${String(e.concurrency)} at once, roots ${(e.roots as string[]).join(', ')}`
      );
    case 'done':
      return `ok      ${a} (${String(e.ms)} ms)`;
    case 'reused':
      return `ok      ${a}: already written by an earlier attempt; kept`;
    case 'retry':
      return `retry   ${a}: [${String(e.code)}] ${String(e.message)} (attempt ${String(e.attempt)} of ${String(e.attempts)})`;
    case 'failed':
      return (
        `FAIL    ${a}: [${String(e.code)}] ${String(e.message)}\n        fix: ${String(e.fix)}` +
        (e.errorFile ? `\n        see ${String(e.errorFile)}` : '')
      );
    case 'stalled':
      return `resume  job ${String(e.job)}: its worker stopped answering; taken over`;
    case 'error':
      return `ERROR   ${String(e.message)}`;
    case 'stopping':
      return `a2f worker ${e.worker}: stopping (${String(e.reason)}; finishing ${String(e.inFlight)} line(s) in hand)`;
    case 'stopped':
      return `a2f worker ${e.worker}: stopped (${String(e.done)} done, ${String(e.failed)} failed)`;
    default:
      return null;
  }
}
