import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { readJournal, foldJournal, type EntryStatus } from './journal.js';
import { inspectLock } from './lock.js';
import type { LineInProgress } from './line-job.js';
import { StateDir } from './state.js';

/** What each running watcher writes to `status/<instance>.json` (about once a second while busy). */
export interface InstanceStatus {
  readonly v: 1;
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly inbox: string;
  readonly out: string;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** written by a clean stop */
  readonly stopped: boolean;
  /** settling: seen, waiting for the file to be complete; waiting: retry back-off or locked by another watcher */
  readonly live: { readonly settling: number; readonly queued: number; readonly waiting: number; readonly inProgress: number };
  /** this instance's journal, by status */
  readonly journal: Readonly<Record<EntryStatus, number>>;
  readonly inProgress: readonly LineInProgress[];
  readonly queued: readonly string[];
  readonly waiting: readonly string[];
  readonly recentFailures: readonly { path: string; code: string; message: string; at: string }[];
}

export interface WatchStatus {
  readonly stateDir: string;
  readonly instances: readonly (InstanceStatus & { readonly running: boolean })[];
  /** over every outcome on record (all watchers): the truth about the output tree */
  readonly outcomes: { readonly done: number; readonly failed: number; readonly duplicate: number };
  /** over the running watchers */
  readonly live: { readonly settling: number; readonly queued: number; readonly waiting: number; readonly inProgress: number };
  readonly inProgress: readonly (LineInProgress & { readonly instance: string })[];
  readonly failed: readonly {
    readonly path: string;
    readonly code: string;
    readonly message: string;
    readonly fix?: string;
    readonly at: string;
  }[];
  /** per journal: how often work started and finished, for audits ("was anything processed twice?") */
  readonly journals: readonly {
    readonly instance: string;
    readonly entries: number;
    readonly starts: number;
    readonly completions: number;
    readonly tornTail: boolean;
  }[];
}

/** Reads a state folder: every instance's status and journal, and every outcome. Safe while watchers run. */
export function readWatchStatus(stateRoot: string, lockStaleMs = 30_000): WatchStatus {
  const state = new StateDir(stateRoot);
  const instances: (InstanceStatus & { running: boolean })[] = [];
  const statusDir = path.join(stateRoot, 'status');
  if (existsSync(statusDir)) {
    for (const f of readdirSync(statusDir)
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()) {
      let s: InstanceStatus;
      try {
        s = JSON.parse(readFileSync(path.join(statusDir, f), 'utf8')) as InstanceStatus;
      } catch {
        continue;
      }
      const holder = inspectLock(state.instanceLockDir(s.instance), { staleMs: lockStaleMs });
      const running = !s.stopped && holder !== null && !holder.stale && holder.record?.pid === s.pid && holder.record.host === s.host;
      instances.push({ ...s, running });
    }
  }
  const outcomes = { done: 0, failed: 0, duplicate: 0 };
  const failed: WatchStatus['failed'][number][] = [];
  for (const o of state.allOutcomes()) {
    outcomes[o.status]++;
    if (o.status === 'failed')
      failed.push({
        path: o.path,
        code: o.error?.code ?? 'ERROR',
        message: o.error?.message ?? '',
        ...(o.error?.fix ? { fix: o.error.fix } : {}),
        at: o.at,
      });
  }
  failed.sort((a, b) => a.at.localeCompare(b.at));
  const running = instances.filter((i) => i.running);
  const sum = (k: keyof InstanceStatus['live']) => running.reduce((n, i) => n + i.live[k], 0);
  const journals: WatchStatus['journals'][number][] = [];
  if (existsSync(state.journalDir)) {
    for (const f of readdirSync(state.journalDir)
      .filter((n) => n.endsWith('.jsonl'))
      .sort()) {
      const replay = readJournal(path.join(state.journalDir, f));
      const entries = [...foldJournal(replay.records).values()];
      journals.push({
        instance: f.slice(0, -'.jsonl'.length),
        entries: entries.length,
        starts: entries.reduce((n, e) => n + e.starts, 0),
        completions: entries.reduce((n, e) => n + e.completions, 0),
        tornTail: replay.tornTail,
      });
    }
  }
  return {
    stateDir: stateRoot,
    instances,
    outcomes,
    live: { settling: sum('settling'), queued: sum('queued'), waiting: sum('waiting'), inProgress: sum('inProgress') },
    inProgress: running.flatMap((i) => i.inProgress.map((p) => ({ ...p, instance: i.instance }))),
    failed,
    journals,
  };
}

/** The status for people. */
export function formatWatchStatus(s: WatchStatus): string {
  const lines: string[] = [`state: ${s.stateDir}`];
  if (s.instances.length === 0) lines.push('watchers: none has run here yet');
  for (const i of s.instances) {
    lines.push(
      `watcher ${i.instance}: ` +
        `${i.running ? `running (pid ${i.pid} on ${i.host}, since ${i.startedAt})` : `not running (last seen ${i.updatedAt})`}`,
    );
  }
  lines.push(`queued: ${s.live.queued + s.live.settling}  in progress: ${s.live.inProgress}  waiting (retry/lock): ${s.live.waiting}`);
  lines.push(`done: ${s.outcomes.done}  duplicates: ${s.outcomes.duplicate}  failed: ${s.outcomes.failed}`);
  for (const p of s.inProgress) lines.push(`  working: ${p.path} (${p.stage}, attempt ${p.attempt}, ${p.instance})`);
  for (const f of s.failed.slice(-20))
    lines.push(`  failed: ${f.path} [${f.code}] ${f.message}${f.fix && !f.message.includes(f.fix) ? `\n          fix: ${f.fix}` : ''}`);
  return lines.join('\n') + '\n';
}
