import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256File } from '@a2f/base';
import { speechWav, startRedis, tempDir, waitFor, type TestRedis } from '@a2f/test-utils';
import { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanQueue,
  enqueueLines,
  followJobs,
  jobKey,
  queueStatus,
  retryFailed,
  startWorker,
  type LineJobResult,
  type QueueEvent,
  type QueueWorker,
} from '../src/index.js';

const CHARACTER = fileURLToPath(new URL('../../../samples/character/face.usda', import.meta.url));

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** A shared root as a farm has one: audio in, layers out, the character beside them. */
function farmRoot() {
  const root = tempDir('farm');
  const audio = path.join(root, 'dialogue');
  const out = path.join(root, 'layers');
  mkdirSync(audio);
  const character = path.join(root, 'face.usda');
  writeFileSync(character, readFileSync(CHARACTER));
  return { root, audio, out, character };
}

async function withWorker<T>(roots: string[], queue: string, fn: (events: QueueEvent[], w: QueueWorker) => Promise<T>): Promise<T> {
  const events: QueueEvent[] = [];
  const w = await startWorker({ redis: redis.url, queue, allowRoots: roots, concurrency: 2, log: (e) => events.push(e), heartbeatMs: 200 });
  try {
    return await fn(events, w);
  } finally {
    await w.close();
  }
}

