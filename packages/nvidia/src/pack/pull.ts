import { existsSync, mkdirSync, renameSync, rmSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { InferenceError } from '@a2f/inference';
import { downloadFile } from './download.js';
import { sha256File } from '@a2f/base';
import { hashMatches } from './hash.js';
import { writeRecord } from './install-record.js';
import { knownHash, knownPacks, type KnownFile, type KnownPack } from './known-packs.js';
import { isA2ePack, loadA2ePack } from './a2e-pack.js';
import { loadNvidiaPack } from './load.js';

export const DEFAULT_BASE_URL = 'https://huggingface.co';
/** Partial downloads live here, one folder per pack, until the whole pack is verified. */
export const PARTIAL_DIR = '.partial';

export interface PullProgress {
  readonly pack: string;
  readonly file: string;
  /** 0-based index in the pack's file list, and that list's length */
  readonly index: number;
  readonly count: number;
  readonly phase: 'download' | 'verify' | 'install';
  readonly received: number;
  readonly total: number | null;
}

export interface PullOptions {
  /** where packs are installed (`<packsDir>/<name>`); usually models/packs */
  readonly packsDir: string;
  /** default https://huggingface.co; files come from `<baseUrl>/<repo>/resolve/<revision>/<path>` */
  readonly baseUrl?: string;
  /** Hugging Face token for the gated repos (the CLI passes HF_TOKEN) */
  readonly token?: string;
  onProgress?(p: PullProgress): void;
  readonly signal?: AbortSignal;
  /** replace an installed pack (the old one stays until the new one is in place) */
  readonly force?: boolean;
  /** known packs to pull from (default: models/nvidia/packs.json) */
  readonly known?: readonly KnownPack[];
  readonly retries?: number;
  readonly retryDelayMs?: number;
}

export interface PulledFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
  /** what the bytes were checked against: the full hash, a prefix of it, only the size, or nothing known */
  readonly checkedBy: 'sha256' | 'sha256-prefix' | 'size' | 'none';
  /** bytes that an earlier, interrupted pull had already fetched */
  readonly resumedFrom: number;
  /** HTTP requests made for it in this pull */
  readonly requests: number;
}

export interface PullResult {
  readonly name: string;
  readonly dir: string;
  /** true when the pack was already installed with the known sizes: nothing was fetched */
  readonly alreadyInstalled: boolean;
  readonly files: readonly PulledFile[];
  readonly notes: readonly string[];
}

export function findKnownPack(name: string, known: readonly KnownPack[]): KnownPack {
  const pack = known.find((p) => p.name === name.toLowerCase());
  if (!pack) {
    throw new InferenceError('BAD_OPTION', name, `is not a known pack`, `Use one of: ${known.map((p) => p.name).join(', ')}.`);
  }
  return pack;
}

/**
 * Downloads a known pack into `<packsDir>/.partial/<name>/`, resuming `.part` files with Range
 * requests, checks each file's size and SHA-256 (full, or the known prefix), loads the result
 * like `a2f run` would, and only then renames the folder to `<packsDir>/<name>`: a pack appears
 * whole or not at all. A corrupt file is deleted (so the next pull fetches it fresh) and the pull
 * fails with PACK_HASH; the other verified files are kept for that next pull.
 */
