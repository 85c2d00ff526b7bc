// A line's files on the shared output root: what an earlier attempt already finished, debris of an
// attempt that died, the error file of a failed line, and the result stored with the job.
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { sha256File, sha256Text, writeFileAtomic } from '@a2f/base';
import { makeDirs, provenanceSettings, type JobSettings, type LineSidecar } from '@a2f/pipeline';

export interface OutputFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

/** What a worker stores as the job's return value (docs/queue.md, "Results"). */
export interface LineJobResult {
  readonly audio: string;
  readonly name: string;
  readonly outDir: string;
  /** layers, export JSON, report: absolute paths on the worker, with their SHA-256 and size */
  readonly files: readonly OutputFile[];
  readonly frames: number;
  readonly durationSeconds: number;
  /** true when an earlier attempt had already written these files and this one only found them */
  readonly reused: boolean;
  /** ms: in the queue before a worker took it; on the worker; of that, in the pipeline and around it; from add to done */
  readonly timings: {
    readonly waitMs: number;
    readonly runMs: number;
    readonly pipelineMs: number;
    readonly overheadMs: number;
    readonly totalMs: number;
  };
  readonly provenance: Readonly<Record<string, unknown>>;
  readonly worker: { readonly id: string; readonly host: string; readonly pid: number };
  readonly attempt: number;
}

/** The report's `origin.settingsSha256` as the pipeline records it (job.ts): the layer-changing settings and the sidecar. */
export const originSettingsSha = (s: JobSettings, sidecar: LineSidecar | null): string =>
  sha256Text(JSON.stringify({ ...provenanceSettings(s), sidecar: sidecar ?? null }));

interface Report {
  readonly origin?: { audioSha256?: string; settingsSha256?: string };
  readonly layers?: string[];
  readonly frames?: number;
  readonly durationSeconds?: number;
  readonly [k: string]: unknown;
}

export function readReport(outDir: string, name: string): Report | null {
  try {
    return JSON.parse(readFileSync(path.join(outDir, `${name}.report.json`), 'utf8')) as Report;
  } catch {
    return null;
  }
}

/**
 * The files of this line that an earlier attempt finished (its report written last, from this audio
 * and these settings, every layer it lists present), or null. A re-run after a crash, or a second
 * attempt after a lost lease, then writes nothing over them.
 */
export function finishedFiles(outDir: string, name: string, audioSha256: string, settingsSha: string): string[] | null {
  const r = readReport(outDir, name);
  if (!r?.origin || r.origin.audioSha256 !== audioSha256 || r.origin.settingsSha256 !== settingsSha) return null;
  const layers = (r.layers ?? []).map((l) => path.join(outDir, l));
  if (layers.length === 0 || !layers.every((f) => existsSync(f))) return null;
  const exportJson = path.join(outDir, `${name}.a2f.json`);
  return [...layers, ...(existsSync(exportJson) ? [exportJson] : []), path.join(outDir, `${name}.report.json`)];
}

export async function describeFiles(files: readonly string[]): Promise<OutputFile[]> {
  return Promise.all(files.map(async (file) => ({ file, sha256: await sha256File(file), bytes: statSync(file).size })));
}

/** The report's summary of where a layer came from, stored with the job. */
export function provenanceSummary(r: Report | null): Record<string, unknown> {
  if (!r) return {};
  const p = (r.provenance ?? {}) as Record<string, unknown>;
  return {
    origin: r.origin,
    model: r.model,
    character: r.character,
    preset: r.preset,
    layering: r.layering,
    fps: r.fps,
    tool: p.tool,
  };
}

/**
 * `writeFileAtomic` (base/atomic.ts) writes `.<final name>.<pid>.<8 hex>.tmp` beside the final file and
 * renames it. An attempt that died leaves that behind, never a partial file under a final name;
 * this removes such leftovers of line `name` older than `staleMs` (a live writer holds its
 * temporary file only while one file is written).
 */
const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;
const LINE_SUFFIXES = ['usda', 'anim.usda', 'shot.usda', 'report.json', 'a2f.json', 'error.json'];

export function removeStaleTemps(dir: string, name: string, staleMs: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const finals = new Set(LINE_SUFFIXES.map((s) => `${name}.${s}`));
  const removed: string[] = [];
  const now = Date.now();
  for (const n of names) {
    const m = TEMP_RE.exec(n);
    if (!m || !finals.has(m[1]!)) continue;
    const file = path.join(dir, n);
    try {
      if (now - statSync(file).mtimeMs < staleMs) continue;
      unlinkSync(file);
      removed.push(n);
    } catch {
      // Renamed into place or removed by someone else meanwhile.
    }
  }
  return removed;
}

export interface FailureRecord {
  readonly code: string;
  readonly message: string;
  readonly fix: string;
  readonly transient: boolean;
}

/** `<name>.error.json`, in the shape the watch folder writes (docs/queue.md, "Failures"). */
export function writeErrorFile(
  outDir: string,
  name: string,
  audio: string,
  f: FailureRecord,
  extra: { attempts: number; key: string; worker: LineJobResult['worker'] },
): string {
  const file = path.join(outDir, `${name}.error.json`);
  makeDirs(outDir);
  const body = {
    audio,
    what: `${path.basename(audio)} could not be animated (${f.code})`,
    why: f.message,
    fix: f.fix,
    code: f.code,
    transient: f.transient,
    attempts: extra.attempts,
    key: extra.key,
    at: new Date().toISOString(),
    worker: extra.worker,
  };
  writeFileAtomic(file, JSON.stringify(body, null, 2) + '\n');
  return file;
}
