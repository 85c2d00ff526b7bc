// The render-farm queue on this machine: lines per minute with 1, 2 and 3 `a2f worker` processes
// taking jobs from a real Redis (AOF, fsync on every write, as the README's recipe runs it), and the
// queue's own cost per job: from the add to the job's completion, minus the worker's time on the
// line. The workers are the built CLI in child processes, as a farm runs them.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectionFromUrl, enqueueLines, followJobs, type LineJobResult } from '@a2f/queue';
import { startRedis, type TestRedis } from '@a2f/test-utils';
import { Job, Queue, type ConnectionOptions } from 'bullmq';
import { seconds } from './clock.js';
import { writeDialogueWav } from './dialogue.js';
import { perSecond } from './guards.js';
import { loadAverage } from './machine.js';
import { benchPlan } from './plan.js';
import { queueRows, type QueueFarmFigures, type QueueFarmPlan, type QueueOverhead, type QueueRate } from './queue-rows.js';
import { REPO_ROOT, SAMPLES_DIR } from './repo.js';

const CLI = path.join(REPO_ROOT, 'packages', 'cli', 'dist', 'bin.js');

interface FarmWorker {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
}

/** Starts `a2f worker` and resolves once it logged `start` (connected, taking jobs). */
function startWorker(url: string, roots: readonly string[]): Promise<FarmWorker> {
  const args = [CLI, 'worker', '--redis', url, ...roots.flatMap((r) => ['--allow-root', r])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-2000)));
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      if (/"ev":\s*"start"/.test(buf)) resolve({ child, exited });
      buf = buf.slice(-200);
    });
    void exited.then((code) => reject(new Error(`a2f worker exited (${code}) before it started:\n${stderr}`)));
  });
}

async function stopWorkers(workers: readonly FarmWorker[]): Promise<void> {
  for (const w of workers) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}

/** Distinct lines (a seed each: the same audio twice would be one job). */
function writeLines(dir: string, count: number, lineSeconds: number, firstSeed: number): string[] {
  mkdirSync(dir, { recursive: true });
  return Array.from({ length: count }, (_, i) => {
    const file = path.join(dir, `line${String(i).padStart(3, '0')}.wav`);
    writeDialogueWav(file, lineSeconds, { seed: firstSeed + i });
    return file;
  });
}

async function runLines(url: string, files: readonly string[], character: string, outDir: string): Promise<number> {
  const t0 = performance.now();
  const jobs = await enqueueLines({ redis: url, files, settings: { character, outDir } });
  const r = await followJobs({ redis: url, ids: jobs.map((j) => j.id), pollMs: 20 });
  if (r.failed.length)
    throw new Error(`the bench's queued lines failed: ${r.failed.map((f) => `${f.audio}: [${f.code}] ${f.message}`).join('; ')}`);
  return seconds(t0);
}

