import { randomBytes } from 'node:crypto';
import {
  closeSync,
  lstatSync,
  mkdirSync,
  openSync,
  readlinkSync,
  realpathSync,
  statSync,
  statfsSync,
  unlinkSync,
  type Stats,
} from 'node:fs';
import path from 'node:path';
import { JobError } from './errors.js';

/**
 * The output folder is checked once, before any line: it (or the nearest existing folder above
 * it) must be a real, writable folder on a real file system. Folders are created by our own walk,
 * never by a recursive mkdir, which loops forever where mkdir answers ENOENT under an existing
 * folder (/proc). What is checked and why: docs/output-folder.md.
 */

export interface OutputDirOptions {
  /** how the folder is named to the user in messages, e.g. "output folder (--out)" */
  readonly label?: string;
}

const DEFAULT_LABEL = 'output folder (--out)';

/** Pseudo file systems by statfs f_type (Linux magic numbers, linux/magic.h): kernel state, not files. */
const PSEUDO_FS = new Map<number, string>([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'],
  [0x1cd1, 'devpts'],
  [0xcafe4a11, 'bpf'],
  [0x6165676c, 'pstore'],
  [0x62656570, 'configfs'],
  [0xde5e81e4, 'efivarfs'],
  [0x65735543, 'fusectl'],
  [0x42494e4d, 'binfmt_misc'],
  [0x19800202, 'mqueue'],
  [0xf97cff8c, 'selinuxfs'],
  [0x6e736673, 'nsfs'],
]);
/** The same by path, for systems whose statfs types we do not know (and as a second opinion). */
const PSEUDO_PREFIXES = ['/proc', '/sys'];

/**
 * Checks `dir` as a batch's output folder, writing nothing (a probe file is written and removed):
 * throws a JobError('OUTPUT_DIR') naming the folder, what is wrong and the fix for a file in its
 * place or above it, a dangling or looping symbolic link, a pseudo file system, or a folder that
 * cannot be written to. A missing folder is fine when the one it would be created in is; the
 * first line's write creates it (makeDirs). Returns the absolute path.
 */
export function checkOutputDir(dir: string, opts: OutputDirOptions = {}): string {
  const label = opts.label ?? DEFAULT_LABEL;
  const abs = path.resolve(dir);
  const { existing } = walkUp(abs, label);
  const real = realpathSync(existing);
  const fs = pseudoFileSystem(real);
  if (fs) {
    throw new JobError(
      'OUTPUT_DIR',
      abs,
      `the ${label} is on the ${fs} pseudo file system (${real}), which holds kernel state, not files`,
      'Pass a folder on a disk, such as ./layers.',
    );
  }
  probeWrite(real, existing === abs, abs, label);
  return abs;
}

/**
 * Creates `dir` and any missing parents, one mkdir per missing folder (bounded by the path's
 * depth). For a folder a batch already checked with checkOutputDir, or one below it.
 */
export function makeDirs(dir: string, opts: OutputDirOptions = {}): void {
  const abs = path.resolve(dir);
  const label = opts.label ?? DEFAULT_LABEL;
  createMissing(walkUp(abs, label).missing, abs, label);
}

/** The nearest existing ancestor of `abs` (itself included), checked to be a folder, and the folders below it to create. */
function walkUp(abs: string, label: string): { existing: string; missing: string[] } {
  const missing: string[] = [];
  // Each step goes one folder up and the file system root exists, so this ends.
  for (let cur = abs; ; cur = path.dirname(cur)) {
    const st = lstatOrNull(cur, abs, label);
    if (st) {
      checkFolder(cur, st, abs, label);
      return { existing: cur, missing };
    }
    if (path.dirname(cur) === cur) {
      throw new JobError(
        'OUTPUT_DIR',
        abs,
        `the ${label} cannot be created: its root ${cur} does not exist`,
        'Pass a folder on a mounted drive.',
      );
    }
    missing.unshift(cur);
  }
}

