import { A2fError } from '@a2f/base';

/** An error a user can act on: what went wrong, with which file, and what to do about it. */
export class JobError extends A2fError {}

export interface ErrorSummary {
  readonly code: string;
  readonly message: string;
  readonly fix?: string;
}

/** Flattens any thrown value (JobError, AudioError, ORT or fs errors) into something a report can hold. */
export function summarizeError(err: unknown): ErrorSummary {
  if (err instanceof Error) {
    const e = err as Error & { code?: unknown; fix?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : e.name || 'ERROR',
      message: e.message,
      ...(typeof e.fix === 'string' && e.fix ? { fix: e.fix } : {}),
    };
  }
  return { code: 'ERROR', message: String(err) };
}
