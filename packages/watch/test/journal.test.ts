import { appendFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldJournal, Journal, readJournal, type JournalRecord } from '../src/index.js';
import { tempDir } from '@a2f/test-utils';

const rec = (r: Omit<JournalRecord, 'v' | 'at'>, at = '2026-11-25T10:00:00.000Z'): JournalRecord => ({ v: 1, at, ...r }) as JournalRecord;
const line = (r: Omit<JournalRecord, 'v' | 'at'>) => JSON.stringify(rec(r)) + '\n';

describe('journal replay', () => {
  it("folds a file's records into its latest state, with counters that survive", () => {
    const state = foldJournal([
      rec({ ev: 'seen', path: 'a.wav', size: 10, mtimeMs: 1, ino: 7 }),
      rec({ ev: 'processing', path: 'a.wav', key: 'k1', audioSha256: 's1', out: 'a', attempt: 1 }),
      rec({ ev: 'retry', path: 'a.wav', key: 'k1', attempt: 1, error: { code: 'EBUSY', message: 'busy', transient: true } }),
      rec({ ev: 'processing', path: 'a.wav', key: 'k1', out: 'a', attempt: 2 }),
      rec({ ev: 'done', path: 'a.wav', key: 'k1', outputs: [{ file: 'a.usda', sha256: 'h', bytes: 3 }] }),
      rec({ ev: 'seen', path: 'b.wav', size: 5 }),
      rec({ ev: 'processing', path: 'b.wav', key: 'k2', attempt: 1 }),
      rec({ ev: 'failed', path: 'b.wav', key: 'k2', error: { code: 'NOT_AUDIO', message: 'text', fix: 'f', transient: false } }),
    ]);
    expect(state.get('a.wav')).toMatchObject({
      status: 'done',
      key: 'k1',
      audioSha256: 's1',
      size: 10,
      ino: 7,
      attempt: 2,
      starts: 2,
      completions: 1,
      outputs: [{ file: 'a.usda' }],
    });
    expect(state.get('a.wav')!.error).toBeUndefined();
    expect(state.get('b.wav')).toMatchObject({ status: 'failed', starts: 1, completions: 0, error: { code: 'NOT_AUDIO' } });
  });

  it('counts crashes per key and resets them when the content changes', () => {
    const s = foldJournal([
      rec({ ev: 'processing', path: 'p.wav', key: 'k', attempt: 1 }),
      rec({ ev: 'interrupted', path: 'p.wav', reason: 'crash' }),
      rec({ ev: 'processing', path: 'p.wav', key: 'k', attempt: 2 }),
      rec({ ev: 'interrupted', path: 'p.wav', reason: 'crash' }),
      rec({ ev: 'interrupted', path: 'p.wav', reason: 'shutdown' }),
    ]);
    expect(s.get('p.wav')).toMatchObject({ status: 'queued', crashes: 2, interrupted: 3, starts: 2, attempt: 2 });
    const changed = foldJournal([rec({ ev: 'processing', path: 'p.wav', key: 'k-new', attempt: 1 })], s);
    expect(changed.get('p.wav')).toMatchObject({ status: 'processing', crashes: 0, starts: 3 });
  });

  it('drops a torn last line (a crash mid-append) and skips a corrupt line in the middle', () => {
    const dir = tempDir('journal');
    const file = path.join(dir, 'j.jsonl');
    const good1 = line({ ev: 'seen', path: 'a.wav', size: 1 });
    const good2 = line({ ev: 'processing', path: 'a.wav', key: 'k', attempt: 1 });
    const good3 = line({ ev: 'seen', path: 'b.wav', size: 2 });
    const torn = line({ ev: 'done', path: 'a.wav', key: 'k', outputs: [] }).slice(0, 25);
    writeFileSync(file, good1 + '{"v":1,"at":"x","ev":"se\u0000\u0000\n' + good2 + good3 + torn);
    const r = readJournal(file);
    expect(r.tornTail).toBe(true);
    expect(r.badLines).toEqual([2]);
    expect(r.records.map((x) => [x.ev, x.path])).toEqual([
      ['seen', 'a.wav'],
      ['processing', 'a.wav'],
      ['seen', 'b.wav'],
    ]);
    // The torn "done" never happened: a.wav is still in flight and will be redone.
    expect(foldJournal(r.records).get('a.wav')!.status).toBe('processing');
  });

  it('treats a complete-looking record without its newline as torn (records are written whole, newline included)', () => {
    const dir = tempDir('journal');
    const file = path.join(dir, 'j.jsonl');
    writeFileSync(file, line({ ev: 'seen', path: 'a.wav' }) + line({ ev: 'processing', path: 'a.wav', key: 'k' }).trimEnd());
    const r = readJournal(file);
    expect(r.tornTail).toBe(true);
    expect(r.records).toHaveLength(1);
  });
});

