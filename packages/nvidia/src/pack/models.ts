import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { FaceParams, SolverConfig } from '../params.js';
import { InferenceError, type SessionInfo } from '@a2f/inference';
import { sha256File } from '@a2f/base';
import { verifyA2ePack } from './a2e-models.js';
import { isA2ePack } from './a2e-pack.js';
import { hashMatches } from './hash.js';
import { readRecord, recordStatus, writeRecord } from './install-record.js';
import { knownHash, knownPacks, type KnownPack } from './known-packs.js';
import { isNvidiaPack, loadNvidiaPack, MODEL_JSON } from './load.js';
import { nvidiaTensors } from './model-pack.js';
import { checkNvidiaNetwork } from './network-check.js';
import { PARTIAL_DIR } from './pull.js';
import type { EmotionShot, NetworkInfo, NvidiaPack } from './types.js';
import { isV3Pack, loadV3Pack } from './v3-load.js';

/** The `a2f models` logic: plain data in, plain data out; the CLI prints it. */

export type PackStatus = 'verified' | 'unverified' | 'modified' | 'partial' | 'not-installed';

export interface PackListing {
  /** the known pack's name, or the folder name of an unknown pack */
  readonly name: string;
  readonly title: string | null;
  readonly repo: string | null;
  readonly revision: string | null;
  readonly dir: string;
  readonly installed: boolean;
  /** verified: hashed good and unchanged since; modified: a file's size changed since; partial: an interrupted pull */
  readonly status: PackStatus;
  /** bytes an interrupted pull has kept (status 'partial') */
  readonly partialBytes?: number;
}

/** Known packs (installed or not) plus any other pack folder in `packsDir`. Never hashes. */
export function listPacks(packsDir: string, known: readonly KnownPack[] = knownPacks()): PackListing[] {
  const root = path.resolve(packsDir);
  const out: PackListing[] = known.map((k) => {
    const dir = path.join(root, k.name);
    const base = { name: k.name, title: k.title, repo: k.repo, revision: k.revision, dir };
    if (isNvidiaPack(dir)) return { ...base, installed: true, status: recordStatus(dir) };
    const partial = path.join(root, PARTIAL_DIR, k.name);
    if (existsSync(partial)) return { ...base, installed: false, status: 'partial', partialBytes: folderBytes(partial) };
    return { ...base, installed: false, status: 'not-installed' };
  });
  if (existsSync(root)) {
    for (const entry of readdirSync(root).sort()) {
      const dir = path.join(root, entry);
      if (entry.startsWith('.') || known.some((k) => k.name === entry) || !isNvidiaPack(dir)) continue;
      const rec = readRecord(dir);
      out.push({
        name: entry,
        title: null,
        repo: rec?.known?.repo ?? null,
        revision: rec?.known?.revision ?? null,
        dir,
        installed: true,
        status: recordStatus(dir),
      });
    }
  }
  return out;
}

function folderBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    n += e.isDirectory() ? folderBytes(p) : statSync(p).size;
  }
  return n;
}

export interface VerifiedFile {
  readonly path: string;
  readonly size: number | null;
  readonly sha256: string | null;
  readonly expectedSize: number | null;
  /** full hash, or prefix + "…" */
  readonly expectedSha256: string | null;
  /** ok: matches what is known; unknown: nothing known to compare; mismatch: differs; missing: not in the folder */
  readonly status: 'ok' | 'unknown' | 'mismatch' | 'missing';
}

export interface VerifyReport {
  readonly dir: string;
  readonly actor: string;
  readonly version: string;
  /** the known pack it was compared with (matched by folder name, else by actor + version) */
  readonly known: string | null;
  readonly files: readonly VerifiedFile[];
  /** the network's I/O as ORT sees it (absent with `network: false`) */
  readonly network?: SessionInfo;
  /** differences from the known pack: the pack loads, but it is not the reference files */
  readonly warnings: readonly string[];
  readonly notes: readonly string[];
  /** loads, the network matches its contract, and every known size/hash matches */
  readonly ok: boolean;
}

export interface VerifyOptions {
  readonly known?: readonly KnownPack[];
  /** open network.onnx in ORT and check its tensors (default true) */
  readonly network?: boolean;
  /** write .a2f-verified.json when everything matched, so listPacks shows it verified (default true) */
  readonly record?: boolean;
}

