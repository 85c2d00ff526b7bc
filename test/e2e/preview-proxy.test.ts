// The preview page's playback proxy in headless Chromium (docs/preview.md, "The page"): a mesh above
// the triangle budget draws a simplified index buffer over its own points while playing, and only
// then; the sample face is under the default budget, so the test lowers it through
// a2fPreview.setProxyBudget. The simplifier is WebAssembly, which the page's policy must allow
// ('wasm-unsafe-eval') without a console error.
/// <reference lib="dom" />
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type PreviewApi, writePreview } from '@a2f/preview';
import { CHARACTER, DIALOGUE, runCli, tempDir } from './helpers.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

declare global {
  interface Window {
    a2fPreview: PreviewApi;
    a2fPreviewReady?: boolean;
    a2fPreviewError?: string;
  }
}

let browser: Browser;
let pageFile: string;

beforeAll(async () => {
  browser = await launchChromium();
  const out = tempDir('preview-proxy');
  const r = await runCli(['run', path.join(DIALOGUE, 'line02_papa.wav'), '--character', CHARACTER, '--out', out]);
  expect(r.code).toBe(0);
  pageFile = (await writePreview(path.join(out, 'line02_papa.usda'))).file;
});

afterAll(async () => {
  await browser?.close();
});

async function open(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 960, height: 700 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    // SwiftShader's notes about its own read-backs are Chromium's, not the page's (as in preview-page.test.ts).
    if ((m.type() === 'error' || m.type() === 'warning') && !/^\[\.WebGL-[^\]]*\]GL Driver Message \(OpenGL, Performance/.test(m.text())) {
      problems.push(`${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await page.goto(`file://${pageFile}`);
  await page.waitForFunction(() => window.a2fPreviewReady === true || window.a2fPreviewError !== undefined);
  expect(await page.evaluate(() => window.a2fPreviewError ?? null)).toBeNull();
  return { page, problems };
}

/** The mouth rectangle's RGB pixels as the canvas holds them now (no new draw). */
function mouthPixels(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const r = window.a2fPreview.mouthRect();
    const canvas = document.querySelector('canvas')!;
    const k = canvas.width / canvas.clientWidth;
    const [x, y, w, h] = [Math.floor(r.x * k), Math.floor(r.y * k), Math.ceil(r.width * k), Math.ceil(r.height * k)];
    const copy = document.createElement('canvas');
    copy.width = w;
    copy.height = h;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, x, y, w, h, 0, 0, w, h);
    return Array.from(ctx.getImageData(0, 0, w, h).data);
  });
}

/** Mean absolute difference per pixel, 0–255, RGB averaged. */
function meanDifference(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  let sum = 0;
  for (let i = 0; i < a.length; i += 4)
    sum += (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!)) / 3;
  return sum / (a.length / 4);
}

/** Plays frame `f` over and over (a one-frame loop) until the proxy has drawn it, then reads the mouth. */
async function proxyPixelsAt(page: Page, f: number): Promise<number[]> {
  await page.evaluate((frame) => {
    const api = window.a2fPreview;
    api.setFrame(frame);
    api.setLoop(frame, frame, true);
    return api.play();
  }, f);
  await page.waitForFunction(() => window.a2fPreview.state().proxy);
  // Two animation frames: the proxy's pose has been drawn, not only chosen.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  const pixels = await mouthPixels(page);
  expect(await page.evaluate(() => window.a2fPreview.state().frame)).toBe(f);
  return pixels;
}

const labelShown = (page: Page) => page.evaluate(() => !document.querySelector<HTMLElement>('.proxy-label')!.hidden);

describe('the playback proxy', () => {
  it('stays off for the sample face at the default budget, playing included', async () => {
    const { page, problems } = await open();
    const info = await page.evaluate(() => window.a2fPreview.info());
    expect(info.meshes.every((m) => m.proxyTriangles === null)).toBe(true);
    await page.evaluate(() => window.a2fPreview.play());
    await page.waitForFunction(() => window.a2fPreview.state().frame > 5);
    expect(await page.evaluate(() => window.a2fPreview.state())).toMatchObject({ playing: true, proxy: false });
    expect(await labelShown(page)).toBe(false);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('draws only while playing, with its label, and shows the mouth opening; paused, stepped or seeked it is the full mesh', async () => {
    const { page, problems } = await open();
    await page.evaluate(() => window.a2fPreview.setProxyBudget(600));
    const info = await page.evaluate(() => window.a2fPreview.info());
    const face = info.meshes.find((m) => m.role === 'face')!;
    expect(face.triangles).toBeGreaterThan(600);
    expect(face.proxyTriangles).toBeGreaterThan(300);
    expect(face.proxyTriangles).toBeLessThanOrEqual(600);
    for (const m of info.meshes) if (m.triangles <= 600) expect(m.proxyTriangles).toBeNull();

    // A silent frame and the open vowel: the frames where jawOpen is lowest and highest.
    const jaw = (await page.evaluate(() => window.a2fPreview.curves())).series.find((s) => s.name === 'jawOpen')!.values;
    const silent = jaw.indexOf(Math.min(...jaw));
    const vowel = jaw.indexOf(Math.max(...jaw));
    expect(jaw[vowel]! - jaw[silent]!).toBeGreaterThan(0.3);

    const proxySilent = await proxyPixelsAt(page, silent);
    expect(await labelShown(page)).toBe(true);
    const proxyVowel = await proxyPixelsAt(page, vowel);
    await page.evaluate(() => window.a2fPreview.pause());
    expect(await page.evaluate(() => window.a2fPreview.state().proxy)).toBe(false);
    expect(await labelShown(page)).toBe(false);
    const fullVowel = await page.evaluate((f) => window.a2fPreview.setFrame(f), vowel).then(() => mouthPixels(page));

    // Under the proxy the mouth still opens (measured: 1.1 levels between the two frames; 0.4 is what
    // the page test asks of the full mesh), and the picture is the same face drawn coarser (measured:
    // 1.8 levels from the full mesh at the vowel, from 3.5 times fewer triangles and no highlight),
    // not another picture (a face drawn with wrong points would differ by tens of levels).
    expect(meanDifference(proxySilent, proxyVowel)).toBeGreaterThan(0.4);
    const coarseness = meanDifference(proxyVowel, fullVowel);
    expect(coarseness).toBeGreaterThan(0);
    expect(coarseness).toBeLessThan(5);

    // Stepping and seeking pause: the full mesh again.
    await page.evaluate((f) => {
      window.a2fPreview.setLoop(0, f, false);
      return window.a2fPreview.play();
    }, vowel);
    await page.waitForFunction(() => window.a2fPreview.state().proxy);
    await page.keyboard.press('ArrowRight');
    expect(await page.evaluate(() => window.a2fPreview.state())).toMatchObject({ playing: false, proxy: false });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('never draws in playblast mode, even when played', async () => {
    const { page, problems } = await open();
    await page.evaluate(() => window.a2fPreview.setProxyBudget(600));
    await page.evaluate(() => window.a2fPreview.playblastMode(320, 240, 'front'));
    await page.evaluate(() => window.a2fPreview.play());
    await page.waitForFunction(() => window.a2fPreview.state().frame > 5);
    const states = [];
    for (let i = 0; i < 5; i++) states.push(await page.evaluate(() => window.a2fPreview.state()));
    expect(states.some((s) => s.playing)).toBe(true);
    expect(states.every((s) => !s.proxy)).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
});
