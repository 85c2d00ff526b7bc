import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type TestRedis } from '@a2f/test-utils';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, tempDir } from './helpers.js';
import {
  finishedIds,
  freezeWithJobsInHand,
  jobsInHand,
  killWorkers,
  queueAdd,
  queueCli,
  startWorker,
  storedJob,
  workersReady,
  type AddedJob,
  type QueueEvent,
  type StoredJob,
  type WorkerProc,
} from './queue-helpers.js';
import { checkLayer, dropLines, HANG_MS, HOOK_HANG_MS, killWithLineInHand, waitUntil, walk } from './watch-helpers.js';

const COUNT = 60;
/**
 * Leases for this test: a SIGKILLed worker's jobs move on within LOCK_MS + STALLED_MS instead of the
 * default's 45 s. A lease is renewed every LOCK_MS / 2, so one still held when Redis is killed lasts
 * at least 6 s more: the outage below (the lines in hand finishing, then Redis reloading its AOF) is
 * far shorter, and no job in hand there loses its lease.
 */
const LEASE = ['--lock-ms', '12000', '--stalled-ms', '2000'];

interface LineResult {
  audio: string;
  files: { file: string; sha256: string; bytes: number }[];
  reused: boolean;
  worker: { id: string; pid: number };
}

describe('a render farm: 3 workers, 60 lines from two producers at once, a worker and Redis killed mid-run', () => {
  const inbox = tempDir('farm-in');
  const out = tempDir('farm-out');
  const logs = tempDir('farm-logs');
  let redis: TestRedis;
  let workers: WorkerProc[] = [];
  let names: string[] = [];
  let byProducer: AddedJob[][] = [];
  let killed: { worker: WorkerProc; jobs: string[] };
  let redisInFlight: string[] = [];
  let jobs: StoredJob[] = [];
  let status: { counts: Record<string, number>; failures: unknown[] };
  let exits: { code: number | null; signal: NodeJS.Signals | null }[] = [];

  const reports = (): number => walk(out).filter((f) => f.endsWith('.report.json')).length;
  const events = (): QueueEvent[] => workers.flatMap((w) => w.events());
  const killedId = (): string => String(killed.worker.events().find((e) => e.ev === 'start')?.worker);
  beforeAll(async () => {
    redis = await startRedis({ aof: true });
    workers = ['w1', 'w2', 'w3'].map((name) =>
      startWorker(redis.url, { name, logDir: logs, roots: [inbox, out, path.dirname(CHARACTER)], concurrency: 2, extra: LEASE }),
    );
    await workersReady(workers, HANG_MS);
    names = dropLines(inbox, COUNT, 'take');
    const files = names.map((n) => path.join(inbox, n));

    // Two producers add the same 60 lines at the same moment (a watcher and a script, two artists).
    byProducer = await Promise.all([queueAdd(redis.url, files, out), queueAdd(redis.url, files, out)]);

    // One worker dies (kill -9) holding jobs, once the farm is under way; frozen while its log is
    // read, so the jobs seen in hand are the jobs the kill interrupts.
    await waitUntil(() => reports() >= 10, '10 lines written', HANG_MS, workers);
    const victim = workers.find((w) => jobsInHand(w).length > 0) ?? workers[0]!;
    killed = { worker: victim, jobs: await killWithLineInHand(victim, () => jobsInHand(victim)) };

    // Redis dies (kill -9) while the workers hold lines, and comes back from its append-only file
    // only once those lines are written: their completions are sent through the outage.
    const alive = workers.filter((w) => w !== victim);
    await waitUntil(() => reports() >= 30, '30 lines written', HANG_MS, alive);
    redisInFlight = await freezeWithJobsInHand(alive, () => alive.flatMap(jobsInHand), HANG_MS);
    await redis.kill('SIGKILL');
    for (const w of alive) w.child.kill('SIGCONT');
    const stems = redisInFlight.map((id) =>
      path.basename(String(alive.flatMap((w) => w.events()).find((e) => e.job === id)!.audio), '.wav'),
    );
    await waitUntil(
      () => stems.every((s) => existsSync(path.join(out, `${s}.report.json`))),
      'the lines in hand to be written with Redis down',
      HANG_MS,
      alive,
    );
    await redis.restart();

    await waitUntil(
      () => finishedIds(redis).completed.length + finishedIds(redis).failed.length >= COUNT,
      `${COUNT} finished jobs`,
      HANG_MS,
      alive,
    );
    for (const w of alive) w.child.kill('SIGTERM');
    exits = await Promise.all(alive.map((w) => w.exited));
    const ids = byProducer[0]!.map((j) => j.id);
    jobs = ids.map((id) => storedJob(redis, id));
    const r = await queueCli(redis.url, ['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    status = JSON.parse(r.stdout) as typeof status;
  }, HOOK_HANG_MS);
  afterAll(async () => {
    killWorkers();
    await redis?.stop();
  });

  it('made one job per line from the two producers: the same ids from both, each added by exactly one', () => {
    const [a, b] = byProducer as [AddedJob[], AddedJob[]];
    expect(a.map((j) => path.basename(j.audio))).toEqual(names);
    expect(b.map((j) => j.id)).toEqual(a.map((j) => j.id));
    expect(new Set(a.map((j) => j.id)).size).toBe(COUNT);
    // The line's idempotency key is its id: whichever producer came first added it, the other found it.
    expect(a.map((j, i) => Number(j.added) + Number(b[i]!.added))).toEqual(names.map(() => 1));
  });

  it('completed every line exactly once: one result per job, its files on disk with the SHA-256 it records', () => {
    expect(jobs.filter((j) => j.state !== 'completed').map((j) => ({ id: j.id, state: j.state, why: j.failedReason }))).toEqual([]);
    expect(finishedIds(redis)).toEqual({ completed: expect.arrayContaining(jobs.map((j) => j.id)), failed: [] });
    expect(finishedIds(redis).completed).toHaveLength(COUNT);
    for (const j of jobs) {
      const r = j.returnvalue as LineResult;
      expect(r.files.map((f) => path.basename(f.file)).sort()).toEqual(
        [`${path.basename(r.audio, '.wav')}.report.json`, `${path.basename(r.audio, '.wav')}.usda`].sort(),
      );
      for (const f of r.files) expect(createHash('sha256').update(readFileSync(f.file)).digest('hex'), f.file).toBe(f.sha256);
    }
    expect(status.counts).toMatchObject({ done: COUNT, failed: 0, waiting: 0, active: 0, delayed: 0 });
    expect(status.failures).toEqual([]);
  });

  it('computed each line once over all workers: no line written twice, not even across the two kills', () => {
    const written = new Map<string, number>();
    for (const e of events()) if (e.ev === 'done' && e.job) written.set(e.job, (written.get(e.job) ?? 0) + 1);
    expect(jobs.filter((j) => (written.get(j.id) ?? 0) > 1).map((j) => j.id)).toEqual([]);
    // Settled ('done' or 'reused') exactly once each: no completion was lost in the Redis outage. The
    // one exception is a line the killed worker wrote but could not report before the kill: its lease
    // runs out and the next attempt finds it written ('reused'), never writes it again.
    const victim = killedId();
    const wrong = jobs.flatMap((j) => {
      const settled = events()
        .filter((e) => (e.ev === 'done' || e.ev === 'reused') && e.job === j.id)
        .sort((x, y) => String(x.t).localeCompare(String(y.t)));
      const ok =
        settled.length === 1 ||
        (settled.length === 2 && settled[0]!.worker === victim && settled[1]!.worker !== victim && settled[1]!.ev === 'reused');
      return ok ? [] : [{ id: j.id, settled: settled.map((e) => `${e.ev} by ${e.worker}`) }];
    });
    expect(wrong).toEqual([]);
  });

  it("finished the killed worker's jobs on the other workers once their leases ran out", () => {
    expect(killed.jobs.length).toBeGreaterThan(0);
    for (const id of killed.jobs) {
      const j = jobs.find((x) => x.id === id)!;
      expect(j.state).toBe('completed');
      expect((j.returnvalue as LineResult).worker.pid).not.toBe(killed.worker.child.pid);
    }
    // Taken over by BullMQ's stalled-job check once the lease ran out, then started again elsewhere.
    const others = workers.filter((w) => w !== killed.worker).flatMap((w) => w.events());
    for (const id of killed.jobs) {
      expect(others.filter((e) => e.ev === 'active' && e.job === id).length, id).toBeGreaterThanOrEqual(1);
      expect(others.filter((e) => e.ev === 'stalled' && e.job === id).length, id).toBe(1);
    }
  });

  it('completed the lines in hand at the Redis kill once, their results sent after Redis came back', () => {
    expect(redisInFlight.length).toBeGreaterThan(0);
    for (const id of redisInFlight) {
      expect(jobs.find((j) => j.id === id)!.state).toBe('completed');
      // Settled once by the workers that lived: written ('done'), or found written by an attempt the
      // worker kill interrupted ('reused'); a completion lost in the outage would show as a second
      // start once its lease ran out.
      const settled = events().filter((e) => (e.ev === 'done' || e.ev === 'reused') && e.job === id && e.worker !== killedId());
      expect(
        settled.map((e) => e.ev),
        id,
      ).toHaveLength(1);
      expect(events().filter((e) => e.ev === 'active' && e.job === id && e.worker !== killedId()).length, id).toBe(1);
    }
  });

  it('the other workers rode out the Redis restart and stopped cleanly on SIGTERM', () => {
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it('left one whole layer and report per line and no temporary or partial file', () => {
    const files = walk(out);
    expect(files.filter((f) => f.endsWith('.tmp') || path.basename(f).startsWith('.'))).toEqual([]);
    const stems = [...names].sort().map((n) => n.replace(/\.wav$/, ''));
    expect(files).toEqual(stems.flatMap((s) => [`${s}.report.json`, `${s}.usda`]).sort());
    for (const s of stems) checkLayer(path.join(out, `${s}.usda`));
  });

  it(
    "wrote layers real Pixar USD opens (the killed worker's lines and a sample of the rest)",
    async () => {
      const sample = [
        ...new Set([
          ...killed.jobs.map((id) => path.basename((jobs.find((j) => j.id === id)!.returnvalue as LineResult).audio)),
          ...names.filter((_, i) => i % 8 === 0),
        ]),
      ];
      const results = await usdReadbackMany(
        sample.map((n) => ({ root: path.join(out, n.replace(/\.wav$/, '.usda')), others: [CHARACTER] })),
      );
      expect(results.map((r, i) => ({ n: sample[i], ok: r.ok, errors: r.errors })).filter((r) => !r.ok)).toEqual([]);
    },
    HOOK_HANG_MS,
  );
});
