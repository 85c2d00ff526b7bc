import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { speechWav, tempDir, waitFor } from '@a2f/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { Watcher, type WatchEvent } from '../src/index.js';

const CHARACTER = fileURLToPath(new URL('../../../samples/character/face.usda', import.meta.url));

let running: Watcher[] = [];
afterEach(async () => {
  await Promise.all(running.map((w) => w.stop()));
  running = [];
});

describe('watcher with a dispatch hook (a producer for the render-farm queue)', () => {
  it('hands each stable line over once, with its rendered output location, and retries a failed hand-over', async () => {
    const inbox = tempDir('inbox');
    const out = tempDir('out');
    const events: WatchEvent[] = [];
    const handed: { audio: string; path: string; outDir: string; name: string }[] = [];
    let refuse = 1;
    const w = await Watcher.start({
      inbox,
      out,
      job: { character: CHARACTER },
      paths: '{dir}/{name}',
      settleMs: 50,
      rescanMs: 100,
      retryBaseMs: 50,
      lockStaleMs: 60_000,
      onEvent: (e) => events.push(e),
      dispatch: async (line) => {
        // The first hand-over fails as an unreachable queue would; the watcher tries again.
        if (refuse-- > 0) throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
        handed.push(line);
        return { id: `job-${handed.length}`, added: true };
      },
    });
    running.push(w);
    mkdirSync(path.join(inbox, 'sc01'));
    writeFileSync(path.join(inbox, 'sc01', 'take.wav'), speechWav(140));
    await waitFor(() => events.some((e) => e.ev === 'dispatched'), 'the line handed over');
    expect(events.filter((e) => e.ev === 'retry' && e.path === 'sc01/take.wav')).toHaveLength(1);
    // Another line later: by then rescans have seen take.wav again, and handed nothing over twice.
    writeFileSync(path.join(inbox, 'other.wav'), speechWav(160));
    await waitFor(() => handed.length === 2, 'other.wav handed over');
    expect(handed.filter((l) => l.path === 'sc01/take.wav')).toHaveLength(1);
    expect(handed[0]).toEqual({
      audio: path.join(inbox, 'sc01', 'take.wav'),
      path: 'sc01/take.wav',
      outDir: path.join(out, 'sc01'),
      name: 'take',
    });
    expect(events.find((e) => e.ev === 'dispatched')).toMatchObject({ path: 'sc01/take.wav', id: 'job-1', added: true });
    // Nothing runs here: no layer is written by the watcher itself.
    expect(existsSync(path.join(out, 'sc01', 'take.usda'))).toBe(false);
  });
});