/**
 * Loads the pack (any structural problem throws, naming the file), checks the network's I/O with
 * ORT, hashes every file and compares sizes/hashes with the known pack. Differences are warnings:
 * a pack that loads is usable, but it is not the reference (another revision, or Claire/James
 * with 140 skin shapes in a folder that claims to be Mark).
 */
export async function verifyPack(dir: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  if (isA2ePack(dir)) return verifyA2ePack(dir, opts);
  const pack = await loadNvidiaPack(dir, { sha256: true });
  const network = opts.network === false ? undefined : await checkNvidiaNetwork(pack);
  const known = matchKnown(pack, opts.known ?? knownPacks());
  const hashes: Record<string, string> = { ...pack.sha256 };
  const warnings: string[] = [];
  const files: VerifiedFile[] = [];
  const listed = new Set<string>();
  for (const f of known?.files ?? []) {
    listed.add(f.path);
    const abs = path.join(pack.dir, f.path);
    if (!existsSync(abs)) {
      if (!f.optional) warnings.push(`${f.path} is missing (${known!.title} has it)`);
      files.push({
        path: f.path,
        size: null,
        sha256: null,
        expectedSize: f.size,
        expectedSha256: knownHash(f),
        status: f.optional ? 'unknown' : 'missing',
      });
      continue;
    }
    const size = statSync(abs).size;
    hashes[f.path] ??= await sha256File(abs);
    const sha256 = hashes[f.path]!;
    const want = f.sha256 ?? f.sha256Prefix;
    const sizeBad = f.size !== null && size !== f.size;
    const hashBad = want !== null && !hashMatches(sha256, want);
    if (sizeBad || hashBad) {
      const differs = sizeBad
        ? `${size} bytes, ${known!.title} has ${f.size}`
        : `SHA-256 ${sha256.slice(0, 12)}…, ${known!.title} has ${knownHash(f)}`;
      warnings.push(`${f.path}: ${differs} (revision ${known!.revision.slice(0, 12)}); results may differ from the reference model`);
    }
    files.push({
      path: f.path,
      size,
      sha256,
      expectedSize: f.size,
      expectedSha256: knownHash(f),
      status: sizeBad || hashBad ? 'mismatch' : f.size === null && want === null ? 'unknown' : 'ok',
    });
  }
  for (const [rel, sha256] of Object.entries(hashes)) {
    if (!listed.has(rel))
      files.push({
        path: rel,
        size: statSync(path.join(pack.dir, rel)).size,
        sha256,
        expectedSize: null,
        expectedSha256: null,
        status: 'unknown',
      });
  }
  if (known === null)
    warnings.push(
      `not one of the known packs (${pack.networkInfo.id.actor} ` +
        `v${pack.networkInfo.id.version}); its files cannot be compared with reference hashes`,
    );
  if (known?.skinShapes != null && known.skinShapes !== pack.networkInfo.numShapesSkin) {
    warnings.push(
      `network_info.json declares ${pack.networkInfo.numShapesSkin} skin shapes; ${known.title} has ` +
        `${known.skinShapes}: this folder holds a different model (the v2.3.1 Claire/James packs have 140)`,
    );
  }
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
    actor: pack.networkInfo.id.actor,
    version: pack.networkInfo.id.version,
    known: known?.name ?? null,
    files,
    network,
    warnings,
    notes: pack.notes,
    ok,
  };
}

function matchKnown(pack: NvidiaPack, known: readonly KnownPack[]): KnownPack | null {
  const byFolder = known.find((k) => k.name === path.basename(pack.dir).toLowerCase());
  if (byFolder) return byFolder;
  const { actor, version } = pack.networkInfo.id;
  return known.find((k) => k.actor.toLowerCase() === actor.toLowerCase() && k.version === version) ?? null;
}

export interface RigSummary {
  readonly poses: readonly string[];
  readonly vertexCount: number;
  readonly activePoses: number;
  readonly frontalMaskSize: number | null;
  readonly rigVersion: string | null;
  readonly solver: Omit<
    SolverConfig,
    'bsSolveActivePoses' | 'bsSolveCancelPoses' | 'bsSolveSymmetryPoses' | 'bsWeightMultipliers' | 'bsWeightOffsets'
  >;
}

