// The Audio2Emotion-shaped network on this machine (docs/benchmark.md#the-figures): a wav2vec
// 2.0 base classifier with seeded weights in the A2E pack layout (models/bench/make-bench-a2e.mjs),
// run over one line exactly as `--a2e` runs it (60 000-sample windows, one run every 31 frames at
// 30 fps): classifier runs per second, the real-time factor, and its share of a line animated with
// the v2.3-shaped network beside it.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { rational } from '@a2f/animation';
import { A2eRunner } from '@a2f/nvidia';
import { makeA2eBenchPack } from '../../../models/bench/make-bench-a2e.mjs';
import { defaultPackRoot } from './bench-pack.js';
import { seconds } from './clock.js';
import { dialogueSamples } from './dialogue.js';
import { repeatFor, type Sample } from './guards.js';
import { REPO_ROOT } from './repo.js';

const GENERATORS = ['bench/make-bench-a2e.mjs', 'nvidia/make-mini-a2e.mjs', 'lib/onnx.mjs'].map((f) => path.join(REPO_ROOT, 'models', f));

export interface A2ePlan {
  /** base: wav2vec 2.0 base (12 × 768); tiny: 2 × 64, for --quick */
  readonly size: 'base' | 'tiny';
  readonly lineSeconds: number;
  readonly minSeconds: number;
}

export interface A2eFigures {
  readonly size: 'base' | 'tiny';
  readonly parameters: number;
  readonly gflopPerRun: number;
  readonly window: number;
  readonly skip: number;
  readonly lineSeconds: number;
  /** classifier runs (one 60 000-sample window each) per wall-clock second */
  readonly runsPerSecond: number;
  readonly msPerRun: number;
  /** A2E's wall-clock seconds per second of audio at 30 fps: below 1 is faster than real time */
  readonly realTimeFactor: number;
  /** A2E's share of a line's time with the v2.3-shaped network animating the same line; null without that figure */
  readonly shareOfLine: number | null;
  readonly line: Sample;
  readonly threads: number;
}

function ensureA2ePack(size: A2ePlan['size'], log: (line: string) => void) {
  const dir = path.join(defaultPackRoot(), `a2e-v2.2-shaped-${size}-seed1`);
  const hash = createHash('sha256');
  for (const f of GENERATORS) hash.update(readFileSync(f));
  const generator = hash.digest('hex');
  const stampFile = path.join(dir, 'bench-pack.json');
  if (existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { generator: string; parameters: number; macsPerRun: number };
    if (stamp.generator === generator) return { dir, ...stamp };
  }
  const t0 = performance.now();
  const staging = `${dir}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    const made = makeA2eBenchPack(staging, { seed: 1, size });
    const stamp = { generator, parameters: made.parameters, macsPerRun: made.macsPerRun };
    writeFileSync(path.join(staging, 'bench-pack.json'), `${JSON.stringify(stamp, null, 2)}\n`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(staging, dir);
    log(`  A2E-shaped pack written in ${seconds(t0).toFixed(1)} s: ${dir}`);
    return { dir, ...stamp };
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `a2fRealTimeFactor`: the v2.3-shaped network's end-to-end figure, for A2E's share of a line with both. */
export async function measureA2e(plan: A2ePlan, a2fRealTimeFactor: number | null, log: (line: string) => void): Promise<A2eFigures> {
  const made = ensureA2ePack(plan.size, log);
  log(`  ${(made.parameters / 1e6).toFixed(1)} M parameters, ${((2 * made.macsPerRun) / 1e9).toFixed(1)} GFLOP per 60 000-sample run`);
  // A line's runs are few and independent of the A2F network's: one worker with every core, as --a2e starts it by default.
  const threads = os.availableParallelism();
  const runner = await A2eRunner.create(made.dir, { workers: 1, threads });
  try {
    const samples = dialogueSamples(plan.lineSeconds, 16000, 1);
    const fps = rational(30);
    await runner.emotions(samples.subarray(0, 16000), fps); // warm-up: ORT sizes its buffers
    let runs = 0;
    const line = await repeatFor(plan.minSeconds, 1, async () => {
      const got = await runner.emotions(samples, fps);
      runs = got.provenance.classifierRuns as number;
    });
    const lineTime = line.seconds / line.reps;
    const rtf = lineTime / plan.lineSeconds;
    return {
      size: plan.size,
      parameters: made.parameters,
      gflopPerRun: (2 * made.macsPerRun) / 1e9,
      window: runner.window,
      skip: runner.skip,
      lineSeconds: plan.lineSeconds,
      runsPerSecond: runs / lineTime,
      msPerRun: (lineTime / runs) * 1000,
      realTimeFactor: rtf,
      shareOfLine: a2fRealTimeFactor === null ? null : rtf / (rtf + a2fRealTimeFactor),
      line,
      threads,
    };
  } finally {
    await runner.close();
  }
}

/** The A2E rows of the report table: figure, value, how it was measured. */
export function a2eRows(a: A2eFigures): [string, string, string][] {
  const how = `${a.lineSeconds} s line at 30 fps, window ${a.window}, skip ${a.skip}; 1 worker × ${a.threads} threads, ${a.line.reps} reps`;
  const name = `A2E-shaped (${a.size}, ${(a.parameters / 1e6).toFixed(1)} M, ${a.gflopPerRun.toFixed(1)} GFLOP/run)`;
  return [
    [`${name} classifier runs/s`, `${a.runsPerSecond.toFixed(2)} (${a.msPerRun.toFixed(0)} ms each)`, how],
    [`${name} real-time factor`, a.realTimeFactor.toFixed(3), 'A2E alone, wall seconds per second of audio'],
    [
      'A2E share of a line with the v2.3-shaped network',
      a.shareOfLine === null ? 'n/a' : `${(a.shareOfLine * 100).toFixed(0)} %`,
      'A2E time / (A2E + v2.3-shaped end-to-end) for the same audio',
    ],
  ];
}