describe('journal compaction and appends', () => {
  it('compacts on open to one state record per file, atomically, and replays to the same state', () => {
    const dir = tempDir('journal');
    const file = path.join(dir, 'j.jsonl');
    let text = '';
    for (let i = 0; i < 50; i++) {
      text += line({ ev: 'seen', path: `l${i % 5}.wav`, size: i });
      text += line({ ev: 'processing', path: `l${i % 5}.wav`, key: `k${i}`, attempt: 1 });
      text += line({ ev: 'done', path: `l${i % 5}.wav`, key: `k${i}`, outputs: [{ file: `l${i % 5}.usda`, sha256: `h${i}`, bytes: i }] });
    }
    text += line({ ev: 'gone', path: 'l0.wav' });
    writeFileSync(file, text + '{"v":1,"ev":"pro');
    const before = foldJournal(readJournal(file).records);
    const j = Journal.open(file);
    expect(j.replay).toMatchObject({ records: 151, tornTail: true, badLines: [] });
    j.close();
    const after = readJournal(file);
    expect(after.tornTail).toBe(false);
    expect(after.records.every((r) => r.ev === 'state')).toBe(true);
    expect(after.records.map((r) => r.path).sort()).toEqual(['l1.wav', 'l2.wav', 'l3.wav', 'l4.wav']); // gone: dropped
    const replayed = foldJournal(after.records);
    for (const p of ['l1.wav', 'l2.wav', 'l3.wav', 'l4.wav']) expect(replayed.get(p)).toEqual(before.get(p));
    expect(replayed.get('l4.wav')).toMatchObject({ status: 'done', key: 'k49', starts: 10, completions: 10 });
    expect(readdirSync(dir)).toEqual(['j.jsonl']); // no temp file left
  });

  it("appends one fsync'd line per record that a new process replays, after a crash leaves a torn tail", () => {
    const dir = tempDir('journal');
    const file = path.join(dir, 'j.jsonl');
    const j = Journal.open(file);
    j.append({ ev: 'seen', path: 'x.wav', size: 3 });
    j.append({ ev: 'processing', path: 'x.wav', key: 'k', attempt: 1, out: 'x' });
    // no close(): the process "dies" here, halfway through its next record
    appendFileSync(file, '{"v":1,"at":"2026-11-25T10:00:00.000Z","ev":"done","path":"x.w');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    const k = Journal.open(file);
    expect(k.replay.tornTail).toBe(true);
    expect(k.get('x.wav')).toMatchObject({ status: 'processing', key: 'k', out: 'x', starts: 1 });
    k.append({ ev: 'interrupted', path: 'x.wav', reason: 'crash' });
    k.append({ ev: 'processing', path: 'x.wav', key: 'k', attempt: 2, out: 'x' });
    k.append({ ev: 'done', path: 'x.wav', key: 'k', outputs: [] });
    k.close();
    const m = Journal.open(file);
    expect(m.get('x.wav')).toMatchObject({ status: 'done', starts: 2, completions: 1, crashes: 0, interrupted: 1 });
    m.close();
  });
});
