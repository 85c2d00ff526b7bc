import { closeSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { JobError, pathTemplateNames, presetNames } from '@a2f/pipeline';
import { findStateDir, formatWatchStatus, readWatchStatus, STATE_DIR_NAME, Watcher, type WatchEvent } from '@a2f/watch';
import { parseParamArgs } from '../param-args.js';
import { printFatal, UsageError } from '../fatal.js';
import { ANIMATION_CONTROL_OPTIONS, controlSettings } from '../animation-options.js';
import { ProgressBar } from '../progress.js';
import { onNpmParentGone } from '../npm-parent.js';

/** `a2f watch`'s options; cli.ts registers the command with this builder. */
export const watchOptions = (y: Argv) =>
  y
    .positional('inbox', { type: 'string', describe: 'the watch folder: audio files dropped here (and in its subfolders) become layers' })
    .option('out', { alias: 'o', type: 'string', describe: 'output root for layers, reports and error files (required to watch)' })
    .option('character', {
      alias: 'c',
      type: 'string',
      describe: 'character asset (.usda) the layers drive (required to watch; a sidecar may name another)',
    })
    .option('paths', {
      type: 'string',
      default: 'default',
      describe: `output path template: ${pathTemplateNames().join(', ')} (templates/paths), a file, or inline such as "{shot}/{character}/{name}.usda"`,
    })
    .option('shot-pattern', {
      type: 'string',
      describe: 'regular expression with a named group "shot", matched against the path in the watch folder (default: its first folder)',
    })
    .option('concurrency', { alias: 'j', type: 'number', default: 2, describe: 'lines in flight at once' })
    .option('settle-ms', { type: 'number', default: 2000, describe: 'a file is taken once its size and mtime stayed the same this long' })
    .option('poll', {
      type: 'boolean',
      default: false,
      describe: 'poll instead of OS events (network shares: SMB/NFS deliver no events for remote writes)',
    })
    .option('poll-ms', { type: 'number', default: 1000, describe: 'polling interval with --poll' })
    .option('retries', {
      type: 'number',
      default: 3,
      describe: 'extra attempts for transient failures (busy/full disk, a crashed inference worker)',
    })
    .option('retry-ms', { type: 'number', default: 2000, describe: 'first retry delay; doubles per attempt, up to 60 s' })
    .option('lock-stale-ms', {
      type: 'number',
      default: 30000,
      describe: 'a watcher silent this long is dead; its files are taken over (keep far above clock skew and NFS attribute caching)',
    })
    .option('instance', { type: 'string', describe: "this watcher's name in the state folder (default: host name, then host-2…)" })
    .option('state', {
      type: 'string',
      describe: `state folder (default: <out>/${STATE_DIR_NAME}); watchers sharing it never process a file twice`,
    })
    .option('rescan-ms', {
      type: 'number',
      default: 60000,
      describe: 'full rescan of the watch folder this often, for events a file system dropped (0: never)',
    })
    .option('max-crashes', {
      type: 'number',
      default: 3,
      describe: 'a file during which the watcher died this many times is failed instead of retried',
    })
    .option('once', { type: 'boolean', default: false, describe: 'process what is there, then exit once idle (cron, batch)' })
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
    .option('fps', { type: 'string', default: '30', describe: 'frame rate: 24, 25, 30, 29.97, 60 or a ratio' })
    .option('model', { alias: 'm', type: 'string', default: 'default', describe: '"default" (embedded) or a model pack folder' })
    .option('layering', {
      choices: ['override', 'reference'] as const,
      default: 'override' as const,
      describe: 'override: one layer sublayering the character; reference: animation asset + shot layer',
    })
    .option('preset', { type: 'string', default: 'arkit', describe: `binding preset (${presetNames().join(', ')}) or a preset JSON path` })
    .option('sublayer', { type: 'boolean', default: true, describe: 'override layers sublayer the character' })
    .option('seed', { type: 'number', default: 0, describe: 'seed of procedural motion (blinks)' })
    .option('export-json', { type: 'boolean', default: false, describe: "also write NVIDIA's a2f_export JSON per line" })
    .option('allow-truncated', {
      type: 'boolean',
      default: false,
      describe:
        'animate what is there of audio that is cut short or damaged instead of failing the line; the report and the layer record what is missing',
    })
    .option('batch-size', { type: 'number', describe: 'frames per network run' })
    .option('threads', { type: 'number', describe: 'ONNX Runtime threads per worker' })
    .option('device', {
      choices: ['cpu', 'cuda'] as const,
      default: 'cpu' as const,
      describe: 'execution device (cuda needs the GPU build of onnxruntime-node; see README)',
    })
    .option('emotion', { type: 'string', describe: 'explicit emotion for every line (NVIDIA packs); sidecars override it' })
    .option('param', { type: 'string', describe: 'post-processing parameter override key=value, repeatable (NVIDIA packs)' })
    .option('solver', { choices: ['coefficients', 'mesh'] as const, describe: 'NVIDIA packs: blendshape solve path' })
    .options(ANIMATION_CONTROL_OPTIONS);

export type WatchArgs = ReturnType<typeof watchOptions> extends Argv<infer T> ? T : never;

/** Runs `a2f watch`: the status report, or the service until SIGINT/SIGTERM (or idle with --once). */
export async function watchCommand(a: WatchArgs): Promise<number> {
  if (a.status !== undefined) return printStatus(a.status || a.out, a.json, a['lock-stale-ms']);
  if (!a.inbox) return usage('name the folder to watch: a2f watch <inbox> --out <dir> --character <asset.usda>', a.json);
  if (!a.out) return usage('--out is required: the output root for layers, reports and error files', a.json);
  if (!a.character) return usage('--character is required: the character asset (.usda) the layers drive', a.json);
  const bad = checkNumbers(a);
  if (bad) return usage(bad, a.json);

  const log = new WatchLog(a['log-json'], a.verbose);
  let failedThisRun = 0;
  let watcher: Watcher;
  try {
    watcher = await Watcher.start({
      inbox: a.inbox,
      out: a.out,
      ...(a.state ? { stateDir: a.state } : {}),
      job: {
        character: a.character,
        fps: a.fps,
        model: a.model,
        layering: a.layering,
        preset: a.preset,
        sublayerCharacter: a.sublayer,
        seed: a.seed,
        exportJson: a['export-json'],
        allowTruncated: a['allow-truncated'],
        inference: Object.fromEntries(
          Object.entries({ batchSize: a['batch-size'], threads: a.threads, device: a.device }).filter(([, v]) => v !== undefined),
        ),
        params: parseParamArgs(a.param as string[] | string | undefined),
        ...(a.emotion === undefined ? {} : { emotion: a.emotion }),
        ...(a.solver === undefined ? {} : { solvePath: a.solver }),
        ...controlSettings(a),
      },
      paths: a.paths,
      ...(a['shot-pattern'] ? { shotPattern: a['shot-pattern'] } : {}),
      concurrency: a.concurrency,
      settleMs: a['settle-ms'],
      poll: a.poll,
      pollIntervalMs: a['poll-ms'],
      retries: a.retries,
      retryBaseMs: a['retry-ms'],
      lockStaleMs: a['lock-stale-ms'],
      ...(a.instance ? { instance: a.instance } : {}),
      rescanMs: a['rescan-ms'],
      maxCrashes: a['max-crashes'],
      once: a.once,
      onEvent: (e) => {
        if (e.ev === 'failed') failedThisRun++;
        log.event(e);
      },
    });
  } catch (err) {
    await log.close();
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
  }
  return a.once && failedThisRun > 0 ? 1 : 0;
}

/** Numbers a watcher runs on for months: given once, finite, in range (a repeated flag is an array in yargs). */
function checkNumbers(a: WatchArgs): string | null {
  const limits: [keyof WatchArgs & string, number, boolean][] = [
    ['concurrency', 1, true],
    ['settle-ms', 0, false],
    ['poll-ms', 1, false],
    ['retries', 0, true],
    ['retry-ms', 0, false],
    ['lock-stale-ms', 1000, false],
    ['rescan-ms', 0, false],
    ['max-crashes', 1, true],
  ];
  for (const [name, min, integer] of limits) {
    const v = a[name] as unknown;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
      return `--${name} must be given once, as ${integer ? 'a whole number' : 'a number'} >= ${min} (got ${JSON.stringify(v)})`;
    }
  }
  return null;
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
    const line = humanLine(e);
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
    const label = `${this.done} done, ${this.failed} failed, ${this.inFlight.size} in progress${first.done ? '' : `: ${first.value[0]} (${first.value[1]})`}`;
    if (this.inFlight.size) this.bar.update(label, [...this.settled].filter((p) => this.seen.has(p)).length, this.seen.size);
    else this.bar.clear();
  }

  async close(): Promise<void> {
    this.bar.clear();
    if (this.ownFd && this.fd !== null) closeSync(this.fd);
  }
}

