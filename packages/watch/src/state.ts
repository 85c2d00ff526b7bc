import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256Text } from '@a2f/base';
import { makeDirs, writeFileAtomic } from '@a2f/pipeline';
import type { FailureInfo, OutputFile } from './journal.js';

/**
 * The state folder (default `<out>/.a2f-watch`): everything the watcher knows, on the same file
 * system as the outputs it describes, shared by every watcher writing to that output folder.
 *
 *   journal/<instance>.jsonl       each watcher's own journal (journal.ts)
 *   instances/<instance>/          lock folder: which process runs as that instance (lock.ts)
 *   locks/<xx>/<id>/               lock folder per inbox file: who works on it now
 *   outcomes/<xx>/<id>.json        per inbox file: its latest outcome (done/failed/duplicate) and key
 *   keys/<xx>/<key>.json           per idempotency key: the first line done with it (duplicates)
 *   status/<instance>.json         each running watcher's live counts and files in hand
 *
 * `<id>` is the SHA-256 of the inbox-relative path (names can hold anything; ids are safe file
 * names), `<xx>` its first two hex digits so no folder grows past a few thousand entries.
 * Outcome and key files are written atomically, and only by the holder of the file's lock.
 */
export const STATE_DIR_NAME = '.a2f-watch';
/** How the state folder is named in an error about creating its folders. */
const STATE = { label: 'watcher state folder' };

export interface Outcome {
  readonly v: 1;
  readonly path: string;
  readonly key: string;
  readonly status: 'done' | 'failed' | 'duplicate';
  /** done: what was written; duplicate: the earlier line's outputs */
  readonly outputs?: readonly OutputFile[];
  /** output base relative to the output root */
  readonly out?: string;
  readonly error?: FailureInfo;
  readonly of?: string;
  readonly at: string;
  readonly by: { readonly instance: string; readonly host: string; readonly pid: number };
}

export interface KeyRecord {
  readonly v: 1;
  readonly key: string;
  readonly path: string;
  readonly out: string;
  readonly outputs: readonly OutputFile[];
  readonly at: string;
}

export const pathId = (rel: string): string => sha256Text(rel).slice(0, 40);

export class StateDir {
  constructor(readonly root: string) {}

  get journalDir(): string {
    return path.join(this.root, 'journal');
  }

  journalFile(instance: string): string {
    return path.join(this.journalDir, `${instance}.jsonl`);
  }

  instanceLockDir(instance: string): string {
    return path.join(this.root, 'instances', instance);
  }

  lockDir(rel: string): string {
    const id = pathId(rel);
    return path.join(this.root, 'locks', id.slice(0, 2), id);
  }

  statusFile(instance: string): string {
    return path.join(this.root, 'status', `${instance}.json`);
  }

  private outcomeFile(rel: string): string {
    const id = pathId(rel);
    return path.join(this.root, 'outcomes', id.slice(0, 2), `${id}.json`);
  }

  private keyFile(key: string): string {
    return path.join(this.root, 'keys', key.slice(0, 2), `${key}.json`);
  }

  ensure(): void {
    for (const d of ['journal', 'instances', 'locks', 'outcomes', 'keys', 'status']) makeDirs(path.join(this.root, d), STATE);
  }

  readOutcome(rel: string): Outcome | null {
    return readJson<Outcome>(this.outcomeFile(rel));
  }

  writeOutcome(o: Outcome): void {
    const file = this.outcomeFile(o.path);
    makeDirs(path.dirname(file), STATE);
    writeFileAtomic(file, JSON.stringify(o, null, 1) + '\n');
  }

  readKey(key: string): KeyRecord | null {
    return readJson<KeyRecord>(this.keyFile(key));
  }

  /** Records the first line done with `key`; a later line with the same key is its duplicate. */
  writeKey(k: KeyRecord): void {
    const file = this.keyFile(k.key);
    makeDirs(path.dirname(file), STATE);
    writeFileAtomic(file, JSON.stringify(k, null, 1) + '\n');
  }

  /** Every outcome on record (for status). */
  allOutcomes(): Outcome[] {
    const dir = path.join(this.root, 'outcomes');
    if (!existsSync(dir)) return [];
    const out: Outcome[] = [];
    for (const sub of readdirSync(dir)) {
      const subDir = path.join(dir, sub);
      if (!statSync(subDir).isDirectory()) continue;
      for (const f of readdirSync(subDir)) {
        if (!f.endsWith('.json')) continue;
        const o = readJson<Outcome>(path.join(subDir, f));
        if (o) out.push(o);
      }
    }
    return out;
  }
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    // Written atomically, so unreadable means damaged by hand or by the disk: treat as absent,
    // which at worst recomputes the line.
    return null;
  }
}

/** The state folder a status request names: a state folder itself, or an output folder holding one. */
export function findStateDir(dir: string): string | null {
  const abs = path.resolve(dir);
  if (existsSync(path.join(abs, 'journal'))) return abs;
  if (existsSync(path.join(abs, STATE_DIR_NAME, 'journal'))) return path.join(abs, STATE_DIR_NAME);
  return null;
}
