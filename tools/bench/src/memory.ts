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
    return {
      model: line.modelLabel,
      audioMinutes: line.minutes,
      peakRssMB: out.peakRssBytes / 1e6,
      seconds: out.seconds,
      frames: out.frames,
    };
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
 * The peak of a real `minutes`-long line, or null with the reason. Never extrapolated from shorter
 * lines: a streamed line's peak is not linear in its length (a 10-minute line of the v2.3-shaped
 * pack peaks where a 1-minute one does, while a straight line through 1 and 4 minutes said 1.5 GB
 * at 60), so only a run of that length can say it.
 */
export function peakAt(
  runs: readonly MemoryRun[],
  minutes: number,
  why: string,
): { minutes: number; peakRssMB: number | null; note?: string } {
  const exact = runs.find((r) => r.audioMinutes === minutes);
  if (exact) return { minutes, peakRssMB: exact.peakRssMB };
  return {
    minutes,
    peakRssMB: null,
    note:
      `not measured: ${why}; only ${runs.map((r) => `${r.audioMinutes}-minute`).join(' and ') || 'no'} line(s) ran, ` +
      'and a peak is never extrapolated from shorter lines',
  };
}