function humanLine(e: WatchEvent): string | null {
  const p = e.path ?? '';
  switch (e.ev) {
    case 'start':
      return `a2f watch: watching ${String(e.inbox)} → ${String(e.out)} as "${String(e.instance)}" (state ${String(e.state)})`;
    case 'journal':
      return e.tornTail || (e.badLines as number[]).length || e.inFlight
        ? `a2f watch: journal replayed (${String(e.entries)} files, ${String(e.inFlight)} in flight when the last run ended${e.tornTail ? ', a torn last record dropped' : ''}${(e.badLines as number[]).length ? `, ${(e.badLines as number[]).length} unreadable records skipped` : ''})`
        : null;
    case 'ready':
      return 'a2f watch: initial scan done; waiting for files';
    case 'done':
      return `ok      ${p} → ${(e.outputs as string[]).filter((f) => f.endsWith('.usda')).join(', ')} (${String(e.ms)} ms)`;
    case 'failed':
      return `FAIL    ${p}: [${String(e.code)}] ${String(e.message)}${e.fix && !String(e.message).includes(String(e.fix)) ? `\n        fix: ${String(e.fix)}` : ''}\n        see ${String(e.errorFile)}`;
    case 'retry':
      return `retry   ${p}: ${String(e.message)}${e.delayMs !== undefined ? ` (attempt ${String(e.attempt)}, again in ${Math.round(Number(e.delayMs) / 100) / 10} s)` : ''}`;
    case 'duplicate':
      return `dup     ${p}: same audio and settings as ${String(e.of)}; not computed again (${String(e.note)})`;
    case 'busy':
      return `busy    ${p}: another watcher is on it${e.holder ? ` (${JSON.stringify(e.holder)})` : ''}`;
    case 'takeover':
      return `resume  ${p}: took over from a dead watcher (${JSON.stringify(e.from)})`;
    case 'interrupted':
      return `resume  ${p}: was in flight when the ${e.reason === 'crash' ? 'last run died' : 'watcher stopped'}; redoing it`;
    case 'lock-lost':
      return `WARN    ${p}: lock lost (${String(e.reason)})`;
    case 'warning':
      return `WARN    ${String(e.message)}`;
    case 'error':
      return `ERROR   ${p ? `${p}: ` : ''}${String(e.message)}`;
    case 'stopping':
      return `a2f watch: stopping (${String(e.reason)}; ${String(e.inFlight)} line(s) in hand${e.checkpoint ? ', checkpointing' : ''})`;
    case 'stopped':
      return `a2f watch: stopped (${JSON.stringify(e.counts)})`;
    default:
      return null;
  }
}
