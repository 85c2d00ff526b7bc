import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { jsonObject, jsonRecord, readJsonFile } from '@a2f/base';
import * as v from 'valibot';

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

const text = v.pipe(v.string(), v.nonEmpty());
const RECORD = jsonObject({
  format: v.literal('a2f-verified/1'),
  known: v.nullable(jsonObject({ name: text, repo: text, revision: text })),
  verifiedAt: v.string(),
  files: jsonRecord(jsonObject({ size: v.pipe(v.number(), v.safeInteger(), v.minValue(0)), sha256: v.string() })),
});

export function writeRecord(dir: string, record: Omit<InstallRecord, 'format' | 'verifiedAt'>): void {
  const full: InstallRecord = { format: 'a2f-verified/1', verifiedAt: new Date().toISOString(), ...record };
  writeFileSync(path.join(dir, RECORD_FILE), `${JSON.stringify(full, null, 2)}\n`);
}

export function readRecord(dir: string): InstallRecord | null {
  const file = path.join(dir, RECORD_FILE);
  if (!existsSync(file)) return null;
  // An unreadable or malformed record only means "not verified": the pack is hashed again.
  let json: unknown;
  try {
    json = readJsonFile(file, (f) => new Error(f.problem)).json;
  } catch {
    return null;
  }
  const r = v.safeParse(RECORD, json);
  return r.success ? (r.output as InstallRecord) : null;
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
