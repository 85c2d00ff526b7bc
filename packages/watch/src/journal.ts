import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { makeDirs, writeFileAtomic, type ErrorSummary } from '@a2f/pipeline';

/**
 * The watcher's journal: one append-only JSON-lines file per watcher instance, one record per state
 * change of an inbox file, each record written with a single write() and fsync'd before the
 * watcher acts on it. On start the file is replayed (a torn last line, the mark of a crash in the
 * middle of an append, is dropped; a corrupt line in the middle is skipped and counted) and
 * compacted: rewritten atomically as one `state` record per file.
 *
 * Only its own watcher writes a journal, so two watchers never interleave appends; what the
 * watchers share (who is working on a file, what a file's outcome is) lives in the lock and outcome
 * folders (state.ts), not here.
 */
export type JournalEvent =
  /** stable and queued */
  | 'seen'
  /** work started (an attempt); the output base it writes to */
  | 'processing'
  /** outputs written: paths and SHA-256 */
  | 'done'
  /** permanent failure, or transient failures past the retry limit */
  | 'failed'
  /** same content and settings as a line already done under another name: not recomputed */
  | 'duplicate'
  /** transient failure; another attempt is scheduled */
  | 'retry'
  /** looked at again and nothing to do (unchanged, or done by another watcher): the status it has */
  | 'unchanged'
  /** a previous run stopped while this file was in flight (reason: crash or shutdown) */
  | 'interrupted'
  /** removed from the inbox before it was done */
  | 'gone'
  /** compaction snapshot */
  | 'state';

export type EntryStatus = 'queued' | 'processing' | 'retrying' | 'done' | 'failed' | 'duplicate' | 'gone';

export interface OutputFile {
  /** relative to the output root, forward slashes */
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface FailureInfo extends ErrorSummary {
  /** transient (may succeed on retry) or permanent (needs a change of file or settings) */
  readonly transient: boolean;
}

export interface JournalRecord {
  readonly v: 1;
  readonly at: string;
  readonly ev: JournalEvent;
  /** the inbox file, relative to the inbox, forward slashes */
  readonly path: string;
  /** idempotency key: SHA-256 of audio content + sidecar content + settings */
  readonly key?: string;
  readonly audioSha256?: string;
  /** "size:mtimeMs:ino" of the file when audioSha256 was computed (reused while it matches) */
  readonly audioSig?: string;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly ino?: number;
  /** output base relative to the output root (template rendered), forward slashes */
  readonly out?: string;
  readonly attempt?: number;
  readonly outputs?: readonly OutputFile[];
  readonly error?: FailureInfo;
  /** duplicate: the inbox path whose outputs this content already has */
  readonly of?: string;
  /** interrupted: crash or shutdown; unchanged: done-by-other etc. */
  readonly reason?: string;
  /** unchanged: the status the entry keeps */
  readonly status?: EntryStatus;
  readonly ms?: number;
  readonly state?: EntryState;
}

export interface EntryState {
  readonly path: string;
  readonly status: EntryStatus;
  readonly key?: string;
  readonly audioSha256?: string;
  readonly audioSig?: string;
  readonly size?: number;
  readonly mtimeMs?: number;
  readonly ino?: number;
  readonly out?: string;
  readonly outputs?: readonly OutputFile[];
  readonly error?: FailureInfo;
  readonly of?: string;
  /** attempts of the current key (1 on the first) */
  readonly attempt: number;
  /** how many times work started on this file, ever (processing records) */
  readonly starts: number;
  /** how many times its outputs were written, ever (done records) */
  readonly completions: number;
  /** how many times the watcher died while working on the current key */
  readonly crashes: number;
  /** how many times work on this file was cut short by a crash or a checkpointing stop, ever */
  readonly interrupted: number;
  readonly updatedAt: string;
}

export interface JournalReplay {
  readonly records: JournalRecord[];
  /** the file ended in a partial record (a crash during an append): dropped */
  readonly tornTail: boolean;
  /** 1-based line numbers of unreadable records before the end: skipped */
  readonly badLines: number[];
}

/** Reads a journal file, tolerating a torn last line and corrupt lines. A missing file is empty. */
export function readJournal(file: string): JournalReplay {
  if (!existsSync(file)) return { records: [], tornTail: false, badLines: [] };
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  const tail = lines.pop()!; // '' when the file ends with a newline
  const records: JournalRecord[] = [];
  const badLines: number[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    const rec = parseRecord(line);
    if (rec) records.push(rec);
    else badLines.push(i + 1);
  });
  let tornTail = false;
  if (tail.trim() !== '') {
    // A record is written whole with its newline; a tail without one was cut by a crash, even if
    // the cut happened to fall just before the newline.
    tornTail = true;
  }
  return { records, tornTail, badLines };
}

