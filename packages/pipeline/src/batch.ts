import { JobContext, type LineProgress, type LineResult } from './job.js';
import { uniqueStems } from './names.js';
import type { JobSettingsInput } from './settings.js';

export interface BatchHooks {
  onLineStart?(audio: string, index: number, total: number): void;
  onLineDone?(result: LineResult, index: number, total: number): void;
  onProgress?(p: LineProgress): void;
  /** stop after the first failed line (default: go on, so every good line gets its layer) */
  failFast?: boolean;
  /** fail a line rather than replace a layer of its name made from other audio or settings */
  noClobber?: boolean;
}

/**
 * Processes lines one after another on one loaded model. A failed line does not stop the others
 * unless failFast is set, and never touches files already written for earlier lines.
 */
export async function processLines(audios: readonly string[], settings: JobSettingsInput, hooks: BatchHooks = {}): Promise<LineResult[]> {
  const names = uniqueStems(audios);
  const ctx = await JobContext.create(settings);
  const results: LineResult[] = [];
  try {
    for (let i = 0; i < audios.length; i++) {
      hooks.onLineStart?.(audios[i], i, audios.length);
      const result = await ctx.process(audios[i], { name: names[i], onProgress: hooks.onProgress, noClobber: hooks.noClobber });
      results.push(result);
      hooks.onLineDone?.(result, i, audios.length);
      if (!result.ok && hooks.failFast) break;
    }
  } finally {
    await ctx.close();
  }
  return results;
}

/** Lines whose names collide (take.wav and take.mp3) keep distinct outputs (docs/output-names.md). */
export const uniqueNames = uniqueStems;
