// Helpers for the watch-folder end-to-end tests: the real built CLI (`a2f watch`) as child
// processes, real files, real signals. Every wait is bounded and says what it waited for.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sleep, speechWav } from '@a2f/test-utils';
import { parseUsda } from '@a2f/usd';
import { foldJournal, readJournal, readWatchStatus, StateDir, type EntryState, type WatchStatus } from '@a2f/watch';
import { CHARACTER, CLI, ROOT } from './helpers.js';

/**
 * The limit of every wait for a watcher: it only turns a hang into a failure. Waits end on what
 * the watchers do (log events, journal entries, exits), never on how fast they do it, so a machine
 * whose cores are busy with other work passes, only later.
 */
export const HANG_MS = 5 * 60_000;
/** The limit of a test or hook that runs several such waits. */
export const HOOK_HANG_MS = 10 * 60_000;

/**
 * Drops `count` distinct short lines into `dir`, the way a copy tool does: each written under a
 * `.part` name, then renamed (so the burst arrives at once, whole). Returns the names.
 */
export function dropLines(dir: string, count: number, prefix = 'line', firstF0 = 100): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${String(i).padStart(3, '0')}.wav`;
    const seconds = 0.3 + (0.2 * ((i * 7) % 11)) / 10;
    writeFileSync(path.join(dir, `${name}.part`), speechWav(firstF0 + i * 0.7, seconds));
    names.push(name);
  }
  for (const n of names) renameSync(path.join(dir, `${n}.part`), path.join(dir, n));
  return names;
}

export interface LogEvent {
  t: string;
  ev: string;
  level: string;
  path?: string;
  [k: string]: unknown;
}

export interface WatchProc {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

const live = new Set<ChildProcess>();

/** Kills every watcher still running (call from afterAll). */
export function killAll(): void {
  for (const c of live) c.kill('SIGKILL');
  live.clear();
}

/** Starts `a2f watch <inbox> --out <out> …` with a JSON-lines log appended to `log`. */
export function startWatch(inbox: string, out: string, log: string, extra: string[] = []): WatchProc {
  // Defaults for tests; a flag given in `extra` replaces its default (a repeated flag is refused).
  const defaults = ['--character', CHARACTER, '--settle-ms', '250', '--rescan-ms', '0']
    .flatMap((v, i, all) => (i % 2 ? [] : [[v, all[i + 1]!]]))
    .filter(([flag]) => !extra.includes(flag!))
    .flat();
  const args = [CLI, 'watch', inbox, '--out', out, '--log-json', log, ...defaults, ...extra];
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, exited, stderr: () => err };
}

/** Every event in a JSON-lines log (the watcher writes each line whole, synchronously). */
export function readLog(log: string): LogEvent[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as LogEvent);
}

export const countEvents = (events: readonly LogEvent[], ev: string): Map<string, number> => {
  const m = new Map<string, number>();
  for (const e of events) if (e.ev === ev && e.path) m.set(e.path, (m.get(e.path) ?? 0) + 1);
  return m;
};

/** Polls until `cond` holds; fails with `what` and the watchers' stderr after `timeoutMs` (a hang). */
export async function waitUntil(cond: () => boolean, what: string, timeoutMs: number, procs: readonly WatchProc[] = []): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ` +
          `${what}\n${procs.map((p) => p.stderr().split('\n').slice(-15).join('\n')).join('\n---\n')}`,
      );
    }
    await sleep(100);
  }
}

export const stateDirOf = (out: string): string => path.join(out, '.a2f-watch');

export function status(out: string): WatchStatus {
  return readWatchStatus(stateDirOf(out));
}

/** Outcomes on record (done + failed + duplicate), from the shared state folder. */
export function settledCount(out: string): number {
  if (!existsSync(stateDirOf(out))) return 0;
  const o = status(out).outcomes;
  return o.done + o.failed + o.duplicate;
}

/** Every journal of the state folder, replayed: path → its entries (one per watcher that saw it). */
export function journalEntries(out: string): Map<string, EntryState[]> {
  const dir = path.join(stateDirOf(out), 'journal');
  const all = new Map<string, EntryState[]>();
  if (!existsSync(dir)) return all;
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.jsonl'))) {
    for (const e of foldJournal(readJournal(path.join(dir, f)).records).values()) all.set(e.path, [...(all.get(e.path) ?? []), e]);
  }
  return all;
}