export async function pullPack(name: string, opts: PullOptions): Promise<PullResult> {
  const pack = findKnownPack(name, opts.known ?? knownPacks());
  const packsDir = path.resolve(opts.packsDir);
  const target = path.join(packsDir, pack.name);
  const notes: string[] = [];

  if (existsSync(target) && !opts.force) {
    const differs = pack.files
      .filter((f) => !f.optional || existsSync(path.join(target, f.path)))
      .filter((f) => !existsSync(path.join(target, f.path)) || (f.size !== null && statSync(path.join(target, f.path)).size !== f.size));
    if (differs.length === 0)
      return { name: pack.name, dir: target, alreadyInstalled: true, files: [], notes: ['already installed; run verify to rehash it'] };
    throw new InferenceError(
      'BAD_OPTION',
      target,
      `a "${pack.name}" pack is already installed here, and ${differs.map((f) => f.path).join(', ')} differ from ${pack.title}`,
      'Pull with force to replace it, or remove the folder.',
    );
  }

  const staging = path.join(packsDir, PARTIAL_DIR, pack.name);
  mkdirSync(staging, { recursive: true });
  const base = (opts.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  const files: PulledFile[] = [];
  for (const [index, f] of pack.files.entries()) {
    opts.signal?.throwIfAborted();
    const url = `${base}/${pack.repo}/resolve/${pack.revision}/${f.path.split('/').map(encodeURIComponent).join('/')}`;
    const final = path.join(staging, f.path);
    const part = `${final}.part`;
    mkdirSync(path.dirname(final), { recursive: true });
    const progress = (phase: PullProgress['phase'], received: number, total: number | null) =>
      opts.onProgress?.({ pack: pack.name, file: f.path, index, count: pack.files.length, phase, received, total });

    let resumedFrom = 0,
      requests = 0;
    if (!existsSync(final)) {
      try {
        const r = await downloadFile(url, part, {
          expectedSize: f.size,
          token: opts.token,
          signal: opts.signal,
          retries: opts.retries,
          retryDelayMs: opts.retryDelayMs,
          onProgress: (received, total) => progress('download', received, total),
        });
        resumedFrom = r.resumedFrom;
        requests = r.requests;
      } catch (err) {
        if (f.optional && err instanceof InferenceError && /HTTP 404/.test(err.problem)) {
          notes.push(`${f.path}: not on the server (optional, only used to build a TensorRT engine)`);
          continue;
        }
        throw err;
      }
      renameSync(part, final);
    }
    progress('verify', statSync(final).size, f.size);
    files.push({ ...(await verifyFile(final, f, pack, url)), resumedFrom, requests });
  }

  // The pack must load before it is installed: a file list that changed upstream fails here, not in a job.
  try {
    // Audio2Emotion packs have their own layout (docs/nvidia/audio2emotion.md#files).
    const loaded = isA2ePack(staging) ? await loadA2ePack(staging) : await loadNvidiaPack(staging);
    notes.push(...loaded.notes);
    if ('networkInfo' in loaded && pack.skinShapes !== null && loaded.networkInfo.numShapesSkin !== pack.skinShapes) {
      notes.push(`network_info.json declares ${loaded.networkInfo.numShapesSkin} skin shapes, ${pack.title} has ${pack.skinShapes}`);
    }
  } catch (err) {
    if (err instanceof Error) err.message += ` (the download is in ${staging}; nothing was installed)`;
    throw err;
  }
  writeRecord(staging, {
    known: { name: pack.name, repo: pack.repo, revision: pack.revision },
    files: Object.fromEntries(files.map((f) => [f.path, { size: f.size, sha256: f.sha256 }])),
  });

  opts.onProgress?.({
    pack: pack.name,
    file: '',
    index: pack.files.length,
    count: pack.files.length,
    phase: 'install',
    received: 0,
    total: null,
  });
  const old = existsSync(target) ? path.join(packsDir, PARTIAL_DIR, `${pack.name}.old-${process.pid}-${Date.now()}`) : null;
  if (old) renameSync(target, old);
  try {
    renameSync(staging, target);
  } catch (err) {
    if (old) renameSync(old, target);
    throw err;
  }
  if (old) rmSync(old, { recursive: true, force: true });
  return { name: pack.name, dir: target, alreadyInstalled: false, files, notes };
}

async function verifyFile(file: string, f: KnownFile, pack: KnownPack, url: string): Promise<Omit<PulledFile, 'resumedFrom' | 'requests'>> {
  const size = statSync(file).size;
  const fail = (problem: string): never => {
    unlinkSync(file);
    throw new InferenceError(
      'PACK_HASH',
      file,
      `${problem} for ${pack.title} ${f.path} at revision ${pack.revision.slice(0, 12)} ` +
        `(from ${url}); the corrupt file was deleted and nothing was installed`,
      'Run the pull again to fetch it fresh; if it fails the same way, the model ' +
        'repository changed and the known-packs table (--known-packs) needs updating.',
    );
  };
  if (f.size !== null && size !== f.size) fail(`size is ${size} bytes, expected ${f.size}`);
  const sha256 = await sha256File(file);
  const known = f.sha256 ?? f.sha256Prefix;
  if (known !== null && !hashMatches(sha256, known)) fail(`SHA-256 is ${sha256}, expected ${knownHash(f)}`);
  const checkedBy = f.sha256 ? 'sha256' : f.sha256Prefix ? 'sha256-prefix' : f.size !== null ? 'size' : 'none';
  return { path: f.path, size, sha256, checkedBy };
}
