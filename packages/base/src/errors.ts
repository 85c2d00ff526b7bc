/**
 * The one shape of every error a user can act on, whichever package throws it: a machine-readable
 * `code`, the `file` the problem is in or about, the `problem`, and the `fix`. The CLI prints
 * `message` (`<file>: <problem>. <fix>`); reports and journals keep the fields. Each package
 * extends it to narrow `code` and to be caught by name.
 */
export class A2fError<Code extends string = string> extends Error {
  constructor(
    readonly code: Code,
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${problem}. ${fix}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
  }
}

/** Whether a thrown value has the A2fError shape (also for errors from another copy of this package). */
export function isA2fError(err: unknown): err is A2fError {
  if (err instanceof A2fError) return true;
  const e = err as Partial<A2fError> | null;
  return (
    err instanceof Error &&
    typeof e?.code === 'string' &&
    typeof e.file === 'string' &&
    typeof e.problem === 'string' &&
    typeof e.fix === 'string'
  );
}
