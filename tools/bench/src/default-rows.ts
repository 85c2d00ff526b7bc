// `--default-only`: the embedded default model end to end (a generated dialogue line, 48 kHz stereo,
// through JobContext to a layer on disk), the same measurement as the full run's "end to end,
// default model" row, without the hour of network and memory figures (docs/benchmark.md).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_BATCH_SIZE, planPool } from '@a2f/inference';
import { writeDialogueWav } from './dialogue.js';
import { measureEndToEnd } from './end-to-end.js';
import { cpuModel, loadAverage } from './machine.js';
import type { BenchPlan } from './plan.js';
import { REPO_ROOT } from './repo.js';

export async function defaultOnly(plan: BenchPlan, quick: boolean, json: boolean): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cores = os.availableParallelism();
  const load = loadAverage();
  log(`bench --default-only${quick ? ' --quick' : ''}: ${cores} cores, load average ${load.toFixed(2)}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'a2f-bench-default-'));
  try {
    const line = path.join(dir, 'dialogue.wav');
    const warmup = path.join(dir, 'warmup.wav');
    writeDialogueWav(line, plan.endToEndSeconds, { seed: plan.seed });
    writeDialogueWav(warmup, 1, { seed: plan.seed + 1 });
    const figures = await measureEndToEnd({
      audio: line,
      audioSeconds: plan.endToEndSeconds,
      character: path.join(REPO_ROOT, 'samples', 'character', 'face.usda'),
      outDir: path.join(dir, 'out'),
      warmup,
      minSeconds: plan.endToEndMinSeconds,
      label: 'default model',
      model: 'default',
      modelLabel: 'default',
      inference: { batchSize: DEFAULT_BATCH_SIZE, ...planPool({ device: 'cpu' }) },
    });
    const machine =
      `${cores} × ${cpuModel()}, Node ${process.version}; ` +
      `load average ${load.toFixed(2)} at the start, ${loadAverage().toFixed(2)} at the end`;
    const s = figures.settings;
    const row =
      `| end to end, default model | ${figures.secondsPerMinute.toFixed(1)} s per minute of dialogue ` +
      `(${(1 / figures.realTimeFactor).toFixed(0)}× real time) | batch ${s.batchSize}, ${s.workers}×${s.threads}; ` +
      `${figures.audioSeconds} s line × ${figures.sample.reps} in ${figures.sample.seconds.toFixed(1)} s |`;
    const table = ['| measurement | result | how |', '| --- | --- | --- |', row].join('\n');
    process.stdout.write(json ? `${JSON.stringify({ machine, defaultModel: figures }, null, 2)}\n` : `${machine}\n\n${table}\n`);
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
