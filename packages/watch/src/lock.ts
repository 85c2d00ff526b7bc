import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmdirSync,
  unlinkSync,
  utimesSync,
  writeSync,
  fsyncSync,
} from 'node:fs';
import path from 'node:path';
import { isDeadLocalOwner, type Owner } from './owner.js';

/**
 * A lock that two processes on two machines sharing a folder can agree on, with no lock server.
 *
 * Protocol (one folder per locked thing, holding numbered "generation" files):
 * - The holder is the owner named in the highest-numbered file `<gen>.lock`.
 * - Acquire: read the highest generation g. If its owner is alive (heartbeat fresh and, on this
 *   host, its process exists) the lock is busy. Otherwise create g+1 with O_EXCL ("wx"): the file
 *   system lets exactly one contender create it, so of several contenders racing for a stale or
 *   free lock exactly one wins; the others see EEXIST and back off. There is no rename-then-check
 *   step, so no contender can ever take a fresh lock that another just created (the ABA race of
 *   "rename the stale lock away"): a late contender that judged generation g stale tries to
 *   create g+1, which already exists.
 * - After creating, the winner lists the folder again and backs off if a higher generation exists
 *   (a contender that judged from a very old listing may create a low number; it can never be
 *   the highest).
 * - Heartbeat: the holder bumps its file's mtime every heartbeatMs and checks it is still the
 *   highest generation with its token. A holder whose heartbeat is older than staleMs is dead.
 * - Takeover keeps the dead holder's file (and prunes older ones) so generation numbers never go
 *   back down; release deletes only the holder's own file, and only while its heartbeat is fresh
 *   (a holder that was paused past staleMs may have been taken over, so it leaves things alone).
 *
 * Clocks: heartbeat age is "now" minus the file's mtime, so machines sharing a lock folder need
 * synchronised clocks (NTP); staleMs must be far larger than their skew and than the network file
 * system's attribute cache time.
 */
export interface LockOptions {
  /** a holder whose heartbeat is older than this is dead */
  readonly staleMs: number;
  /** how often the holder refreshes its heartbeat (default staleMs / 4) */
  readonly heartbeatMs?: number;
}

export interface LockRecord extends Owner {
  readonly generation: number;
  readonly acquiredAt: string;
  /** what the lock is for (a file path, an instance name), for status and error messages */
  readonly subject?: string;
}

export interface LockHolder {
  readonly file: string;
  readonly generation: number;
  /** null while the file is being created, or if it was torn by a crash */
  readonly record: LockRecord | null;
  /** now minus the heartbeat (file mtime) */
  readonly ageMs: number;
  /** 'dead-process': the owner ran on this host and its process is gone; 'heartbeat': older than staleMs */
  readonly stale: false | 'dead-process' | 'heartbeat';
}

export type AcquireResult =
  | { readonly ok: true; readonly lock: HeldLock; readonly tookOver: LockHolder | null }
  | { readonly ok: false; readonly holder: LockHolder | null };

const GEN_RE = /^(\d{12})\.lock$/;
const genFile = (dir: string, g: number): string => path.join(dir, `${String(g).padStart(12, '0')}.lock`);

/** Generation numbers present in a lock folder, ascending ([] when the folder does not exist). */
export function listGenerations(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names
    .map((n) => GEN_RE.exec(n))
    .filter((m) => m !== null)
    .map((m) => Number(m![1]))
    .sort((a, b) => a - b);
}

/** Reads one generation file; null when it is gone. Opening first makes network file systems revalidate. */
function readGeneration(dir: string, g: number, opts: LockOptions, now: number): LockHolder | null {
  const file = genFile(dir, g);
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = fstatSync(fd).mtimeMs;
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  let record: LockRecord | null = null;
  try {
    const parsed = JSON.parse(text) as LockRecord;
    if (parsed && typeof parsed.token === 'string' && typeof parsed.pid === 'number' && typeof parsed.host === 'string') record = parsed;
  } catch {
    // Being written right now, or torn by a crash between create and write: judged by age alone.
  }
  const ageMs = now - mtimeMs;
  const stale = record && isDeadLocalOwner(record) ? 'dead-process' : ageMs > opts.staleMs ? 'heartbeat' : false;
  return { file, generation: g, record, ageMs, stale };
}

/** The current holder of the lock in `dir` (null: free, nobody ever held it or the last holder released it). */
export function inspectLock(dir: string, opts: LockOptions, now = Date.now()): LockHolder | null {
  for (let attempt = 0; attempt < 5; attempt++) {
    const gens = listGenerations(dir);
    if (gens.length === 0) return null;
    const top = readGeneration(dir, gens[gens.length - 1]!, opts, now);
    if (top) return top;
    // Released between listing and reading: list again.
  }
  return null;
}

