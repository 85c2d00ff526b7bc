import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, readJson, runCli, tempDir } from './helpers.js';
import {
  checkLayer,
  countEvents,
  dropLines,
  HANG_MS,
  HOOK_HANG_MS,
  journalEntries,
  killAll,
  readLog,
  settledCount,
  startWatch,
  waitUntil,
  walk,
  type WatchProc,
} from './watch-helpers.js';

const COUNT = 200;

describe(`a2f watch: a burst of ${COUNT} lines dropped at once`, () => {
  const inbox = tempDir('burst-in');
  const out = tempDir('burst-out');
  const log = path.join(tempDir('burst-log'), 'watch.jsonl');
  let proc: WatchProc;
  let names: string[];
  let exit: { code: number | null; signal: NodeJS.Signals | null };

  beforeAll(async () => {
    proc = startWatch(inbox, out, log, ['--concurrency', '2']);
    await waitUntil(() => readLog(log).some((e) => e.ev === 'ready'), 'the watcher to be ready', HANG_MS, [proc]);
    names = dropLines(inbox, COUNT);
    await waitUntil(() => settledCount(out) >= COUNT, `${COUNT} outcomes`, HANG_MS, [proc]);
    proc.child.kill('SIGTERM');
    exit = await proc.exited;
  }, HOOK_HANG_MS);
  afterAll(killAll);

  it('processes every file exactly once (journal and log agree), and stops cleanly on SIGTERM', () => {
    expect(exit).toEqual({ code: 0, signal: null });
    const entries = journalEntries(out);
    expect([...entries.keys()].sort()).toEqual(names);
    for (const name of names) {
      const [e, ...others] = entries.get(name)!;
      expect(others).toEqual([]); // one watcher, one journal
      expect({ name, status: e!.status, starts: e!.starts, completions: e!.completions }).toEqual({
        name,
        status: 'done',
        starts: 1,
        completions: 1,
      });
    }
    const events = readLog(log);
    const processing = countEvents(events, 'processing');
    const done = countEvents(events, 'done');
    expect(processing.size).toBe(COUNT);
    expect(done.size).toBe(COUNT);
    const twice = names.filter((n) => processing.get(n) !== 1 || done.get(n) !== 1);
    expect(twice).toEqual([]);
    expect(events.filter((e) => e.ev === 'failed' || e.ev === 'retry' || e.ev === 'error')).toEqual([]);
  });

  it('writes one whole layer and one report per file; every layer parses; no temporary file anywhere', () => {
    const files = walk(out).filter((f) => !f.startsWith('.a2f-watch/'));
    expect(files.filter((f) => f.endsWith('.usda'))).toEqual(names.map((n) => n.replace(/\.wav$/, '.usda')));
    expect(files.filter((f) => f.endsWith('.report.json'))).toEqual(names.map((n) => n.replace(/\.wav$/, '.report.json')));
    expect(files).toHaveLength(2 * COUNT);
    expect(walk(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    for (const n of names) {
      const layer = path.join(out, n.replace(/\.wav$/, '.usda'));
      const { end } = checkLayer(layer);
      const report = readJson<{ frames: number; audio: string }>(layer.replace(/\.usda$/, '.report.json'));
      expect(report.audio).toBe(path.join(inbox, n));
      expect(end).toBe(report.frames - 1);
    }
  });

  // Real USD costs ~0.1 s per stage on a busy 2-core machine: every 4th layer (50) in one batch
  // keeps this near 10 s; our own parser above has read all of them.
  it(
    'opens in real Pixar USD: a sample of 50 layers composed over the character, in one batch',
    async () => {
      const sample = names.filter((_, i) => i % 4 === 0);
      const results = await usdReadbackMany(
        sample.map((n) => ({ root: path.join(out, n.replace(/\.wav$/, '.usda')), others: [CHARACTER] })),
      );
      const bad = results.map((r, i) => ({ name: sample[i], ok: r.ok, errors: r.errors })).filter((r) => !r.ok);
      expect(bad).toEqual([]);
      results.forEach((r, i) => {
        const report = readJson<{ frames: number }>(path.join(out, sample[i]!.replace(/\.wav$/, '.report.json')));
        expect([r.timeCodesPerSecond, r.startTimeCode, r.endTimeCode]).toEqual([30, 0, report.frames - 1]);
      });
    },
    HOOK_HANG_MS,
  );

  it('reports the run with a2f watch --status', async () => {
    const r = await runCli(['watch', '--status', out, '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout) as {
      outcomes: Record<string, number>;
      instances: { running: boolean; stopped: boolean }[];
      journals: { starts: number; completions: number }[];
    };
    expect(s.outcomes).toEqual({ done: COUNT, failed: 0, duplicate: 0 });
    expect(s.instances.map((i) => [i.running, i.stopped])).toEqual([[false, true]]);
    expect(s.journals.map((j) => [j.starts, j.completions])).toEqual([[COUNT, COUNT]]);
    const human = await runCli(['watch', '--status', out]);
    expect(human.stdout).toMatch(new RegExp(`done: ${COUNT}  duplicates: 0  failed: 0`));
  });
});
