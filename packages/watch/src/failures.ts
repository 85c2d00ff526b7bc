import { isTransient, type ErrorSummary } from '@a2f/pipeline';
import type { FailureInfo } from './journal.js';

/** The error as journals and error files keep it, with a fix for errors that came without one. */
export function failureInfo(err: ErrorSummary): FailureInfo {
  const transient = isTransient(err);
  return { ...err, fix: err.fix ?? genericFix(err.code, transient), transient };
}

function genericFix(code: string, transient: boolean): string {
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return 'Free space on the output file system; the line is retried when the watcher restarts or the file is dropped again.';
  if (code === 'EMFILE' || code === 'ENFILE') return 'Raise the open file limit (ulimit -n) or lower --concurrency.';
  if (code === 'EACCES' || code === 'EPERM') return 'Give the watcher read access to the inbox and write access to the output folder.';
  if (transient) return 'Usually passes on its own; the watcher retried it. Restart the watcher or drop the file again to retry once more.';
  return 'Fix the file (or its sidecar) and drop it again under the same name; it is reprocessed when its content changes.';
}

/** Delay before attempt `attempt + 1`: exponential from baseMs, capped, with ±20 % jitter so watchers do not retry in step. */
export function backoffMs(attempt: number, baseMs: number, maxMs = 60_000): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (0.8 + 0.4 * Math.random()));
}
