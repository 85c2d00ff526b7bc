import { existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav, startRedis, type TestRedis } from '@a2f/test-utils';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, readJson, tempDir } from './helpers.js';
import {
  finishedIds,
  killWorkers,
  queueAdd,
  queueCli,
  startWorker,
  storedJob,
  workersReady,
  type AddedJob,
  type StoredJob,
  type WorkerProc,
} from './queue-helpers.js';
import {
  checkLayer,
  dropLines,
  HANG_MS,
  HOOK_HANG_MS,
  killAll,
  readLog,
  startWatch,
  waitUntil,
  walk,
  type LogEvent,
} from './watch-helpers.js';

const PASSWORD = 'farm p@ss:w/rd';

/** The watcher's log event once the queue holds a line. */
const HANDED_OVER = 'dispatched';

interface ErrorFile {
  audio: string;
  code: string;
  why: string;
  fix: string;
  transient: boolean;
}
interface Failure {
  id: string;
  audio: string;
  code: string;
  message: string;
  fix: string;
}

describe('a watch folder as a producer (through a Redis restart), jobs outside the allowed roots, a corrupt file', () => {
  const inbox = tempDir('qedge-in');
  const lines = tempDir('qedge-lines');
  const out = tempDir('qedge-out');
  const outside = tempDir('qedge-outside');
  const logs = tempDir('qedge-logs');
  const watchLog = path.join(logs, 'watch.jsonl');
  let redis: TestRedis;
  let worker: WorkerProc;
  let dropped: string[] = [];
  let late: string[] = [];
  let lateIds: string[] = [];
  let scripted: AddedJob[] = [];
  let watcherEvents: LogEvent[] = [];
  const refused: Record<'audio' | 'link' | 'out', AddedJob> = {} as never;
  let corrupt: AddedJob;
  let stored: Map<string, StoredJob>;
  let status: { counts: Record<string, number>; failures: Failure[] };
  let exits: { code: number | null; signal: NodeJS.Signals | null }[] = [];

  beforeAll(async () => {
    // A password with characters a URL must encode: every client here (workers, producers, the
    // watcher) takes it from the URL, and none may print it.
    redis = await startRedis({ aof: true, password: PASSWORD });
    worker = startWorker(redis.url, { name: 'w', logDir: logs, roots: [inbox, lines, out, path.dirname(CHARACTER)], concurrency: 2 });
    await workersReady([worker], HANG_MS);

    // The watch folder hands its stable files to the queue instead of animating them itself; a script
    // then adds the same files and adds nothing (two producers at once: queue-farm.test.ts).
    const watcher = startWatch(inbox, out, watchLog, ['--queue', redis.url]);
    await waitUntil(() => readLog(watchLog).some((e) => e.ev === 'ready'), 'the watcher to be ready', HANG_MS, [watcher]);
    dropped = dropLines(inbox, 6, 'dropped');
    await waitUntil(
      () => dropped.every((n) => readLog(watchLog).some((e) => e.path === n && e.ev === HANDED_OVER)),
      'the watcher to hand its six lines to the queue',
      HANG_MS,
      [watcher],
    );
    scripted = await queueAdd(
      redis.url,
      dropped.map((n) => path.join(inbox, n)),
      out,
    );

    // Redis dies while the watcher runs and two more lines arrive: once Redis is back (from its
    // append-only file) the watcher, a long-lived producer, hands them over without a restart.
    await redis.kill('SIGKILL');
    late = dropLines(inbox, 2, 'late', 400);
    await waitUntil(() => late.every((n) => readLog(watchLog).some((e) => e.path === n)), 'the watcher to see the late lines', HANG_MS, [
      watcher,
    ]);
    await redis.restart();
    await waitUntil(
      () => late.every((n) => readLog(watchLog).some((e) => e.path === n && e.ev === HANDED_OVER)),
      'the watcher to hand the late lines over after the restart',
      HANG_MS,
      [watcher],
    );
    lateIds = late.map((n) => String(readLog(watchLog).find((e) => e.path === n && e.ev === HANDED_OVER)!.id));

    // Refused by the worker: audio outside its roots; an output folder outside its roots.
    writeFileSync(path.join(outside, 'escape.wav'), speechWav(300));
    const escapeOut = path.join(outside, 'not-made');
    [refused.audio] = await queueAdd(redis.url, [path.join(outside, 'escape.wav')], out);
    writeFileSync(path.join(lines, 'elsewhere.wav'), speechWav(310));
    [refused.out] = await queueAdd(redis.url, [path.join(lines, 'elsewhere.wav')], escapeOut);
    // A link inside a root to a file outside every root: judged by where it leads.
    writeFileSync(path.join(outside, 'linked.wav'), speechWav(315));
    symlinkSync(path.join(outside, 'linked.wav'), path.join(lines, 'link.wav'));
    [refused.link] = await queueAdd(redis.url, [path.join(lines, 'link.wav')], out);

    // A permanent failure: a RIFF header over garbage.
    const bytes = Buffer.from(speechWav(320));
    bytes.fill(0xa5, 12);
    writeFileSync(path.join(lines, 'corrupt.wav'), bytes);
    [corrupt] = await queueAdd(redis.url, [path.join(lines, 'corrupt.wav')], out);

    const all = [...scripted.map((j) => j.id), ...lateIds, refused.audio.id, refused.link.id, refused.out.id, corrupt.id];
    await waitUntil(
      () => {
        const f = finishedIds(redis);
        return all.every((id) => f.completed.includes(id) || f.failed.includes(id));
      },
      'every job to finish',
      HANG_MS,
      [worker, watcher],
    );
    stored = new Map(all.map((id) => [id, storedJob(redis, id)]));
    const r = await queueCli(redis.url, ['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    status = JSON.parse(r.stdout) as typeof status;
    watcher.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    exits = [await watcher.exited, await worker.exited];
    watcherEvents = readLog(watchLog);
  }, HOOK_HANG_MS);
  afterAll(async () => {
    killWorkers();
    killAll();
    await redis?.stop();
  });

  it('made the watch folder a producer: its six lines are six jobs, the script added none again, the worker animated each once', () => {
    expect(scripted).toHaveLength(6);
    expect(scripted.filter((j) => j.added)).toEqual([]);
    for (const j of scripted) expect(stored.get(j.id)!.state, j.audio).toBe('completed');
    // The watcher handed each line over once, as the job the script then found; it animated nothing itself.
    const handed = watcherEvents.filter((e) => e.ev === HANDED_OVER && dropped.includes(String(e.path)));
    expect(handed.map((e) => e.path).sort()).toEqual([...dropped].sort());
    expect(handed.map((e) => [e.path, e.id, e.added]).sort()).toEqual(scripted.map((j) => [path.basename(j.audio), j.id, true]).sort());
    expect(watcherEvents.filter((e) => e.ev === 'done' || e.ev === 'processing')).toEqual([]);
    const done = worker.events().filter((e) => e.ev === 'done');
    for (const j of scripted)
      expect(
        done.filter((e) => e.job === j.id),
        j.audio,
      ).toHaveLength(1);
    for (const n of dropped) checkLayer(path.join(out, n.replace(/\.wav$/, '.usda')));
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it('kept producing through a Redis restart: the lines that arrived while Redis was down became one job each, done once', () => {
    expect(new Set(lateIds).size).toBe(2);
    for (const id of lateIds) expect(stored.get(id)!.state).toBe('completed');
    const handed = watcherEvents.filter((e) => e.ev === HANDED_OVER && late.includes(String(e.path)));
    expect(handed.map((e) => [e.path, e.added])).toEqual(late.map((n) => [n, true]));
    for (const id of lateIds) expect(worker.events().filter((e) => e.ev === 'done' && e.job === id)).toHaveLength(1);
    for (const n of late) checkLayer(path.join(out, n.replace(/\.wav$/, '.usda')));
  });

  it('refused the job whose audio is outside the allowed roots, naming the path and the fix, reading and writing nothing there', () => {
    const j = stored.get(refused.audio.id)!;
    expect(j.state).toBe('failed');
    expect(j.attemptsMade).toBe(1);
    const e = readJson<ErrorFile>(path.join(out, 'escape.error.json'));
    expect(e.code).toBe('ROOT_REFUSED');
    expect(e.why).toContain(path.join(outside, 'escape.wav'));
    expect(e.fix).toMatch(/--allow-root/);
    expect(readdirSync(outside).sort()).toEqual(['escape.wav', 'linked.wav']);
    expect(existsSync(path.join(out, 'escape.usda'))).toBe(false);
  });

  it('refused the job whose audio is a link inside a root to a file outside them, naming where it leads', () => {
    const j = stored.get(refused.link.id)!;
    expect(j.state).toBe('failed');
    const e = readJson<ErrorFile>(path.join(out, 'link.error.json'));
    expect(e.code).toBe('ROOT_REFUSED');
    expect(e.why).toContain(`it resolves to ${path.join(outside, 'linked.wav')}`);
    expect(existsSync(path.join(out, 'link.usda'))).toBe(false);
  });

  it('refused the job whose output folder is outside the allowed roots without creating it', () => {
    const j = stored.get(refused.out.id)!;
    expect(j.state).toBe('failed');
    expect(j.failedReason).toContain('ROOT_REFUSED');
    expect(existsSync(path.join(outside, 'not-made'))).toBe(false);
    expect(existsSync(path.join(out, 'elsewhere.usda'))).toBe(false);
  });

  it('failed the corrupt file at once (no retry) with <name>.error.json and its fix', () => {
    const j = stored.get(corrupt.id)!;
    expect(j.state).toBe('failed');
    expect(j.attemptsMade).toBe(1);
    expect(worker.events().filter((e) => e.ev === 'retry')).toEqual([]);
    const e = readJson<ErrorFile>(path.join(out, 'corrupt.error.json'));
    expect(e.audio).toContain('corrupt.wav');
    expect(e.transient).toBe(false);
    expect(e.fix.length).toBeGreaterThan(10);
    expect(existsSync(path.join(out, 'corrupt.usda'))).toBe(false);
  });

  it('reports the four failures in `a2f queue status` with their codes, messages and fixes', () => {
    const byId = new Map(status.failures.map((f) => [f.id, f]));
    expect([...byId.keys()].sort()).toEqual([refused.audio.id, refused.link.id, refused.out.id, corrupt.id].sort());
    expect(byId.get(refused.audio.id)).toMatchObject({ code: 'ROOT_REFUSED', fix: expect.stringMatching(/--allow-root/) });
    expect(byId.get(refused.out.id)).toMatchObject({ code: 'ROOT_REFUSED', message: expect.stringContaining('not-made') });
    expect(byId.get(corrupt.id)!.fix.length).toBeGreaterThan(10);
    expect(status.counts).toMatchObject({ done: 8, failed: 4, waiting: 0, active: 0, delayed: 0 });
  });

  it('reached Redis with the password in the URL and never printed it', () => {
    expect(redis.url).toContain(encodeURIComponent(PASSWORD));
    expect(worker.events().find((e) => e.ev === 'start')!.redis).toBe(`redis://:***@127.0.0.1:${redis.port}`);
    const printed = [readFileSync(worker.log, 'utf8'), worker.stderr(), readFileSync(watchLog, 'utf8'), JSON.stringify(status)].join('\n');
    for (const secret of [PASSWORD, encodeURIComponent(PASSWORD), 'p@ss']) expect(printed).not.toContain(secret);
  });

  it(
    'left no temporary file, and layers real Pixar USD opens',
    async () => {
      const files = walk(out).filter((f) => !f.startsWith('.a2f-watch/'));
      expect(files.filter((f) => f.endsWith('.tmp') || path.basename(f).startsWith('.'))).toEqual([]);
      const stems = [...dropped, ...late].map((n) => n.replace(/\.wav$/, ''));
      expect(files.sort()).toEqual(
        [...stems.flatMap((s) => [`${s}.report.json`, `${s}.usda`]), 'corrupt.error.json', 'escape.error.json', 'link.error.json'].sort(),
      );
      const results = await usdReadbackMany(stems.map((s) => ({ root: path.join(out, `${s}.usda`), others: [CHARACTER] })));
      expect(results.map((r, i) => ({ s: stems[i], ok: r.ok, errors: r.errors })).filter((r) => !r.ok)).toEqual([]);
    },
    HOOK_HANG_MS,
  );
});
