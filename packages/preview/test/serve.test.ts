import { existsSync, mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, speechWav, tempDir } from '@a2f/test-utils';
import { startReviewServer, type ReviewLine, type ReviewServer } from '../src/index.js';
import { fixtureLayer } from './serve-fixture.js';

/** A raw GET: the path goes out as written (fetch would resolve "..") and the Host header can be chosen. */
function rawGet(server: ReviewServer, pathname: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathname, method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

const at = (file: string, iso: string) => utimesSync(file, new Date(iso), new Date(iso));

describe('review server', () => {
  const root = tempDir('review');
  const outside = path.join(tempDir('review-outside'), 'secret.txt');
  let server: ReviewServer;
  let lines: ReviewLine[];

  beforeAll(async () => {
    writeFileSync(outside, 'not for the network\n');
    // A line done by a run, in a subfolder as a path template writes it.
    mkdirSync(path.join(root, 'shot1'));
    fixtureLayer(path.join(root, 'shot1', 'take.usda'));
    // The audio the run read: the page plays it (the layer records no hash, so any file will do).
    const audio = path.join(tempDir('review-inbox'), 'take.wav');
    writeFileSync(audio, speechWav(140, 0.1));
    const report = { audio, layers: ['take.usda'], frames: 3, fps: { num: 30, den: 1 }, durationSeconds: 0.1, model: 'default' };
    writeFileSync(path.join(root, 'shot1', 'take.report.json'), JSON.stringify(report));
    at(path.join(root, 'shot1', 'take.usda'), '2026-01-01T10:00:00Z');
    // A line the watch folder failed: only its error file.
    writeFileSync(
      path.join(root, 'broken.error.json'),
      JSON.stringify({ code: 'AUDIO_DECODE', why: 'broken.wav: the data chunk ends early', fix: 'Export the file again.' }),
    );
    at(path.join(root, 'broken.error.json'), '2026-01-01T12:00:00Z');
    // Failed after an earlier success (the error is newer), and fixed after a failure (the layer is newer).
    fixtureLayer(path.join(root, 'redo.usda'));
    writeFileSync(path.join(root, 'redo.error.json'), JSON.stringify({ code: 'ENOSPC', why: 'no space left', fix: 'Free space.' }));
    at(path.join(root, 'redo.usda'), '2026-01-01T08:00:00Z');
    at(path.join(root, 'redo.error.json'), '2026-01-01T09:00:00Z');
    writeFileSync(path.join(root, 'fixed.error.json'), JSON.stringify({ code: 'X', why: 'old failure' }));
    fixtureLayer(path.join(root, 'fixed.usda'));
    at(path.join(root, 'fixed.error.json'), '2026-01-01T06:00:00Z');
    at(path.join(root, 'fixed.usda'), '2026-01-01T07:00:00Z');
    // Not lines: a temporary file of an atomic write, a hidden folder, a link out of the folder.
    writeFileSync(path.join(root, '.half.usda.123.tmp'), '');
    mkdirSync(path.join(root, '.hidden'));
    fixtureLayer(path.join(root, '.hidden', 'ghost.usda'));
    symlinkSync(outside, path.join(root, 'leak.txt'));
    // A running watcher: one line in progress (an output it writes again) and one queued.
    mkdirSync(path.join(root, '.a2f-watch', 'status'), { recursive: true });
    const status = (updatedAt: string, out: string, queued: string[]) => ({
      v: 1,
      instance: 'w',
      stopped: false,
      updatedAt,
      inProgress: [{ path: `${out}.wav`, since: '2026-01-01T13:00:00Z', attempt: 1, out, stage: 'infer' }],
      queued,
      waiting: [],
    });
    writeFileSync(
      path.join(root, '.a2f-watch', 'status', 'w.json'),
      JSON.stringify(status(new Date().toISOString(), 'redo', ['shot2/new.wav'])),
    );
    // A watcher that died an hour ago says nothing.
    const dead = status(new Date(Date.now() - 3_600_000).toISOString(), 'fixed', ['shot3/old.wav']);
    writeFileSync(path.join(root, '.a2f-watch', 'status', 'dead.json'), JSON.stringify(dead));

    server = await startReviewServer({ folder: root, port: 0 });
    lines = ((await (await fetch(`${server.url}api/lines`)).json()) as { lines: ReviewLine[] }).lines;
  });
  afterAll(async () => {
    await server?.close();
    removeTempDirs();
  });

  it('listens on 127.0.0.1 unless told otherwise', () => {
    expect(server.host).toBe('127.0.0.1');
    expect(server.local).toBe(true);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
  });

  it('lists every line, newest first, with status, frames and model', () => {
    expect(lines.map((l) => [l.id, l.status])).toEqual([
      ['pending:shot2/new.wav', 'pending'],
      ['redo', 'running'],
      ['broken', 'failed'],
      ['shot1/take', 'done'],
      ['fixed', 'done'],
    ]);
    const take = lines.find((l) => l.id === 'shot1/take')!;
    expect(take).toMatchObject({ name: 'take', dir: 'shot1', frames: 3, fps: 30, model: 'default', audio: 'take.wav' });
    expect(take).toMatchObject({ layer: 'shot1/take.usda', page: 'missing', when: '2026-01-01T10:00:00.000Z' });
    // No report beside it: the frames come from the layer's time codes.
    expect(lines.find((l) => l.id === 'fixed')).toMatchObject({ frames: 3, model: null });
    expect(lines.find((l) => l.id === 'redo')).toMatchObject({ stage: 'infer', when: '2026-01-01T13:00:00Z', layer: 'redo.usda' });
    expect(lines.find((l) => l.id === 'pending:shot2/new.wav')).toMatchObject({ name: 'shot2/new.wav', layer: null });
  });

  it("gives a failed line its error file's code, message and fix", () => {
    expect(lines.find((l) => l.id === 'broken')).toMatchObject({
      status: 'failed',
      layer: null,
      error: { code: 'AUDIO_DECODE', message: 'broken.wav: the data chunk ends early', fix: 'Export the file again.' },
    });
  });

  it('serves the review page under a policy that allows its own origin only', async () => {
    const r = await fetch(server.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-security-policy')).toMatch(/^default-src 'none';.*connect-src 'self'.*frame-ancestors 'none'$/);
    expect(await r.text()).toContain('/api/events');
  });

  it('serves files under the folder only: no "..", no dot names, no links out, no folders', async () => {
    const ok = await rawGet(server, '/files/shot1/take.report.json');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).frames).toBe(3);
    expect(ok.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    for (const p of [
      '/files/../review-outside/secret.txt',
      '/files/shot1/../../secret.txt',
      '/files/%2e%2e/secret.txt',
      '/files/shot1%2f..%2f..%2fsecret.txt',
      '/files/leak.txt',
      '/files/.a2f-watch/status/w.json',
      '/files/shot1',
      '/files/',
      '/preview/../shot1/take',
    ]) {
      const r = await rawGet(server, p);
      expect([p, r.status]).toEqual([p, 404]);
      expect(r.body).not.toContain('not for the network');
    }
  });

  it('answers GET and HEAD only, and only for its own host names', async () => {
    const post = await rawGet(server, '/api/lines', {}, 'POST');
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const rebound = await rawGet(server, '/api/lines', { host: `attacker.example:${server.port}` });
    expect(rebound.status).toBe(403);
    expect((await rawGet(server, '/api/lines', { host: `localhost:${server.port}` })).status).toBe(200);
  });

  it('makes a missing page on first open, beside the layer, and serves it under its own policy', async () => {
    const r = await fetch(`${server.url}preview/shot1/take`);
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('id="a2f-data"');
    expect(r.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval';.*media-src blob: data:/,
    );
    expect(existsSync(path.join(root, 'shot1', 'take.preview.html'))).toBe(true);
    const again = ((await (await fetch(`${server.url}api/lines`)).json()) as { lines: ReviewLine[] }).lines;
    expect(again.find((l) => l.id === 'shot1/take')!.page).toBe('ready');
    // Its audio lost (no report names it): a silent page, from memory, so a later open can still find the sound.
    const silent = await fetch(`${server.url}preview/fixed`);
    expect(silent.status).toBe(200);
    expect(await silent.text()).toContain('id="a2f-data"');
    expect(existsSync(path.join(root, 'fixed.preview.html'))).toBe(false);
    // A line with no layer has no page to open.
    expect((await fetch(`${server.url}preview/broken`)).status).toBe(404);
  });

  it('makes the page again when the layer is newer than it', async () => {
    const layer = path.join(root, 'shot1', 'take.usda');
    const page = path.join(root, 'shot1', 'take.preview.html');
    writeFileSync(page, '<!doctype html><title>old page</title>');
    at(page, '2026-01-01T10:00:00Z');
    at(layer, '2026-01-01T11:00:00Z');
    const before = ((await (await fetch(`${server.url}api/lines`)).json()) as { lines: ReviewLine[] }).lines;
    expect(before.find((l) => l.id === 'shot1/take')!.page).toBe('stale');
    const html = await (await fetch(`${server.url}preview/shot1/take`)).text();
    expect(html).toContain('id="a2f-data"');
    expect(readFileSync(page, 'utf8')).toBe(html);
    // HEAD says what GET would send, without the page.
    const head = await fetch(`${server.url}preview/shot1/take`, { method: 'HEAD' });
    expect([head.status, Number(head.headers.get('content-length'))]).toEqual([200, Buffer.byteLength(html)]);
  });

  it('says why when a page cannot be made', async () => {
    // A USD file with no animation (a character copied into the folder, say) is listed, but has nothing to play.
    writeFileSync(path.join(root, 'still.usda'), '#usda 1.0\n');
    const r = await fetch(`${server.url}preview/still`);
    expect(r.status).toBe(500);
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none'");
    const body = await r.text();
    expect(body).toContain('NO_ANIMATION');
    expect(body).toContain(`${path.join(root, 'still.usda')}: `);
  });

  it('tells open pages when a layer lands, over its event stream', async () => {
    const got = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: server.port, path: '/api/events' }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
          // The stream is open: a layer lands now, and the next event must say so.
          if (text.startsWith('retry:') && !existsSync(path.join(root, 'late.usda'))) fixtureLayer(path.join(root, 'late.usda'));
          if (text.includes('event: lines')) {
            req.destroy();
            resolve(text);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(got).toMatch(/event: lines\ndata: \{"at":"[^"]+"\}\n\n/);
    const after = ((await (await fetch(`${server.url}api/lines`)).json()) as { lines: ReviewLine[] }).lines;
    expect(after.find((l) => l.id === 'late')).toMatchObject({ status: 'done', page: 'missing' });
  });

  it('refuses a folder that is not there, naming it', async () => {
    const missing = path.join(root, 'nope');
    await expect(startReviewServer({ folder: missing, port: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION', file: missing });
  });

  it('says which port is taken', async () => {
    await expect(startReviewServer({ folder: root, port: server.port })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      problem: expect.stringContaining(`cannot listen on 127.0.0.1:${server.port} (EADDRINUSE)`),
    });
  });
});
