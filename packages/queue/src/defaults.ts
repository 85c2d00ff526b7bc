// The queue's tunables in one place, with why each value (docs/queue.md, "Leases and stalled jobs",
// "Retries").

export const DEFAULT_QUEUE = 'a2f';
/** BullMQ's own default key prefix: monitoring tools (Bull Board, Taskforce) find the queue under it. */
export const DEFAULT_PREFIX = 'bull';

/**
 * A worker's lease on a job (BullMQ renews it every half of this while the line runs). A SIGKILLed
 * or cut-off worker's job is taken over once the lease runs out and a stalled check sees it: within
 * LOCK_DURATION_MS + STALLED_INTERVAL_MS. 30 s rides out a Redis restart or a long GC pause without a
 * second worker starting the same line; a line itself may run for minutes, the lease is renewed.
 */
export const LOCK_DURATION_MS = 30_000;
export const STALLED_INTERVAL_MS = 15_000;
/** How often a line whose worker died (a crash, OOM) goes back to the queue; one more death fails it. */
export const MAX_STALLED_COUNT = 2;

/** Tries for a transient failure (a full disk, a share hiccup, a crashed inference worker), the first included. */
export const DEFAULT_ATTEMPTS = 4;
/** First retry after this, then doubling (5 s, 10 s, 20 s). */
export const DEFAULT_BACKOFF_MS = 5_000;

/** Workers write their heartbeat this often; it expires after three missed beats. */
export const HEARTBEAT_MS = 5_000;

/** Loaded contexts (model + characters per distinct settings) a worker keeps; the least recently used idle one is closed beyond this. */
export const MAX_CONTEXTS = 4;

/** The Redis hash of one worker's heartbeat. */
export const heartbeatKey = (prefix: string, queue: string, id: string): string => `${prefix}:${queue}:a2f-worker:${id}`;
export const heartbeatPattern = (prefix: string, queue: string): string => `${prefix}:${queue}:a2f-worker:*`;
