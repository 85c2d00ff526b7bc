// The preview page: one self-contained HTML file beside the layer, holding the blob (base64, in a
// non-executed script element) and the viewer's bundled script and CSS inline, under a
// Content-Security-Policy that forbids any network use (docs/preview.md, "Why one file").
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileAtomic } from '@a2f/base';
import { addAudio, findAudio } from './audio-source.js';
import type { PreviewAudio, PreviewHeader } from './data.js';
import { PreviewError } from './errors.js';
import { layerStem, readScene } from './scene.js';

export interface PreviewOptions {
  /** The audio the layer was made from; default: found beside the layer (audio-source.ts); false: a silent page. */
  readonly audio?: string | false;
  /** Where to write the page: a `.html` file, or a folder for `<stem>.preview.html`; default beside the layer. */
  readonly out?: string;
  /** The Skeleton to preview (a composed prim path) when the layer animates several. */
  readonly skeleton?: string;
}

export interface PreviewResult {
  readonly file: string;
  readonly bytes: number;
  readonly frames: number;
  readonly notes: string[];
}

/** `<dir>/<stem>.preview.html` beside `<dir>/<stem>.usda` (any layer extension). */
export function previewPath(layer: string): string {
  return path.join(path.dirname(layer), `${layerStem(layer)}.preview.html`);
}

const CSP = [
  "default-src 'none'",
  // 'wasm-unsafe-eval': the playback proxy's simplifier is WebAssembly carried inside the script; it
  // compiles that and fetches nothing (docs/preview.md, "The page").
  "script-src 'unsafe-inline' 'wasm-unsafe-eval'",
  "style-src 'unsafe-inline'",
  'img-src data: blob:',
  'media-src blob: data:',
  'connect-src data: blob:',
].join('; ');

/** Reads the layer (and its audio) into the page's HTML, without writing anything. */
export async function buildPreview(
  layer: string,
  opts: PreviewOptions = {},
): Promise<{ html: string; header: PreviewHeader; wav?: Uint8Array }> {
  const scene = readScene(layer, opts.skeleton === undefined ? {} : { skeleton: opts.skeleton });
  const found = findAudio({
    layer,
    ...(opts.audio === undefined ? {} : { given: opts.audio }),
    provenance: scene.header.provenance,
    ...(scene.report ? { report: scene.report } : {}),
  });
  let audio: { audio: PreviewAudio; wav: Uint8Array } | undefined;
  if (found) audio = await addAudio(found, scene.header.time, scene.blob);
  const header: PreviewHeader = {
    ...scene.header,
    ...(audio ? { audio: audio.audio } : {}),
    notes: [...scene.header.notes, ...(found?.notes ?? []), ...(found ? [] : ['no audio: the page plays on a timer'])],
  };
  const bytes = scene.blob.finish(header);
  return { html: pageHtml(header.layer.title, bytes), header, ...(audio ? { wav: audio.wav } : {}) };
}

/** Writes the page (atomically: a reader never sees half a page) and says where. */
export async function writePreview(layer: string, opts: PreviewOptions = {}): Promise<PreviewResult> {
  const { html, header } = await buildPreview(layer, opts);
  const out =
    opts.out === undefined
      ? previewPath(layer)
      : /\.html?$/i.test(opts.out)
        ? opts.out
        : path.join(opts.out, path.basename(previewPath(layer)));
  const data = Buffer.from(html, 'utf8');
  writeFileAtomic(out, data);
  return { file: out, bytes: data.length, frames: header.time.frames, notes: [...header.notes] };
}

/** The page's HTML around a blob: the layout the viewer (src/viewer/) reads. */
export function pageHtml(title: string, blob: Uint8Array): string {
  const { js, css } = viewerAssets();
  const data = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength).toString('base64');
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">\n' +
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">\n` +
    `<title>${escapeHtml(title)} · a2f preview</title><style>${css.replace(/<\/style/gi, '<\\/style')}</style></head>\n` +
    '<body><div id="a2f-app"></div>\n' +
    `<script type="application/octet-stream" id="a2f-data">${data}</script>\n` +
    `<script>${js.replace(/<\/script/gi, '<\\/script')}</script></body></html>\n`
  );
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/** The bundled viewer: build-viewer.mjs writes it into the package's assets/ at build time (read each time: a rebuild shows at once). */
function viewerAssets(): { js: string; css: string } {
  const jsFile = fileURLToPath(new URL('../assets/viewer.js', import.meta.url));
  const cssFile = fileURLToPath(new URL('../assets/viewer.css', import.meta.url));
  if (!existsSync(jsFile)) {
    throw new PreviewError(
      'VIEWER_MISSING',
      jsFile,
      "the preview page's script is missing: the @a2f/preview package was not built (its build bundles the viewer into assets/)",
      'Build the package (npm run build, or npx turbo run build --filter=@a2f/preview), or reinstall it',
    );
  }
  return { js: readFileSync(jsFile, 'utf8'), css: existsSync(cssFile) ? readFileSync(cssFile, 'utf8') : '' };
}
