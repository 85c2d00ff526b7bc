// Where a worker may read and write: every path a job names is mapped (--path-map) and then must
// resolve, after following links, inside one of the worker's --allow-root folders. Checked before
// anything is opened, so a job naming another path touches nothing (docs/queue.md, "Roots").
import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { QueueError } from './errors.js';

/** One mount point as the producer names it (`from`) and as this machine names it (`to`). */
export interface PathMapping {
  readonly from: string;
  readonly to: string;
}

/** `--path-map from=to` as given on the command line. */
export function parsePathMap(items: readonly string[]): PathMapping[] {
  return items.map((item) => {
    const eq = item.indexOf('=');
    const from = eq > 0 ? item.slice(0, eq).trim() : '';
    const to = eq > 0 ? item.slice(eq + 1).trim() : '';
    if (!path.isAbsolute(from) || !path.isAbsolute(to)) {
      throw new QueueError(
        'BAD_SETTING',
        '--path-map',
        `"${item}" is not from=to with two absolute folders`,
        "Give the producer's mount point and this machine's, e.g. --path-map /Volumes/dialogue=/mnt/dialogue.",
      );
    }
    return { from: trimSep(from), to: trimSep(to) };
  });
}

const trimSep = (p: string): string => (p.length > 1 ? p.replace(/[/\\]+$/, '') : p);

/** The path with the longest matching `from` prefix (whole folder names only) replaced by its `to`. */
export function mapPath(p: string, map: readonly PathMapping[]): string {
  let best: PathMapping | null = null;
  for (const m of map) {
    const under = p === m.from || p.startsWith(m.from.endsWith('/') ? m.from : `${m.from}/`);
    if (under && (!best || m.from.length > best.from.length)) best = m;
  }
  if (!best) return p;
  return best.to + p.slice(best.from.length).replace(/^(?=[^/])/, '/');
}

/** The worker's roots, each resolved once at start (they must exist). */
export function resolveRoots(roots: readonly string[]): string[] {
  if (roots.length === 0) {
    throw new QueueError(
      'BAD_SETTING',
      '--allow-root',
      'is missing: a worker reads audio and writes layers only under folders it is given',
      'Name the shared folders jobs may use, e.g. --allow-root /mnt/dialogue --allow-root /mnt/layers (repeat it per folder).',
    );
  }
  return roots.map((r) => {
    try {
      return realpathSync(path.resolve(r));
    } catch {
      throw new QueueError('BAD_SETTING', path.resolve(r), 'an --allow-root folder that does not exist', 'Create it or mount it first.');
    }
  });
}

/**
 * The real path of `p` (links followed) if it lies under one of `roots`; throws ROOT_REFUSED
 * otherwise. A path that does not exist yet (an output folder) is judged by its nearest existing
 * folder, with the rest of its names appended, none of which may be `..`.
 */
export function underRoots(p: string, roots: readonly string[], what: string): string {
  if (!path.isAbsolute(p)) {
    throw new QueueError(
      'ROOT_REFUSED',
      p,
      `the job's ${what} is not an absolute path`,
      'Add the line again with `a2f queue add`, which stores absolute paths.',
    );
  }
  let existing = path.normalize(p);
  const rest: string[] = [];
  while (!existsSync(existing)) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    rest.unshift(path.basename(existing));
    existing = parent;
  }
  let real: string;
  try {
    real = path.join(realpathSync(existing), ...rest);
  } catch {
    real = path.normalize(p);
  }
  for (const root of roots) {
    const rel = path.relative(root, real);
    if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return real;
  }
  throw new QueueError(
    'ROOT_REFUSED',
    p,
    `the job's ${what} is outside the folders this worker may use (${roots.join(', ')})` +
      (real !== path.normalize(p) ? `; it resolves to ${real}` : ''),
    'Put the file under an --allow-root folder of the workers, start the workers with its folder as ' +
      '--allow-root, or map the mount point with --path-map from=to.',
  );
}
