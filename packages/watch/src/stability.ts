import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { JobError } from '@a2f/pipeline';

/** What "unchanged" compares: a write changes size or mtime; a replace (rename over) changes the inode. */
export interface FileSnapshot {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ino: number;
}

export const sameSnapshot = (a: FileSnapshot, b: FileSnapshot): boolean => a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;

export function snapshot(file: string): FileSnapshot | null {
  try {
    const st = statSync(file);
    return st.isFile() ? { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino } : null;
  } catch {
    return null;
  }
}

export interface StabilityOptions {
  /** a file is complete once its size, mtime and inode stayed the same for this long */
  readonly settleMs: number;
  /**
   * How long a settled file whose own header says it is shorter than it should be (a WAV whose
   * RIFF size exceeds the bytes present) is waited for before it is taken anyway, so the decoder
   * can report the truncation (default: max(30 s, 10 × settleMs)).
   */
  readonly incompleteGraceMs?: number;
}

interface Tracked {
  file: string;
  snap: FileSnapshot;
  /** when snap was first seen as it is now */
  since: number;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Decides when a file that is being dropped into the watch folder is complete: its size, mtime and
 * inode have not changed for settleMs, it can be opened (Windows shares refuse files another
 * program is writing), and a WAV's header does not announce more bytes than are there. Copy tools
 * that pause longer than settleMs mid-copy must write under a temporary name (see ignore.ts).
 */
export class StabilityTracker {
  private readonly tracked = new Map<string, Tracked>();
  private closed = false;

  constructor(
    private readonly opts: StabilityOptions,
    private readonly onStable: (key: string, file: string, snap: FileSnapshot) => void,
    private readonly onGone: (key: string) => void = () => {},
  ) {
    // A NaN here would make every timer fire at once, taking files mid-copy.
    if (!Number.isFinite(opts.settleMs) || opts.settleMs < 0) {
      throw new JobError(
        'BAD_SETTING',
        'settleMs',
        `must be a number of milliseconds >= 0, got ${String(opts.settleMs)}`,
        'Give how long a file must stay unchanged before it is taken, in milliseconds (0 or more).',
      );
    }
  }

  get size(): number {
    return this.tracked.size;
  }

  has(key: string): boolean {
    return this.tracked.has(key);
  }

  /** The file was added or changed: (re)start waiting for it to settle. */
  touch(key: string, file: string): void {
    if (this.closed) return;
    const snap = snapshot(file);
    if (!snap) {
      this.forget(key);
      this.onGone(key);
      return;
    }
    const now = Date.now();
    const t = this.tracked.get(key);
    if (t) {
      if (!sameSnapshot(t.snap, snap)) Object.assign(t, { file, snap, since: now });
      return;
    }
    this.tracked.set(key, { file, snap, since: now, timer: undefined });
    this.schedule(key, this.opts.settleMs);
  }

  forget(key: string): void {
    const t = this.tracked.get(key);
    if (t?.timer) clearTimeout(t.timer);
    this.tracked.delete(key);
  }

  close(): void {
    this.closed = true;
    for (const key of [...this.tracked.keys()]) this.forget(key);
  }

  private schedule(key: string, ms: number): void {
    const t = this.tracked.get(key);
    if (!t || this.closed) return;
    t.timer = setTimeout(() => this.check(key), Math.max(1, ms));
  }

  private check(key: string): void {
    const t = this.tracked.get(key);
    if (!t || this.closed) return;
    t.timer = undefined;
    const snap = snapshot(t.file);
    const now = Date.now();
    if (!snap) {
      this.forget(key);
      this.onGone(key);
      return;
    }
    if (!sameSnapshot(snap, t.snap)) {
      Object.assign(t, { snap, since: now });
      this.schedule(key, this.opts.settleMs);
      return;
    }
    const quiet = now - t.since;
    if (quiet < this.opts.settleMs) {
      this.schedule(key, this.opts.settleMs - quiet);
      return;
    }
    if (!canOpen(t.file)) {
      this.schedule(key, this.opts.settleMs);
      return;
    }
    const grace = this.opts.incompleteGraceMs ?? Math.max(30_000, 10 * this.opts.settleMs);
    if (declaredShort(t.file, snap.size) && quiet < grace) {
      this.schedule(key, this.opts.settleMs);
      return;
    }
    this.forget(key);
    this.onStable(key, t.file, snap);
  }
}

function canOpen(file: string): boolean {
  try {
    closeSync(openSync(file, 'r'));
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the file's own header says it is longer than it is: a RIFF/WAVE whose chunk size
 * (+ 8) exceeds the file size. Copy tools write the final header first, so this catches a slow copy
 * that paused longer than settleMs. Writers that stream with a placeholder size (0 or 0xFFFFFFFF)
 * are not judged.
 */
export function declaredShort(file: string, size: number): boolean {
  if (size < 12) return false;
  const head = Buffer.alloc(12);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    if (readSync(fd, head, 0, 12, 0) < 12) return false;
  } finally {
    closeSync(fd);
  }
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WAVE') return false;
  const riff = head.readUInt32LE(4);
  if (riff === 0 || riff === 0xffffffff) return false;
  return riff + 8 > size;
}
