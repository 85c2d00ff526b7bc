import path from 'node:path';
import { JobContext, outputName, type LineProgress, type LineResult } from './job.js';
import type { JobSettingsInput } from './settings.js';

export interface BatchHooks {
  onLineStart?(audio: string, index: number, total: number): void;
  onLineDone?(result: LineResult, index: number, total: number): void;
  onProgress?(p: LineProgress): void;
  /** stop after the first failed line (default: go on, so every good line gets its layer) */
  failFast?: boolean;
}

/**
 * Processes lines one after another on one loaded model. A failed line does not stop the others
 * unless failFast is set, and never touches files already written for earlier lines.
 */
export async function processLines(audios: readonly string[], settings: JobSettingsInput, hooks: BatchHooks = {}): Promise<LineResult[]> {
  const names = uniqueNames(audios);
  const ctx = await JobContext.create(settings);
  const results: LineResult[] = [];
  try {
    for (let i = 0; i < audios.length; i++) {
      hooks.onLineStart?.(audios[i], i, audios.length);
      const result = await ctx.process(audios[i], { name: names[i], onProgress: hooks.onProgress });
      results.push(result);
      hooks.onLineDone?.(result, i, audios.length);
      if (!result.ok && hooks.failFast) break;
    }
  } finally {
    await ctx.close();
  }
  return results;
}

/** Lines whose names collide (take.wav and take.mp3) keep distinct outputs: the later ones get the extension. */
export function uniqueNames(audios: readonly string[]): string[] {
  const seen = new Set<string>();
  return audios.map((a) => {
    let name = outputName(a);
    if (seen.has(name.toLowerCase())) name = `${name}_${path.extname(a).slice(1) || 'audio'}`;
    for (let n = 2; seen.has(name.toLowerCase()); n++) name = `${outputName(a)}_${n}`;
    seen.add(name.toLowerCase());
    return name;
  });
}
