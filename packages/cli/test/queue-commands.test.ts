import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startWorker } from '@a2f/queue';
import { startRedis, tempDir, type TestRedis } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/index.js';

const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');

let redis: TestRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  try {
    return { code: await main(argv), out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('a2f queue', () => {
  it('add --wait follows the lines to the end: 0 when all were written, 1 with the failures and their fixes', async () => {
    const root = tempDir('farm');
    mkdirSync(path.join(root, 'in'));
    const good = path.join(root, 'in', 'line02_papa.wav');
    copyFileSync(path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav'), good);
    const bad = path.join(root, 'in', 'broken.wav');
    writeFileSync(bad, 'RIFF but not really');
    const character = path.join(root, 'face.usda');
    copyFileSync(path.join(SAMPLES_DIR, 'character', 'face.usda'), character);
    const out = path.join(root, 'out');
    const common = ['--redis', redis.url, '--queue', 'cli', '--character', character, '--out', out];
    const worker = await startWorker({ redis: redis.url, queue: 'cli', allowRoots: [root] });
    try {
      const ok = await run(['queue', 'add', good, ...common, '--wait', '--json']);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.out)).toMatchObject({ ok: true, done: 1, failed: [], jobs: [{ audio: good, added: true }] });
      const again = await run(['queue', 'add', good, ...common]);
      expect(again.code).toBe(0);
      expect(again.out).toMatch(/^[0-9a-f]{64} {2}known {3}line02_papa\.wav\n$/);
      const failed = await run(['queue', 'add', bad, ...common, '--wait']);
      expect(failed.code).toBe(1);
      expect(failed.err).toMatch(/FAIL {4}.*broken\.wav: \[\w+\]/);
      expect(failed.err).toMatch(/fix: /);
      expect(failed.err).toContain('1 line(s): 0 written, 1 failed');
    } finally {
      await worker.close();
    }
    const status = await run(['queue', 'status', '--redis', redis.url, '--queue', 'cli', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.out) as { counts: Record<string, number>; failures: { audio: string; fix: string }[] };
    expect(s.counts).toMatchObject({ done: 1, failed: 1 });
    expect(s.failures).toMatchObject([{ audio: bad }]);
    const human = await run(['queue', 'status', '--redis', redis.url, '--queue', 'cli']);
    expect(human.out).toContain('done 1, failed 1');
    expect(human.out).toContain('broken.wav');
    const cleaned = await run(['queue', 'clean', '--redis', redis.url, '--queue', 'cli', '--json']);
    expect(JSON.parse(cleaned.out)).toEqual({ ok: true, removed: { failed: 1, done: 0 } });
  });

  it('a Redis that does not answer, a missing file, a worker without roots: exit 2 with the fix', async () => {
    const dead = 'redis://:pw@127.0.0.1:9';
    const add = await run(['queue', 'add', 'x.wav', '--redis', dead, '--character', 'c.usda', '--out', tempDir('o'), '--json']);
    expect(add.code).toBe(2);
    expect(JSON.parse(add.out)).toMatchObject({ ok: false, error: { code: 'REDIS_UNREACHABLE' } });
    expect(add.out).not.toContain(':pw@');
    // With Redis there, a file that is not is named.
    const missing = await run([
      'queue',
      'add',
      'nope.wav',
      '--redis',
      redis.url,
      '--queue',
      'cli2',
      '--character',
      'c.usda',
      '--out',
      tempDir('o'),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${path.resolve('nope.wav')}: cannot be read (ENOENT)`);
    const worker = await run(['worker', '--redis', dead]);
    expect(worker.code).toBe(2);
    expect(worker.err).toContain('--allow-root');
  });
});