function parseRecord(line: string): JournalRecord | null {
  try {
    const r = JSON.parse(line) as JournalRecord;
    return r && typeof r === 'object' && r.v === 1 && typeof r.ev === 'string' && typeof r.path === 'string' ? r : null;
  } catch {
    return null;
  }
}

const EMPTY = (p: string, at: string): EntryState => ({
  path: p,
  status: 'queued',
  attempt: 0,
  starts: 0,
  completions: 0,
  crashes: 0,
  interrupted: 0,
  updatedAt: at,
});

/** Folds records, in order, into the latest state of each file. */
export function foldJournal(records: Iterable<JournalRecord>, into: Map<string, EntryState> = new Map()): Map<string, EntryState> {
  for (const r of records) into.set(r.path, applyRecord(into.get(r.path), r));
  return into;
}

export function applyRecord(prev: EntryState | undefined, r: JournalRecord): EntryState {
  if (r.ev === 'state' && r.state) return r.state;
  const e = prev ?? EMPTY(r.path, r.at);
  const file = {
    ...(r.size !== undefined ? { size: r.size } : {}),
    ...(r.mtimeMs !== undefined ? { mtimeMs: r.mtimeMs } : {}),
    ...(r.ino !== undefined ? { ino: r.ino } : {}),
    // The hash travels with the file signature it was computed at, never apart from it.
    ...(r.audioSha256 !== undefined ? { audioSha256: r.audioSha256, audioSig: r.audioSig } : {}),
  };
  const at = r.at;
  switch (r.ev) {
    case 'seen':
      return { ...e, ...file, status: 'queued', updatedAt: at };
    case 'processing': {
      const sameKey = r.key !== undefined && r.key === e.key;
      return {
        ...without(e, 'error', 'of'),
        ...file,
        status: 'processing',
        ...(r.key !== undefined ? { key: r.key } : {}),
        ...(r.out !== undefined ? { out: r.out } : {}),
        attempt: r.attempt ?? e.attempt + 1,
        starts: e.starts + 1,
        crashes: sameKey ? e.crashes : 0,
        updatedAt: at,
      };
    }
    case 'done':
      return {
        ...without(e, 'error', 'of'),
        ...file,
        status: 'done',
        ...(r.key !== undefined ? { key: r.key } : {}),
        ...(r.out !== undefined ? { out: r.out } : {}),
        ...(r.outputs ? { outputs: r.outputs } : {}),
        completions: e.completions + 1,
        crashes: 0,
        updatedAt: at,
      };
    case 'failed':
      return {
        ...without(e, 'outputs', 'of'),
        ...file,
        status: 'failed',
        ...(r.key !== undefined ? { key: r.key } : {}),
        ...(r.out !== undefined ? { out: r.out } : {}),
        ...(r.error ? { error: r.error } : {}),
        ...(r.outputs ? { outputs: r.outputs } : {}),
        updatedAt: at,
      };
    case 'duplicate':
      return {
        ...without(e, 'error'),
        ...file,
        status: 'duplicate',
        ...(r.key !== undefined ? { key: r.key } : {}),
        ...(r.out !== undefined ? { out: r.out } : {}),
        ...(r.of !== undefined ? { of: r.of } : {}),
        ...(r.outputs ? { outputs: r.outputs } : {}),
        updatedAt: at,
      };
    case 'retry':
      return {
        ...e,
        ...file,
        status: 'retrying',
        ...(r.error ? { error: r.error } : {}),
        ...(r.attempt !== undefined ? { attempt: r.attempt } : {}),
        updatedAt: at,
      };
    case 'unchanged':
      return { ...e, ...file, status: r.status ?? e.status, ...(r.key !== undefined ? { key: r.key } : {}), updatedAt: at };
    case 'interrupted':
      return {
        ...e,
        status: 'queued',
        crashes: r.reason === 'crash' ? e.crashes + 1 : e.crashes,
        interrupted: (e.interrupted ?? 0) + 1,
        updatedAt: at,
      };
    case 'gone':
      return { ...e, status: 'gone', updatedAt: at };
    default:
      return e;
  }
}

