import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { REPO_ROOT } from './repo.js';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpuModel, loadAverage } from './machine.js';
import { benchPlan } from './plan.js';
import { measurePreview } from './preview-rows.js';
import { queueOnly } from './queue-farm.js';
import { runBench } from './run-bench.js';
import { v3Only } from './v3-rows.js';
import { defaultOnly } from './default-rows.js';
import { liveOnly } from './live-serve.js';
import { markdownPreview, markdownReport } from './table.js';

/** `npm run bench`'s options (bin.ts parses them). */
export const benchOptions = (y: Argv) =>
  y
    .option('quick', { type: 'boolean', default: false, describe: 'every measurement, briefly (seconds, not minutes; figures are rough)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the report as JSON on stdout (progress goes to stderr)' })
    .option('device', {
      choices: ['cpu', 'cuda'] as const,
      default: 'cpu' as const,
      describe: 'execution device (cuda needs the GPU build of onnxruntime-node; see README)',
    })
    .option('batch-sizes', {
      type: 'string',
      describe: 'comma-separated frames per network run to measure (default 1,2,4,8,16,32,64; quick 1,4)',
    })
    .option('pack-dir', {
      type: 'string',
      describe: 'where the generated v2.3-shaped pack is kept (default: .tmp/bench in the repository)',
    })
    .option('seed', { type: 'number', default: 1, describe: 'seed of the generated network and audio' })
    .option('short-memory', {
      type: 'boolean',
      default: false,
      describe:
        "measure the v2.3-shaped pack's peak memory over 1- and 4-minute lines instead of a real 60-minute line " +
        '(~25 min less on 2 cores); the 60-minute figure is then left out, never extrapolated',
    })
    .option('preview-only', {
      type: 'boolean',
      default: false,
      describe: 'measure only the preview rows (a 100 k-point face: page load, 1× playback, playblast; quick: a small face)',
    })
    .option('queue-only', {
      type: 'boolean',
      default: false,
      describe: 'measure only the render-farm queue rows (lines/min with 1, 2 and 3 workers, overhead per job; needs redis-server)',
    })
    .option('default-only', {
      type: 'boolean',
      default: false,
      describe: 'measure only the embedded default model end to end (a 60 s line; quick: 3 s): seconds per minute, × real time',
    })
    .option('v3-only', {
      type: 'boolean',
      default: false,
      describe: 'measure only the Audio2Face-3D v3.0-shaped network (frames/s, real-time factor, stage shares; quick: mini geometry)',
    })
    .option('live-only', {
      type: 'boolean',
      default: false,
      describe: 'measure only the live server rows (a2f serve: first-frame latency, steady lag, real-time streams held at once)',
    })
    .option('update-readme', { type: 'boolean', default: false, describe: 'write the tables into README.md between its bench markers' });

type BenchArgs = Awaited<ReturnType<ReturnType<typeof benchOptions>['parseAsync']>>;

export const README_START = '<!-- bench:start -->';
export const README_END = '<!-- bench:end -->';

export async function benchCommand(a: BenchArgs): Promise<number> {
  const batchSizes = a['batch-sizes']?.split(',').map((s) => Number(s.trim()));
  if (batchSizes?.some((b) => !Number.isInteger(b) || b < 1))
    throw new Error(`--batch-sizes "${a['batch-sizes']}" must list whole numbers ≥ 1, e.g. 1,8,32`);
  if (!Number.isInteger(a.seed) || a.seed < 0) throw new Error(`--seed ${a.seed} must be a whole number ≥ 0`);
  if (a['preview-only']) return previewOnly(a.quick, a.json);
  if (a['queue-only']) return queueOnly(a.quick, a.json);
  if (a['default-only'])
    return defaultOnly(benchPlan({ quick: a.quick, device: 'cpu', seed: a.seed }, os.availableParallelism()), a.quick, a.json);
  if (a['live-only']) return liveOnly(a.quick, a.json);
  if (a['v3-only']) return v3Only(benchPlan({ quick: a.quick, device: 'cpu', seed: 1 }, os.availableParallelism()).v3, a.quick, a.json);
  const report = await runBench(
    {
      quick: a.quick,
      device: a.device,
      seed: a.seed,
      shortMemory: a['short-memory'],
      ...(batchSizes ? { batchSizes } : {}),
      ...(a['pack-dir'] ? { packDir: path.resolve(a['pack-dir']) } : {}),
    },
    (line) => process.stderr.write(line + '\n'),
  );
  const markdown = markdownReport(report);
  process.stdout.write(a.json ? JSON.stringify(report, null, 2) + '\n' : markdown);
  if (a['update-readme']) {
    const file = path.join(REPO_ROOT, 'README.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf(README_START);
    const end = text.indexOf(README_END);
    if (start < 0 || end < start) throw new Error(`${file} has no ${README_START} … ${README_END} section to write the tables into`);
    writeFileSync(file, `${text.slice(0, start + README_START.length)}\n${markdown}${text.slice(end)}`);
    process.stderr.write(`tables written into ${file}\n`);
  }
  return 0;
}

/** `--preview-only`: the preview rows without the hour of network and memory figures before them. */
async function previewOnly(quick: boolean, json: boolean): Promise<number> {
  const cores = os.availableParallelism();
  const plan = benchPlan({ quick, device: 'cpu', seed: 1 }, cores);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'a2f-bench-'));
  const log = (line: string) => process.stderr.write(line + '\n');
  try {
    const load = loadAverage();
    log(`bench --preview-only${quick ? ' --quick' : ''}: ${cores} cores, load average ${load.toFixed(2)}`);
    const preview = await measurePreview(dir, plan.preview, log);
    const machine =
      `${cores} × ${cpuModel()}, Node ${process.version}; ` +
      `load average ${load.toFixed(2)} at the start, ${loadAverage().toFixed(2)} at the end`;
    process.stdout.write(json ? JSON.stringify({ machine, preview }, null, 2) + '\n' : markdownPreview(preview, machine));
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
