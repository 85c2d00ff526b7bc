import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { listPacks, loadNvidiaPack, pullPack, type PullProgress } from '../src/index.js';
import { knownEntry, servePack, type PackServer } from './models-server.js';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { packCopy } from './pack-helpers.js';

afterAll(removeTempDirs);

let server: PackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const made = packCopy('mark');
const known = [knownEntry(made)];
const fast = { retryDelayMs: 5 };
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('pullPack from a loopback server', () => {
  it('downloads, verifies every file by SHA-256, loads, and installs the folder whole', async () => {
    server = await servePack(made);
    const packsDir = tempDir();
    const progress: PullProgress[] = [];
    const result = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, onProgress: (p) => progress.push(p), ...fast });
    expect(result.dir).toBe(path.join(packsDir, 'testmark'));
    expect(result.alreadyInstalled).toBe(false);
    expect(result.files.map((f) => f.path).sort()).toEqual(known[0].files.map((f) => f.path).sort());
    for (const f of result.files) {
      expect(f.checkedBy).toBe('sha256');
      expect(sha(path.join(result.dir, f.path))).toBe(made.files[f.path].sha256);
    }
    // Every file went through the /resolve/<revision>/ URL and its redirect.
    expect(server.log.filter((r) => r.url.includes('/resolve/')).length).toBe(known[0].files.length);
    expect(
      progress.some((p) => p.phase === 'download' && p.file === 'model_data.npz' && p.received === made.files['model_data.npz'].size),
    ).toBe(true);
    expect(progress.at(-1)!.phase).toBe('install');
    expect(existsSync(path.join(packsDir, '.partial', 'testmark'))).toBe(false);
    await loadNvidiaPack(result.dir);
    expect(listPacks(packsDir, known)).toEqual([expect.objectContaining({ name: 'testmark', installed: true, status: 'verified' })]);

    const again = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, ...fast });
    expect(again.alreadyInstalled).toBe(true);
  });

  it('resumes a dropped connection with a Range request in the same pull', async () => {
    server = await servePack(made, { drop: { file: 'bs_skin.npz', after: 50_000, times: 1 } });
    const packsDir = tempDir();
    const result = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, ...fast });
    const skin = result.files.find((f) => f.path === 'bs_skin.npz')!;
    expect(skin.requests).toBe(2);
    const ranges = server.log.filter((r) => r.url.endsWith('bs_skin.npz') && r.url.startsWith('/cdn/')).map((r) => r.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges[1]).toMatch(/^bytes=\d+-$/);
    expect(Number(/=(\d+)-/.exec(ranges[1]!)![1])).toBeGreaterThan(0);
    expect(sha(path.join(result.dir, 'bs_skin.npz'))).toBe(made.files['bs_skin.npz'].sha256);
  });

  it('a failed pull keeps its .part; the next pull resumes it', async () => {
    server = await servePack(made, { drop: { file: 'model_data.npz', after: 20_000, times: 1 } });
    const packsDir = tempDir();
    await expect(pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, retries: 0, ...fast })).rejects.toThrow(
      /download failed after 1 attempts.*resumes from the \d+ bytes kept in .*model_data\.npz\.part/,
    );
    expect(existsSync(path.join(packsDir, 'testmark'))).toBe(false);
    expect(listPacks(packsDir, known)[0]).toMatchObject({ status: 'partial', installed: false });
    expect(listPacks(packsDir, known)[0].partialBytes).toBeGreaterThan(0);

    const result = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, retries: 0, ...fast });
    const data = result.files.find((f) => f.path === 'model_data.npz')!;
    expect(data.resumedFrom).toBeGreaterThan(0);
    expect(server.log.filter((r) => r.url === '/cdn/model_data.npz').at(-1)!.range).toBe(`bytes=${data.resumedFrom}-`);
    expect(sha(path.join(result.dir, 'model_data.npz'))).toBe(made.files['model_data.npz'].sha256);
  });

  for (const prefixOnly of [false, true]) {
    it(`a corrupted byte fails verification (${prefixOnly ? 'SHA-256 prefix' : 'full SHA-256'}) and installs nothing`, async () => {
      const entry = [knownEntry(made, 'testmark', { prefixOnly })];
      server = await servePack(made, { corrupt: { file: 'bs_skin.npz', at: 1234 } });
      const packsDir = tempDir();
      const err = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known: entry, ...fast }).then(
        () => null,
        (e: Error & { code?: string }) => e,
      );
      expect(err?.code).toBe('PACK_HASH');
      const want = prefixOnly ? `${made.files['bs_skin.npz'].sha256.slice(0, 8)}…` : made.files['bs_skin.npz'].sha256;
      expect(err?.message).toMatch(
        new RegExp(
          `bs_skin\\.npz: SHA-256 is [0-9a-f]{64}, expected ${want} for Test mark bs_skin\\.npz ` +
            `at revision 0123456789ab .*the corrupt file was deleted and nothing was installed`,
        ),
      );
      expect(readdirSync(packsDir)).toEqual(['.partial']);
      expect(existsSync(path.join(packsDir, '.partial', 'testmark', 'bs_skin.npz'))).toBe(false);
      expect(existsSync(path.join(packsDir, '.partial', 'testmark', 'bs_skin.npz.part'))).toBe(false);
      expect(listPacks(packsDir, entry)[0].status).not.toBe('verified');

      // Once the server is healthy the next pull refetches the corrupt file and the ones not reached yet,
      // never the files verified before the failure.
      server.behaviour = {};
      const before = server.log.length;
      const result = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known: entry, ...fast });
      const order = entry[0].files.map((f) => f.path);
      const fetched = server.log
        .slice(before)
        .filter((r) => r.url.startsWith('/cdn/'))
        .map((r) => r.url.slice(5));
      expect(fetched).toEqual(order.slice(order.indexOf('bs_skin.npz')));
      expect(result.files.find((f) => f.path === 'bs_skin.npz')!.checkedBy).toBe(prefixOnly ? 'sha256-prefix' : 'sha256');
    });
  }

  it('tolerates a missing optional file, fails on a missing required one, explains a gated repo', async () => {
    server = await servePack(made, { missing: ['trt_info.json'] });
    let packsDir = tempDir();
    const result = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, ...fast });
    expect(result.notes).toContain('trt_info.json: not on the server (optional, only used to build a TensorRT engine)');

    server.behaviour = { missing: ['implicit_emo_db.npz'] };
    packsDir = tempDir();
    await expect(pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, ...fast })).rejects.toThrow(
      /implicit_emo_db\.npz: HTTP 404/,
    );
    expect(existsSync(path.join(packsDir, 'testmark'))).toBe(false);

    server.behaviour = { token: 'sekrit' };
    packsDir = tempDir();
    await expect(pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, ...fast })).rejects.toThrow(
      /HTTP 401.*gated: accept the licence/,
    );
    const ok = await pullPack('testmark', { packsDir, baseUrl: server.baseUrl, known, token: 'sekrit', ...fast });
    expect(ok.alreadyInstalled).toBe(false);
  });

  it('stops on abort, keeping what it has', async () => {
    server = await servePack(made);
    const packsDir = tempDir();
    const ctl = new AbortController();
    const p = pullPack('testmark', {
      packsDir,
      baseUrl: server.baseUrl,
      known,
      signal: ctl.signal,
      ...fast,
      onProgress: (pr) => {
        if (pr.file === 'bs_skin.npz' && pr.phase === 'download') ctl.abort();
      },
    });
    await expect(p).rejects.toThrow(/abort/i);
    expect(existsSync(path.join(packsDir, 'testmark'))).toBe(false);
    expect(existsSync(path.join(packsDir, '.partial', 'testmark'))).toBe(true);
  });

  it('rejects an unknown pack name, listing the known ones', async () => {
    await expect(pullPack('marc', { packsDir: tempDir(), known })).rejects.toThrow(/marc: is not a known pack\. Use one of: testmark\./);
  });
});
