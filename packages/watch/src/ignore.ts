import path from 'node:path';
import { SIDECAR_SUFFIX } from '@a2f/pipeline';

/**
 * Names that editors, copy tools and browsers use while a file is still being written. Such a file
 * is never taken: it is picked up under its final name, after the tool renames it.
 *   leading dot: rsync (.name.XXXXXX), our own atomic writes (.name.pid.rand.tmp), macOS ._ files,
 *                and hidden folders such as the watcher's own state folder
 *   trailing ~:  editor backups and LibreOffice/vim swap conventions
 *   .part/.partial/.crdownload/.download/.tmp/.temp/.swp/.filepart: Firefox, wget, Chrome, Safari,
 *                WinSCP, scp tools, editors
 *   ~$ prefix:   Office lock files
 */
const PARTIAL_SUFFIXES = ['.part', '.partial', '.crdownload', '.download', '.tmp', '.temp', '.swp', '.filepart', '.!qb', '.opdownload'];
const SYSTEM_NAMES = new Set(['thumbs.db', 'desktop.ini', '$recycle.bin', 'system volume information', 'lost+found']);

/** Why a file or folder name is skipped while it has this name, or null if it may be taken. */
export function ignoreReason(name: string): string | null {
  const lower = name.toLowerCase();
  if (name.startsWith('.')) return 'hidden or temporary (leading dot)';
  if (name.endsWith('~')) return 'editor backup or in-progress copy (trailing ~)';
  if (name.startsWith('~$')) return 'office lock file';
  const suffix = PARTIAL_SUFFIXES.find((s) => lower.endsWith(s));
  if (suffix) return `partial download or copy (${suffix})`;
  if (SYSTEM_NAMES.has(lower)) return 'operating system file';
  return null;
}

/**
 * True for a path relative to the watch folder (forward slashes, as the watcher spells it on every
 * platform) any of whose segments is ignored. A backslash is part of a name here: on Linux
 * `take\..\x.wav` is one file, which is taken and then refused by the output path guard.
 */
export function isIgnoredPath(rel: string): boolean {
  return rel.split('/').some((seg) => seg !== '' && ignoreReason(seg) !== null);
}

/** `<name>.a2f.json` next to an audio file is that line's per-line settings, not a line itself. */
export function isSidecar(rel: string): boolean {
  return path.basename(rel).toLowerCase().endsWith(SIDECAR_SUFFIX);
}
