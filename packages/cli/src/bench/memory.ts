// Peak memory of a long line, end to end, each in a child process (memory-child.ts).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobSettingsInput } from '@a2f/pipeline';
import { writeDialogueWav } from './dialogue.js';
import type { MemoryRun } from './report.js';

const CHILD = fileURLToPath(new URL('./memory-child.js', import.meta.url));

export interface MemoryLine {
  readonly minutes: number;
  readonly model: string;
  readonly modelLabel: string;
  readonly settings: JobSettingsInput;
  readonly workDir: string;
  readonly seed: number;
}

/** Writes a 48 kHz stereo WAV of `minutes`, runs it through the pipeline in a child, deletes it. */
export async function measureLineMemory(line: MemoryLine): Promise<MemoryRun> {
  const audio = path.join(line.workDir, `memory-${line.minutes}min.wav`);
  writeDialogueWav(audio, line.minutes * 60, { seed: line.seed });
  try {
    const out = await runChild({ audio, settings: { ...line.settings, model: line.model } });
    return { model: line.modelLabel, audioMinutes: line.minutes, peakRssMB: out.peakRssBytes / 1e6, seconds: out.seconds, frames: out.frames };
  } finally {
    rmSync(audio, { force: true });
  }
}

function runChild(args: unknown): Promise<{ peakRssBytes: number; seconds: number; frames: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify(args)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || !last.startsWith('{')) {
        reject(new Error(`the memory measurement child failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' ')}`));
        return;
      }
      resolve(JSON.parse(last) as { peakRssBytes: number; seconds: number; frames: number });
    });
  });
}

/**
 * The peak at `minutes`: a run of that length if there is one, else linear in the line's length
 * beyond the fixed cost, two runs giving the slope (noisy: the garbage collector's timing moves a
 * short line's peak by tens of MB).
 */
export function extrapolate(runs: readonly MemoryRun[], minutes: number): number {
  const exact = runs.find((r) => r.audioMinutes === minutes);
  if (exact) return exact.peakRssMB;
  const [a, b] = runs;
  if (!a || !b || b.audioMinutes === a.audioMinutes) throw new Error('extrapolation needs two runs of different lengths');
  const slope = Math.max(0, (b.peakRssMB - a.peakRssMB) / (b.audioMinutes - a.audioMinutes));
  return b.peakRssMB + slope * (minutes - b.audioMinutes);
}
