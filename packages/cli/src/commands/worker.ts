import type { Argv } from 'yargs';
import { formatQueueEvent, parsePathMap, startWorker, type QueueEvent, type QueueWorker } from '@a2f/queue';
import { printFatal } from '../fatal.js';
import { onNpmParentGone } from '../npm-parent.js';

/** Options every queue command shares: where the queue is. */
export const queueTargetOptions = (y: Argv) =>
  y
    .option('redis', {
      type: 'string',
      demandOption: true,
      describe: 'Redis URL: redis://[user:password@]host[:port][/db], rediss:// for TLS',
    })
    .option('queue', { type: 'string', default: 'a2f', describe: 'queue name (one farm, one name)' })
    .option('prefix', { type: 'string', default: 'bull', describe: "BullMQ's key prefix in Redis" });

/** `a2f worker`'s options; cli.ts registers the command with this builder. */
export const workerOptions = (y: Argv) =>
  queueTargetOptions(y)
    .option('concurrency', { alias: 'j', type: 'number', default: 1, describe: 'lines run at once by this worker' })
    .option('allow-root', {
      type: 'string',
      array: true,
      describe: 'a folder jobs may read audio and characters from and write layers to (repeat per folder; required)',
    })
    .option('path-map', {
      type: 'string',
      array: true,
      describe: "the producers' mount point = this machine's, e.g. /Volumes/dialogue=/mnt/dialogue (repeatable)",
    })
    .option('lock-ms', {
      type: 'number',
      default: 30_000,
      describe: "a job's lease; a worker that stops answering loses its jobs to others this long after its last renewal",
    })
    .option('stalled-ms', { type: 'number', default: 15_000, describe: 'how often this worker looks for jobs whose lease ran out' })
    .option('verbose', { type: 'boolean', default: false, describe: 'also log per-stage progress events' });

export type WorkerArgs = ReturnType<typeof workerOptions> extends Argv<infer T> ? T : never;

/**
 * Runs `a2f worker` until SIGINT/SIGTERM: JSON lines on stdout (one per event, for journald and log
 * collectors), human lines on stderr. A signal finishes the lines in hand, then exits 0.
 */
export async function workerCommand(a: WorkerArgs): Promise<number> {
  const json = (e: QueueEvent | Record<string, unknown>) =>
    process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...e })}\n`);
  const log = (e: QueueEvent) => {
    if (e.level !== 'debug' || a.verbose) json(e);
    const line = formatQueueEvent(e);
    if (line) process.stderr.write(`${line}\n`);
  };
  let worker: QueueWorker;
  try {
    worker = await startWorker({
      redis: a.redis,
      queue: a.queue,
      prefix: a.prefix,
      concurrency: a.concurrency,
      allowRoots: (a['allow-root'] ?? []).map(String),
      pathMap: parsePathMap((a['path-map'] ?? []).map(String)),
      lockDurationMs: a['lock-ms'],
      stalledIntervalMs: a['stalled-ms'],
      log,
    });
  } catch (err) {
    return printFatal(err, false, 'worker');
  }
  await new Promise<void>((resolve) => {
    let signals = 0;
    const stop = (sig: string) => {
      signals++;
      if (signals > 1) {
        // A second signal: the operator wants out now; the lines in hand go back to the queue once their lease runs out.
        process.stderr.write(`a2f worker: ${sig} again; exiting now (lines in hand are taken over by another worker)\n`);
        process.exit(130);
      }
      process.stderr.write(`a2f worker: ${sig}: finishing the lines in hand (send again to exit at once)\n`);
      void worker.close().then(resolve);
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    onNpmParentGone(() => stop('SIGHUP'));
  });
  return 0;
}