function lstatOrNull(p: string, abs: string, label: string): Stats | null {
  try {
    return lstatSync(p);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a file stands somewhere above; the walk finds it and says so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw fsError(err, abs, label, `${p} cannot be looked at`);
  }
}

function checkFolder(p: string, st: Stats, abs: string, label: string): void {
  const where = p === abs ? `the ${label}` : `${p}, a folder above it,`;
  if (st.isSymbolicLink()) {
    let target: Stats;
    try {
      target = statSync(p);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const to = safeReadlink(p);
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        throw new JobError(
          'OUTPUT_DIR',
          abs,
          `${where} is a symbolic link to ${to}, which does not exist`,
          `Create ${to} (mkdir -p), remove the link, or pass another folder.`,
        );
      }
      if (code === 'ELOOP')
        throw new JobError(
          'OUTPUT_DIR',
          abs,
          `${where} is a symbolic link that loops (to ${to})`,
          'Remove the link or pass another folder.',
        );
      throw fsError(err, abs, label, `${where} is a symbolic link that cannot be followed`);
    }
    if (!target.isDirectory()) {
      throw new JobError(
        'OUTPUT_DIR',
        abs,
        `${where} is a symbolic link to ${safeReadlink(p)}, which is not a folder`,
        'Point the link at a folder, or pass another folder.',
      );
    }
    return;
  }
  if (!st.isDirectory()) {
    throw new JobError(
      'OUTPUT_DIR',
      abs,
      `${where} is ${st.isFile() ? 'a file' : 'not a folder'}, so no layer can be written ${p === abs ? 'into it' : 'below it'}`,
      p === abs ? 'Pass a folder (it is created if missing), or move the file away.' : `Move ${p} away, or pass another folder.`,
    );
  }
}

function pseudoFileSystem(real: string): string | null {
  try {
    const name = PSEUDO_FS.get(Number(statfsSync(real).type));
    if (name) return name;
  } catch {
    // statfs unsupported here: the path prefixes below still hold.
  }
  const prefix = PSEUDO_PREFIXES.find((p) => real === p || real.startsWith(`${p}/`));
  return prefix ? prefix.slice(1) : null;
}

/** A real write, because permission bits lie (root ignores them; read-only mounts, ACLs, quotas do not show). */
function probeWrite(real: string, isTarget: boolean, abs: string, label: string): void {
  const probe = path.join(real, `.a2f-probe.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    closeSync(openSync(probe, 'wx', 0o600));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what = isTarget ? `the ${label}` : `${real}, where it would be created,`;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new JobError(
        'OUTPUT_DIR',
        abs,
        `${what} is not writable (permission denied)`,
        'Pass a folder you can write to, or give yourself write permission on it.',
      );
    }
    if (code === 'EROFS')
      throw new JobError('OUTPUT_DIR', abs, `${what} is on a read-only file system`, 'Pass a folder on a writable disk.');
    if (code === 'ENOSPC' || code === 'EDQUOT')
      throw new JobError('OUTPUT_DIR', abs, `${what} has no space left (${code})`, 'Free some space, or pass a folder on another disk.');
    throw fsError(err, abs, label, `${what} cannot be written to`);
  }
  unlinkSync(probe);
}

function createMissing(missing: readonly string[], abs: string, label: string): void {
  for (const dir of missing) {
    try {
      mkdirSync(dir);
    } catch (err) {
      // Another process made it meanwhile: fine if it is a folder.
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(dir, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw fsError(err, abs, label, `the folder ${dir} cannot be created`);
    }
  }
}

function fsError(err: unknown, abs: string, label: string, what: string): JobError {
  const e = err as NodeJS.ErrnoException;
  return new JobError(
    'OUTPUT_DIR',
    abs,
    `${what} (${e.code ?? e.message})`,
    `Check the ${label}'s path and permissions, or pass another folder.`,
  );
}

function safeReadlink(p: string): string {
  try {
    return path.resolve(path.dirname(p), readlinkSync(p));
  } catch {
    return '(unreadable)';
  }
}
