import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { JobError, namesOf, resolveWatchSettings, type JobSettingsInput, type WatchSettings } from '@a2f/pipeline';
import { createProducer, type Producer } from '@a2f/queue';
import {
  findStateDir,
  formatWatchEvent,
  formatWatchStatus,
  readWatchStatus,
  STATE_DIR_NAME,
  Watcher,
  type WatchEvent,
  type WatchOptions,
} from '@a2f/watch';
import { printFatal, UsageError } from '../fatal.js';
import { settingOptions, settingsFromArgs } from '../setting-options.js';
import { ProgressBar } from '../progress.js';
import { onNpmParentGone } from '../npm-parent.js';

/** `a2f watch` takes every job setting and the watch service's own, all from the settings table. */
const WATCH_SETTINGS = [...namesOf('job'), ...namesOf('watch')];

/** `a2f watch`'s options; cli.ts registers the command with this builder. */
export const watchOptions = (y: Argv) =>
  y
    .options(settingOptions(WATCH_SETTINGS))
    .positional('inbox', { type: 'string', describe: 'the watch folder: audio files dropped here (and in its subfolders) become layers' })
    .option('status', {
      type: 'string',
      describe: 'print the status of a state folder (or an output folder holding one) and exit; with no value: of --out',
    })
    .option('json', { type: 'boolean', default: false, describe: 'with --status: print JSON' })
    .option('log-json', {
      type: 'string',
      describe: 'JSON-lines log for log collectors: to stdout (no value or "-") or appended to a file',
    })
    .option('verbose', { type: 'boolean', default: false, describe: 'also log per-stage progress events' })
    .option('queue', {
      type: 'string',
      describe: 'hand stable files to the render-farm queue at this Redis URL instead of running them here (a2f worker runs them)',
    })
    .option('queue-name', { type: 'string', default: 'a2f', describe: 'with --queue: the queue name' });

export type WatchArgs = ReturnType<typeof watchOptions> extends Argv<infer T> ? T : never;

/** Runs `a2f watch`: the status report, or the service until SIGINT/SIGTERM (or idle with --once). */
export async function watchCommand(a: WatchArgs): Promise<number> {
  // Checked by the settings table, as a watcher started from code checks them.
  let settings: WatchSettings;
  try {
    settings = resolveWatchSettings(settingsFromArgs(a, namesOf('watch')));
  } catch (err) {
    return printFatal(err, a.json, 'watch');
  }
  const given = a as Readonly<Record<string, unknown>>;
  const out = given.out as string | undefined;
  if (a.status !== undefined) return printStatus(a.status || out, a.json, settings.lockStaleMs);
  if (!a.inbox) return usage('name the folder to watch: a2f watch <inbox> --out <dir> --character <asset.usda>', a.json);
  if (!out) return usage('--out is required: the output root for layers, reports and error files', a.json);
  if (!given.character) return usage('--character is required: the character asset (.usda, .usdc, .usd or .usdz) the layers drive', a.json);
  const { outDir: _out, ...job } = settingsFromArgs(a, namesOf('job'));

  let producer: Producer | null = null;
  if (a.queue) {
    try {
      producer = await createProducer({ redis: a.queue, queue: a['queue-name'] });
    } catch (err) {
      return printFatal(err, a.json, 'watch');
    }
  }
  const p = producer;
  const dispatch: WatchOptions['dispatch'] = p
    ? async (line) =>
        (await p.enqueue({ files: [line.audio], names: [line.name], settings: { ...job, outDir: line.outDir } as JobSettingsInput }))[0]!
    : undefined;
  const log = new WatchLog(a['log-json'], a.verbose);
  let failedThisRun = 0;
  let watcher: Watcher;
  try {
    watcher = await Watcher.start({
      inbox: a.inbox,
      out,
      job: job as WatchOptions['job'],
      ...settings,
      ...(dispatch ? { dispatch } : {}),
      onEvent: (e) => {
        if (e.ev === 'failed') failedThisRun++;
        log.event(e);
      },
    });
  } catch (err) {
    await log.close();
    await producer?.close();
    return printFatal(err, a.json, 'watch');
  }

  // First signal: finish the lines in hand, then stop. Second: checkpoint them (they are redone on
  // the next start) — the model is still closed properly, never torn down under a running batch.
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    log.note(
      signals === 1
        ? `${sig}: finishing the lines in hand (send again to checkpoint them and stop sooner)`
        : `${sig}: checkpointing the lines in hand`,
    );
    void watcher.stop(signals === 1 ? { reason: sig } : { checkpoint: true, reason: sig });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const unwatchParent = onNpmParentGone(() => onSignal('SIGHUP'));
  try {
    await watcher.done;
  } finally {
    unwatchParent();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await log.close();
    await producer?.close();
  }
  return settings.once && failedThisRun > 0 ? 1 : 0;
}

