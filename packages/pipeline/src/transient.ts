import type { ErrorSummary } from './errors.js';

/**
 * Errors that say nothing about the line itself and may well pass: a busy or full disk, too many
 * open files, a network share hiccup, an inference worker that died (memory pressure). These are
 * retried with backoff a bounded number of times; everything else (bad audio, a bad sidecar, an
 * output path that would leave the output folder) is permanent until the file or settings change.
 */
const TRANSIENT_CODES: ReadonlySet<string> = new Set([
  'EBUSY',
  'EAGAIN',
  'EWOULDBLOCK',
  'ENOSPC',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
  'ENOMEM',
  'EINTR',
  'EIO',
  'ETIMEDOUT',
  'ECONNRESET',
  'ECONNABORTED',
  'ENETDOWN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ESTALE',
  'EPIPE',
  'WORKER_CRASHED',
  'INFERENCE_RUN',
  'ENGINE_CLOSED',
]);

export function isTransient(err: Pick<ErrorSummary, 'code'>): boolean {
  return TRANSIENT_CODES.has(err.code);
}
