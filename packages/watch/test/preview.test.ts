import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, speechWav, tempDir } from '@a2f/test-utils';
import { Watcher, type WatchEvent } from '../src/index.js';

const CHARACTER = fileURLToPath(new URL('../../../samples/character/face.usda', import.meta.url));

afterAll(removeTempDirs);

/** One watcher run over what is in the inbox (--once), with its events. */
async function once(inbox: string, out: string, preview: boolean): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const w = await Watcher.start({
    inbox,
    out,
    job: { character: CHARACTER, preview },
    settleMs: 50,
    rescanMs: 0,
    lockStaleMs: 60_000,
    once: true,
    onEvent: (e) => events.push(e),
  });
  await w.done;
  return events;
}

const doneOutputs = (events: readonly WatchEvent[]) =>
  events.filter((e) => e.ev === 'done' && e.path === 'take.wav').map((e) => (e as unknown as { outputs: string[] }).outputs);

describe('a2f watch --preview', () => {
  it("makes the page one of the line's outputs: turned on, lines are redone with it; deleted, it is written again", async () => {
    const inbox = tempDir('preview-inbox');
    const out = tempDir('preview-out');
    writeFileSync(path.join(inbox, 'take.wav'), speechWav(140, 0.5));

    expect(doneOutputs(await once(inbox, out, false))).toEqual([['take.usda', 'take.report.json']]);
    expect(existsSync(path.join(out, 'take.preview.html'))).toBe(false);
    // The same settings again: nothing to do.
    expect(doneOutputs(await once(inbox, out, false))).toEqual([]);

    // --preview changes the line's outputs, so the line is done again, page included.
    expect(doneOutputs(await once(inbox, out, true))).toEqual([['take.usda', 'take.preview.html', 'take.report.json']]);
    expect(readFileSync(path.join(out, 'take.preview.html'), 'utf8')).toContain('id="a2f-data"');
    expect(doneOutputs(await once(inbox, out, true))).toEqual([]);

    // A page someone deleted is an output missing: the line is done again, as for a deleted layer.
    rmSync(path.join(out, 'take.preview.html'));
    expect(doneOutputs(await once(inbox, out, true))).toHaveLength(1);
    expect(existsSync(path.join(out, 'take.preview.html'))).toBe(true);
  });
});
