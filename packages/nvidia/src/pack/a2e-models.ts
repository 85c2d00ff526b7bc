import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File } from '@a2f/base';
import { checkSession, type SessionInfo } from '@a2f/inference';
import { A2E_DEFAULT_SKIP, A2E_DEFAULT_WINDOW, toA2eModelPack } from '../a2e/runner.js';
import { A2E_INPUT, A2E_OUTPUT, loadA2ePack, type A2eConfig, type A2ePack } from './a2e-pack.js';
import { hashMatches } from './hash.js';
import { withNetworkInfo } from './network-check.js';
import { writeRecord } from './install-record.js';
import { knownHash, knownPacks } from './known-packs.js';
import type { KnownPack } from './known-packs.js';

/** `a2f models verify/inspect` for Audio2Emotion packs (docs/nvidia/audio2emotion.md#files). */

// The shapes of models.ts's VerifyReport, restated so that verifyPack can hand A2E folders here without an import cycle.
interface VerifiedFile {
  readonly path: string;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly expectedSize: number | null;
  readonly expectedSha256: string | null;
  readonly status: 'ok' | 'unknown' | 'mismatch' | 'missing';
}
interface VerifyOptions {
  readonly known?: readonly KnownPack[];
  readonly network?: boolean;
  readonly record?: boolean;
}
interface VerifyReport {
  readonly dir: string;
  readonly actor: string;
  readonly version: string;
  readonly known: string | null;
  readonly files: readonly VerifiedFile[];
  readonly network?: SessionInfo;
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  readonly ok: boolean;
}

/** Opens network.onnx and checks input_values [B, N] → output [B, emotions] (any N: the window is the caller's). */
export function checkA2eNetwork(pack: A2ePack): Promise<SessionInfo> {
  return withNetworkInfo(pack.files.network, async (info) => {
    const input = info.inputMetadata.find((m) => m.name === A2E_INPUT);
    // A fixed window length in the file is the one window that network takes; a free one takes any.
    const window = typeof input?.shape[1] === 'number' && input.shape[1] > 0 ? input.shape[1] : A2E_DEFAULT_WINDOW;
    checkSession(await toA2eModelPack({ ...pack, sha256: { [path.relative(pack.dir, pack.files.network)]: '-' } }, window), info);
  });
}

export async function verifyA2ePack(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const pack = await loadA2ePack(dir, { sha256: true });
  const network = opts.network === false ? undefined : await checkA2eNetwork(pack);
  const all = opts.known ?? knownPacks();
  const known =
    all.find((k) => k.name === path.basename(pack.dir).toLowerCase()) ?? all.find((k) => k.repo === 'nvidia/Audio2Emotion-v2.2') ?? null;
  const hashes: Record<string, string> = { ...pack.sha256 };
  const warnings: string[] = [];
  const files: VerifiedFile[] = [];
  for (const f of known?.files ?? []) {
    const abs = path.join(pack.dir, f.path);
    const expected = { expectedSize: f.size, expectedSha256: knownHash(f) };
    if (!existsSync(abs)) {
      if (!f.optional) warnings.push(`${f.path} is missing (${known!.title} has it)`);
      files.push({ path: f.path, size: null, sha256: null, ...expected, status: f.optional ? 'unknown' : 'missing' });
      continue;
    }
    const size = statSync(abs).size;
    hashes[f.path] ??= await sha256File(abs);
    const sha256 = hashes[f.path]!;
    const want = f.sha256 ?? f.sha256Prefix;
    const bad = (f.size !== null && size !== f.size) || (want !== null && !hashMatches(sha256, want));
    if (bad)
      warnings.push(`${f.path}: ${size} bytes, SHA-256 ${sha256.slice(0, 12)}…; ${known!.title} has ${f.size} bytes, ${knownHash(f)}`);
    files.push({ path: f.path, size, sha256, ...expected, status: bad ? 'mismatch' : want === null && f.size === null ? 'unknown' : 'ok' });
  }
  for (const [rel, sha256] of Object.entries(hashes))
    if (!files.some((f) => f.path === rel))
      files.push({
        path: rel,
        size: statSync(path.join(pack.dir, rel)).size,
        sha256,
        expectedSize: null,
        expectedSha256: null,
        status: 'unknown',
      });
  if (!known) warnings.push('not a known Audio2Emotion pack; its files cannot be compared with reference hashes');
  const ok = warnings.length === 0;
  if (ok && opts.record !== false) {
    writeRecord(pack.dir, {
      known: known && { name: known.name, repo: known.repo, revision: known.revision },
      files: Object.fromEntries(
        Object.entries(hashes).map(([rel, sha]) => [rel, { size: statSync(path.join(pack.dir, rel)).size, sha256: sha }]),
      ),
    });
  }
  return {
    dir: pack.dir,
    actor: 'audio2emotion',
    version: '2.2',
    known: known?.name ?? null,
    files,
    network,
    warnings,
    notes: pack.notes,
    ok,
  };
}

export interface A2eInspection {
  readonly dir: string;
  readonly kind: 'audio2emotion';
  readonly files: readonly { readonly path: string; readonly size: number }[];
  readonly sampleRate: number;
  /** classifier outputs in the network's order, each with its A2F emotion index (−1: dropped) */
  readonly emotions: readonly { readonly name: string; readonly a2fIndex: number }[];
  readonly defaults: { readonly window: number; readonly skip: number };
  readonly trtShapes: A2ePack['trtShapes'] | null;
  readonly tensors: { readonly input: string; readonly output: string; readonly network?: SessionInfo };
  readonly params: A2eConfig;
  readonly notes: readonly string[];
}

export async function inspectA2ePack(dir: string, opts: { readonly network?: boolean } = {}): Promise<A2eInspection> {
  const pack = await loadA2ePack(dir);
  const network = opts.network === false ? undefined : await checkA2eNetwork(pack);
  const files = Object.values(pack.files)
    .filter((f, i, all) => all.indexOf(f) === i && existsSync(f))
    .map((f) => ({ path: path.relative(pack.dir, f), size: statSync(f).size }))
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  return {
    dir: pack.dir,
    kind: 'audio2emotion',
    files,
    sampleRate: pack.sampleRate,
    emotions: pack.emotions.map((name, i) => ({ name, a2fIndex: pack.correspondence[i]! })),
    defaults: { window: A2E_DEFAULT_WINDOW, skip: A2E_DEFAULT_SKIP },
    trtShapes: pack.trtShapes ?? null,
    tensors: { input: A2E_INPUT, output: A2E_OUTPUT, ...(network ? { network } : {}) },
    params: pack.config,
    notes: pack.notes,
  };
}
