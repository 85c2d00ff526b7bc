import { readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from './owner.js';

/**
 * Leftovers of atomic writes cut short by a crash: `writeFileAtomic` writes `.<final name>.<pid>.<8 hex>.tmp`
 * next to the final file and renames it. A leftover is never under a final name, but it is debris;
 * these helpers remove it. A temp file is removed only when its writer is surely gone: its pid is
 * not a live process on this host, or it is older than `staleMs` (a writer on another host that
 * went silent that long is dead by the lock protocol's own rule).
 */
const TEMP_RE = /^\.(.+)\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/** What the pipeline and the watcher write for one line of base name `<base>`. */
const LINE_SUFFIXES = ['usda', 'anim.usda', 'shot.usda', 'report.json', 'a2f.json', 'error.json', 'duplicate.json'];

export function isTempName(name: string): boolean {
  return TEMP_RE.test(name);
}

function removable(file: string, pid: number, staleMs: number, now: number): boolean {
  if (!isProcessAlive(pid)) return true;
  try {
    return now - statSync(file).mtimeMs > staleMs;
  } catch {
    return false;
  }
}

/** Removes leftover temp files of line `<base>` in `dir`; returns the names removed. */
export function removeLineTemps(dir: string, base: string, staleMs: number): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const finals = new Set(LINE_SUFFIXES.map((s) => `${base}.${s}`));
  const removed: string[] = [];
  const now = Date.now();
  for (const name of names) {
    const m = TEMP_RE.exec(name);
    if (!m || !finals.has(m[1]!)) continue;
    const file = path.join(dir, name);
    if (!removable(file, Number(m[2]), staleMs, now)) continue;
    try {
      unlinkSync(file);
      removed.push(name);
    } catch {
      // Renamed into place or removed by someone else meanwhile.
    }
  }
  return removed;
}

/** Removes leftover temp files anywhere under `root` (the state folder); returns the paths removed. */
export function removeTempsUnder(root: string, staleMs: number): string[] {
  const removed: string[] = [];
  const now = Date.now();
  const walk = (dir: string): void => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) {
        walk(file);
        continue;
      }
      const m = TEMP_RE.exec(e.name);
      if (!m || !removable(file, Number(m[2]), staleMs, now)) continue;
      try {
        unlinkSync(file);
        removed.push(file);
      } catch {
        // gone already
      }
    }
  };
  walk(root);
  return removed;
}
