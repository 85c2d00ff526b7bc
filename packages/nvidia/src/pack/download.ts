import { createWriteStream, existsSync, statSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { InferenceError } from '@a2f/inference';

export interface DownloadOptions {
  /** the size the file must have, when known: a complete .part is not fetched again */
  readonly expectedSize?: number | null;
  /** Bearer token, sent to the first host only (never to the CDN a redirect leads to) */
  readonly token?: string;
  readonly signal?: AbortSignal;
  /** attempts after the first one, each resuming with a Range request (default 5) */
  readonly retries?: number;
  /** pause before retry n is n × this (default 500 ms) */
  readonly retryDelayMs?: number;
  /** a connection silent this long is dropped and retried (default 60 s) */
  readonly idleTimeoutMs?: number;
  onProgress?(received: number, total: number | null): void;
}

export interface DownloadResult {
  readonly size: number;
  /** bytes that were already in the .part when this call started (0 = fresh download) */
  readonly resumedFrom: number;
  /** how many HTTP requests it took (retries and resumes included) */
  readonly requests: number;
}

/** Errors that a retry cannot fix (HTTP 4xx, bad responses); the rest (connection drops, 5xx) are retried. */
class Fatal extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/**
 * Downloads `url` into `part`, resuming what is already there with `Range: bytes=N-`, following
 * redirects, retrying dropped connections. Only node:http/https; the file is appended as it
 * arrives, so memory stays flat for a 200 MB file.
 */
export async function downloadFile(url: string, part: string, opts: DownloadOptions = {}): Promise<DownloadResult> {
  const retries = opts.retries ?? 5;
  const startSize = existsSync(part) ? statSync(part).size : 0;
  let requests = 0;
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    let have = existsSync(part) ? statSync(part).size : 0;
    if (opts.expectedSize != null && have > opts.expectedSize) {
      unlinkSync(part);
      have = 0;
    }
    if (opts.expectedSize != null && have === opts.expectedSize) return { size: have, resumedFrom: startSize, requests };
    try {
      requests++;
      const size = await fetchInto(url, part, have, opts);
      return { size, resumedFrom: startSize, requests };
    } catch (err) {
      if (err instanceof Fatal) throw err.error;
      if (opts.signal?.aborted) throw opts.signal.reason ?? err;
      if (attempt >= retries) {
        throw new InferenceError(
          'PACK_NOT_FOUND',
          url,
          `download failed after ${attempt + 1} attempts (${(err as Error).message})`,
          `Check the connection and run the pull again: it resumes from the ` +
            `${existsSync(part) ? statSync(part).size : 0} bytes kept in ${part}.`,
        );
      }
      await sleep((opts.retryDelayMs ?? 500) * (attempt + 1), opts.signal);
    }
  }
}

/** One request (plus redirects): appends to `part` from byte `have`; returns the final size. */
async function fetchInto(url: string, part: string, have: number, opts: DownloadOptions): Promise<number> {
  const res = await request(url, have, opts, 0, new URL(url).host);
  const status = res.statusCode ?? 0;
  let total: number | null = null;
  let flags: 'w' | 'a' = 'w';
  if (status === 206) {
    const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers['content-range'] ?? '');
    if (!m || Number(m[1]) !== have) {
      res.resume();
      // A range we did not ask for: start over rather than splice wrong bytes.
      unlinkSync(part);
      throw new Error(`server answered Range ${have}- with "${res.headers['content-range'] ?? '(no Content-Range)'}"`);
    }
    total = m[3] === '*' ? null : Number(m[3]);
    flags = 'a';
  } else if (status === 200) {
    const len = res.headers['content-length'];
    total = len === undefined ? null : Number(len);
    have = 0; // the server ignored Range (or there was none): rewrite from the start
  } else if (status === 416) {
    res.resume();
    const m = /\/(\d+)$/.exec(res.headers['content-range'] ?? '');
    if (m && Number(m[1]) === have) return have; // the .part is already complete
    unlinkSync(part);
    throw new Error(`server refused Range ${have}- (HTTP 416); restarting from 0`);
  } else {
    res.resume();
    const err = new InferenceError(
      'PACK_NOT_FOUND',
      url,
      `HTTP ${status} ${res.statusMessage ?? ''}`.trim(),
      status === 401 || status === 403
        ? 'The repository is gated: accept the licence on its Hugging Face page, then pass a token (HF_TOKEN).'
        : status === 404
          ? 'The file or revision is not on the server; check the known-packs table (--known-packs).'
          : 'Try again later.',
    );
    if (status >= 400 && status < 500) throw new Fatal(err);
    throw err;
  }
  if (opts.expectedSize != null && total !== null && total !== opts.expectedSize) {
    res.resume();
    throw new Fatal(
      new InferenceError(
        'PACK_HASH',
        url,
        `the server sends ${total} bytes, the known size is ${opts.expectedSize}`,
        'The repository changed or the known-packs entry is wrong; nothing was installed.',
      ),
    );
  }
  let received = have;
  opts.onProgress?.(received, total);
  await appendBody(res, part, flags, (n) => {
    received += n;
    opts.onProgress?.(received, total);
  });
  if (total !== null && received !== total) throw new Error(`connection closed after ${received} of ${total} bytes`);
  return received;
}

/**
 * Streams the body into `part`. When the connection drops, what arrived is still flushed to disk
 * before the error surfaces (stream.pipeline would discard buffered writes), so a retry resumes
 * from every byte received.
 */
function appendBody(res: http.IncomingMessage, part: string, flags: 'w' | 'a', onData: (n: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = createWriteStream(part, { flags });
    let failure: Error | null = null;
    let ended = false;
    const finish = (err: Error | null) => {
      failure ??= err;
      if (!ended) {
        ended = true;
        out.end();
      }
    };
    res.on('data', (chunk: Buffer) => {
      onData(chunk.length);
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('end', () => finish(null));
    res.on('error', (err) => finish(err));
    res.on('close', () => finish(res.complete ? null : new Error('connection closed before the end of the body')));
    out.on('error', (err) => {
      res.destroy();
      reject(err);
    });
    out.on('close', () => (failure ? reject(failure) : resolve()));
  });
}

function request(url: string, have: number, opts: DownloadOptions, hops: number, firstHost: string): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const get = u.protocol === 'https:' ? https.get : u.protocol === 'http:' ? http.get : undefined;
    if (!get) {
      reject(new Fatal(new InferenceError('PACK_NOT_FOUND', url, `unsupported protocol ${u.protocol}`, 'Use an http(s) base URL.')));
      return;
    }
    const headers: Record<string, string> = { 'user-agent': 'a2f-models/1', 'accept-encoding': 'identity' };
    if (have > 0) headers.range = `bytes=${have}-`;
    if (opts.token && u.host === firstHost) headers.authorization = `Bearer ${opts.token}`;
    const req = get(u, { headers, signal: opts.signal }, (res) => {
      const status = res.statusCode ?? 0;
      if ([301, 302, 303, 307, 308].includes(status) && res.headers.location) {
        res.resume();
        if (hops >= 8) {
          reject(new Fatal(new InferenceError('PACK_NOT_FOUND', url, 'too many redirects', 'Check the base URL.')));
          return;
        }
        request(new URL(res.headers.location, u).toString(), have, opts, hops + 1, firstHost).then(resolve, reject);
        return;
      }
      resolve(res);
    });
    req.setTimeout(opts.idleTimeoutMs ?? 60_000, () => req.destroy(new Error(`no data for ${(opts.idleTimeoutMs ?? 60_000) / 1000} s`)));
    req.on('error', reject);
  });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
