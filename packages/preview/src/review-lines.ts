// What the review server lists: every line in an output folder (and its subfolders, as path templates
// write them), with its status read from the files a line leaves and from the watch folder's state
// (docs/review-server.md, "What it lists").
import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync, type Dirent } from 'node:fs';
import path from 'node:path';

export type LineStatus = 'done' | 'failed' | 'running' | 'pending' | 'duplicate';

export interface ReviewLine {
  /** the line's file base relative to the folder, forward slashes ("shot1/line02"); pending lines: "pending:<inbox path>" */
  readonly id: string;
  readonly name: string;
  /** its folder relative to the served folder ("" at the top) */
  readonly dir: string;
  readonly status: LineStatus;
  /** ISO time of its newest file (running: when the work started) */
  readonly when: string;
  readonly frames: number | null;
  readonly fps: number | null;
  readonly seconds: number | null;
  readonly model: string | null;
  /** the audio file's name, from the report */
  readonly audio: string | null;
  /** the layer the page shows, relative to the folder; null: no layer yet */
  readonly layer: string | null;
  /** the page beside the layer: ready, older than the layer (remade on open), or not there (made on open) */
  readonly page: 'ready' | 'stale' | 'missing' | null;
  readonly error?: { readonly code: string; readonly message: string; readonly fix: string | null };
  readonly duplicateOf?: string;
  /** running: the pipeline stage the watch folder reports (decode, infer, write) */
  readonly stage?: string;
}

/** The default watch state folder inside an output folder (as @a2f/watch names it; this package cannot import it). */
export const WATCH_STATE_DIR = '.a2f-watch';
/** A watcher whose status file is older than this is gone: it rewrites the file at least every 10 s while it runs. */
const LIVE_MS = 30_000;
const LAYER_EXT = /\.(usda|usdc|usdz|usd)$/i;
const MAX_DEPTH = 32;

interface Group {
  dir: string;
  base: string;
  layers: Map<string, number>;
  report?: { file: string; mtimeMs: number };
  error?: { file: string; mtimeMs: number };
  duplicate?: { file: string; mtimeMs: number };
  page?: number;
}

/**
 * Lists an output folder's lines, newest first. Reports are read once per change of their mtime and
 * size (kept between calls), so a folder of thousands of lines lists in milliseconds after the first time.
 */
export class LineLister {
  private readonly cache = new Map<string, { sig: string; json: Record<string, unknown> | null }>();

  constructor(
    readonly root: string,
    private readonly stateDir = path.join(root, WATCH_STATE_DIR),
  ) {}

  list(now = Date.now()): ReviewLine[] {
    const groups = new Map<string, Group>();
    this.walk('', 0, groups);
    const lines = new Map<string, ReviewLine>();
    for (const g of groups.values()) {
      const line = this.lineOf(g);
      if (line) lines.set(line.id, line);
    }
    for (const w of readWatchState(this.stateDir, now)) {
      const known = lines.get(w.id);
      if (w.status === 'running' && known)
        lines.set(w.id, { ...known, status: 'running', when: w.when, ...(w.stage ? { stage: w.stage } : {}) });
      else if (!known) lines.set(w.id, w);
    }
    return [...lines.values()].sort((a, b) => (a.when === b.when ? a.id.localeCompare(b.id) : a.when < b.when ? 1 : -1));
  }

  /** The line with this id, or null (an id the listing does not hold: nothing is served for it). */
  find(id: string): ReviewLine | null {
    return this.list().find((l) => l.id === id) ?? null;
  }

  private walk(rel: string, depth: number, groups: Map<string, Group>): void {
    let entries: Dirent[];
    try {
      entries = readdirSync(path.join(this.root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      // Dot names are temporary files of atomic writes and state folders; links are not followed,
      // so nothing outside the folder is listed.
      if (e.name.startsWith('.')) continue;
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) this.walk(relPath, depth + 1, groups);
        continue;
      }
      if (!e.isFile()) continue;
      const kind = classify(e.name);
      if (!kind) continue;
      let mtimeMs: number;
      try {
        mtimeMs = statSync(path.join(this.root, relPath)).mtimeMs;
      } catch {
        continue;
      }
      const key = `${rel}/${kind.base}`;
      let g = groups.get(key);
      if (!g) {
        g = { dir: rel, base: kind.base, layers: new Map() };
        groups.set(key, g);
      }
      if (kind.what === 'layer') g.layers.set(e.name, mtimeMs);
      else if (kind.what === 'page') g.page = mtimeMs;
      else g[kind.what] = { file: relPath, mtimeMs };
    }
  }

  private lineOf(g: Group): ReviewLine | null {
    const report = g.report ? this.json(g.report.file) : null;
    const listed = Array.isArray(report?.layers) ? (report.layers as unknown[]).filter((f): f is string => typeof f === 'string') : [];
    const names = listed.filter((f) => g.layers.has(f));
    const layerName = pickLayer(names.length ? names : [...g.layers.keys()]);
    const layerMtime = layerName ? g.layers.get(layerName)! : null;
    const id = g.dir ? `${g.dir}/${g.base}` : g.base;
    const failedLater = g.error && (layerMtime === null || g.error.mtimeMs >= layerMtime);
    const newest = Math.max(layerMtime ?? 0, failedLater ? g.error!.mtimeMs : 0, layerMtime === null ? (g.duplicate?.mtimeMs ?? 0) : 0);
    const base = {
      id,
      name: g.base,
      dir: g.dir,
      when: new Date(newest).toISOString(),
      frames: num(report?.frames),
      fps: fpsOf(report?.fps),
      seconds: num(report?.durationSeconds),
      model: typeof report?.model === 'string' ? report.model : null,
      audio: typeof report?.audio === 'string' ? path.basename(report.audio) : null,
      layer: layerName ? (g.dir ? `${g.dir}/${layerName}` : layerName) : null,
      page: layerMtime === null ? null : g.page === undefined ? 'missing' : g.page >= layerMtime ? 'ready' : 'stale',
    } as const;
    if (failedLater) {
      const e = this.json(g.error!.file);
      const text = (k: string) => (typeof e?.[k] === 'string' ? (e[k] as string) : null);
      return {
        ...base,
        status: 'failed',
        error: {
          code: text('code') ?? 'ERROR',
          message: text('why') ?? text('what') ?? 'failed (unreadable error file)',
          fix: text('fix'),
        },
      };
    }
    if (layerName) {
      return { ...base, status: 'done', frames: base.frames ?? (layerName.endsWith('.usda') ? framesOfUsda(this.abs(base.layer!)) : null) };
    }
    if (g.duplicate) {
      const d = this.json(g.duplicate.file);
      return { ...base, status: 'duplicate', ...(typeof d?.duplicateOf === 'string' ? { duplicateOf: d.duplicateOf } : {}) };
    }
    return null;
  }