export interface PackInspection {
  readonly dir: string;
  readonly id: NetworkInfo['id'];
  readonly files: readonly { readonly path: string; readonly size: number }[];
  readonly audio: NetworkInfo['audio'] & { readonly inputStrength: number; readonly lookaheadSeconds: number };
  readonly emotion: {
    readonly implicitLength: number;
    readonly explicit: readonly string[];
    readonly defaultEmotion: readonly number[];
    readonly sourceShot: string;
    readonly sourceFrame: number;
    readonly shots: readonly EmotionShot[];
  };
  /** the contract network_info.json implies, and (unless `network: false`) what the ONNX file declares */
  readonly tensors: { readonly declared: ReturnType<typeof nvidiaTensors>; readonly network?: SessionInfo };
  readonly layout: NetworkInfo['layout'];
  readonly sizes: {
    readonly skinShapes: number;
    readonly tongueShapes: number;
    readonly skinVerts: number;
    readonly tongueVerts: number;
    readonly jaw: number;
    readonly eyes: number;
    readonly saccadeFrames: number;
  };
  readonly blendshapes: { readonly skin: RigSummary; readonly tongue: RigSummary };
  readonly params: FaceParams;
  readonly notes: readonly string[];
}

/** The pack's contract and contents, for `a2f models inspect`. */
export async function inspectPack(dir: string, opts: { readonly network?: boolean } = {}): Promise<PackInspection> {
  if (isV3Pack(dir)) {
    const v3 = await loadV3Pack(dir);
    throw new InferenceError(
      'BAD_OPTION',
      v3.modelJson,
      `is an Audio2Face-3D v3.0 pack (identities ${v3.info.identities.join(', ')}); inspect describes v2.3 packs only`,
      'Run it with a2f run --model <pack> --identity <name> (docs/nvidia/v3.md).',
    );
  }
  const pack = await loadNvidiaPack(dir);
  const info = pack.networkInfo;
  const network = opts.network === false ? undefined : await checkNvidiaNetwork(pack);
  const rig = (r: NvidiaPack['skin']): RigSummary => {
    const {
      bsSolveActivePoses,
      bsSolveCancelPoses: _c,
      bsSolveSymmetryPoses: _s,
      bsWeightMultipliers: _m,
      bsWeightOffsets: _o,
      ...solver
    } = r.config;
    return {
      poses: r.poseNames,
      vertexCount: r.vertexCount,
      activePoses: bsSolveActivePoses.filter((a) => a !== 0).length,
      frontalMaskSize: r.frontalMask?.length ?? null,
      rigVersion: r.rigVersion ?? null,
      solver,
    };
  };
  const files = readdirSync(pack.dir)
    .filter((f) => !f.startsWith('.') && statSync(path.join(pack.dir, f)).isFile())
    .sort()
    .map((f) => ({ path: f, size: statSync(path.join(pack.dir, f)).size }));
  return {
    dir: pack.dir,
    id: info.id,
    files,
    audio: {
      ...info.audio,
      inputStrength: pack.params.input_strength,
      lookaheadSeconds: (info.audio.bufferLength - info.audio.bufferOffset) / info.audio.sampleRate,
    },
    emotion: {
      implicitLength: info.implicitEmotionLength,
      explicit: info.explicitEmotions,
      defaultEmotion: info.defaultEmotion,
      sourceShot: pack.params.source_shot,
      sourceFrame: pack.params.source_frame,
      shots: pack.emotionDb.shots,
    },
    tensors: { declared: nvidiaTensors(info), network },
    layout: info.layout,
    sizes: {
      skinShapes: info.numShapesSkin,
      tongueShapes: info.numShapesTongue,
      skinVerts: info.numVertsSkin,
      tongueVerts: info.numVertsTongue,
      jaw: info.resultJawSize,
      eyes: info.resultEyesSize,
      saccadeFrames: pack.modelData.saccadeFrames,
    },
    blendshapes: { skin: rig(pack.skin), tongue: rig(pack.tongue) },
    params: pack.params,
    notes: pack.notes,
  };
}

export { MODEL_JSON };
