import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { foldJournal, readJournal, readWatchStatus, Watcher, type WatchEvent, type WatchOptions } from '../src/index.js';
import { speechWav, tempDir, waitFor } from '@a2f/test-utils';

const CHARACTER = fileURLToPath(new URL('../../../samples/character/face.usda', import.meta.url));

let running: Watcher[] = [];
afterEach(async () => {
  await Promise.all(running.map((w) => w.stop()));
  running = [];
});

// lockStaleMs far above any pause a busy machine causes: a watcher whose heartbeat ran late would
// leave its instance lock behind on stop ("released late"), and the next start would get another journal.
async function start(inbox: string, out: string, extra: Partial<WatchOptions> = {}, tap?: (e: WatchEvent) => void) {
  const events: WatchEvent[] = [];
  const w = await Watcher.start({
    inbox,
    out,
    job: { character: CHARACTER },
    settleMs: 100,
    concurrency: 2,
    rescanMs: 0,
    lockStaleMs: 60_000,
    onEvent: (e) => {
      events.push(e);
      tap?.(e);
    },
    ...extra,
  });
  running.push(w);
  const count = (ev: string, p?: string) => events.filter((e) => e.ev === ev && (p === undefined || e.path === p)).length;
  return { w, events, count };
}

const completions = (out: string): Map<string, number> => {
  const state = foldJournal(
    readJournal(path.join(out, '.a2f-watch/journal', readdirSync(path.join(out, '.a2f-watch/journal'))[0]!)).records,
  );
  return new Map([...state.values()].map((e) => [e.path, e.completions]));
};

