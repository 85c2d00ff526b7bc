import { mkdtempSync, realpathSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeWav } from '@a2f/audio';

export const tempDir = (label: string): string => realpathSync(mkdtempSync(path.join(os.tmpdir(), `a2f-watch-${label}-`)));

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

/** A short speech-like WAV: a harmonic tone at f0 with a syllable envelope; distinct f0, distinct bytes. */
export function speechWav(f0: number, seconds = 0.4, sampleRate = 16000): Uint8Array {
  const n = Math.round(seconds * sampleRate);
  const s = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    let v = 0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2 * Math.PI * f0 * h * t) / h;
    s[i] = 0.2 * v * Math.sin((Math.PI * i) / n) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 4 * t));
  }
  return encodeWav([s], sampleRate);
}
