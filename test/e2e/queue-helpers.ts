// Helpers for the render-farm queue's end-to-end tests: a real redis-server (startRedis), the real
// built CLI's `a2f worker` and `a2f queue …` as child processes, and what they leave behind: the
// workers' JSON-lines logs, the output folder, and the jobs in Redis read with redis-cli. Waits end
// on what happens (log events, files, job states), never after a fixed time.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestRedis } from '@a2f/test-utils';
import { CHARACTER, CLI, ROOT, runCli, type CliResult } from './helpers.js';
import { isStopped, waitUntil } from './watch-helpers.js';
import { sleep } from '@a2f/test-utils';

export interface QueueEvent {
  t?: string;
  ev: string;
  level: string;
  worker: string;
  job?: string;
  audio?: string;
  [k: string]: unknown;
}

export interface WorkerProc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** the worker's stdout: one JSON object per event, written straight to this file (a SIGKILL loses no logged line) */
  readonly log: string;
  stderr(): string;
  events(): QueueEvent[];
}

const live = new Set<ChildProcess>();

/** Kills every worker still running (call from afterAll). */
export function killWorkers(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** Every event of a JSON-lines log; a last line cut by a kill mid-write is left out. */
export function readEvents(file: string): QueueEvent[] {
  if (!existsSync(file)) return [];
  const out: QueueEvent[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as QueueEvent);
    } catch {
      // only a torn last line can fail to parse
    }
  }
  return out;
}

/** `a2f worker --redis <url> --allow-root …` with its JSON-lines log in `logDir/<name>.jsonl`. */
export function startWorker(
  redis: string,
  opts: { name: string; logDir: string; roots: readonly string[]; concurrency?: number; extra?: readonly string[] },
): WorkerProc {
  const log = path.join(opts.logDir, `${opts.name}.jsonl`);
  const fd = openSync(log, 'a');
  const args = [
    CLI,
    'worker',
    '--redis',
    redis,
    '--concurrency',
    String(opts.concurrency ?? 2),
    ...opts.roots.flatMap((r) => ['--allow-root', r]),
    ...(opts.extra ?? []),
  ];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  live.add(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { name: opts.name, child, exited, log, stderr: () => err, events: () => readEvents(log) };
}

/** Jobs `w` has taken and not finished, by its own log. */
export function jobsInHand(w: WorkerProc): string[] {
  const open = new Set<string>();
  for (const e of w.events()) {
    if (!e.job) continue;
    if (e.ev === 'active') open.add(e.job);
    else if (['done', 'reused', 'failed', 'retry'].includes(e.ev)) open.delete(e.job);
  }
  return [...open];
}

/**
 * Freezes `workers` (SIGSTOP) at a moment when `inHand()` (read while they are frozen, so it cannot
 * change under the reader) names at least one job, and returns those jobs with the workers still
 * frozen; the caller sends SIGCONT. Between tries the workers run on for a moment.
 */
export async function freezeWithJobsInHand(workers: readonly WorkerProc[], inHand: () => string[], hangMs: number): Promise<string[]> {
  const until = Date.now() + hangMs;
  for (;;) {
    if (Date.now() > until) throw new Error(`no job in hand within ${hangMs} ms\n${workers.map((w) => w.stderr()).join('\n---\n')}`);
    for (const w of workers) w.child.kill('SIGSTOP');
    while (!workers.every((w) => isStopped(w.child.pid!))) await sleep(1);
    const jobs = inHand();
    if (jobs.length > 0) return jobs;
    for (const w of workers) w.child.kill('SIGCONT');
    await sleep(5);
  }
}

/** Waits until every worker has logged `start` (it is connected and taking jobs). */
export async function workersReady(workers: readonly WorkerProc[], hangMs: number): Promise<void> {
  await waitUntil(() => workers.every((w) => w.events().some((e) => e.ev === 'start')), 'every worker to start', hangMs, workers);
}

/** `a2f queue <args…> --redis <url>` to its end. */
export const queueCli = (redis: string, args: readonly string[]): Promise<CliResult> => runCli(['queue', ...args, '--redis', redis]);

export interface AddedJob {
  id: string;
  audio: string;
  added: boolean;
}

/** `a2f queue add <files…> --character … --out <out> --json`: the jobs it reports. */
export async function queueAdd(redis: string, files: readonly string[], out: string, extra: readonly string[] = []): Promise<AddedJob[]> {
  const r = await queueCli(redis, ['add', ...files, '--character', CHARACTER, '--out', out, '--json', ...extra]);
  if (r.code !== 0) throw new Error(`a2f queue add exited ${r.code}\n${r.stderr}\n${r.stdout}`);
  return parseAdded(r.stdout);
}

export function parseAdded(stdout: string): AddedJob[] {
  const doc = JSON.parse(stdout) as { jobs: AddedJob[] };
  return doc.jobs;
}

/** One job as BullMQ keeps it in Redis (`<prefix>:<queue>:<id>`), read with redis-cli. */
export interface StoredJob {
  id: string;
  state: 'completed' | 'failed' | 'active' | 'waiting' | 'delayed' | 'unknown';
  attemptsMade: number;
  stalledCounter: number;
  returnvalue: unknown;
  failedReason: string | null;
}

/** redis-cli against the test's server; its output lines. */
export function redisCli(redis: TestRedis, ...args: string[]): string[] {
  const auth = [
    ...(redis.password === undefined ? [] : ['--pass', redis.password, '--no-auth-warning']),
    ...(redis.caFile === undefined ? [] : ['--tls', '--cacert', redis.caFile]),
  ];
  const r = spawnSync('redis-cli', ['-p', String(redis.port), ...auth, '--raw', ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`redis-cli ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return r.stdout.split('\n').filter((l, i, all) => l !== '' || i < all.length - 1);
}

/** Every job id in the queue's completed and failed sets. */
export function finishedIds(redis: TestRedis, queue = 'a2f'): { completed: string[]; failed: string[] } {
  const set = (name: string) => redisCli(redis, 'ZRANGE', `bull:${queue}:${name}`, '0', '-1').filter(Boolean);
  return { completed: set('completed'), failed: set('failed') };
}

/** One job's hash and state, as Redis has it now. */
export function storedJob(redis: TestRedis, id: string, queue = 'a2f'): StoredJob {
  const flat = redisCli(redis, 'HGETALL', `bull:${queue}:${id}`);
  const h: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) h[flat[i]!] = flat[i + 1]!;
  const inSet = (name: string) => redisCli(redis, 'ZSCORE', `bull:${queue}:${name}`, id)[0] !== '';
  const state = inSet('completed') ? 'completed' : inSet('failed') ? 'failed' : 'unknown';
  return {
    id,
    state,
    attemptsMade: Number(h.attemptsMade ?? h.atm ?? 0),
    stalledCounter: Number(h.stc ?? h.stalledCounter ?? 0),
    returnvalue: h.returnvalue === undefined ? undefined : JSON.parse(h.returnvalue),
    failedReason: h.failedReason ?? null,
  };
}
