import path from 'node:path';
import type { Argv } from 'yargs';
import { namesOf, type JobSettingsInput } from '@a2f/pipeline';
import {
  cleanQueue,
  enqueueLines,
  followJobs,
  HEARTBEAT_MS,
  parsePathMap,
  queueStatus,
  retryFailed,
  type Enqueued,
  type FollowResult,
  type JobFailure,
  type QueueStatus,
  type QueueTarget,
} from '@a2f/queue';
import { printFatal } from '../fatal.js';
import { expandAudioArgs } from '../inputs.js';
import { ProgressBar } from '../progress.js';
import { settingOptions, settingsFromArgs } from '../setting-options.js';
import { queueTargetOptions } from './worker.js';

const target = (a: { redis: string; queue: string; prefix: string }): QueueTarget => ({ redis: a.redis, queue: a.queue, prefix: a.prefix });
const jsonOption = { type: 'boolean', default: false, describe: 'print JSON on stdout' } as const;

/** `a2f queue`'s subcommands; cli.ts registers the command with this builder. */
export const queueCommands = (y: Argv, done: (code: number) => void) =>
  y
    .command(
      'add <audio...>',
      'Queue one job per line (same settings as run); prints the job ids',
      (z) =>
        queueTargetOptions(z)
          .options(settingOptions(namesOf('job'), true))
          .positional('audio', { type: 'string', array: true, demandOption: true, describe: 'audio files or folders of them' })
          .option('wait', {
            type: 'boolean',
            default: false,
            describe: 'follow the jobs to their end; exit 0 if all were written, 1 if not',
          })
          .option('path-map', {
            type: 'string',
            array: true,
            describe: "this machine's mount point = the workers', e.g. /Volumes/dialogue=/mnt/dialogue (repeatable)",
          })
          .option('json', jsonOption),
      async (a) => done(await queueAdd(a as unknown as AddArgs)),
    )
    .command(
      'status',
      "Waiting, active, done and failed jobs (with each failure's fix), throughput and workers",
      (z) => queueTargetOptions(z).option('json', jsonOption),
      async (a) => done(await queueStatusCommand(target(a), a.json)),
    )
    .command(
      'retry',
      'Move every failed job back to the queue (after fixing the file or setting)',
      (z) => queueTargetOptions(z).option('json', jsonOption),
      async (a) => done(await simple('retry', a.json, async () => ({ retried: await retryFailed(target(a)) }))),
    )
    .command(
      'clean',
      'Remove finished jobs: failed ones (default), done ones or all; a removed line can then be added again',
      (z) =>
        queueTargetOptions(z)
          .option('which', {
            type: 'string',
            choices: ['failed', 'done', 'all'],
            default: 'failed',
            describe: 'which finished jobs to remove',
          })
          .option('json', jsonOption),
      async (a) =>
        done(await simple('clean', a.json, async () => ({ removed: await cleanQueue({ ...target(a), which: a.which as 'failed' }) }))),
    )
    .demandCommand(1, 'Name an action: add, status, retry or clean.');

interface AddArgs extends Record<string, unknown> {
  redis: string;
  queue: string;
  prefix: string;
  audio: string[];
  wait: boolean;
  json: boolean;
  'path-map'?: string[];
}

async function queueAdd(a: AddArgs): Promise<number> {
  let added: Enqueued[];
  try {
    added = await enqueueLines({
      ...target(a),
      files: expandAudioArgs(a.audio),
      settings: settingsFromArgs(a, namesOf('job')) as JobSettingsInput,
      pathMap: parsePathMap((a['path-map'] ?? []).map(String)),
    });
  } catch (err) {
    return printFatal(err, a.json, 'queue add');
  }
  if (!a.json) {
    for (const e of added) process.stdout.write(`${e.id}  ${e.added ? 'queued ' : 'known  '} ${path.basename(e.audio)}\n`);
    const known = added.filter((e) => !e.added).length;
    if (known)
      process.stderr.write(
        `a2f queue add: ${known} line(s) were already in the queue (same audio, sidecar and settings); not added twice\n`,
      );
  }
  if (!a.wait) {
    if (a.json) process.stdout.write(JSON.stringify({ ok: true, jobs: added }, null, 2) + '\n');
    return 0;
  }
  const bar = new ProgressBar();
  let result: FollowResult;
  try {
    result = await followJobs({
      ...target(a),
      ids: added.map((e) => e.id),
      onProgress: (p) =>
        bar.update(
          `${p.done} done, ${p.failed} failed, ${p.active} running` +
            (p.current ? `: ${path.basename(p.current.audio)} (${p.current.stage})` : ''),
          p.done + p.failed,
          p.total,
        ),
    });
  } catch (err) {
    bar.clear();
    return printFatal(err, a.json, 'queue add');
  }
  bar.clear();
  for (const f of result.failed) process.stderr.write(formatFailure(f));
  process.stderr.write(`a2f queue add: ${added.length} line(s): ${result.done} written, ${result.failed.length} failed\n`);
  if (a.json)
    process.stdout.write(
      JSON.stringify({ ok: result.failed.length === 0, jobs: added, done: result.done, failed: result.failed }, null, 2) + '\n',
    );
  return result.failed.length === 0 ? 0 : 1;
}

const formatFailure = (f: JobFailure): string =>
  `FAIL    ${f.audio || f.id}: [${f.code}] ${f.message}\n        fix: ${f.fix}${f.errorFile ? `\n        see ${f.errorFile}` : ''}\n`;

async function queueStatusCommand(t: QueueTarget, json: boolean): Promise<number> {
  let s: QueueStatus;
  try {
    s = await queueStatus(t);
  } catch (err) {
    return printFatal(err, json, 'queue status');
  }
  process.stdout.write(json ? JSON.stringify({ ok: true, ...s }, null, 2) + '\n' : formatStatus(s));
  return 0;
}

export function formatStatus(s: QueueStatus): string {
  const c = s.counts;
  const t = s.throughput;
  const lines = [
    `queue "${s.queue}" on ${s.redis}`,
    `  waiting ${c.waiting}, active ${c.active}, retrying later ${c.delayed}, done ${c.done}, failed ${c.failed}`,
    t.lines
      ? `  throughput: ${t.linesPerMinute} lines/min, ${t.audioMinutesPerMinute} audio min/min ` +
        `(${t.lines} lines in the last ${t.windowMinutes} min)`
      : '  throughput: no line finished in the last 10 minutes',
    s.workers.length ? `  workers (${s.workers.length}):` : '  workers: none is sending heartbeats',
    ...s.workers.map(
      (w) =>
        `    ${w.id}  pid ${w.pid} on ${w.host}: ${w.active} running, ${w.done} done, ${w.failed} failed; ` +
        `last beat ${Math.round(w.ageMs / 100) / 10} s ago${w.ageMs > 2 * HEARTBEAT_MS ? ' (silent: stopped or cut off)' : ''}`,
    ),
    ...(s.failures.length ? ['  failures:', ...s.failures.map((f) => formatFailure(f).replace(/^/gm, '  ').trimEnd())] : []),
  ];
  return lines.join('\n') + '\n';
}

async function simple(what: string, json: boolean, fn: () => Promise<Record<string, unknown>>): Promise<number> {
  try {
    const r = await fn();
    process.stdout.write(json ? JSON.stringify({ ok: true, ...r }, null, 2) + '\n' : `a2f queue ${what}: ${JSON.stringify(r)}\n`);
    return 0;
  } catch (err) {
    return printFatal(err, json, `queue ${what}`);
  }
}
