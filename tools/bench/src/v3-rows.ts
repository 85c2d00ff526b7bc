// The Audio2Face-3D v3.0-shaped network on this machine (docs/benchmark.md#the-figures):
// a generated pack in the v3.0 layout whose network has the real architecture's layers and sizes
// with seeded weights (models/bench/make-bench-v3.mjs), one line animated end to end through the
// engine (windows in order, latents chained), and the share of its time each stage takes.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rational } from '@a2f/animation';
import { createInferenceEngine, loadModelPack } from '@a2f/inference';
import { loadV3Pack, philoxNormals, V3Postprocessor } from '@a2f/nvidia';
import { makeV3BenchPack } from '../../../models/bench/make-bench-v3.mjs';
import { defaultPackRoot } from './bench-pack.js';
import { seconds } from './clock.js';
import { dialogueSamples } from './dialogue.js';
import { repeatFor, repeatForSync, type Sample } from './guards.js';
import { cpuModel, loadAverage } from './machine.js';
import { REPO_ROOT } from './repo.js';

const GENERATORS = ['bench/make-bench-v3.mjs', 'nvidia/make-mini-v3.mjs', 'nvidia/make-mini-pack.mjs', 'lib/onnx.mjs'].map((f) =>
  path.join(REPO_ROOT, 'models', f),
);

export interface V3Plan {
  /** the real architecture at the real vertex counts (24 002 skin, 5 602 tongue), or a tiny one (quick): one HuBERT layer, mini sizes */
  readonly size: 'full' | 'tiny';
  readonly lineSeconds: number;
  readonly minSeconds: number;
}

export interface V3Figures {
  readonly size: 'full' | 'tiny';
  readonly parameters: number;
  readonly gflopPerWindow: number;
  readonly lineSeconds: number;
  /** 30 fps frames delivered per wall-clock second, the whole line (network and post-processing) */
  readonly framesPerSecond: number;
  /** wall-clock seconds per second of audio: below 1 is faster than real time */
  readonly realTimeFactor: number;
  /** of one line's time */
  readonly shares: { readonly network: number; readonly postprocess: number };
  /** the one Philox noise tensor, drawn once per engine */
  readonly noiseSeconds: number;
  readonly line: Sample;
  readonly workers: number;
  readonly threads: number;
}

/** The pack, generated unless an identical one is there (stamped with the generators' hash). */
function ensureV3Pack(size: V3Plan['size'], log: (line: string) => void): { dir: string; parameters: number; macsPerWindow: number } {
  const dir = path.join(defaultPackRoot(), `v3.0-shaped-${size}-seed1`);
  const hash = createHash('sha256');
  for (const f of GENERATORS) hash.update(readFileSync(f));
  const generator = hash.digest('hex');
  const stampFile = path.join(dir, 'bench-pack.json');
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { generator: string; parameters: number; macsPerWindow: number };
    if (stamp.generator === generator) return { dir, ...stamp };
  }
  const t0 = performance.now();
  const staging = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const made = makeV3BenchPack(staging, { seed: 1, tiny: size === 'tiny' });
    const stamp = { generator, parameters: made.parameters, macsPerWindow: made.macsPerWindow };
    writeFileSync(path.join(staging, 'bench-pack.json'), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`  v3.0-shaped pack written in ${seconds(t0).toFixed(1)} s: ${dir}`);
    return { dir, ...stamp };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

