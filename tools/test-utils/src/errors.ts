/** A thrown error with the fields every a2f error has (A2fError in @a2f/base: code, file, problem, fix). */
export type CaughtError = Error & { code: string; file: string; problem: string; fix: string };

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejection(work: Promise<unknown>): Promise<CaughtError> {
  const outcome = await work.then(
    () => undefined,
    (e: unknown) => e as CaughtError,
  );
  if (outcome === undefined) throw new Error('expected a rejection, but the promise resolved');
  return outcome;
}

/** The error a function throws (fails the test if it returns). */
export function thrown(work: () => unknown): CaughtError {
  try {
    work();
  } catch (e) {
    return e as CaughtError;
  }
  throw new Error('expected an error, but the function returned');
}