/** Every file under `dir`, relative, forward slashes (hidden ones too). */
export function walk(dir: string): string[] {
  const out: string[] = [];
  const rec = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) rec(path.join(d, e.name), r);
      else out.push(r);
    }
  };
  rec(dir, '');
  return out.sort();
}

/** Parses a layer with our own parser and returns its SkelAnimation prim path and frame range. */
export function checkLayer(file: string): { anim: string; start: number; end: number } {
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith('#usda 1.0')) throw new Error(`${file} does not start with #usda 1.0`);
  const layer = parseUsda(text, file, { keepValue: () => false });
  const found: string[] = [];
  const visit = (prims: typeof layer.prims) =>
    prims.forEach((p) => {
      if (p.typeName === 'SkelAnimation') found.push(p.path);
      visit(p.children);
    });
  visit(layer.prims);
  if (found.length !== 1) throw new Error(`${file}: expected one SkelAnimation, found ${found.length}`);
  const meta = (key: string) => Number(layer.metadata.find((m) => m.key === key)?.value);
  const start = meta('startTimeCode');
  const end = meta('endTimeCode');
  if (!(end > start) || statSync(file).size < 1000) throw new Error(`${file}: no animation range (${start}..${end})`);
  return { anim: found[0]!, start, end };
}

/** Lines `journal` (one watcher's journal file) has in hand: a "processing" not yet ended. */
export function linesInHand(journal: string): string[] {
  if (!existsSync(journal)) return [];
  return [...foldJournal(readJournal(journal).records).values()].filter((e) => e.status === 'processing').map((e) => e.path);
}

/**
 * `lines` (in hand by a journal) if the work on every one is unfinished, else []. A line whose
 * outcome is already written but not yet journaled as done is in hand too, yet finished: killed
 * there, it is found done rather than redone or taken over, which is not the case under test.
 */
export function unfinished(out: string, lines: string[]): string[] {
  const state = new StateDir(stateDirOf(out));
  return lines.every((p) => state.readOutcome(p) === null) ? lines : [];
}

/** Whether every thread of `pid` has stopped (a SIGSTOP takes hold as each thread leaves the kernel). */
export function isStopped(pid: number): boolean {
  const tasks = `/proc/${pid}/task`;
  if (existsSync('/proc/self/task')) {
    // Linux: each thread's state is the field after the parenthesised command name.
    return readdirSync(tasks).every((t) => {
      let stat: string;
      try {
        stat = readFileSync(path.join(tasks, t, 'stat'), 'utf8');
      } catch {
        return true; // the thread ended meanwhile
      }
      return /^[Tt]/.test(stat.slice(stat.lastIndexOf(')') + 2));
    });
  }
  return /^T/.test(spawnSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8' }).stdout.trim());
}

/**
 * SIGKILLs the watcher with a line in hand, as its journal says (`inHand`). The watcher is frozen
 * (SIGSTOP) while the journal is read, so the line the test saw in hand is the line the kill
 * interrupts, however slow the machine: a watcher left running could finish it in between.
 * Returns the lines in hand at the kill.
 */
export async function killWithLineInHand(proc: WatchProc, inHand: () => string[], timeoutMs = HANG_MS): Promise<string[]> {
  const pid = proc.child.pid!;
  const until = Date.now() + timeoutMs;
  const check = (): void => {
    if (proc.child.exitCode !== null || proc.child.signalCode !== null)
      throw new Error(`the watcher exited before a line was in hand\n${proc.stderr()}`);
    if (Date.now() > until) throw new Error(`no line in hand within ${timeoutMs} ms\n${proc.stderr()}`);
  };
  for (;;) {
    check();
    proc.child.kill('SIGSTOP');
    while (!isStopped(pid)) {
      await sleep(1);
      check();
    }
    const lines = inHand();
    if (lines.length > 0) {
      proc.child.kill('SIGKILL');
      await proc.exited;
      return lines;
    }
    proc.child.kill('SIGCONT');
    await sleep(5);
  }
}