export async function measureV3(plan: V3Plan, log: (line: string) => void): Promise<V3Figures> {
  const made = ensureV3Pack(plan.size, log);
  log(`  ${(made.parameters / 1e6).toFixed(1)} M parameters, ${((2 * made.macsPerWindow) / 1e9).toFixed(1)} GFLOP per 0.5 s window`);
  const pack = await loadModelPack(made.dir);
  // One line's windows run one after another, so one worker with every core is what a line gets.
  const engine = await createInferenceEngine(pack, { workers: 1, threads: os.availableParallelism() });
  try {
    const samples = dialogueSamples(plan.lineSeconds, 16000, 1);
    const fps = rational(30);
    await engine.animate(samples.subarray(0, 16000), { fps }); // warm-up: ORT sizes its buffers, the noise is drawn
    let frames = 0;
    const line = await repeatFor(plan.minSeconds, 1, async () => {
      frames = (await engine.animate(samples, { fps, blinks: { enabled: false } })).frameCount;
    });
    const lineTime = line.seconds / line.reps;

    // Post-processing alone over the same frames: every 60 fps frame animated, every other one solved.
    const v3 = await loadV3Pack(made.dir);
    const info = v3.info;
    const post = new V3Postprocessor(
      v3.identities[0],
      v3.identities[0].params,
      { skin: info.skinSize, tongue: info.tongueSize, jaw: info.jawSize, eyes: info.eyesSize },
      rational(60),
    );
    const internal = frames * 2;
    const sources = Int32Array.from({ length: frames }, (_, k) => 2 * k);
    const row = Float32Array.from({ length: info.frameWidth }, (_, i) => 0.01 * Math.sin(i));
    const provenance = { tool: { name: 'a2f bench', version: '0' }, model: { id: 'v3', kind: 'a2f-v3.0' }, parameters: {} };
    const postSample = repeatForSync(plan.minSeconds, 1, () => {
      const run = post.begin(fps, sources, provenance, null);
      for (let i = 0; i < internal; i++) run.frame(row, 0, i);
    });
    const postTime = postSample.seconds / postSample.reps;
    const noiseSample = repeatForSync(0.5, 1, () =>
      philoxNormals(new Float32Array((info.diffusionSteps + 1) * info.framesPerInference * info.frameWidth)),
    );
    const shareOfPost = Math.min(1, postTime / lineTime);
    return {
      size: plan.size,
      parameters: made.parameters,
      gflopPerWindow: (2 * made.macsPerWindow) / 1e9,
      lineSeconds: plan.lineSeconds,
      framesPerSecond: frames / lineTime,
      realTimeFactor: lineTime / plan.lineSeconds,
      shares: { network: 1 - shareOfPost, postprocess: shareOfPost },
      noiseSeconds: noiseSample.seconds / noiseSample.reps,
      line,
      workers: engine.plan.workers,
      threads: engine.plan.threads,
    };
  } finally {
    await engine.close();
  }
}

/** The Markdown rows of the v3.0-shaped network. */
export function v3Rows(v: V3Figures): [string, string, string][] {
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
  return [
    [
      `v3.0-shaped network (${(v.parameters / 1e6).toFixed(0)} M parameters, ` +
        `${v.gflopPerWindow.toFixed(1)} GFLOP per 0.5 s window${v.size === 'tiny' ? ', tiny' : ''})`,
      `${v.framesPerSecond.toFixed(1)} frames/s at 30 fps; real-time factor ${v.realTimeFactor.toFixed(2)}`,
      `a ${v.lineSeconds} s line end to end, ${v.line.reps} run(s) in ${v.line.seconds.toFixed(1)} s; ` +
        `${v.workers} worker × ${v.threads} threads`,
    ],
    [
      'v3.0 stage shares',
      `network ${pct(v.shares.network)}, post-processing + solve ${pct(v.shares.postprocess)}`,
      `noise tensor (Philox, once per engine) ${v.noiseSeconds.toFixed(2)} s`,
    ],
  ];
}

/** `--v3-only`: the v3.0 rows on their own (the caller makes the plan: plan.ts imports this file's types). */
export async function v3Only(plan: V3Plan, quick: boolean, json: boolean): Promise<number> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const cores = os.availableParallelism();
  const load = loadAverage();
  log(`bench --v3-only${quick ? ' --quick' : ''}: ${cores} cores, load average ${load.toFixed(2)}`);
  const v3 = await measureV3(plan, log);
  const machine =
    `${cores} × ${cpuModel()}, Node ${process.version}; ` +
    `load average ${load.toFixed(2)} at the start, ${loadAverage().toFixed(2)} at the end`;
  const table = ['| measurement | result | how |', '| --- | --- | --- |', ...v3Rows(v3).map((r) => `| ${r.join(' | ')} |`)].join('\n');
  process.stdout.write(json ? `${JSON.stringify({ machine, v3 }, null, 2)}\n` : `${machine}\n\n${table}\n`);
  return 0;
}
