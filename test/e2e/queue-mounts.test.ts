import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { speechWav, startRedis, type TestRedis } from '@a2f/test-utils';
import { usdReadback } from '../usd/validate.js';
import { CHARACTER, readJson, tempDir, type CliResult } from './helpers.js';
import { killWorkers, queueCli, startWorker, workersReady, type WorkerProc } from './queue-helpers.js';
import { checkLayer, HANG_MS, HOOK_HANG_MS } from './watch-helpers.js';

interface AddResult {
  ok: boolean;
  jobs: { id: string; audio: string; added: boolean }[];
  done: number;
  failed: { id: string; audio: string; code: string; message: string; fix: string; errorFile?: string }[];
}

// One share seen at two mount points: the producer's and the worker's (another machine). The
// worker's copy of the share holds what the producer's does, except `unseen.wav`.
describe('a worker on another machine: Redis over TLS, the share at another mount point (--path-map), a file it cannot see', () => {
  const producerMount = tempDir('mount-producer');
  const workerMount = tempDir('mount-worker');
  const logs = tempDir('mount-logs');
  let redis: TestRedis;
  let worker: WorkerProc;
  let add: CliResult;
  let result: AddResult;

  beforeAll(async () => {
    redis = await startRedis({ aof: true, tls: true });
    // Node processes trust the test's certificate authority as a studio's would trust its own.
    process.env.NODE_EXTRA_CA_CERTS = redis.caFile;
    for (const dir of [producerMount, workerMount]) mkdirSync(path.join(dir, 'in'));
    writeFileSync(path.join(producerMount, 'in', 'mapped.wav'), speechWav(150));
    copyFileSync(path.join(producerMount, 'in', 'mapped.wav'), path.join(workerMount, 'in', 'mapped.wav'));
    writeFileSync(path.join(producerMount, 'in', 'unseen.wav'), speechWav(160));

    worker = startWorker(redis.url, {
      name: 'remote',
      logDir: logs,
      // Only its own mount point: the producer's paths are not this machine's.
      roots: [workerMount, path.dirname(CHARACTER)],
      extra: ['--path-map', `${producerMount}=${workerMount}`],
    });
    await workersReady([worker], HANG_MS);
    const files = ['mapped.wav', 'unseen.wav'].map((n) => path.join(producerMount, 'in', n));
    add = await queueCli(redis.url, [
      'add',
      ...files,
      '--character',
      CHARACTER,
      '--out',
      path.join(producerMount, 'out'),
      '--wait',
      '--json',
    ]);
    result = JSON.parse(add.stdout) as AddResult;
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toEqual({ code: 0, signal: null });
  }, HOOK_HANG_MS);
  afterAll(async () => {
    killWorkers();
    await redis?.stop();
  });

  it('reached Redis over TLS (rediss://) from the worker and the producer', () => {
    expect(redis.url).toMatch(/^rediss:\/\/localhost:\d+$/);
    expect(worker.events().find((e) => e.ev === 'start')!.redis).toBe(redis.url);
    expect(result.jobs.map((j) => path.basename(j.audio))).toEqual(['mapped.wav', 'unseen.wav']);
  });

  it("wrote the mapped line's layer at the worker's mount point, and nothing at the producer's", () => {
    expect(result.done).toBe(1);
    expect(readdirSync(path.join(workerMount, 'out')).sort()).toEqual(['mapped.report.json', 'mapped.usda', 'unseen.error.json']);
    expect(existsSync(path.join(producerMount, 'out'))).toBe(false);
    checkLayer(path.join(workerMount, 'out', 'mapped.usda'));
  });

  it('failed the line the worker cannot see, naming the path it looked for and --path-map as the fix; --wait exits 1', () => {
    expect(add.code).toBe(1);
    expect(result.ok).toBe(false);
    const [f] = result.failed;
    // The job names the file as the producer added it; the message, where the worker looked.
    expect(f).toMatchObject({ code: 'AUDIO_NOT_FOUND', audio: path.join(producerMount, 'in', 'unseen.wav') });
    expect(f!.message).toContain(path.join(workerMount, 'in', 'unseen.wav'));
    expect(f!.fix).toMatch(/--path-map/);
    expect(add.stderr).toContain('AUDIO_NOT_FOUND');
    const e = readJson<{ code: string; why: string; fix: string }>(path.join(workerMount, 'out', 'unseen.error.json'));
    expect(e.code).toBe('AUDIO_NOT_FOUND');
    expect(e.why).toContain(path.join(workerMount, 'in', 'unseen.wav'));
    expect(worker.events().filter((ev) => ev.ev === 'retry')).toEqual([]);
  });

  it(
    'wrote a layer real Pixar USD opens',
    async () => {
      const r = await usdReadback(path.join(workerMount, 'out', 'mapped.usda'), [CHARACTER]);
      expect({ ok: r.ok, errors: r.errors }).toEqual({ ok: true, errors: [] });
    },
    HOOK_HANG_MS,
  );
});