describe('watcher (in process, real files and the real pipeline)', () => {
  it('computes a line once per content and settings: duplicates, changed files, sidecars, restarts', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('out');
    let s = await start(inbox, out);
    writeFileSync(path.join(inbox, 'a.wav'), speechWav(130));
    await waitFor(() => s.count('done', 'a.wav') === 1, 'a.wav done');
    const firstLayer = readFileSync(path.join(out, 'a.usda'), 'utf8');

    // The same audio under another name: recorded as a duplicate, nothing computed.
    copyFileSync(path.join(inbox, 'a.wav'), path.join(inbox, 'b.wav'));
    await waitFor(() => s.count('duplicate', 'b.wav') === 1, 'b.wav duplicate');
    expect(s.count('processing', 'b.wav')).toBe(0);
    const note = JSON.parse(readFileSync(path.join(out, 'b.duplicate.json'), 'utf8')) as { duplicateOf: string; layers: string[] };
    expect(note).toMatchObject({ duplicateOf: 'a.wav', layers: ['a.usda', 'a.report.json'] });
    expect(existsSync(path.join(out, 'b.usda'))).toBe(false);

    // Same name, new content: computed again.
    writeFileSync(path.join(inbox, 'a.wav'), speechWav(190));
    await waitFor(() => s.count('done', 'a.wav') === 2, 'a.wav done again');
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).not.toBe(firstLayer);

    // A sidecar arriving later changes the line's settings: computed again, at its fps.
    writeFileSync(path.join(inbox, 'a.a2f.json'), JSON.stringify({ fps: 24 }));
    await waitFor(() => s.count('done', 'a.wav') === 3, 'a.wav done with its sidecar');
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).toMatch(/timeCodesPerSecond = 24/);

    // A sidecar routing the output through its own template, and one trying to leave the output root.
    writeFileSync(path.join(inbox, 'c.wav'), speechWav(150));
    writeFileSync(path.join(inbox, 'c.a2f.json'), JSON.stringify({ output: 'shots/{name}_take.usda' }));
    writeFileSync(path.join(inbox, 'd.wav'), speechWav(160));
    writeFileSync(path.join(inbox, 'd.a2f.json'), JSON.stringify({ output: '../../escaped/{name}.usda' }));
    await waitFor(() => s.count('done', 'c.wav') >= 1 && s.count('failed', 'd.wav') === 1, 'c.wav done and d.wav refused');
    expect(existsSync(path.join(out, 'shots/c_take.usda'))).toBe(true);
    const err = JSON.parse(readFileSync(path.join(out, 'd.error.json'), 'utf8')) as { code: string; why: string; fix: string };
    expect(err.code).toBe('OUTPUT_PATH');
    expect(err.why).toMatch(/d\.a2f\.json: .*".." would leave the output folder/);
    expect(existsSync(path.join(out, '../escaped'))).toBe(false);
    expect(s.count('processing', 'd.wav')).toBe(0);

    await s.w.stop();
    expect(Object.fromEntries(completions(out))).toEqual({ 'a.wav': 3, 'b.wav': 0, 'c.wav': 1, 'd.wav': 0 });

    // Restart, same settings: only b.wav is looked at again, because the line it duplicated has
    // changed since (its note would point at a layer of other audio); it is computed now.
    s = await start(inbox, out, { once: true });
    await s.w.done;
    expect(s.events.filter((e) => e.ev === 'processing').map((e) => e.path)).toEqual(['b.wav']);
    expect(readFileSync(path.join(out, 'b.usda'), 'utf8')).toMatch(/timeCodesPerSecond = 30/);
    expect(existsSync(path.join(out, 'b.duplicate.json'))).toBe(false);
    const settled = completions(out);
    expect(Object.fromEntries(settled)).toEqual({ 'a.wav': 3, 'b.wav': 1, 'c.wav': 1, 'd.wav': 0 });

    // Again: nothing to do, nothing journaled.
    s = await start(inbox, out, { once: true });
    await s.w.done;
    expect(s.count('processing') + s.count('seen') + s.count('failed')).toBe(0);
    expect(completions(out)).toEqual(settled);

    // Another fps changes every line's key: each is computed again (d.wav fails again, as it must).
    s = await start(inbox, out, { once: true, job: { character: CHARACTER, fps: 25 } });
    await s.w.done;
    expect(Object.fromEntries(completions(out))).toEqual({ 'a.wav': 4, 'b.wav': 2, 'c.wav': 2, 'd.wav': 0 });
    expect(s.count('failed', 'd.wav')).toBe(1);
    // a.wav keeps its sidecar's 24 fps; b.wav (no sidecar) now runs at 25.
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).toMatch(/timeCodesPerSecond = 24/);
    expect(readFileSync(path.join(out, 'b.usda'), 'utf8')).toMatch(/timeCodesPerSecond = 25/);
    expect(readWatchStatus(path.join(out, '.a2f-watch')).outcomes).toEqual({ done: 3, failed: 1, duplicate: 0 });
  });

  it('a changed animation control (jaw, blinks, channel filter) is another key: the line is computed again', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('out');
    writeFileSync(path.join(inbox, 'a.wav'), speechWav(140));
    const once = async (job: Partial<WatchOptions['job']>) => {
      const s = await start(inbox, out, { once: true, job: { character: CHARACTER, ...job } });
      await s.w.done;
      return s.count('processing', 'a.wav');
    };
    expect(await once({})).toBe(1);
    expect(await once({ jaw: 'auto' })).toBe(0);
    // auto on the sample character leaves the jaw joint out; both writes it.
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).not.toMatch(/"root\/head\/jaw"/);
    expect(await once({ jaw: 'both' })).toBe(1);
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).toMatch(/"root\/head\/jaw"/);
    expect(await once({ jaw: 'both', blinks: false })).toBe(1);
    expect(await once({ jaw: 'both', blinks: false, excludeChannels: 'tongue*' })).toBe(1);
    expect(await once({ jaw: 'both', blinks: false, excludeChannels: 'tongue*' })).toBe(0);
    expect(readFileSync(path.join(out, 'a.usda'), 'utf8')).not.toMatch(/tongueTipUp/);
  });

  it('a second stop signal checkpoints the line in hand: nothing half-written, redone on the next start', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('out');
    // The stop is given from the first inference progress event itself, not after a poll: however
    // fast or slow the machine, most of the line's ~28 batches are still to run.
    let stopped: Promise<void> | undefined;
    let s = await start(inbox, out, {}, (e) => {
      if (!stopped && e.ev === 'progress' && e.stage === 'infer' && Number(e.done) < Number(e.total))
        stopped = s.w.stop({ checkpoint: true });
    });
    writeFileSync(path.join(inbox, 'long.wav'), speechWav(140, 30)); // ~28 inference batches
    await waitFor(() => stopped !== undefined, 'inference under way');
    await stopped;
    expect(s.events.filter((e) => e.ev === 'interrupted').map((e) => [e.path, e.reason])).toEqual([['long.wav', 'shutdown']]);
    expect(s.count('done') + s.count('failed')).toBe(0);
    expect(readdirSync(out).filter((f) => !f.startsWith('.a2f-watch'))).toEqual([]);
    const state = foldJournal(
      readJournal(path.join(out, '.a2f-watch/journal', readdirSync(path.join(out, '.a2f-watch/journal'))[0]!)).records,
    );
    expect(state.get('long.wav')).toMatchObject({ status: 'queued', starts: 1, completions: 0, interrupted: 1, crashes: 0 });

    s = await start(inbox, out, { once: true });
    await s.w.done;
    expect(s.count('done', 'long.wav')).toBe(1);
    expect(Object.fromEntries(completions(out))).toEqual({ 'long.wav': 1 });
    expect(readFileSync(path.join(out, 'long.usda'), 'utf8')).toMatch(/endTimeCode = 899/);
  });

  it('refuses to start on bad settings, with the problem and the fix', async () => {
    const inbox = tempDir('inbox');
    await expect(Watcher.start({ inbox, out: path.join(inbox, 'layers'), job: { character: CHARACTER } })).rejects.toThrow(
      /output folder is inside the watch folder/,
    );
    await expect(Watcher.start({ inbox, out: tempDir('out'), job: { character: CHARACTER }, paths: '/abs/{name}' })).rejects.toThrow(
      /absolute/,
    );
    await expect(Watcher.start({ inbox, out: tempDir('out'), job: { character: path.join(inbox, 'missing.usda') } })).rejects.toThrow(
      /cannot be read|not found/i,
    );
    // The output and state folders are checked before anything loads (docs/output-folder.md).
    const file = path.join(tempDir('f'), 'afile');
    writeFileSync(file, 'x');
    await expect(Watcher.start({ inbox, out: file, job: { character: CHARACTER } })).rejects.toThrow(/output folder \(--out\) is a file/);
    await expect(Watcher.start({ inbox, out: tempDir('out'), stateDir: '/proc/a2f-state', job: { character: CHARACTER } })).rejects.toThrow(
      /proc pseudo file system/,
    );
    const out = tempDir('out');
    const first = await start(inbox, out, { instance: 'studio-a' });
    await expect(Watcher.start({ inbox, out, job: { character: CHARACTER }, instance: 'studio-a' })).rejects.toThrow(
      /instance "studio-a" is running \(pid \d+/,
    );
    await first.w.stop();
  });

  it("keeps the user's names, and says when a line replaced a layer made from another file", async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('out');
    // A layer made by hand, where a line of the same name will go.
    writeFileSync(path.join(out, 'hand.usda'), '#usda 1.0\n');
    const s = await start(inbox, out, { paths: 'flat' });
    mkdirSync(path.join(inbox, 'sh1'));
    mkdirSync(path.join(inbox, 'sh2'));
    writeFileSync(path.join(inbox, 'sh1', '01-bob boot.wav'), speechWav(120));
    await waitFor(() => s.count('done', 'sh1/01-bob boot.wav') === 1, 'sh1 line done');
    expect(existsSync(path.join(out, '01-bob boot.usda'))).toBe(true);
    expect(s.events.filter((e) => e.ev === 'warning')).toEqual([]);
    // The flat template sends another shot's line of the same name to the same layer.
    writeFileSync(path.join(inbox, 'sh2', '01-bob boot.wav'), speechWav(210));
    writeFileSync(path.join(inbox, 'hand.wav'), speechWav(170));
    await waitFor(() => s.count('done', 'sh2/01-bob boot.wav') === 1 && s.count('done', 'hand.wav') === 1, 'sh2 line and hand.wav done');
    const warnings = s.events.filter((e) => e.ev === 'warning').map((e) => [e.path, String(e.message)]);
    expect(warnings).toHaveLength(2);
    expect(warnings).toContainEqual([
      'sh2/01-bob boot.wav',
      expect.stringMatching(/replaced 01-bob boot\.usda, 01-bob boot\.report\.json, made from other audio \(01-bob boot\.wav\)/),
    ]);
    expect(warnings).toContainEqual(['hand.wav', expect.stringMatching(/replaced hand\.usda, not made by a2f/)]);
  });
});
