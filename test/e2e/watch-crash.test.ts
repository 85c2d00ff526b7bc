import { spawnSync } from 'node:child_process';
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, tempDir } from './helpers.js';
import {
  checkLayer,
  countEvents,
  dropLines,
  HANG_MS,
  HOOK_HANG_MS,
  journalEntries,
  killAll,
  killWithLineInHand,
  readLog,
  settledCount,
  startWatch,
  stateDirOf,
  unfinished,
  waitUntil,
  walk,
  type LogEvent,
} from './watch-helpers.js';

const completions = (out: string): number => [...journalEntries(out).values()].flat().reduce((n, e) => n + e.completions, 0);

describe('a2f watch killed with SIGKILL at several points, then restarted', () => {
  const inbox = tempDir('crash-in');
  const out = tempDir('crash-out');
  const log = path.join(tempDir('crash-log'), 'watch.jsonl');
  const names: string[] = [];
  const kills: { when: string; inFlight: number }[] = [];
  let plantedTemp = '';
  let plantedStateTemp = '';
  let finalExit: { code: number | null; signal: NodeJS.Signals | null };
  let runs: LogEvent[][] = [];

  const inFlightNow = () =>
    [...journalEntries(out).values()]
      .flat()
      .filter((e) => e.status === 'processing')
      .map((e) => e.path);

  beforeAll(async () => {
    names.push(...dropLines(inbox, 60, 'take'));

    // Run 1: killed after 10 lines are done.
    let proc = startWatch(inbox, out, log);
    await waitUntil(() => completions(out) >= 10, '10 completions in run 1', HANG_MS, [proc]);
    proc.child.kill('SIGKILL');
    await proc.exited;
    kills.push({ when: 'after 10 done', inFlight: inFlightNow().length });

    // Run 2: killed with a line in hand, once 25 are done.
    proc = startWatch(inbox, out, log);
    await waitUntil(() => completions(out) >= 25, '25 completions in run 2', HANG_MS, [proc]);
    await killWithLineInHand(proc, () => unfinished(out, inFlightNow()));
    kills.push({ when: 'mid-line after 25 done', inFlight: inFlightNow().length });

    // While it is down: more lines arrive, the kill left a temp file next to a line in flight (as a
    // kill during a layer write does), and a crash during an append tore the journal's last line.
    names.push(...dropLines(inbox, 20, 'late', 300));
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    // (A line in flight, or else one that arrived while down: either is worked on after the restart.)
    const victim = inFlightNow()[0] ?? names[names.length - 1]!;
    plantedTemp = `.${victim.replace(/\.wav$/, '')}.usda.${dead}.0badc0de.tmp`;
    writeFileSync(path.join(out, plantedTemp), '#usda 1.0\n(half a layer');
    plantedStateTemp = `.a2f-watch/status/.x.json.${dead}.0badc0de.tmp`;
    writeFileSync(path.join(out, plantedStateTemp), '{');
    const journal = path.join(stateDirOf(out), 'journal', readdirSync(path.join(stateDirOf(out), 'journal'))[0]!);
    appendFileSync(journal, '{"v":1,"at":"2026-11-25T00:00:00.000Z","ev":"done","path":"take0');

    // Run 3: killed with a line in hand once 45 are done.
    proc = startWatch(inbox, out, log);
    await waitUntil(() => completions(out) >= 45, '45 completions in run 3', HANG_MS, [proc]);
    await killWithLineInHand(proc, () => unfinished(out, inFlightNow()));
    kills.push({ when: 'mid-line after 45 done', inFlight: inFlightNow().length });

    // Run 4: finishes everything, then stops on SIGTERM.
    proc = startWatch(inbox, out, log);
    await waitUntil(() => settledCount(out) >= names.length, `${names.length} outcomes`, HANG_MS, [proc]);
    proc.child.kill('SIGTERM');
    finalExit = await proc.exited;

    // Split the log into runs at each "start" event.
    runs = [];
    for (const e of readLog(log)) {
      if (e.ev === 'start') runs.push([]);
      runs[runs.length - 1]!.push(e);
    }
  }, HOOK_HANG_MS);
  afterAll(killAll);

  it('was killed three times, the last two with lines in flight, and stopped cleanly at the end', () => {
    expect(runs).toHaveLength(4);
    expect(kills.map((k) => k.when)).toEqual(['after 10 done', 'mid-line after 25 done', 'mid-line after 45 done']);
    expect(kills.slice(1).filter((k) => k.inFlight > 0)).toHaveLength(2);
    expect(finalExit).toEqual({ code: 0, signal: null });
  });

  it('lost no file and computed none twice: one completion each, every extra start a redo of an interrupted one', () => {
    const entries = journalEntries(out);
    expect([...entries.keys()].sort()).toEqual([...names].sort());
    // A kill that lands after a line's layer and outcome were written but before its journal said
    // so (run 1's plain kill can) leaves a finished line: the restart records that completion as
    // recovered instead of computing the line again, so it has no second start.
    const recovered = new Set(
      readLog(log)
        .filter((e) => e.ev === 'done' && e.recovered === true)
        .map((e) => e.path!),
    );
    const wrong: unknown[] = [];
    let redone = 0;
    for (const n of names) {
      const [e, ...others] = entries.get(n)!;
      const starts = 1 + e!.interrupted - (recovered.has(n) ? 1 : 0);
      if (others.length || e!.status !== 'done' || e!.completions !== 1 || e!.starts !== starts) wrong.push(e);
      redone += e!.interrupted;
    }
    expect([...recovered].filter((n) => entries.get(n)![0]!.interrupted !== 1)).toEqual([]);
    expect(wrong).toEqual([]);
    // Each kill interrupts at most --concurrency (2) lines.
    expect(redone).toBeLessThanOrEqual(2 * kills.length);
    expect(redone).toBe(kills.reduce((n, k) => n + k.inFlight, 0));
    // The log agrees: never two "done" per file over all four runs. A SIGKILL between the journal's
    // record and the log line drops that one log line (the journal is the record of work), so at
    // most one file per kill may lack its "done" there.
    const done = countEvents(readLog(log), 'done');
    expect(names.filter((n) => (done.get(n) ?? 0) > 1)).toEqual([]);
    expect(names.filter((n) => !done.has(n)).length).toBeLessThanOrEqual(kills.length);
    // Restarts resumed what was in flight, and took the lines that arrived while down (run 3 or,
    // where run 3 was killed before it reached them, run 4).
    expect(
      runs
        .slice(1)
        .flat()
        .filter((e) => e.ev === 'interrupted').length,
    ).toBe(redone);
    const late = names.filter((n) => n.startsWith('late'));
    expect(
      runs
        .slice(2)
        .flat()
        .filter((e) => e.ev === 'done' && late.includes(e.path!)).length,
    ).toBe(late.length);
  });

  it('left no partial output: one whole layer and report per file, no temp file anywhere, leftovers cleaned on start', () => {
    const files = walk(out);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const visible = files.filter((f) => !f.startsWith('.a2f-watch/'));
    const stems = [...names].sort().map((n) => n.replace(/\.wav$/, ''));
    expect(visible).toEqual(stems.flatMap((s) => [`${s}.report.json`, `${s}.usda`]).sort());
    for (const s of stems) checkLayer(path.join(out, `${s}.usda`));
    const removed = runs
      .slice(2)
      .flat()
      .filter((e) => e.ev === 'cleanup')
      .flatMap((e) => e.removed as string[]);
    expect(removed).toContain(plantedTemp);
    expect(removed).toContain(`status/${path.basename(plantedStateTemp)}`);
    const journalEvent = runs[2]!.find((e) => e.ev === 'journal')!;
    expect(journalEvent.tornTail).toBe(true);
  });

  it(
    'wrote layers real Pixar USD opens (a sample of 16, including every redone line)',
    async () => {
      const redone = [...journalEntries(out).values()]
        .flat()
        .filter((e) => e.interrupted > 0)
        .map((e) => e.path);
      const sample = [...new Set([...redone, ...names.filter((_, i) => i % 6 === 0)])].slice(0, 16);
      const results = await usdReadbackMany(
        sample.map((n) => ({ root: path.join(out, n.replace(/\.wav$/, '.usda')), others: [CHARACTER] })),
      );
      expect(results.map((r, i) => ({ n: sample[i], ok: r.ok, errors: r.errors })).filter((r) => !r.ok)).toEqual([]);
    },
    HOOK_HANG_MS,
  );
});
