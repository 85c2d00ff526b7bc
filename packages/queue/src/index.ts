export { connectionFromUrl, redactUrl, checkReachable } from './connection.js';
export type { RedisConnection, RedisSpec } from './connection.js';
export { jobKey } from './job-key.js';
export type { QueueLine } from './job-key.js';
export { enqueueLines, createProducer, followJobs } from './producer.js';
export type { EnqueueOptions, Enqueued, FollowProgress, FollowResult, LinesToAdd, Producer, QueueTarget } from './producer.js';
export { startWorker } from './worker.js';
export type { WorkerOptions, QueueWorker } from './worker.js';
export { queueStatus, retryFailed, cleanQueue } from './status.js';
export type { QueueStatus, WorkerBeat } from './status.js';
export type { JobFailure } from './failure.js';
export { parsePathMap, mapPath } from './roots.js';
export type { PathMapping } from './roots.js';
export { formatQueueEvent } from './events.js';
export type { QueueEvent, QueueEventName, QueueEventSink } from './events.js';
export type { LineJobData } from './job-data.js';
export type { LineJobResult, OutputFile } from './outputs.js';
export { QueueError } from './errors.js';
export {
  DEFAULT_QUEUE,
  DEFAULT_PREFIX,
  DEFAULT_ATTEMPTS,
  DEFAULT_BACKOFF_MS,
  LOCK_DURATION_MS,
  STALLED_INTERVAL_MS,
  MAX_STALLED_COUNT,
  HEARTBEAT_MS,
} from './defaults.js';
