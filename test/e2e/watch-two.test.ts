import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import {
  checkLayer,
  countEvents,
  dropLines,
  HANG_MS,
  HOOK_HANG_MS,
  journalEntries,
  killAll,
  killWithLineInHand,
  linesInHand,
  readLog,
  settledCount,
  startWatch,
  stateDirOf,
  unfinished,
  waitUntil,
  walk,
  type LogEvent,
} from './watch-helpers.js';

const COUNT = 120;

describe('two a2f watch processes on one inbox (two machines on one share)', () => {
  const inbox = tempDir('two-in');
  const out = tempDir('two-out');
  const logs = tempDir('two-logs');
  const logA = path.join(logs, 'a.jsonl');
  const logB = path.join(logs, 'b.jsonl');
  let names: string[];
  let inHandAtKill: string[] = [];
  let restartA: LogEvent[] = [];
  const exits: { code: number | null; signal: NodeJS.Signals | null }[] = [];

  beforeAll(async () => {
    const a = startWatch(inbox, out, logA);
    await waitUntil(() => readLog(logA).some((e) => e.ev === 'ready'), 'watcher A ready', HANG_MS, [a]);
    const b = startWatch(inbox, out, logB);
    await waitUntil(() => readLog(logB).some((e) => e.ev === 'ready'), 'watcher B ready', HANG_MS, [b]);
    names = dropLines(inbox, COUNT, 'shared');

    // A dies (kill -9) with lines in hand, once both have done some work (the split between them
    // is the machine's business); B must take A's lines over and finish everything.
    await waitUntil(
      () => settledCount(out) >= 40 && countEvents(readLog(logA), 'done').size > 0 && countEvents(readLog(logB), 'done').size > 0,
      '40 outcomes, some by each watcher',
      HANG_MS,
      [a, b],
    );
    const instanceA = String(readLog(logA).find((e) => e.ev === 'start')!.instance);
    const journalA = path.join(stateDirOf(out), 'journal', `${instanceA}.jsonl`);
    inHandAtKill = await killWithLineInHand(a, () => unfinished(out, linesInHand(journalA)));
    // A's own journal, read after the kill, says the same.
    expect(linesInHand(journalA).sort()).toEqual([...inHandAtKill].sort());
    await waitUntil(() => settledCount(out) >= COUNT, `${COUNT} outcomes`, HANG_MS, [b]);

    // A comes back: it reclaims its journal, finds its interrupted lines done by B, computes nothing.
    const from = readLog(logA).length;
    const a2 = startWatch(inbox, out, logA);
    await waitUntil(
      () => {
        const ev = readLog(logA).slice(from);
        return (
          ev.some((e) => e.ev === 'ready') &&
          inHandAtKill.every((p) => ev.some((e) => e.path === p && (e.ev === 'unchanged' || e.ev === 'done')))
        );
      },
      'restarted A to settle its interrupted lines',
      HANG_MS,
      [a2],
    );
    restartA = readLog(logA).slice(from);
    a2.child.kill('SIGTERM');
    b.child.kill('SIGTERM');
    exits.push(await a2.exited, await b.exited);
  }, HOOK_HANG_MS);
  afterAll(killAll);

  it('computed every file exactly once between them (journals and logs agree)', () => {
    const entries = journalEntries(out);
    expect([...entries.keys()].sort()).toEqual(names);
    const totals = names.map((n) => entries.get(n)!.reduce((sum, e) => sum + e.completions, 0));
    expect(names.filter((_, i) => totals[i] !== 1)).toEqual([]);
    const doneA = countEvents(readLog(logA), 'done');
    const doneB = countEvents(readLog(logB), 'done');
    const twice = names.filter((n) => (doneA.get(n) ?? 0) + (doneB.get(n) ?? 0) !== 1);
    expect(twice).toEqual([]);
    // Both did real work; the split depends on timing.
    expect(doneA.size).toBeGreaterThan(0);
    expect(doneB.size).toBeGreaterThan(0);
    expect(doneA.size + doneB.size).toBe(COUNT);
    expect(exits).toEqual([
      { code: 0, signal: null },
      { code: 0, signal: null },
    ]);
  });

  it('coordinated through locks: B waited on files A held, then took over the ones A died holding', () => {
    const eventsB = readLog(logB);
    expect(eventsB.some((e) => e.ev === 'busy')).toBe(true);
    expect(inHandAtKill.length).toBeGreaterThan(0);
    const takenOver = new Set(eventsB.filter((e) => e.ev === 'takeover').map((e) => e.path));
    for (const p of inHandAtKill) expect(takenOver.has(p), p).toBe(true);
    for (const e of eventsB.filter((x) => x.ev === 'takeover')) expect(e.reason).toBe('dead-process');
  });

  it('the restarted watcher resumed its interrupted lines and found them done by the other', () => {
    expect(restartA.filter((e) => e.ev === 'processing')).toEqual([]);
    const interrupted = restartA
      .filter((e) => e.ev === 'interrupted')
      .map((e) => e.path)
      .sort();
    expect(interrupted).toEqual([...inHandAtKill].sort());
    for (const p of inHandAtKill) {
      const e = restartA.find((x) => x.path === p && x.ev === 'unchanged');
      expect(e?.reason).toMatch(/^done by /);
    }
    // The two ran as two instances with two journals.
    const instances = [...journalEntries(out).values()].flat().length;
    expect(instances).toBeGreaterThan(COUNT);
  });

  it('wrote one whole layer per file, no temp files', () => {
    const files = walk(out);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const layers = files.filter((f) => f.endsWith('.usda') && !f.startsWith('.a2f-watch/'));
    expect(layers).toEqual(names.map((n) => n.replace(/\.wav$/, '.usda')));
    for (const l of layers) checkLayer(path.join(out, l));
  });
});
