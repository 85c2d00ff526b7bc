// `a2f preview --serve <folder>`: a small HTTP server over one output folder. It lists the folder's lines,
// opens each line's preview page (making it on first open), and tells open review pages when the folder
// changes. Read-only towards the network, local by default (docs/review-server.md).
import { createReadStream, readFileSync, realpathSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { writeFileAtomic } from '@a2f/base';
import chokidar, { type FSWatcher } from 'chokidar';
import { PreviewError } from './errors.js';
import { buildPreview } from './page.js';
import { LineLister, WATCH_STATE_DIR, type ReviewLine } from './review-lines.js';
import { REVIEW_CSP, reviewPageHtml } from './review-page.js';

export interface ReviewServerOptions {
  /** the output folder to review (a2f run --out, a2f watch --out) */
  readonly folder: string;
  /** the interface to listen on; default 127.0.0.1 (this machine only) */
  readonly host?: string;
  /** default 8740; 0 picks a free port */
  readonly port?: number;
  /** poll the folder instead of OS events (network shares deliver no events for other machines' writes) */
  readonly poll?: boolean;
}

export interface ReviewServer {
  /** where the review page is, e.g. http://127.0.0.1:8740/ */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** the folder served, as its real path */
  readonly folder: string;
  /** false when bound to an interface other machines can reach */
  readonly local: boolean;
  close(): Promise<void>;
}

export const REVIEW_DEFAULTS = { host: '127.0.0.1', port: 8740 } as const;

/** Folder events come in bursts (a line writes a layer, a page and a report): one refresh per burst. */
const SETTLE_MS = 150;
/** A comment line now and then keeps proxies and idle timers from closing the event stream. */
const HEARTBEAT_MS = 15_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const READ_ONLY_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);
const AUDIO_CODES = new Set(['AUDIO_NOT_FOUND', 'AUDIO_MISMATCH']);

const BASE_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

