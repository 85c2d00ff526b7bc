// A loopback stand-in for huggingface.co: serves a generated pack under
// /<repo>/resolve/<revision>/<file> (via a redirect to /cdn/<file>, as HF redirects to its CDN),
// honours Range, and can misbehave on purpose: drop a connection mid-file, flip a byte, 404 a file,
// demand a token.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { MiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import type { KnownPack } from '../src/index.js';

export interface Behaviour {
  /** drop the connection after this many body bytes, for the first `times` requests of `file` */
  drop?: { file: string; after: number; times: number };
  /** flip one byte of this file in every response */
  corrupt?: { file: string; at: number };
  missing?: string[];
  token?: string;
}

export interface LoggedRequest {
  readonly url: string;
  readonly range: string | undefined;
  readonly authorization: string | undefined;
}

export interface PackServer {
  readonly baseUrl: string;
  readonly log: LoggedRequest[];
  behaviour: Behaviour;
  close(): Promise<void>;
}

export const REPO = 'nvidia/Test-Pack';
export const REVISION = '0123456789abcdef0123456789abcdef01234567';

export async function servePack(made: MiniPack, behaviour: Behaviour = {}): Promise<PackServer> {
  const log: LoggedRequest[] = [];
  const drops = new Map<string, number>();
  const state = { behaviour };
  const server = http.createServer((req, res) => {
    const url = decodeURIComponent(req.url ?? '');
    log.push({ url, range: req.headers.range, authorization: req.headers.authorization });
    const b = state.behaviour;
    const prefix = `/${REPO}/resolve/${REVISION}/`;
    if (url.startsWith(prefix)) {
      if (b.token && req.headers.authorization !== `Bearer ${b.token}`) {
        res.writeHead(401).end('gated');
        return;
      }
      res.writeHead(302, { location: `/cdn/${url.slice(prefix.length)}` }).end();
      return;
    }
    const name = url.startsWith('/cdn/') ? url.slice(5) : '';
    if (!name || b.missing?.includes(name) || !made.files[name]) {
      res.writeHead(404).end('not found');
      return;
    }
    let body = readFileSync(path.join(made.dir, name));
    if (b.corrupt?.file === name) {
      body = Buffer.from(body);
      body[b.corrupt.at] ^= 0xff;
    }
    let start = 0;
    const m = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (m) {
      start = Number(m[1]);
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { 'content-length': body.length - start, 'content-range': `bytes ${start}-${body.length - 1}/${body.length}` });
    } else {
      res.writeHead(200, { 'content-length': body.length });
    }
    const part = body.subarray(start);
    const dropped = drops.get(name) ?? 0;
    if (b.drop?.file === name && dropped < b.drop.times && part.length > b.drop.after) {
      drops.set(name, dropped + 1);
      // Send a head start, then cut the connection as a flaky network would.
      res.write(part.subarray(0, b.drop.after), () => res.socket?.destroy());
      return;
    }
    res.end(part);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    log,
    get behaviour() {
      return state.behaviour;
    },
    set behaviour(v) {
      state.behaviour = v;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A known-packs entry for the generated pack: sizes and full hashes (or 8-digit prefixes) computed from its files. */
export function knownEntry(made: MiniPack, name = 'testmark', { prefixOnly = false, optional = ['trt_info.json'] } = {}): KnownPack {
  return {
    name,
    title: `Test ${made.sizes.actor}`,
    actor: made.sizes.actor,
    version: made.sizes.version,
    repo: REPO,
    revision: REVISION,
    license: 'test',
    skinShapes: made.sizes.skinShapes,
    files: Object.entries(made.files)
      .filter(([f]) => f !== 'config.json')
      .map(([f, info]) => ({
        path: f,
        size: info.size,
        sha256: prefixOnly ? null : info.sha256,
        sha256Prefix: prefixOnly ? info.sha256.slice(0, 8) : null,
        optional: optional.includes(f),
      })),
    notes: [],
  };
}