describe('the queue against a real redis-server', () => {
  it('runs each line once: ids are keys, a second add adds nothing, results are stored with the job', async () => {
    const f = farmRoot();
    const files = ['a', 'b', 'c'].map((n, i) => {
      const file = path.join(f.audio, `${n}.wav`);
      writeFileSync(file, speechWav(120 + 20 * i));
      return file;
    });
    const settings = { character: f.character, outDir: f.out };
    const first = await enqueueLines({ redis: redis.url, queue: 'once', files, settings });
    expect(first.map((e) => e.added)).toEqual([true, true, true]);
    expect(first[0].id).toBe(await jobKey({ audio: files[0] }, settings));
    // Two producers adding the same lines at once: one job per line.
    const [again, twice] = await Promise.all([
      enqueueLines({ redis: redis.url, queue: 'once', files, settings }),
      enqueueLines({ redis: redis.url, queue: 'once', files, settings }),
    ]);
    expect(again.map((e) => e.id)).toEqual(first.map((e) => e.id));
    expect([...again, ...twice].filter((e) => e.added)).toEqual([]);

    const result = await withWorker([f.root], 'once', async (events) => {
      const r = await followJobs({ redis: redis.url, queue: 'once', ids: first.map((e) => e.id), pollMs: 100 });
      expect(events.filter((e) => e.ev === 'done')).toHaveLength(3);
      const status = await queueStatus({ redis: redis.url, queue: 'once' });
      expect(status.counts).toMatchObject({ done: 3, failed: 0, waiting: 0, active: 0 });
      expect(status.throughput.lines).toBe(3);
      expect(status.throughput.linesPerMinute).toBeGreaterThan(0);
      expect(status.throughput.audioMinutesPerMinute).toBeGreaterThan(0);
      expect(status.workers).toHaveLength(1);
      expect(status.workers[0]).toMatchObject({ pid: process.pid, done: 3, failed: 0 });
      return r;
    });
    expect(result).toEqual({ done: 3, failed: [] });
    expect(readdirSync(f.out).sort()).toEqual(['a.report.json', 'a.usda', 'b.report.json', 'b.usda', 'c.report.json', 'c.usda']);

    const q = new Queue('once', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      const job = await Job.fromId(q, first[0].id);
      const value = job!.returnvalue as LineJobResult;
      expect(value.reused).toBe(false);
      expect(value.files.map((x) => path.basename(x.file))).toEqual(['a.usda', 'a.report.json']);
      expect(value.files[0].sha256).toBe(await sha256File(path.join(f.out, 'a.usda')));
      expect(value.durationSeconds).toBeCloseTo(0.4, 2);
      expect(value.provenance).toMatchObject({ character: f.character, model: 'default' });
      expect(value.timings.runMs).toBeGreaterThan(0);
    } finally {
      await q.close();
    }
    // After the stopped worker its heartbeat is gone.
    expect((await queueStatus({ redis: redis.url, queue: 'once' })).workers).toEqual([]);
  });

  it('a line whose layers an earlier attempt wrote is not computed again', async () => {
    const f = farmRoot();
    const file = path.join(f.audio, 'x.wav');
    writeFileSync(file, speechWav(150));
    const settings = { character: f.character, outDir: f.out };
    const [a] = await enqueueLines({ redis: redis.url, queue: 'reuse', files: [file], settings });
    await withWorker([f.root], 'reuse', () => followJobs({ redis: redis.url, queue: 'reuse', ids: [a.id], pollMs: 100 }));
    const mtime = statSync(path.join(f.out, 'x.usda')).mtimeMs;
    // Done jobs removed (as after a lost Redis without persistence): the line is a new job, and finds its files.
    expect(await cleanQueue({ redis: redis.url, queue: 'reuse', which: 'done' })).toEqual({ failed: 0, done: 1 });
    const [b] = await enqueueLines({ redis: redis.url, queue: 'reuse', files: [file], settings });
    expect(b).toMatchObject({ id: a.id, added: true });
    const events = await withWorker([f.root], 'reuse', async (ev) => {
      await followJobs({ redis: redis.url, queue: 'reuse', ids: [b.id], pollMs: 100 });
      return ev;
    });
    expect(events.filter((e) => e.ev === 'reused')).toHaveLength(1);
    expect(events.filter((e) => e.ev === 'done')).toHaveLength(0);
    expect(statSync(path.join(f.out, 'x.usda')).mtimeMs).toBe(mtime);
  });

  it('close() takes no new job and finishes the lines in hand', async () => {
    const f = farmRoot();
    const files = ['long1', 'long2'].map((n, i) => {
      const file = path.join(f.audio, `${n}.wav`);
      writeFileSync(file, speechWav(130 + 10 * i, 20));
      return file;
    });
    const jobs = await enqueueLines({ redis: redis.url, queue: 'close', files, settings: { character: f.character, outDir: f.out } });
    const events: QueueEvent[] = [];
    const w = await startWorker({ redis: redis.url, queue: 'close', allowRoots: [f.root], concurrency: 1, log: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.ev === 'active'), 'a line taken');
    await w.close();
    const evs = events.map((e) => e.ev).filter((e) => e !== 'progress');
    // One line taken and finished; the second never started. (Whether close() came before the line
    // ended depends on the machine's speed; either way the line in hand ends done.)
    expect(evs.filter((e) => e !== 'stopping')).toEqual(['start', 'active', 'done', 'stopped']);
    const status = await queueStatus({ redis: redis.url, queue: 'close' });
    expect(status.counts).toMatchObject({ done: 1, waiting: 1, active: 0 });
    const done = events.find((e) => e.ev === 'done')!;
    expect(jobs.map((j) => j.id)).toContain(done.job);
    expect(readdirSync(f.out).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses job data written by hand that is not a line, before touching anything', async () => {
    const f = farmRoot();
    const file = path.join(f.audio, 'a.wav');
    writeFileSync(file, speechWav(150));
    const q = new Queue('raw', { connection: { host: '127.0.0.1', port: redis.port } });
    const good = { v: 1, audio: file, name: 'a', settings: { character: f.character, outDir: f.out }, audioSha256: await sha256File(file) };
    const bad = {
      escape: { ...good, name: '../../etc/a' },
      unknown: { ...good, settings: { ...good.settings, shell: 'rm -rf /' } },
      setting: { ...good, settings: { ...good.settings, fps: 'fast' } },
      version: { ...good, v: 2 },
    };
    try {
      for (const [id, data] of Object.entries(bad)) await q.add('line', data, { jobId: id, attempts: 3 });
      const r = await withWorker([f.root], 'raw', () => followJobs({ redis: redis.url, queue: 'raw', ids: Object.keys(bad), pollMs: 100 }));
      const byId = Object.fromEntries(r.failed.map((x) => [x.id, x]));
      expect(byId.escape).toMatchObject({ code: 'INVALID_JOB', attempts: 1 });
      expect(byId.escape.message).toContain('not a plain file name');
      expect(byId.unknown).toMatchObject({ code: 'INVALID_JOB' });
      expect(byId.unknown.message).toContain('"shell"');
      expect(byId.setting).toMatchObject({ code: 'BAD_SETTING', attempts: 1 });
      expect(byId.version).toMatchObject({ code: 'INVALID_JOB' });
    } finally {
      await q.close();
    }
    // Only the bad setting got as far as a valid output folder, and wrote its error file there.
    expect(readdirSync(f.out)).toEqual(['a.error.json']);
  });

  it('maps mount points between producer and worker (--path-map); a worker that cannot see the path says which', async () => {
    const f = farmRoot();
    const file = path.join(f.audio, 'm.wav');
    writeFileSync(file, speechWav(170));
    // The producer sees the share at f.root; workers mount it at /mnt/a2f-share.
    const shared = '/mnt/a2f-share';
    const pathMap = [{ from: f.root, to: shared }];
    const [job] = await enqueueLines({
      redis: redis.url,
      queue: 'maps',
      files: [file],
      settings: { character: f.character, outDir: f.out },
      pathMap,
    });
    const q = new Queue('maps', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      expect((await Job.fromId(q, job.id))!.data).toMatchObject({
        audio: `${shared}/dialogue/m.wav`,
        settings: { character: `${shared}/face.usda`, outDir: `${shared}/layers` },
      });
    } finally {
      await q.close();
    }
    const unmapped = await withWorker([f.root], 'maps', () => followJobs({ redis: redis.url, queue: 'maps', ids: [job.id], pollMs: 100 }));
    expect(unmapped.failed[0]).toMatchObject({ code: 'ROOT_REFUSED' });
    expect(unmapped.failed[0].message).toContain(`${shared}/layers`);
    expect(unmapped.failed[0].fix).toContain('--path-map');
    expect(await retryFailed({ redis: redis.url, queue: 'maps' })).toBe(1);
    const w = await startWorker({ redis: redis.url, queue: 'maps', allowRoots: [f.root], pathMap: [{ from: shared, to: f.root }] });
    try {
      expect(await followJobs({ redis: redis.url, queue: 'maps', ids: [job.id], pollMs: 100 })).toEqual({ done: 1, failed: [] });
    } finally {
      await w.close();
    }
    expect(readdirSync(f.out).sort()).toEqual(['m.report.json', 'm.usda']);
  });

  it('a fixed file is a new job, and its layers replace the error file', async () => {
    const f = farmRoot();
    const file = path.join(f.audio, 'take.wav');
    writeFileSync(file, 'RIFF, but cut off');
    const settings = { character: f.character, outDir: f.out };
    const [broken] = await enqueueLines({ redis: redis.url, queue: 'fixed', files: [file], settings });
    writeFileSync(file, speechWav(125));
    const [fixed] = await withWorker([f.root], 'fixed', async () => {
      const r = await followJobs({ redis: redis.url, queue: 'fixed', ids: [broken.id], pollMs: 100 });
      // The file changed while its job waited: that job no longer describes it.
      expect(r.failed).toMatchObject([{ code: 'AUDIO_CHANGED' }]);
      expect(existsSync(path.join(f.out, 'take.error.json'))).toBe(true);
      const again = await enqueueLines({ redis: redis.url, queue: 'fixed', files: [file], settings });
      expect(await followJobs({ redis: redis.url, queue: 'fixed', ids: [again[0].id], pollMs: 100 })).toEqual({ done: 1, failed: [] });
      return again;
    });
    expect(fixed.id).not.toBe(broken.id);
    expect(readdirSync(f.out).sort()).toEqual(['take.report.json', 'take.usda']);
  });

  it('fails bad audio at once with its error file, and refuses paths outside the roots without touching them', async () => {
    const f = farmRoot();
    const bad = path.join(f.audio, 'bad.wav');
    writeFileSync(bad, 'not audio at all');
    const elsewhere = tempDir('elsewhere');
    const outside = path.join(elsewhere, 'o.wav');
    writeFileSync(outside, speechWav(140));
    // A link inside the root that leads out of it is refused too.
    const link = path.join(f.audio, 'link.wav');
    symlinkSync(outside, link);
    const outsideOut = path.join(elsewhere, 'layers');
    mkdirSync(f.out);
    const settings = { character: f.character, outDir: f.out };
    const jobs = [
      ...(await enqueueLines({ redis: redis.url, queue: 'bad', files: [bad, link], settings })),
      ...(await enqueueLines({
        redis: redis.url,
        queue: 'bad',
        files: [path.join(f.audio, '..', 'face.usda')],
        settings: { ...settings, outDir: outsideOut },
      })),
    ];
    const r = await withWorker([f.audio, f.out, f.character], 'bad', () =>
      followJobs({ redis: redis.url, queue: 'bad', ids: jobs.map((j) => j.id), pollMs: 100 }),
    );
    expect(r.done).toBe(0);
    const byAudio = new Map(r.failed.map((x) => [path.basename(x.audio), x]));
    expect(byAudio.get('bad.wav')).toMatchObject({ attempts: 1 });
    expect(byAudio.get('bad.wav')!.code).not.toBe('ROOT_REFUSED');
    const errorFile = JSON.parse(readFileSync(path.join(f.out, 'bad.error.json'), 'utf8')) as Record<string, unknown>;
    expect(errorFile).toMatchObject({ code: byAudio.get('bad.wav')!.code, transient: false, attempts: 1, key: jobs[0].id });
    expect(byAudio.get('link.wav')).toMatchObject({ code: 'ROOT_REFUSED', attempts: 1 });
    expect(byAudio.get('link.wav')!.message).toContain(outside);
    expect(byAudio.get('face.usda')).toMatchObject({ code: 'ROOT_REFUSED' });
    expect(byAudio.get('face.usda')!.message).toContain('output folder');
    expect(existsSync(outsideOut)).toBe(false);

    const status = await queueStatus({ redis: redis.url, queue: 'bad' });
    expect(status.counts.failed).toBe(3);
    expect(status.failures.every((x) => x.fix.length > 0)).toBe(true);
    expect(await retryFailed({ redis: redis.url, queue: 'bad' })).toBe(3);
    expect((await queueStatus({ redis: redis.url, queue: 'bad' })).counts).toMatchObject({ failed: 0, waiting: 3 });
    expect(await cleanQueue({ redis: redis.url, queue: 'bad', which: 'all' })).toEqual({ failed: 0, done: 0 });
  });
  it('refuses an Audio2Emotion pack outside the roots, from the settings or from a sidecar, before loading it', async () => {
    const f = farmRoot();
    mkdirSync(f.out);
    const pack = path.join(tempDir('elsewhere-a2e'), 'audio2emotion');
    mkdirSync(pack);
    const byFlag = path.join(f.audio, 'flag.wav');
    const bySidecar = path.join(f.audio, 'side.wav');
    writeFileSync(byFlag, speechWav(135));
    writeFileSync(bySidecar, speechWav(145));
    writeFileSync(path.join(f.audio, 'side.a2f.json'), JSON.stringify({ a2e: pack }));
    const settings = { character: f.character, outDir: f.out };
    const jobs = [
      ...(await enqueueLines({ redis: redis.url, queue: 'a2e', files: [byFlag], settings: { ...settings, a2e: pack } })),
      ...(await enqueueLines({ redis: redis.url, queue: 'a2e', files: [bySidecar], settings })),
    ];
    const r = await withWorker([f.audio, f.out, f.character], 'a2e', () =>
      followJobs({ redis: redis.url, queue: 'a2e', ids: jobs.map((j) => j.id), pollMs: 100 }),
    );
    expect(r.done).toBe(0);
    const byAudio = new Map(r.failed.map((x) => [path.basename(x.audio), x]));
    expect(byAudio.get('flag.wav')).toMatchObject({ code: 'ROOT_REFUSED', attempts: 1 });
    expect(byAudio.get('flag.wav')!.message).toContain('Audio2Emotion pack');
    expect(byAudio.get('side.wav')).toMatchObject({ code: 'ROOT_REFUSED', attempts: 1 });
    expect(byAudio.get('side.wav')!.message).toContain("sidecar's Audio2Emotion pack");
    expect(existsSync(path.join(f.out, 'flag.usda'))).toBe(false);
  });
});