function without<T extends object, K extends keyof T>(o: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...o };
  for (const k of keys) delete copy[k];
  return copy;
}

export const IN_FLIGHT: ReadonlySet<EntryStatus> = new Set(['queued', 'processing', 'retrying']);

/** An open journal: replayed, compacted, appending with fsync per record. */
export class Journal {
  private fd: number;
  private appended = 0;

  private constructor(
    readonly file: string,
    private readonly state: Map<string, EntryState>,
    /** what replay found on open, for the start-up log */
    readonly replay: { records: number; tornTail: boolean; badLines: number[] },
  ) {
    this.fd = openSync(file, 'a');
  }

  /** Replays and compacts `file` (creating it if missing), then opens it for appending. */
  static open(file: string): Journal {
    makeDirs(path.dirname(file), { label: 'watcher state folder' });
    const replay = readJournal(file);
    const state = foldJournal(replay.records);
    compact(file, state);
    return new Journal(file, state, { records: replay.records.length, tornTail: replay.tornTail, badLines: replay.badLines });
  }

  entries(): ReadonlyMap<string, EntryState> {
    return this.state;
  }

  get(p: string): EntryState | undefined {
    return this.state.get(p);
  }

  /** Appends one record durably (write + fsync) and applies it to the in-memory state. */
  append(rec: Omit<JournalRecord, 'v' | 'at'> & { at?: string }): EntryState {
    const full: JournalRecord = { v: 1, at: rec.at ?? new Date().toISOString(), ...rec } as JournalRecord;
    const buf = Buffer.from(JSON.stringify(full) + '\n', 'utf8');
    for (let off = 0; off < buf.length; ) off += writeSync(this.fd, buf, off, buf.length - off);
    fsyncSync(this.fd);
    const next = applyRecord(this.state.get(full.path), full);
    this.state.set(full.path, next);
    this.appended++;
    // A long-running service compacts now and then, so replay stays proportional to the inbox.
    if (this.appended > 1000 && this.appended > 4 * this.state.size) this.compactNow();
    return next;
  }

  compactNow(): void {
    closeSync(this.fd);
    compact(this.file, this.state);
    this.fd = openSync(this.file, 'a');
    this.appended = 0;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/**
 * Rewrites the journal as one `state` record per file, atomically (temp file, fsync, rename):
 * a crash during compaction leaves the old journal. Files gone from the inbox are dropped.
 */
function compact(file: string, state: Map<string, EntryState>): void {
  for (const [p, e] of state) if (e.status === 'gone') state.delete(p);
  const at = new Date().toISOString();
  const lines = [...state.values()].map(
    (s) => JSON.stringify({ v: 1, at, ev: 'state', path: s.path, state: s } satisfies JournalRecord) + '\n',
  );
  writeFileAtomic(file, lines.join(''));
}
