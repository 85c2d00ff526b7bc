export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `cond` until true; throws with `what` after `timeoutMs`, a limit against a hang only (tests
 * wait on behaviour, never assert durations); below the test timeout so the message names the wait.
 */
export async function waitFor(cond: () => boolean, what: string, timeoutMs = 240_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}