/** Tries once to take the lock in `dir`; never waits. Stale holders are taken over. */
export function tryAcquire(dir: string, owner: Owner, opts: LockOptions, subject?: string): AcquireResult {
  for (let attempt = 0; attempt < 5; attempt++) {
    const gens = listGenerations(dir);
    const top = gens.length ? gens[gens.length - 1]! : 0;
    let judged: LockHolder | null = null;
    if (top > 0) {
      judged = readGeneration(dir, top, opts, Date.now());
      if (judged === null) continue; // released meanwhile
      if (!judged.stale) return { ok: false, holder: judged };
    }
    const target = top + 1;
    const record: LockRecord = { ...owner, generation: target, acquiredAt: new Date().toISOString(), ...(subject ? { subject } : {}) };
    if (!createExclusive(genFile(dir, target), JSON.stringify(record) + '\n', dir)) {
      // Another contender created this generation first: it holds the lock now.
      return { ok: false, holder: inspectLock(dir, opts) };
    }
    const after = listGenerations(dir);
    if (after[after.length - 1] !== target) {
      // We judged from an old listing and created a number below the current holder's: not ours.
      unlinkQuiet(genFile(dir, target));
      return { ok: false, holder: inspectLock(dir, opts) };
    }
    // Keep the judged generation (so numbers never fall back below it), drop everything older.
    for (const g of after) if (g < top) unlinkQuiet(genFile(dir, g));
    return { ok: true, lock: new HeldLock(dir, target, record, opts), tookOver: judged };
  }
  return { ok: false, holder: inspectLock(dir, opts) };
}

/** O_EXCL create with the content in place; false when the file exists. Creates the folder when missing. */
function createExclusive(file: string, content: string, dir: string): boolean {
  let fd: number;
  for (let attempt = 1; ; attempt++) {
    try {
      fd = openSync(file, 'wx', 0o644);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // Missing folder: never made, or a holder releasing at this moment removed it again between
      // our mkdir and our open (its rmdir succeeds on the empty folder). Make it and try again.
      if (code !== 'ENOENT' || attempt > 100) throw err;
      mkdirSync(dir, { recursive: true });
    }
  }
  try {
    const buf = Buffer.from(content, 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function unlinkQuiet(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: someone pruned it, which is what we wanted.
  }
}

/** A lock this process holds. Start its heartbeat while work is under way; release when done. */
export class HeldLock {
  private timer: NodeJS.Timeout | undefined;
  private lastBeat = Date.now();
  private lostReason: string | null = null;
  private released = false;

  constructor(
    readonly dir: string,
    readonly generation: number,
    readonly record: LockRecord,
    private readonly opts: LockOptions,
  ) {}

  get file(): string {
    return genFile(this.dir, this.generation);
  }

  /** Why the lock was lost (taken over after a missed heartbeat, removed by hand), or null while held. */
  get lost(): string | null {
    return this.lostReason;
  }

  /** Refreshes the heartbeat on a timer; `onLost` runs once if the lock turns out to be someone else's. */
  startHeartbeat(onLost?: (reason: string) => void): void {
    if (this.timer || this.released) return;
    const every = this.opts.heartbeatMs ?? Math.max(50, Math.floor(this.opts.staleMs / 4));
    this.timer = setInterval(() => {
      if (!this.heartbeat()) {
        this.stopHeartbeat();
        onLost?.(this.lostReason!);
      }
    }, every);
    // The heartbeat must not keep a finished process alive.
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Bumps the heartbeat if we still hold the lock; false (and `lost` set) if we do not. */
  heartbeat(): boolean {
    if (this.lostReason) return false;
    const now = Date.now();
    if (now - this.lastBeat > this.opts.staleMs) {
      // We were paused (a stopped process, a frozen VM) long enough for others to judge us dead.
      return this.lose(`heartbeat was ${now - this.lastBeat} ms late (stale after ${this.opts.staleMs} ms)`);
    }
    const reason = this.ownership();
    if (reason) return this.lose(reason);
    try {
      const t = new Date(now);
      utimesSync(this.file, t, t);
    } catch (err) {
      return this.lose(`cannot refresh ${this.file} (${(err as Error).message})`);
    }
    this.lastBeat = now;
    return true;
  }

  /** Gives the lock up. Deletes our generation file only while we provably still hold it. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat();
    if (this.lostReason) return;
    if (Date.now() - this.lastBeat > this.opts.staleMs / 2) {
      // Others may already judge us dead; leaving the file keeps generation numbers rising.
      this.lostReason = 'released late';
      return;
    }
    if (this.ownership()) return;
    unlinkQuiet(this.file);
    try {
      rmdirSync(this.dir);
    } catch {
      // Not empty (a dead holder's kept generation) or already gone: fine either way.
    }
  }

  /** null while we hold the lock, else why not. */
  private ownership(): string | null {
    const gens = listGenerations(this.dir);
    const top = gens[gens.length - 1];
    if (top !== this.generation)
      return top === undefined || top < this.generation ? 'our lock file was removed' : `taken over (generation ${top})`;
    const current = readGeneration(this.dir, this.generation, this.opts, Date.now());
    if (!current?.record || current.record.token !== this.record.token) return 'our lock file was replaced';
    return null;
  }

  private lose(reason: string): false {
    this.lostReason = reason;
    return false;
  }
}
