// The preview page in headless Chromium (issue 11): layers made by the real CLI, pages by writePreview,
// opened from file:// and driven only through window.a2fPreview (docs/preview.md, "The page"). Checks
// that it loads nothing from anywhere, that the mouth moves on screen between a silent and an open-vowel
// frame (blendshape jaw and joint jaw), that playback keeps the frame on the audio's time, and that the
// curves hold exactly the samples real USD reads back from the layer.
/// <reference lib="dom" />
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type PreviewApi, type PreviewState, readBlob, writePreview } from '@a2f/preview';
import { type ReadbackResult, usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, runCli, skelAnimationPath, tempDir } from './helpers.js';

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

declare global {
  interface Window {
    a2fPreview: PreviewApi;
    a2fPreviewReady?: boolean;
    a2fPreviewError?: string;
  }
}

const LINE = path.join(DIALOGUE, 'line02_papa.wav');
const f32 = Math.fround;

interface Made {
  layer: string;
  page: string;
  /** RMS of the audio per frame, as the page carries it. */
  rms: Float32Array;
}

let browser: Browser;
let shapes: Made;
let joint: Made;
let silentPage: string;
let readback: ReadbackResult[];

async function make(out: string, extra: string[]): Promise<Made> {
  const r = await runCli(['run', LINE, '--character', CHARACTER, '--out', out, ...extra]);
  expect(r.stderr).not.toMatch(/FAIL/);
  expect(r.code).toBe(0);
  const layer = path.join(out, 'line02_papa.usda');
  const page = (await writePreview(layer)).file;
  const b64 = /id="a2f-data">([^<]*)</.exec(readFileSync(page, 'utf8'))![1]!;
  const blob = readBlob(new Uint8Array(Buffer.from(b64, 'base64')));
  return { layer, page, rms: blob.f32(blob.header.audio!.rms).slice() };
}

