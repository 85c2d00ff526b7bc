// The review server in headless Chromium (issue 11): `a2f preview --serve` started as a user starts it,
// its page shows the lines already in the folder (a subfolder's too, and a failed one), lists a layer
// written after it opened without a reload (the folder watcher's event reaches the page), and its link
// opens that line's preview, made on first open, until the page says it is ready (docs/review-server.md).
/// <reference lib="dom" />
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '@a2f/preview';
import { CHARACTER, CLI, DIALOGUE, ROOT, runCli, tempDir } from './helpers.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;

declare global {
  interface Window {
    a2fPreviewReady?: boolean;
    a2fPreviewError?: string;
  }
}

/** A limit against a hang only: each wait is for something the page shows, never for time to pass. */
const HANG_MS = 120_000;

let browser: Browser;
let server: ChildProcess;
let serverExit: Promise<number | null>;
let url: string;
const folder = tempDir('preview-serve');

beforeAll(async () => {
  // A line done before the server starts, in a subfolder as a path template writes it, and one the
  // watch folder failed (its error file, as the watcher writes it).
  const first = await runCli([
    'run',
    path.join(DIALOGUE, 'line01_hello.wav'),
    '--character',
    CHARACTER,
    '--out',
    path.join(folder, 'shotA'),
  ]);
  expect(first.code, first.stderr).toBe(0);
  writeFileSync(
    path.join(folder, 'broken.error.json'),
    JSON.stringify({ audio: 'broken.wav', code: 'AUDIO_DECODE', why: 'broken.wav: the data chunk ends early', fix: 'Export it again.' }),
  );

  server = spawn(process.execPath, [CLI, 'preview', '--serve', folder, '--port', '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  serverExit = new Promise((resolve) => server.on('exit', (code) => resolve(code)));
  let stderr = '';
  server.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /^(http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]!);
    });
    server.on('exit', (code) => reject(new Error(`a2f preview --serve exited (${code}) before printing its URL: ${stderr}`)));
  });
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) server.kill('SIGKILL');
});

describe('a2f preview --serve', () => {
  it('lists the folder, shows a layer that lands after it opened, and opens its preview', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);

    // The lines already there.
    await page.waitForSelector('tr[data-id="shotA/line01_hello"][data-status="done"]', { timeout: HANG_MS });
    const failed = page.locator('tr[data-id="broken"][data-status="failed"]');
    await failed.waitFor({ timeout: HANG_MS });
    expect(await failed.textContent()).toContain('AUDIO_DECODE: broken.wav: the data chunk ends early');
    // The event stream is open (an event before that is covered: opening it reads the lines again).
    await page.waitForSelector('#live.on', { timeout: HANG_MS });

    // A layer written after the page opened: the row appears with no reload.
    const navigations: string[] = [];
    page.on('framenavigated', (f) => navigations.push(f.url()));
    const late = await runCli(['run', path.join(DIALOGUE, 'line02_papa.wav'), '--character', CHARACTER, '--out', folder]);
    expect(late.code, late.stderr).toBe(0);
    const row = page.locator('tr[data-id="line02_papa"][data-status="done"]');
    await row.waitFor({ timeout: HANG_MS });
    expect(navigations).toEqual([]);
    // Newest first: the late line leads the table.
    expect(await page.locator('tbody tr').first().getAttribute('data-id')).toBe('line02_papa');
    expect(problems).toEqual([]);

    // Its link opens the preview, made on first open (the run wrote no page), until the page is ready.
    expect(existsSync(path.join(folder, 'line02_papa.preview.html'))).toBe(false);
    await row.locator('a').click();
    await page.waitForFunction(() => window.a2fPreviewReady === true || window.a2fPreviewError !== undefined, undefined, {
      timeout: HANG_MS,
    });
    expect(await page.evaluate(() => window.a2fPreviewError ?? null)).toBeNull();
    expect(page.url()).toBe(`${url}preview/line02_papa`);
    expect(existsSync(path.join(folder, 'line02_papa.preview.html'))).toBe(true);
    await page.close();
  });

  it('stops cleanly on SIGINT', async () => {
    server.kill('SIGINT');
    expect(await serverExit).toBe(0);
  });
});