const usage = (message: string, json: boolean): number => printFatal(new UsageError(message), json, 'watch');

function printStatus(dir: string | undefined, json: boolean, staleMs: number): number {
  if (!dir) return usage('--status needs a state folder or an output folder (or --out)', json);
  const stateDir = findStateDir(dir);
  if (!stateDir) {
    return printFatal(
      new JobError(
        'NO_WATCH_STATE',
        path.resolve(dir),
        `holds no watcher state (looked for journal/ and ${STATE_DIR_NAME}/journal/)`,
        'Pass the output folder of a watcher, or its --state folder.',
      ),
      json,
      'watch',
    );
  }
  const status = readWatchStatus(stateDir, staleMs);
  process.stdout.write(json ? JSON.stringify({ ok: true, ...status }, null, 2) + '\n' : formatWatchStatus(status));
  return 0;
}

/**
 * The watcher's output: JSON lines (one event per line, with a timestamp) for log collectors, and
 * human lines on stderr, with a progress line on a TTY only.
 */
class WatchLog {
  /** JSON target: a file descriptor opened for appending, or 1 for stdout */
  private readonly fd: number | null;
  private readonly ownFd: boolean;
  private readonly bar = new ProgressBar();
  private done = 0;
  private failed = 0;
  private inFlight = new Map<string, string>();
  /** this run's work: files seen complete, and those settled since (the progress line's fraction) */
  private readonly seen = new Set<string>();
  private readonly settled = new Set<string>();

  constructor(
    target: string | undefined,
    private readonly verbose: boolean,
  ) {
    // Written synchronously, line by line: a watcher killed with SIGKILL loses no line it logged.
    this.ownFd = target !== undefined && target !== '' && target !== '-';
    this.fd = target === undefined ? null : this.ownFd ? openSync(path.resolve(target), 'a') : 1;
  }

  private writeJson(obj: object): void {
    if (this.fd === null) return;
    // stdout may be a non-blocking pipe, where a synchronous write can fail with EAGAIN.
    if (!this.ownFd) {
      process.stdout.write(JSON.stringify(obj) + '\n');
      return;
    }
    const buf = Buffer.from(JSON.stringify(obj) + '\n', 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
  }

  event(e: WatchEvent): void {
    if (e.level !== 'debug' || this.verbose) this.writeJson({ t: new Date().toISOString(), ...e });
    this.track(e);
    // With JSON on stdout, stderr still gets the human lines; a TTY also gets the progress line.
    const line = formatWatchEvent(e);
    if (line) {
      this.bar.clear();
      process.stderr.write(line + '\n');
    }
    this.drawBar();
  }

  note(text: string): void {
    this.bar.clear();
    process.stderr.write(`a2f watch: ${text}\n`);
    this.writeJson({ t: new Date().toISOString(), ev: 'signal', level: 'info', message: text });
  }

  private track(e: WatchEvent): void {
    if (e.ev === 'processing' && e.path) this.inFlight.set(e.path, 'start');
    if (e.ev === 'progress' && e.path && this.inFlight.has(e.path)) this.inFlight.set(e.path, String(e.stage));
    if ((e.ev === 'done' || e.ev === 'failed' || e.ev === 'retry' || e.ev === 'interrupted') && e.path) this.inFlight.delete(e.path);
    if (e.ev === 'done') this.done++;
    if (e.ev === 'failed') this.failed++;
    if (e.path && (e.ev === 'seen' || e.ev === 'processing')) {
      this.seen.add(e.path);
      this.settled.delete(e.path);
    }
    if (e.path && ['done', 'failed', 'duplicate', 'unchanged', 'gone'].includes(e.ev)) this.settled.add(e.path);
  }

  private drawBar(): void {
    const first = this.inFlight.entries().next();
    const label =
      `${this.done} done, ${this.failed} failed, ${this.inFlight.size} in ` +
      `progress${first.done ? '' : `: ${first.value[0]} (${first.value[1]})`}`;
    if (this.inFlight.size) this.bar.update(label, [...this.settled].filter((p) => this.seen.has(p)).length, this.seen.size);
    else this.bar.clear();
  }

  async close(): Promise<void> {
    this.bar.clear();
    if (this.ownFd && this.fd !== null) closeSync(this.fd);
  }
}
