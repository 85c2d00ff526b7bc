// A playblast: the preview page rendered headless in Chromium, frame by frame at the layer's rate, and
// muxed with the line's audio by ffmpeg into an H.264/AAC MP4, or written as PNG files
// (docs/playblast.md). The page is driven only through window.a2fPreview (page-api.ts).
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './browser.js';
import { PreviewError } from './errors.js';
import { encodeArgs, type FfmpegRun, findFfmpeg, frameRateRational, startFfmpeg } from './ffmpeg.js';
import { buildPreview } from './page.js';
import type { PreviewApi, PreviewInfo, PreviewView } from './page-api.js';

export interface PlayblastOptions {
  /** The MP4 to write (whole or not at all). Exactly one of `out` and `framesDir`. */
  readonly out?: string;
  /** A folder for frame_00000.png …, one per frame of the layer; no ffmpeg needed. */
  readonly framesDir?: string;
  /** Pixels; even (yuv420p). Default 1280 × 720. */
  readonly width?: number;
  readonly height?: number;
  /** Camera; default 'front'. */
  readonly view?: PreviewView;
  /** The audio the layer was made from (found as the preview finds it when absent); false: no sound. */
  readonly audio?: string | false;
  /** The Skeleton to show when the layer animates several (a composed prim path). */
  readonly skeleton?: string;
  readonly chromium?: string;
  readonly ffmpeg?: string;
  /** Called after each frame is captured. */
  readonly onFrame?: (done: number, total: number) => void;
}

export interface PlayblastResult {
  readonly file?: string;
  readonly framesDir?: string;
  /** Frames rendered: the video's frames, or the PNG files written. */
  readonly frames: number;
  /** The layer's frame rate (timeCodesPerSecond). */
  readonly fps: number;
  /** The video's duration (the audio's when there is audio), or the frames' (frames ÷ fps). */
  readonly durationSeconds: number;
}

export const PLAYBLAST_DEFAULTS = { width: 1280, height: 720, view: 'front' as PreviewView } as const;

const VIEWS: readonly PreviewView[] = ['front', 'side', 'three-quarter'];
/** SwiftShader renders any size, but a frame above 4K is a mistake more often than a wish, and slow on CPUs. */
const MAX_SIDE = 4096;
/** A limit against a page that hangs, not a measure of speed: a 100 k-point face is ready in seconds. */
const READY_TIMEOUT_MS = 180_000;

interface Checked {
  readonly out?: string;
  readonly framesDir?: string;
  readonly width: number;
  readonly height: number;
  readonly view: PreviewView;
}

/** Validates the options before anything is started; BAD_OPTION names what is wrong and the fix. */
export function checkPlayblastOptions(layer: string, opts: PlayblastOptions): Checked {
  const bad = (problem: string, fix: string) => new PreviewError('BAD_OPTION', layer, problem, fix);
  if ((opts.out === undefined) === (opts.framesDir === undefined))
    throw bad(
      opts.out === undefined ? 'a playblast needs somewhere to go' : 'a playblast writes either a video or frames, not both',
      'Give exactly one of -o <file.mp4> and --frames <dir>',
    );
  if (opts.out !== undefined && !/\.mp4$/i.test(opts.out))
    throw bad(`the video "${opts.out}" does not end in .mp4`, 'Name the output <name>.mp4 (the playblast writes an H.264/AAC MP4)');
  const width = opts.width ?? PLAYBLAST_DEFAULTS.width;
  const height = opts.height ?? PLAYBLAST_DEFAULTS.height;
  for (const side of [width, height]) {
    if (!Number.isInteger(side) || side < 2 || side > MAX_SIDE)
      throw bad(`size ${width}x${height} is not two whole numbers from 2 to ${MAX_SIDE}`, 'Give a size such as --size 1280x720');
  }
  if (width % 2 !== 0 || height % 2 !== 0)
    throw bad(
      `size ${width}x${height} has an odd side; H.264 in yuv420p (what players decode) stores colour at half size in both directions`,
      `Use even numbers, e.g. --size ${width + (width % 2)}x${height + (height % 2)}`,
    );
  if (opts.framesDir !== undefined && existsSync(opts.framesDir) && !statSync(opts.framesDir).isDirectory())
    throw bad(`"${opts.framesDir}" is a file, not a folder for frames`, 'Give --frames a folder (it is made if missing)');
  if (opts.out !== undefined && existsSync(opts.out) && statSync(opts.out).isDirectory())
    throw bad(`"${opts.out}" is a folder`, 'Give -o the video file to write, e.g. -o renders/line.mp4');
  const view = opts.view ?? PLAYBLAST_DEFAULTS.view;
  if (!VIEWS.includes(view)) throw bad(`view "${view}" is not one of ${VIEWS.join(', ')}`, `Use --view ${VIEWS.join('|')}`);
  return {
    width,
    height,
    view,
    ...(opts.out !== undefined ? { out: path.resolve(opts.out) } : {}),
    ...(opts.framesDir !== undefined ? { framesDir: path.resolve(opts.framesDir) } : {}),
  };
}