beforeAll(async () => {
  browser = await launchChromium();
  const root = tempDir('preview-page');
  [shapes, joint] = await Promise.all([make(path.join(root, 'shapes'), []), make(path.join(root, 'joint'), ['--jaw', 'joint'])]);
  silentPage = (await writePreview(shapes.layer, { audio: false, out: path.join(root, 'no-audio.preview.html') })).file;
  readback = await usdReadbackMany(
    [shapes.layer, joint.layer].map((layer) => {
      const anim = skelAnimationPath(layer);
      return { root: layer, others: [CHARACTER], attrs: [`${anim}.blendShapes`, `${anim}.blendShapeWeights`] };
    }),
  );
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  /** Console messages of level warning or error, and uncaught page errors. */
  problems: string[];
  /** Every URL the page asked for. */
  requests: string[];
}

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    // SwiftShader reports its own read-backs (compositing a WebGL canvas without a GPU) as "GL Driver
    // Message ... Performance" warnings: Chromium's diagnostics about itself, not the page's.
    if ((m.type() === 'error' || m.type() === 'warning') && !/^\[\.WebGL-[^\]]*\]GL Driver Message \(OpenGL, Performance/.test(m.text())) {
      problems.push(`${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.a2fPreviewReady === true || window.a2fPreviewError !== undefined);
  expect(await page.evaluate(() => window.a2fPreviewError ?? null)).toBeNull();
  return { page, problems, requests };
}

/** Shows a frame and returns the mouth rectangle's RGB pixels, read from the canvas right after the draw. */
function mouthPixels(page: Page, frame: number): Promise<number[]> {
  return page.evaluate((f) => {
    const api = window.a2fPreview;
    api.setFrame(f);
    const r = api.mouthRect();
    const canvas = document.querySelector('canvas')!;
    const k = canvas.width / canvas.clientWidth;
    const [x, y, w, h] = [Math.floor(r.x * k), Math.floor(r.y * k), Math.ceil(r.width * k), Math.ceil(r.height * k)];
    const copy = document.createElement('canvas');
    copy.width = w;
    copy.height = h;
    const ctx = copy.getContext('2d')!;
    ctx.drawImage(canvas, x, y, w, h, 0, 0, w, h);
    return Array.from(ctx.getImageData(0, 0, w, h).data);
  }, frame);
}

/** Mean absolute difference per pixel (0–255, RGB averaged), and the share of pixels that changed by more than 8 levels. */
function difference(a: number[], b: number[]): { mean: number; changed: number } {
  expect(a.length).toBe(b.length);
  let sum = 0;
  let changed = 0;
  for (let i = 0; i < a.length; i += 4) {
    const d = (Math.abs(a[i]! - b[i]!) + Math.abs(a[i + 1]! - b[i + 1]!) + Math.abs(a[i + 2]! - b[i + 2]!)) / 3;
    sum += d;
    if (d > 8) changed++;
  }
  return { mean: sum / (a.length / 4), changed: changed / (a.length / 4) };
}

/** Two silent frames (lowest RMS, mouth still) and the open vowel: the frame where the jaw curve peaks while the audio is loud. */
async function frames(page: Page, made: Made, jaw: (s: { name: string; kind: string }) => boolean) {
  const curves = await page.evaluate(() => window.a2fPreview.curves());
  const series = curves.series.find(jaw)!;
  expect(series, 'a jaw curve').toBeDefined();
  const loudest = Math.max(...made.rms);
  const quiet = [...made.rms.keys()].filter((f) => made.rms[f]! < 0.02 * loudest && Math.abs(series.values[f]!) < 1e-3);
  expect(quiet.length).toBeGreaterThanOrEqual(2);
  const loud = [...made.rms.keys()].filter((f) => made.rms[f]! > 0.3 * loudest);
  const vowel = loud.reduce((best, f) => (series.values[f]! > series.values[best]! ? f : best), loud[0]!);
  return { silent: [quiet[0]!, quiet[1]!], vowel, series };
}

describe('the preview page', () => {
  it('opens from file:// with no console error or warning and no network request', async () => {
    const { page, problems, requests } = await open(shapes.page);
    const info = await page.evaluate(() => window.a2fPreview.info());
    expect(info.frames).toBe(75);
    expect(info.fps).toBe(30);
    expect(info.meshes.map((m) => m.role)).toEqual(expect.arrayContaining(['face', 'tongue', 'eye']));
    expect(info.audioSeconds).toBeCloseTo(2.4918, 3);
    // A little use too: play, stop, step, so the check covers the page at work as well as at load.
    await page.keyboard.press('Space');
    await page.waitForFunction(() => window.a2fPreview.state().frame > 5);
    await page.keyboard.press('Space');
    await page.keyboard.press('ArrowRight');
    await page.close();
    expect(problems).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => !/^(file|data|blob):/.test(u))).toEqual([]);
  });

  // Thresholds from the sample face: the vowel frame moves ~250 of its 1,490 points by up to ~1.8 cm,
  // which measured (front view, 480×480) a mean difference of 0.77 levels (blendshape jaw) and 1.17
  // (joint jaw) over the mouth rectangle; two frames that pose the same points render identically
  // (0.00), so 0.4 separates them with room on both sides.
  it('draws the mouth differently at an open vowel than at a silent frame (blendshape jaw)', async () => {
    const { page } = await open(shapes.page);
    await page.evaluate(() => window.a2fPreview.playblastMode(480, 480, 'front'));
    const { silent, vowel, series } = await frames(page, shapes, (s) => s.name === 'jawOpen');
    expect(series.values[vowel]).toBeGreaterThan(0.3);
    const [a, b, v] = [await mouthPixels(page, silent[0]), await mouthPixels(page, silent[1]), await mouthPixels(page, vowel)];
    expect(a.length).toBeGreaterThan(4 * 50 * 50);
    expect(difference(a, b).mean).toBeLessThan(0.05);
    expect(difference(a, v).mean).toBeGreaterThan(0.4);
    await page.close();
  });

  it('--jaw joint: the jaw joint turns at the vowel and the chin moves on screen', async () => {
    const { page } = await open(joint.page);
    const info = await page.evaluate(() => window.a2fPreview.info());
    const k = info.joints.findIndex((j) => j.split('/').pop() === 'jaw');
    expect(k).toBeGreaterThanOrEqual(0);
    const { silent, vowel, series } = await frames(page, joint, (s) => s.kind === 'joint' && s.name.endsWith('/jaw'));
    // The curve is the angle from the rest pose; the raw quaternion must say the same.
    expect(series.values[vowel]).toBeGreaterThan(5);
    const q = (await page.evaluate((f) => window.a2fPreview.samples(f), vowel)).rotations.slice(k * 4, k * 4 + 4);
    const q0 = (await page.evaluate((f) => window.a2fPreview.samples(f), silent[0])).rotations.slice(k * 4, k * 4 + 4);
    const dot = Math.abs(q.reduce((s, x, i) => s + x * q0[i]!, 0) / (Math.hypot(...q) * Math.hypot(...q0)));
    expect((2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI).toBeCloseTo(series.values[vowel]! - series.values[silent[0]]!, 1);
    // From the side the chin's outline moves against the background: measured 2.0% of the mouth
    // rectangle's pixels changed by more than 8 levels (0% between the two silent frames).
    await page.evaluate(() => window.a2fPreview.playblastMode(480, 480, 'side'));
    const [a, b, v] = [await mouthPixels(page, silent[0]), await mouthPixels(page, silent[1]), await mouthPixels(page, vowel)];
    expect(difference(a, b).changed).toBe(0);
    expect(difference(a, v).changed).toBeGreaterThan(0.01);
    await page.close();
  });

  it('plays at 1× with the frame shown always within one frame of the audio time', async () => {
    const { page } = await open(joint.page);
    await page.evaluate(() => window.a2fPreview.play());
    const seen: PreviewState[] = [];
    for (;;) {
      const s = await page.evaluate(() => window.a2fPreview.state());
      seen.push(s);
      if (!s.playing) break;
      await page.waitForTimeout(20);
    }
    expect(seen.length).toBeGreaterThan(20);
    for (const s of seen) expect(Math.abs(s.frame - Math.floor(s.audioTime * 30))).toBeLessThanOrEqual(1);
    const shown = seen.map((s) => s.frame);
    expect(shown).toEqual([...shown].sort((x, y) => x - y));
    expect(new Set(shown).size).toBeGreaterThan(10);
    expect(shown.at(-1)).toBeGreaterThanOrEqual(73);
    const last = seen.at(-1)!;
    expect(last.drawn + last.skipped).toBeGreaterThanOrEqual(last.frame);
    // A loop to the last frame: the audio (2.492 s) ends before the animation (75 frames, 2.5 s) does,
    // and the page must wrap there rather than stop.
    await page.evaluate(() => {
      window.a2fPreview.setLoop(60, 74, true);
      return window.a2fPreview.play();
    });
    const looped: PreviewState[] = [];
    let wraps = 0;
    for (let i = 0; i < 2000 && wraps < 2; i++) {
      looped.push(await page.evaluate(() => window.a2fPreview.state()));
      if (looped.length > 1 && looped.at(-1)!.frame < looped.at(-2)!.frame) wraps++;
      await page.waitForTimeout(20);
    }
    expect(wraps).toBe(2);
    for (const s of looped) {
      expect(s.playing).toBe(true);
      expect(s.frame).toBeGreaterThanOrEqual(60);
      expect(Math.abs(s.frame - Math.floor(s.audioTime * 30))).toBeLessThanOrEqual(1);
    }
    await page.close();
  });

  it('holds in its curves exactly the blendshape weights real USD reads back from the layer', async () => {
    for (const [i, made] of [shapes, joint].entries()) {
      const r = readback[i]!;
      expect(r.errors).toEqual([]);
      const anim = skelAnimationPath(made.layer);
      const tokens = r.defaults[`${anim}.blendShapes`] as string[];
      const samples = r.samples[`${anim}.blendShapeWeights`]!;
      expect(samples.map(([t]) => t)).toEqual(Array.from({ length: 75 }, (_, t) => t));
      const { page } = await open(made.page);
      const curves = await page.evaluate(() => window.a2fPreview.curves());
      await page.close();
      expect(curves.seconds).toEqual(Array.from({ length: 75 }, (_, t) => t / 30));
      const weights = curves.series.filter((s) => s.kind === 'blendShape');
      expect(weights.map((s) => s.name)).toEqual(tokens);
      weights.forEach((s, j) => {
        samples.forEach(([t, row]) => {
          expect(s.values[t]).toBe(f32((row as number[])[j]!));
        });
      });
    }
  });

  it('decodes its data with atob in a browser without Uint8Array.fromBase64, to the same values', async () => {
    const native = await open(shapes.page);
    const expected = await native.page.evaluate(() => window.a2fPreview.curves());
    await native.page.close();
    const page = await browser.newPage();
    await page.addInitScript(() => {
      delete (Uint8Array as unknown as { fromBase64?: unknown }).fromBase64;
    });
    await page.goto(`file://${shapes.page}`);
    await page.waitForFunction(() => window.a2fPreviewReady === true || window.a2fPreviewError !== undefined);
    expect(await page.evaluate(() => window.a2fPreviewError ?? null)).toBeNull();
    expect(await page.evaluate(() => 'fromBase64' in Uint8Array)).toBe(false);
    expect(await page.evaluate(() => window.a2fPreview.curves())).toEqual(expected);
    await page.close();
  });

  it('says what is wrong, in the page and to scripts, when its data is damaged', async () => {
    const html = readFileSync(shapes.page, 'utf8');
    const damaged = path.join(path.dirname(shapes.page), 'damaged.preview.html');
    // Twelve base64 characters are nine bytes: "X" × 9 over the magic (and a byte of the header length).
    writeFileSync(damaged, html.replace(/(id="a2f-data">)[A-Za-z0-9+/]{12}/, '$1WFhYWFhYWFhY'));
    const page = await browser.newPage();
    await page.goto(`file://${damaged}`);
    await page.waitForFunction(() => window.a2fPreviewError !== undefined);
    const error = await page.evaluate(() => window.a2fPreviewError!);
    expect(error).toMatch(/preview data starts with "XXXXXXXX".*write it again/);
    expect(await page.evaluate(() => window.a2fPreviewReady ?? false)).toBe(false);
    expect(await page.locator('[role=alert]').textContent()).toContain(error);
    await page.close();
  });

  it('answers the keyboard (arrows, I, O, L, Space) and seeks where the curves are clicked', async () => {
    const { page, problems } = await open(silentPage);
    const state = () => page.evaluate(() => window.a2fPreview.state());
    await page.evaluate(() => window.a2fPreview.setFrame(10));
    for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect((await state()).frame).toBe(12);
    await page.keyboard.press('i');
    for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
    await page.keyboard.press('o');
    await page.keyboard.press('l');
    expect((await state()).loop).toEqual({ in: 12, out: 20, on: true });
    await page.keyboard.press('Space');
    expect((await state()).playing).toBe(true);
    await page.keyboard.press('Space');
    const paused = await state();
    expect(paused.playing).toBe(false);
    expect(paused.frame).toBeGreaterThanOrEqual(12);
    expect(paused.frame).toBeLessThanOrEqual(20);
    // A click three quarters of the way across the chart's plot area: 0.75 of the x range (0 … 75 frames).
    const box = (await page.locator('.u-over').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    expect(Math.abs((await state()).frame - 56)).toBeLessThanOrEqual(1);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('plays a page with no audio on its timer, and loops a range', async () => {
    const { page, problems } = await open(silentPage);
    const info = await page.evaluate(() => window.a2fPreview.info());
    expect(info.audioSeconds).toBeNull();
    await page.evaluate(() => window.a2fPreview.play());
    await page.waitForFunction(() => !window.a2fPreview.state().playing);
    const end = await page.evaluate(() => window.a2fPreview.state());
    expect(end.frame).toBe(74);
    expect(end.drawn).toBeGreaterThan(10);
    // Loop 20–30: every frame shown stays inside, and the playhead comes back to the start of the range.
    await page.evaluate(() => {
      window.a2fPreview.setLoop(20, 30, true);
      return window.a2fPreview.play();
    });
    const shown: number[] = [];
    let wraps = 0;
    for (let i = 0; i < 2000 && wraps < 2; i++) {
      shown.push(await page.evaluate(() => window.a2fPreview.state().frame));
      if (shown.length > 1 && shown.at(-1)! < shown.at(-2)!) wraps++;
      await page.waitForTimeout(20);
    }
    expect(wraps).toBe(2);
    await page.evaluate(() => window.a2fPreview.pause());
    expect(shown.every((f) => f >= 20 && f <= 30)).toBe(true);
    await page.close();
    expect(problems).toEqual([]);
  });
});
