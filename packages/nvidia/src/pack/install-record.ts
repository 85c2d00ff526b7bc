import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `.a2f-verified.json`, written into a pack folder when its files were hashed and found good
 * (by pullPack, or verifyPack with `record`). listPacks trusts it while every recorded file keeps
 * its recorded size, so listing never rehashes 300 MB.
 */
export const RECORD_FILE = '.a2f-verified.json';

export interface InstallRecord {
  readonly format: 'a2f-verified/1';
  /** the known pack it was verified against, if any */
  readonly known: { readonly name: string; readonly repo: string; readonly revision: string } | null;
  readonly verifiedAt: string;
  readonly files: Readonly<Record<string, { readonly size: number; readonly sha256: string }>>;
}

export function writeRecord(dir: string, record: Omit<InstallRecord, 'format' | 'verifiedAt'>): void {
  const full: InstallRecord = { format: 'a2f-verified/1', verifiedAt: new Date().toISOString(), ...record };
  writeFileSync(path.join(dir, RECORD_FILE), `${JSON.stringify(full, null, 2)}\n`);
}

export function readRecord(dir: string): InstallRecord | null {
  const file = path.join(dir, RECORD_FILE);
  if (!existsSync(file)) return null;
  try {
    const r = JSON.parse(readFileSync(file, 'utf8')) as InstallRecord;
    return r.format === 'a2f-verified/1' && typeof r.files === 'object' ? r : null;
  } catch {
    return null; // an unreadable record only means "not verified"
  }
}

/** 'verified' while every recorded file has its recorded size; 'modified' when one changed or vanished. */
export function recordStatus(dir: string): 'verified' | 'modified' | 'unverified' {
  const r = readRecord(dir);
  if (!r) return 'unverified';
  for (const [rel, f] of Object.entries(r.files)) {
    const abs = path.join(dir, rel);
    if (!existsSync(abs) || statSync(abs).size !== f.size) return 'modified';
  }
  return 'verified';
}