/** One job at a time on an idle, warm worker: Redis' own timestamps against the worker's time on the line. */
async function measureOverhead(
  redis: TestRedis,
  appendfsync: 'always' | 'everysec',
  files: readonly string[],
  character: string,
  outDir: string,
): Promise<QueueOverhead> {
  const url = redis.url;
  // redis-cli comes with redis-server; the setting lasts until the bench's server stops.
  const set = spawnSync('redis-cli', ['-p', String(redis.port), 'CONFIG', 'SET', 'appendfsync', appendfsync], { encoding: 'utf8' });
  if (set.stdout.trim() !== 'OK') throw new Error(`redis-cli could not set appendfsync ${appendfsync}: ${set.stderr || set.stdout}`);
  const queue = new Queue('a2f', { connection: connectionFromUrl(url).options as ConnectionOptions });
  const perJob: number[] = [];
  const lineMs: number[] = [];
  const pickup: number[] = [];
  try {
    for (const file of files) {
      const [job] = await enqueueLines({ redis: url, files: [file], settings: { character, outDir } });
      await followJobs({ redis: url, ids: [job!.id], pollMs: 5 });
      const stored = await Job.fromId(queue, job!.id);
      const result = stored!.returnvalue as LineJobResult;
      perJob.push(stored!.finishedOn! - stored!.timestamp - result.timings.runMs);
      pickup.push(stored!.processedOn! - stored!.timestamp);
      lineMs.push(result.timings.runMs);
    }
  } finally {
    await queue.close();
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const sorted = [...perJob].sort((a, b) => a - b);
  return {
    appendfsync,
    jobs: perJob.length,
    meanMs: mean(perJob),
    medianMs: sorted[Math.floor(sorted.length / 2)]!,
    maxMs: sorted.at(-1)!,
    pickupMs: mean(pickup),
    lineMs: mean(lineMs),
    fractionOfLine: mean(perJob) / mean(lineMs),
  };
}

export async function measureQueueFarm(
  plan: QueueFarmPlan,
  workDir: string,
  character: string,
  log: (l: string) => void,
): Promise<QueueFarmFigures> {
  let redis: TestRedis;
  try {
    redis = await startRedis({ aof: true });
  } catch (e) {
    return { lineSeconds: plan.lineSeconds, lines: plan.lines, rates: [], overheads: [], note: (e as Error).message.split('\n')[0]! };
  }
  const root = path.join(workDir, 'queue');
  mkdirSync(root, { recursive: true });
  const rates: QueueRate[] = [];
  const overheads: QueueOverhead[] = [];
  let seed = 1000;
  try {
    for (const n of plan.workers) {
      const workers = await Promise.all(Array.from({ length: n }, () => startWorker(redis.url, [root, path.dirname(character)])));
      try {
        // Warm-up: a first line per worker loads its model and reads the character (once per worker).
        const warm = writeLines(path.join(root, `warm${n}`), 2 * n, 1, seed);
        seed += warm.length;
        await runLines(redis.url, warm, character, path.join(root, `warm${n}-out`));
        const files = writeLines(path.join(root, `round${n}`), plan.lines, plan.lineSeconds, seed);
        seed += files.length;
        const s = await runLines(redis.url, files, character, path.join(root, `round${n}-out`));
        const rate = perSecond(plan.lines, { seconds: s, reps: 1 });
        rates.push({
          workers: n,
          linesPerMinute: rate.value === null ? null : 60 * rate.value,
          audioMinutesPerMinute: rate.value === null ? null : rate.value * plan.lineSeconds,
          seconds: s,
          ...(rate.note ? { note: rate.note } : {}),
        });
        const shown = rate.value === null ? rate.note : `${(60 * rate.value).toFixed(0)} lines/min`;
        log(`  ${n} worker(s): ${shown} (${plan.lines} × ${plan.lineSeconds} s lines)`);
        if (n === 1) {
          // The recipe's fsync on every write, then once a second: what the disk's fsync costs each job.
          for (const policy of ['always', 'everysec'] as const) {
            const one = writeLines(path.join(root, `overhead-${policy}`), plan.overheadJobs, plan.lineSeconds, seed);
            seed += one.length;
            const o = await measureOverhead(redis, policy, one, character, path.join(root, `overhead-${policy}-out`));
            overheads.push(o);
            const share = `${(100 * o.fractionOfLine).toFixed(2)} % of a line`;
            log(`  queue overhead, appendfsync ${policy}: ${o.meanMs.toFixed(1)} ms per job, ${share}`);
          }
        }
      } finally {
        await stopWorkers(workers);
      }
    }
  } finally {
    await redis.stop();
  }
  return { lineSeconds: plan.lineSeconds, lines: plan.lines, rates, overheads };
}

/** `--queue-only`: the queue rows without the rest of the bench, as Markdown rows or JSON. */
export async function queueOnly(quick: boolean, json: boolean): Promise<number> {
  const cores = os.availableParallelism();
  const plan = benchPlan({ quick, device: 'cpu', seed: 1 }, cores);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'a2f-bench-'));
  const log = (line: string) => process.stderr.write(line + '\n');
  try {
    const start = loadAverage();
    log(`bench --queue-only${quick ? ' --quick' : ''}: ${cores} cores, load average ${start.toFixed(2)}`);
    const queue = await measureQueueFarm(plan.queue, dir, path.join(SAMPLES_DIR, 'character', 'face.usda'), log);
    const load = { start, end: loadAverage() };
    if (json) process.stdout.write(JSON.stringify({ cores, load, queue }, null, 2) + '\n');
    else {
      const rows = queueRows(queue).map((cells) => `| ${cells.join(' | ')} |`);
      process.stdout.write(
        `${cores} cores, load average ${load.start.toFixed(2)} at the start, ${load.end.toFixed(2)} at the end\n\n` +
          `| figure | value | settings |\n| --- | --- | --- |\n${rows.join('\n')}\n`,
      );
    }
    return 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
