import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { removeTempDirs, tempDir, waitFor } from '@a2f/test-utils';
import { parseSize } from '../src/commands/playblast.js';
import { main } from '../src/index.js';
import { shownPath } from '../src/shown-path.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');
const CHARACTER = path.join(SAMPLES_DIR, 'character', 'face.usda');
const LINE = path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav');

/** Runs main() with stdout and stderr captured. */
async function a2f(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => err.push(String(s)) > 0);
  try {
    const code = await main(argv);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

afterAll(removeTempDirs);

describe('a2f preview', () => {
  const work = tempDir('cli-preview');
  const runOut = path.join(work, 'run');
  const layer = path.join(runOut, 'line02_papa.usda');

  beforeAll(async () => {
    // An audio input runs the line as a2f run does, with the page on.
    const r = await a2f(['preview', LINE, '--character', CHARACTER, '-o', runOut]);
    expect(r.code, r.err).toBe(0);
    expect(r.err).toContain(`line02_papa.usda + ${shownPath(path.join(runOut, 'line02_papa.preview.html'))}`);
    expect(r.err).toContain(pathToFileURL(path.join(runOut, 'line02_papa.preview.html')).href);
  });

  it('runs an audio input with the run flags and writes its page beside the layer', () => {
    expect(readdirSync(runOut).sort()).toEqual(['line02_papa.preview.html', 'line02_papa.report.json', 'line02_papa.usda']);
    expect(JSON.parse(readFileSync(path.join(runOut, 'line02_papa.report.json'), 'utf8')).preview).toBe('line02_papa.preview.html');
  });

  it('writes the page of a layer where --out says and prints its path and file:// URL', async () => {
    const page = path.join(work, 'pages', 'deep', 'papa.html');
    const r = await a2f(['preview', layer, '--out', page, '--json']);
    expect(r.code, r.err).toBe(0);
    const json = JSON.parse(r.out);
    expect(json.pages).toHaveLength(1);
    expect(json.pages[0]).toMatchObject({ layer, file: page, url: pathToFileURL(page).href, frames: 75 });
    expect(readFileSync(page, 'utf8')).toContain('id="a2f-data"');
    const plain = await a2f(['preview', layer, '--no-audio']);
    expect(plain.code, plain.err).toBe(0);
    expect(plain.out).toContain(pathToFileURL(path.join(runOut, 'line02_papa.preview.html')).href);
    expect(plain.err).toContain('note: no audio');
  });

  it('refuses what is neither a layer nor audio, and options that do not fit, with exit 2', async () => {
    const notes = path.join(work, 'notes.txt');
    writeFileSync(notes, 'hello');
    const cases: [string[], string][] = [
      [['preview', notes], `${notes}: is neither a layer (.usda, .usdc, .usdz, .usd) nor audio`],
      [['preview', path.join(work, 'gone.usda')], `${path.join(work, 'gone.usda')}: does not exist`],
      [['preview'], 'name a layer or an audio file to preview, or --serve <folder>'],
      [['preview', layer, '--serve', work], '--serve reviews a folder; leave out the inputs'],
      [['preview', LINE, '--no-audio', '--character', CHARACTER, '-o', runOut], '--audio and --no-audio are for layers'],
      [['preview', LINE, '-o', runOut], '--character: is missing'],
      [['preview', '--serve', path.join(work, 'nowhere')], `${path.join(work, 'nowhere')}: does not exist`],
    ];
    for (const [argv, message] of cases) {
      const r = await a2f(argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
      expect(r.err).toContain(`a2f preview: ${message}`);
    }
  });

  it('--serve prints its URL on 127.0.0.1, lists the folder, and stops on SIGINT', async () => {
    const running = a2f(['preview', '--serve', runOut, '--port', '0']);
    let url = '';
    // The command prints its URL once it listens; the capture is in place until it returns.
    await waitFor(() => {
      const calls = (process.stdout.write as unknown as { mock?: { calls: unknown[][] } }).mock?.calls ?? [];
      url = calls.map((c) => String(c[0])).find((s) => s.startsWith('http://')) ?? '';
      return url !== '';
    }, 'the review URL');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\n$/);
    const lines = (await (await fetch(`${url.trim()}api/lines`)).json()) as { lines: { id: string; status: string; page: string }[] };
    expect(lines.lines).toEqual([expect.objectContaining({ id: 'line02_papa', status: 'done', page: 'ready' })]);
    process.emit('SIGINT');
    const r = await running;
    expect(r.code).toBe(0);
    await expect(fetch(`${url.trim()}api/lines`)).rejects.toThrow();
  });

  it('--serve on another interface warns that the network can read the folder', async () => {
    const running = a2f(['preview', '--serve', runOut, '--port', '0', '--host', '0.0.0.0']);
    await waitFor(() => {
      const calls = (process.stderr.write as unknown as { mock?: { calls: unknown[][] } }).mock?.calls ?? [];
      return calls.some((c) => String(c[0]).includes('reviewing'));
    }, 'the server to start');
    process.emit('SIGTERM');
    const r = await running;
    expect(r.code).toBe(0);
    expect(r.err).toContain('warning: serving on 0.0.0.0, so anyone who can reach this machine on that network can read');
  });
});

describe('a2f playblast', () => {
  it('reads --size as WIDTHxHEIGHT', () => {
    expect(parseSize('1280x720')).toEqual([1280, 720]);
    expect(parseSize(' 640 X 360 ')).toEqual([640, 360]);
    expect(parseSize('1280')).toBeNull();
    expect(parseSize('-2x4')).toBeNull();
    expect(parseSize('1.5x2')).toBeNull();
  });

  it('refuses a bad size, an odd size, an unknown view and a missing destination before rendering, with exit 2', async () => {
    const layer = path.join(tempDir('cli-playblast'), 'take.usda');
    writeFileSync(layer, '#usda 1.0\n');
    const cases: [string[], string][] = [
      [['playblast', layer, '-o', 'x.mp4', '--size', 'big'], '--size "big" is not WIDTHxHEIGHT'],
      [['playblast', layer, '-o', 'x.mp4', '--size', '641x360'], 'size 641x360 has an odd side'],
      [['playblast', layer, '-o', 'x.mp4', '--view', 'top'], 'Invalid values'],
      [['playblast', layer], 'a playblast needs somewhere to go'],
      [['playblast', layer, '-o', 'x.mov'], 'does not end in .mp4'],
    ];
    for (const [argv, message] of cases) {
      const r = await a2f(argv);
      expect([argv.join(' '), r.code]).toEqual([argv.join(' '), 2]);
      expect(r.err).toContain(message);
    }
  });

  it('renders a layer to PNG frames through the library (Chromium must be installed)', async () => {
    const work = tempDir('cli-playblast-frames');
    const out = path.join(work, 'run');
    expect((await a2f(['run', LINE, '--character', CHARACTER, '-o', out])).code).toBe(0);
    const frames = path.join(work, 'frames');
    const r = await a2f(['playblast', path.join(out, 'line02_papa.usda'), '--frames', frames, '--size', '64x48', '--json']);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, framesDir: frames, frames: 75, fps: 30 });
    expect(readdirSync(frames)).toHaveLength(75);
    expect(existsSync(path.join(frames, 'frame_00074.png'))).toBe(true);
  });
});