/** Frame file names, zero-padded so they sort: frame_00000.png (more digits past 100 000 frames). */
export function frameFileName(index: number, total: number): string {
  return `frame_${String(index).padStart(Math.max(5, String(total - 1).length), '0')}.png`;
}

/**
 * Video frames needed to cover `seconds` at `fps`: frame k is shown from k/fps to (k+1)/fps, and
 * ffmpeg's -t cuts the last one at the audio's end. Frames past the layer's last repeat it.
 */
export function videoFrames(seconds: number, fps: number): number {
  return Math.max(1, Math.ceil(seconds * fps - 1e-6));
}

export async function playblast(layer: string, opts: PlayblastOptions): Promise<PlayblastResult> {
  const o = checkPlayblastOptions(layer, opts);
  // Fail on a missing ffmpeg before the page is built and the browser started.
  const ffmpegBin = o.out ? findFfmpeg(opts.ffmpeg) : undefined;
  const built = await buildPreview(layer, {
    ...(opts.audio !== undefined ? { audio: opts.audio } : {}),
    ...(opts.skeleton !== undefined ? { skeleton: opts.skeleton } : {}),
  });
  const { fps, frames: layerFrames } = built.header.time;
  const work = mkdtempSync(path.join(os.tmpdir(), 'a2f-playblast-'));
  let browser: Browser | undefined;
  let ffmpeg: FfmpegRun | undefined;
  let tmpVideo: string | undefined;
  try {
    const html = path.join(work, `${path.basename(layer).replace(/\.[^.]*$/, '')}.preview.html`);
    writeFileSync(html, built.html);
    browser = await launchChromium(opts.chromium !== undefined ? { chromium: opts.chromium } : {});
    const page = await browser.newPage({ viewport: { width: o.width, height: o.height }, deviceScaleFactor: 1 });
    await openPage(page, html, layer);
    await inPage(layer, `setting up the ${o.width}x${o.height} ${o.view} view`, () =>
      page.evaluate(([w, h, v]) => (globalThis as unknown as PageGlobals).a2fPreview.playblastMode(w, h, v), [
        o.width,
        o.height,
        o.view,
      ] as const),
    );

    if (o.framesDir) {
      mkdirSync(o.framesDir, { recursive: true });
      for (let i = 0; i < layerFrames; i++) {
        const png = await captureFrame(page, layer, i, o.width, o.height);
        writeFileSync(path.join(o.framesDir, frameFileName(i, layerFrames)), png);
        opts.onFrame?.(i + 1, layerFrames);
      }
      removeStaleFrames(o.framesDir, layerFrames);
      return { framesDir: o.framesDir, frames: layerFrames, fps, durationSeconds: layerFrames / fps };
    }

    const out = o.out!;
    const wav = built.wav && built.header.audio ? path.join(work, 'audio.wav') : undefined;
    if (wav) writeFileSync(wav, built.wav!);
    const seconds = built.header.audio && wav ? built.header.audio.durationSeconds : layerFrames / fps;
    const total = videoFrames(seconds, fps);
    mkdirSync(path.dirname(out), { recursive: true });
    tmpVideo = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    ffmpeg = startFfmpeg(
      ffmpegBin!,
      encodeArgs({ frameRate: frameRateRational(fps).text, ...(wav ? { audio: wav } : {}), seconds, out: tmpVideo }),
      out,
    );
    let last: Uint8Array | undefined;
    for (let k = 0; k < total; k++) {
      // Past the layer's last frame the face holds still until the audio ends.
      if (k < layerFrames || !last) last = await captureFrame(page, layer, Math.min(k, layerFrames - 1), o.width, o.height);
      await ffmpeg.write(last);
      opts.onFrame?.(k + 1, total);
    }
    await ffmpeg.finish();
    ffmpeg = undefined;
    // As every a2f output: on disk before it has its name, and the name on disk before we say so.
    fsyncPath(tmpVideo);
    renameSync(tmpVideo, out);
    tmpVideo = undefined;
    fsyncPath(path.dirname(out));
    return { file: out, frames: total, fps, durationSeconds: seconds };
  } finally {
    await ffmpeg?.kill();
    if (tmpVideo) rmSync(tmpVideo, { force: true });
    await browser?.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

/** What a page script sees of the preview page's globals (page-api.ts). */
interface PageCanvas {
  readonly width: number;
  readonly height: number;
  getClientRects(): ArrayLike<unknown>;
  toDataURL(type: string): string;
}
interface PageGlobals {
  readonly a2fPreview: PreviewApi;
  readonly a2fPreviewReady?: boolean;
  readonly a2fPreviewError?: string;
  readonly document: { querySelectorAll(selector: string): ArrayLike<PageCanvas> };
}

/** Opens the page from file:// and waits for a2fPreviewReady; a2fPreviewError or a script error is BROWSER_FAILED. */
async function openPage(page: Page, html: string, layer: string): Promise<PreviewInfo> {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  const failed = (problem: string, cause?: unknown) =>
    new PreviewError(
      'BROWSER_FAILED',
      layer,
      problem + (errors.length > 0 ? ` (page errors: ${errors.slice(0, 3).join(' | ')})` : ''),
      'Check that the preview opens in a browser (a2f preview <layer>); rebuild @a2f/preview if its viewer script is missing',
      cause === undefined ? undefined : { cause },
    );
  try {
    await page.goto(pathToFileURL(html).href, { waitUntil: 'load' });
    const state = await page.waitForFunction(
      () => {
        const g = globalThis as unknown as PageGlobals;
        if (g.a2fPreviewReady === true) return 'ready';
        return typeof g.a2fPreviewError === 'string' ? `error:${g.a2fPreviewError}` : false;
      },
      undefined,
      { timeout: READY_TIMEOUT_MS, polling: 50 },
    );
    const said = (await state.jsonValue()) as string;
    if (said.startsWith('error:')) throw failed(`the preview page failed: ${said.slice('error:'.length)}`);
    return await page.evaluate(() => (globalThis as unknown as PageGlobals).a2fPreview.info());
  } catch (err) {
    if (err instanceof PreviewError) throw err;
    throw failed(`the preview page did not open: ${(err as Error).message.split('\n')[0]}`, err);
  }
}

/**
 * One frame as PNG bytes: the page draws it synchronously in setFrame, and the WebGL canvas is read
 * in the same task, before the browser may clear its drawing buffer (docs/playblast.md, "How frames are captured").
 */
async function captureFrame(page: Page, layer: string, frame: number, width: number, height: number): Promise<Uint8Array> {
  const url = await inPage(layer, `drawing frame ${frame}`, () =>
    page.evaluate(
      ([i, w, h]) => {
        const g = globalThis as unknown as PageGlobals;
        g.a2fPreview.setFrame(i);
        const canvases = Array.from(g.document.querySelectorAll('canvas'));
        const canvas = canvases.find((c) => c.width === w && c.height === h && c.getClientRects().length > 0);
        if (!canvas)
          throw new Error(
            `no visible ${w}x${h} canvas after playblastMode (found ${canvases.map((c) => `${c.width}x${c.height}`).join(', ')})`,
          );
        return canvas.toDataURL('image/png');
      },
      [frame, width, height] as const,
    ),
  );
  return Buffer.from(url.slice(url.indexOf(',') + 1), 'base64');
}

/** A page call that failed (a script error, a crashed renderer) as BROWSER_FAILED, saying what was being done. */
async function inPage<T>(layer: string, doing: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new PreviewError(
      'BROWSER_FAILED',
      layer,
      `the preview page failed while ${doing}: ${(err as Error).message.split('\n')[0]}`,
      'Check that the preview opens in a browser (a2f preview <layer>); a crashed page may need a smaller --size',
      { cause: err },
    );
  }
}

function fsyncPath(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A second, shorter playblast into the same folder leaves no frames of the first behind. */
function removeStaleFrames(dir: string, total: number): void {
  const keep = new Set(Array.from({ length: total }, (_, i) => frameFileName(i, total)));
  for (const f of readdirSync(dir)) if (/^frame_\d{5,}\.png$/.test(f) && !keep.has(f)) rmSync(path.join(dir, f), { force: true });
}