/** Starts the server; it resolves once it listens and the folder watcher is ready, so no change is missed after. */
export async function startReviewServer(opts: ReviewServerOptions): Promise<ReviewServer> {
  const root = realFolder(opts.folder);
  const host = opts.host ?? REVIEW_DEFAULTS.host;
  const local = LOOPBACK.has(host);
  const lister = new LineLister(root);
  const pages = new PageMaker(root);
  const clients = new Set<ServerResponse>();

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, 'text/plain; charset=utf-8', `a2f review: ${(err as Error).message}\n`);
      else res.destroy();
    });
  });
  let port = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'a2f review serves GET and HEAD only\n');
    }
    // Bound to this machine, only this machine's names are answered: a web page elsewhere cannot
    // point a DNS name of its own at 127.0.0.1 and read the folder through the visitor's browser.
    if (local && !allowedHost(req.headers.host, port)) {
      return send(res, 403, 'text/plain; charset=utf-8', `a2f review answers requests for 127.0.0.1:${port} or localhost:${port} only\n`);
    }
    const url = new URL(req.url ?? '/', 'http://review.invalid');
    const route = url.pathname;
    if (route === '/') return send(res, 200, 'text/html; charset=utf-8', reviewPageHtml(), `${REVIEW_CSP}; frame-ancestors 'none'`);
    if (route === '/api/lines')
      return send(res, 200, 'application/json; charset=utf-8', JSON.stringify({ folder: root, lines: lister.list() }));
    if (route === '/api/events') return openEvents(req, res);
    if (route.startsWith('/preview/')) {
      const id = decodeSegments(route.slice('/preview/'.length));
      const line = id ? lister.find(id) : null;
      if (!line?.layer) return notFound(res);
      return servePage(res, await pages.page(line), req.method === 'HEAD');
    }
    if (route.startsWith('/files/')) {
      const rel = decodeSegments(route.slice('/files/'.length));
      const file = rel && insideFile(root, rel);
      if (!file) return notFound(res);
      return serveFile(res, file, req.method === 'HEAD');
    }
    return notFound(res);
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...BASE_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    if (req.method === 'HEAD') return void res.end();
    // The browser reconnects after 2 s when the stream drops (a restarted server).
    res.write('retry: 2000\n\n');
    clients.add(res);
    req.on('close', () => clients.delete(res));
  }

  let pending: NodeJS.Timeout | undefined;
  const changed = () => {
    if (pending) return;
    pending = setTimeout(() => {
      pending = undefined;
      const data = `event: lines\ndata: ${JSON.stringify({ at: new Date().toISOString() })}\n\n`;
      for (const c of clients) c.write(data);
    }, SETTLE_MS);
  };
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': keep-alive\n\n');
  }, HEARTBEAT_MS);
  heartbeat.unref();

  let watcher: FSWatcher;
  try {
    await listen(server, opts.port ?? REVIEW_DEFAULTS.port, host, opts.folder);
    port = (server.address() as AddressInfo).port;
    watcher = await watchFolder(root, opts.poll ?? false, changed);
  } catch (err) {
    clearInterval(heartbeat);
    server.close();
    throw err;
  }

  const shownHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${port}/`,
    host,
    port,
    folder: root,
    local,
    close: () =>
      (closing ??= (async () => {
        clearInterval(heartbeat);
        if (pending) clearTimeout(pending);
        await watcher.close();
        for (const c of clients) c.end();
        clients.clear();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      })()),
  };
}

/**
 * Pages are made on first open when a line has none or has one older than its layer: written beside the
 * layer (a double-click opens it next time), or kept in memory when the folder is read-only to us.
 */
class PageMaker {
  private readonly making = new Map<string, Promise<Page>>();
  private readonly inMemory = new Map<string, { layerMtimeMs: number; html: string }>();

  constructor(private readonly root: string) {}

  page(line: ReviewLine): Promise<Page> {
    const layer = path.join(this.root, ...line.layer!.split('/'));
    const file = path.join(this.root, ...line.id.split('/')) + '.preview.html';
    if (line.page === 'ready') return Promise.resolve({ file });
    const layerMtimeMs = mtime(layer);
    const kept = this.inMemory.get(line.id);
    if (kept && kept.layerMtimeMs === layerMtimeMs) return Promise.resolve({ html: kept.html });
    // Two viewers opening the same new line make the page once.
    let making = this.making.get(line.id);
    if (!making) {
      making = this.make(line.id, layer, file, layerMtimeMs).finally(() => this.making.delete(line.id));
      this.making.set(line.id, making);
    }
    return making;
  }

  /**
   * One build; written beside the layer when it can be. A page whose audio is missing or changed is made
   * silent and kept in memory only: a silent file on disk would look finished and never get its sound.
   */
  private async make(id: string, layer: string, file: string, layerMtimeMs: number): Promise<Page> {
    let html: string;
    let silent = false;
    try {
      ({ html } = await buildPreview(layer));
    } catch (err) {
      if (!AUDIO_CODES.has(codeOf(err))) return { error: err };
      try {
        ({ html } = await buildPreview(layer, { audio: false }));
        silent = true;
      } catch (again) {
        return { error: again };
      }
    }
    if (!silent) {
      try {
        writeFileAtomic(file, html);
        return { file };
      } catch (err) {
        if (!READ_ONLY_CODES.has(codeOf(err))) return { error: err };
      }
    }
    this.inMemory.set(id, { layerMtimeMs, html });
    return { html };
  }
}

const codeOf = (err: unknown): string => String((err as { code?: unknown } | null)?.code ?? '');

type Page = { readonly file: string } | { readonly html: string } | { readonly error: unknown };

function servePage(res: ServerResponse, page: Page, head: boolean): void {
  if ('error' in page) {
    const e = page.error as { message?: string; fix?: string; problem?: string; file?: string; code?: string };
    const text = [e.file && e.problem ? `${e.file}: ${e.problem}` : (e.message ?? String(page.error)), e.fix ?? '']
      .filter(Boolean)
      .join('\n');
    const body =
      '<!doctype html><meta charset="utf-8"><title>preview failed</title><h1>The preview page could not be made</h1>' +
      `<pre>${escapeHtml(`${e.code ?? 'ERROR'}\n${text}`)}</pre>`;
    send(res, 500, 'text/html; charset=utf-8', body, "default-src 'none'");
    return;
  }
  let html: string;
  try {
    html = 'html' in page ? page.html : readFileSync(page.file, 'utf8');
  } catch {
    notFound(res);
    return;
  }
  // The page's own policy (no network at all) is sent as a header too, so it holds for this response
  // whatever the file says.
  const csp = /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html.slice(0, 2048))?.[1] ?? "default-src 'none'";
  send(res, 200, 'text/html; charset=utf-8', head ? '' : html, csp, Buffer.byteLength(html));
}

const TYPES: Readonly<Record<string, string>> = {
  '.json': 'application/json; charset=utf-8',
  '.usda': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.wav': 'audio/wav',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
};

/** A file under the folder, as data: never run as a page (a policy that allows nothing, sandboxed). */
function serveFile(res: ServerResponse, file: string, head: boolean): void {
  const size = statSync(file).size;
  const type = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...BASE_HEADERS,
    'Content-Type': type,
    'Content-Length': size,
    'Content-Security-Policy': "default-src 'none'; sandbox",
  });
  if (head) return void res.end();
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

function send(res: ServerResponse, status: number, type: string, body: string, csp = "default-src 'none'", length?: number): void {
  res.writeHead(status, {
    ...BASE_HEADERS,
    'Content-Type': type,
    'Content-Length': length ?? Buffer.byteLength(body),
    'Content-Security-Policy': csp,
  });
  res.end(body);
}

const notFound = (res: ServerResponse) => send(res, 404, 'text/plain; charset=utf-8', 'not found\n');

/**
 * A URL path's segments, decoded: null for anything that could leave the folder or reach a hidden file
 * (empty, ".", "..", a dot name, a backslash or NUL inside a segment, bad percent-encoding).
 */
export function decodeSegments(raw: string): string | null {
  const out: string[] = [];
  for (const seg of raw.split('/')) {
    let s: string;
    try {
      s = decodeURIComponent(seg);
    } catch {
      return null;
    }
    if (s === '' || s.startsWith('.') || /[\\/\0]/.test(s)) return null;
    out.push(s);
  }
  return out.length ? out.join('/') : null;
}

/** The regular file at `rel` under `root`, following no link out of it; null otherwise. */
export function insideFile(root: string, rel: string): string | null {
  const joined = path.join(root, ...rel.split('/'));
  let real: string;
  try {
    real = realpathSync(joined);
    if (!statSync(real).isFile()) return null;
  } catch {
    return null;
  }
  return real.startsWith(root + path.sep) ? real : null;
}

function allowedHost(header: string | undefined, port: number): boolean {
  if (!header) return false;
  return [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(header.toLowerCase());
}

function realFolder(folder: string): string {
  let real: string;
  try {
    real = realpathSync(folder);
  } catch {
    throw new PreviewError(
      'BAD_OPTION',
      path.resolve(folder),
      'does not exist',
      'Name the output folder to review (a2f run --out, a2f watch --out)',
    );
  }
  if (!statSync(real).isDirectory()) {
    throw new PreviewError(
      'BAD_OPTION',
      path.resolve(folder),
      'is not a folder',
      'Name the output folder that holds the layers, not a file in it',
    );
  }
  return real;
}

function listen(server: Server, port: number, host: string, folder: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const fix =
        err.code === 'EADDRINUSE'
          ? `Another program (perhaps another a2f preview --serve) uses port ${port}: pick another with --port`
          : err.code === 'EADDRNOTAVAIL'
            ? `${host} is not an address of this machine: leave out --host (127.0.0.1), or name one of its addresses`
            : 'Pick another --port (above 1023 needs no privileges) or --host';
      reject(new PreviewError('BAD_OPTION', folder, `cannot listen on ${host}:${port} (${err.code ?? err.message})`, fix, { cause: err }));
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

/** Every file event under the folder, and the watch folder's status files (running and pending lines). */
function watchFolder(root: string, poll: boolean, changed: () => void): Promise<FSWatcher> {
  const status = `${WATCH_STATE_DIR}/status`;
  const w = chokidar.watch(root, {
    ignored: (p: string) => {
      const rel = path.relative(root, p).split(path.sep).join('/');
      if (rel === '' || rel === WATCH_STATE_DIR || rel === status || rel.startsWith(`${status}/`)) return false;
      return rel.split('/').some((s) => s.startsWith('.'));
    },
    ignoreInitial: true,
    persistent: true,
    followSymlinks: false,
    depth: 32,
    usePolling: poll,
    interval: 1000,
    binaryInterval: 1000,
  });
  w.on('all', changed);
  return new Promise((resolve, reject) => {
    w.once('ready', () => resolve(w));
    w.once('error', (err) => {
      void w.close();
      reject(err);
    });
  });
}

function mtime(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}