  private abs(rel: string): string {
    return path.join(this.root, ...rel.split('/'));
  }

  private json(rel: string): Record<string, unknown> | null {
    const file = this.abs(rel);
    let sig: string;
    try {
      const st = statSync(file);
      sig = `${st.mtimeMs}:${st.size}`;
    } catch {
      return null;
    }
    const hit = this.cache.get(file);
    if (hit?.sig === sig) return hit.json;
    let json: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      json = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
    } catch {
      json = null;
    }
    this.cache.set(file, { sig, json });
    return json;
  }
}

type Kind = { what: 'layer' | 'page' | 'report' | 'error' | 'duplicate'; base: string };

/** What a file in an output folder is to its line, and the line's base name. */
function classify(name: string): Kind | null {
  for (const [suffix, what] of [
    ['.report.json', 'report'],
    ['.error.json', 'error'],
    ['.duplicate.json', 'duplicate'],
    ['.preview.html', 'page'],
  ] as const) {
    if (name.endsWith(suffix) && name.length > suffix.length) return { what, base: name.slice(0, -suffix.length) };
  }
  const m = LAYER_EXT.exec(name);
  if (!m) return null;
  const stem = name.slice(0, m.index);
  // "reference" layering writes <name>.anim.usda and <name>.shot.usda for one line.
  const two = /^(.+)\.(anim|shot)$/.exec(stem);
  return { what: 'layer', base: two ? two[1]! : stem };
}

/** The layer that shows the whole line: the shot layer of a reference pair, else the line's layer. */
function pickLayer(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  return names.find((n) => /\.shot\.[^.]+$/.test(n)) ?? names.find((n) => !/\.anim\.[^.]+$/.test(n)) ?? names[0]!;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** A report's fps: a rational { num, den } or a number. */
function fpsOf(v: unknown): number | null {
  if (typeof v === 'number') return num(v);
  const r = v as { num?: unknown; den?: unknown } | null;
  return r && typeof r.num === 'number' && typeof r.den === 'number' && r.den > 0 ? r.num / r.den : null;
}

/** Frames of a text layer made by hand (no report beside it), from the time codes in its header. */
function framesOfUsda(file: string): number | null {
  let head: string;
  try {
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(16384);
      head = buf.subarray(0, readSync(fd, buf, 0, buf.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return null;
  }
  const start = /\bstartTimeCode\s*=\s*(-?[\d.]+)/.exec(head);
  const end = /\bendTimeCode\s*=\s*(-?[\d.]+)/.exec(head);
  if (!start || !end) return null;
  const n = Math.floor(Number(end[1]) - Number(start[1])) + 1;
  return Number.isFinite(n) && n > 0 ? n : null;
}

interface InstanceStatus {
  stopped?: boolean;
  updatedAt?: string;
  inProgress?: { path?: string; since?: string; out?: string; stage?: string }[];
  queued?: string[];
  waiting?: string[];
}

/**
 * Lines a running watcher holds: in progress (their output base is known) and queued or waiting (only
 * their inbox path is). A watcher that stopped, or whose status is stale (it died), says nothing.
 */
export function readWatchState(stateDir: string, now = Date.now()): ReviewLine[] {
  const dir = path.join(stateDir, 'status');
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
  } catch {
    return [];
  }
  const out: ReviewLine[] = [];
  for (const n of names) {
    let s: InstanceStatus;
    try {
      s = JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as InstanceStatus;
    } catch {
      continue;
    }
    const updated = Date.parse(s.updatedAt ?? '');
    if (s.stopped || !(now - updated < LIVE_MS)) continue;
    for (const p of s.inProgress ?? []) {
      if (typeof p.out !== 'string' || !p.out) continue;
      const slash = p.out.lastIndexOf('/');
      out.push({
        ...empty(p.out, p.out.slice(slash + 1), slash < 0 ? '' : p.out.slice(0, slash)),
        status: 'running',
        when: typeof p.since === 'string' ? p.since : new Date(updated).toISOString(),
        ...(typeof p.stage === 'string' ? { stage: p.stage } : {}),
      });
    }
    for (const rel of [...(s.queued ?? []), ...(s.waiting ?? [])]) {
      if (typeof rel !== 'string') continue;
      out.push({
        // Named by its inbox path: its output name is only known once the watcher takes it.
        ...empty(`pending:${rel}`, rel, ''),
        status: 'pending',
        when: new Date(updated).toISOString(),
      });
    }
  }
  return out;
}

const empty = (id: string, name: string, dir: string) => ({
  id,
  name,
  dir,
  frames: null,
  fps: null,
  seconds: null,
  model: null,
  audio: null,
  layer: null,
  page: null,
});
