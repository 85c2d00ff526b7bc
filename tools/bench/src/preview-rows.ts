// The preview rows: a big generated face (preview-face.ts) animated by the default model on a sample
// line through the pipeline, as `a2f run` does; then its preview page in headless Chromium: how long
// from navigation to the first frame drawn (the page's own info().loadMs), how many frames 1×
// playback draws and skips, and a playblast's seconds per second of audio. Measured, never asserted
// (docs/benchmark.md; docs/playblast.md, "Measured").
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isA2fError } from '@a2f/base';
import { JobContext } from '@a2f/pipeline';
import { buildPreview, launchChromium, type PreviewApi, type PreviewInfo, type PreviewState, playblast } from '@a2f/preview';
import { seconds } from './clock.js';
import { type PreviewFaceSize, writePreviewFace } from './preview-face.js';
import type { PreviewFigures } from './report.js';
import { SAMPLES_DIR } from './repo.js';

export interface PreviewPlan {
  readonly face: PreviewFaceSize;
  /** page loads measured, each in a fresh page; the median is the figure */
  readonly loads: number;
  /** seconds of 1× playback counted, after half a second to settle */
  readonly playSeconds: number;
  readonly playblast: { readonly width: number; readonly height: number };
}

type Browser = Awaited<ReturnType<typeof launchChromium>>;
type Page = Awaited<ReturnType<Browser['newPage']>>;

const LINE = path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav');

interface PageGlobals {
  readonly a2fPreview: PreviewApi;
  readonly a2fPreviewReady?: boolean;
  readonly a2fPreviewError?: string;
}

async function openPreview(browser: Browser, html: string, width: number, height: number): Promise<{ page: Page; info: PreviewInfo }> {
  const page = await browser.newPage({ viewport: { width, height }, deviceScaleFactor: 1 });
  await page.goto(pathToFileURL(html).href);
  await page.waitForFunction(() => {
    const g = globalThis as unknown as PageGlobals;
    if (typeof g.a2fPreviewError === 'string') throw new Error(`the preview page failed: ${g.a2fPreviewError}`);
    return g.a2fPreviewReady === true;
  });
  const info = await page.evaluate(() => (globalThis as unknown as PageGlobals).a2fPreview.info());
  return { page, info };
}

/** The preview rows; null with the reason when Chromium or ffmpeg is missing (the rest of the bench still runs). */
export async function measurePreview(dir: string, plan: PreviewPlan, log: (line: string) => void): Promise<PreviewFigures> {
  const work = path.join(dir, 'preview');
  mkdirSync(work, { recursive: true });
  const character = path.join(work, 'character', 'big-face.usda');
  const layers = path.join(work, 'layers');
  for (const d of [path.dirname(character), layers]) mkdirSync(d, { recursive: true });
  const face = await writePreviewFace(character, plan.face);
  log(
    `  face: ${face.points} points, ${face.blendShapes} blendshapes × ${face.offsetsPerShape} offsets ` +
      `(${(face.bytes / 1e6).toFixed(0)} MB of text)`,
  );
  const ctx = await JobContext.create({ character, outDir: layers, fps: 30, model: 'default' });
  let layer: string;
  try {
    const result = await ctx.process(LINE, { name: 'line' });
    if (!result.ok) throw new Error(`the preview bench line failed: ${result.error.message}`);
    layer = result.layers[result.layers.length - 1]!;
  } finally {
    await ctx.close();
  }
  const base = { points: face.points, triangles: face.triangles, blendShapes: face.blendShapes, offsetsPerShape: face.offsetsPerShape };

  let t = performance.now();
  const built = await buildPreview(layer, {});
  const buildSeconds = seconds(t);
  const html = path.join(work, 'big-face.preview.html');
  writeFileSync(html, built.html);
  const htmlMB = statSync(html).size / 1e6;
  log(`  page: ${htmlMB.toFixed(1)} MB, built in ${buildSeconds.toFixed(2)} s`);

  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (err) {
    if (isA2fError(err))
      return { ...base, htmlMB, buildSeconds, loadMs: null, loads: [], playback: null, playblast: null, note: err.message };
    throw err;
  }
  try {
    const loads: number[] = [];
    for (let i = 0; i < plan.loads; i++) {
      const { page, info } = await openPreview(browser, html, 1280, 800);
      loads.push(info.loadMs);
      await page.close();
    }
    const loadMs = [...loads].sort((a, b) => a - b)[Math.floor(loads.length / 2)]!;
    log(`  page load: ${loads.map((ms) => ms.toFixed(0)).join(', ')} ms (median ${loadMs.toFixed(0)})`);

    const { page, info } = await openPreview(browser, html, 1280, 800);
    // 1× over the whole line, looped so a short line still fills the counted seconds.
    await page.evaluate((last) => {
      const api = (globalThis as unknown as PageGlobals).a2fPreview;
      api.setRate(1);
      api.setLoop(0, last, true);
      return api.play();
    }, info.frames - 1);
    const state = () =>
      page.evaluate(() => ({ s: (globalThis as unknown as PageGlobals).a2fPreview.state(), at: performance.now() })) as Promise<{
        s: PreviewState;
        at: number;
      }>;
    await page.waitForTimeout(500);
    const a = await state();
    await page.waitForTimeout(plan.playSeconds * 1000);
    const b = await state();
    await page.evaluate(() => (globalThis as unknown as PageGlobals).a2fPreview.pause());
    await page.close();
    const elapsed = (b.at - a.at) / 1000;
    const drawn = b.s.drawn - a.s.drawn;
    const skipped = b.s.skipped - a.s.skipped;
    const playback = {
      seconds: elapsed,
      drawn,
      skipped,
      fps: drawn / elapsed,
      layerFps: info.fps,
      shareDrawn: drawn + skipped > 0 ? drawn / (drawn + skipped) : null,
      clockAdvanced: b.s.audioTime !== a.s.audioTime,
    };
    log(
      `  playback at 1×: ${drawn} frames drawn, ${skipped} skipped in ${elapsed.toFixed(1)} s ` +
        `(${playback.fps.toFixed(1)} fps of ${info.fps})`,
    );

    let pb: PreviewFigures['playblast'] = null;
    let note: string | undefined;
    const out = path.join(work, 'big-face.mp4');
    t = performance.now();
    try {
      const r = await playblast(layer, { out, ...plan.playblast });
      const took = seconds(t);
      pb = {
        ...plan.playblast,
        frames: r.frames,
        audioSeconds: r.durationSeconds,
        seconds: took,
        perAudioSecond: took / r.durationSeconds,
      };
      log(
        `  playblast ${plan.playblast.width}×${plan.playblast.height}: ${took.toFixed(1)} s for ${r.durationSeconds.toFixed(2)} s of audio`,
      );
    } catch (err) {
      if (!isA2fError(err)) throw err;
      note = err.message;
    } finally {
      rmSync(out, { force: true });
    }
    return { ...base, htmlMB, buildSeconds, loadMs, loads, playback, playblast: pb, ...(note ? { note } : {}) };
  } finally {
    await browser.close();
  }
}
