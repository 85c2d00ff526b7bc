import { appendFileSync, closeSync, openSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { declaredShort, StabilityTracker, type FileSnapshot } from '../src/index.js';
import { speechWav, tempDir, waitFor } from '@a2f/test-utils';

// "Settled" means quiet for settleMs by the tracker's clock. With the real clock a busy machine can
// stretch a writer's short pause past settleMs, so tests about pauses drive a fake clock (timers and
// Date.now) over real files: each pause is exactly as long as the test says.
const fakeClock = (): void => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
};
const pass = (ms: number): Promise<void> => vi.advanceTimersByTimeAsync(ms).then(() => undefined);
afterEach(() => {
  vi.useRealTimers();
});

function tracker(settleMs: number, opts: { incompleteGraceMs?: number } = {}) {
  const stable: { key: string; snap: FileSnapshot; at: number }[] = [];
  const gone: string[] = [];
  const t = new StabilityTracker(
    { settleMs, ...opts },
    (key, _file, snap) => stable.push({ key, snap, at: Date.now() }),
    (key) => gone.push(key),
  );
  return { t, stable, gone };
}

describe('stable-file detection', () => {
  it('refuses a settle time that is not a number of milliseconds >= 0 with a BAD_SETTING error', () => {
    for (const settleMs of [Number.NaN, -1, Number.POSITIVE_INFINITY]) {
      expect(() => tracker(settleMs)).toThrow(
        expect.objectContaining({
          code: 'BAD_SETTING',
          file: 'settleMs',
          problem: `must be a number of milliseconds >= 0, got ${settleMs}`,
        }),
      );
    }
  });

  it('takes a file written in chunks only after the writing stops, once, at its final size', async () => {
    const dir = tempDir('stab');
    const file = path.join(dir, 'slow.bin');
    fakeClock();
    const { t, stable } = tracker(300);
    writeFileSync(file, Buffer.alloc(1000, 1));
    t.touch('slow.bin', file);
    let lastWrite = 0;
    for (let i = 0; i < 12; i++) {
      await pass(60); // pauses shorter than the settle time
      appendFileSync(file, Buffer.alloc(1000, i));
      lastWrite = Date.now();
      // chokidar would report each change; the tracker must not restart a second wait per event
      t.touch('slow.bin', file);
    }
    expect(stable).toEqual([]); // 720 ms of writing, never quiet for 300
    await pass(299);
    expect(stable).toEqual([]);
    await pass(2000);
    expect(stable).toHaveLength(1);
    expect(stable[0]!.snap.size).toBe(13_000);
    expect(stable[0]!.at - lastWrite).toBeGreaterThanOrEqual(300);
    expect(t.size).toBe(0);
  });

  it('notices writes it was not told about (polling its own stat), and a replace by rename', async () => {
    const dir = tempDir('stab');
    const file = path.join(dir, 'quiet.bin');
    writeFileSync(file, 'a');
    fakeClock();
    const { t, stable } = tracker(250);
    t.touch('quiet.bin', file);
    await pass(150);
    appendFileSync(file, 'bb'); // no touch(): only the tracker's own check can see it
    await pass(150);
    expect(stable).toEqual([]); // its check at 250 ms found the file grown
    writeFileSync(path.join(dir, 'next.bin'), 'cccc');
    renameSync(path.join(dir, 'next.bin'), file); // replaced whole: new inode
    await pass(2000);
    expect(stable).toHaveLength(1);
    expect(stable[0]!.snap.size).toBe(4);
    expect(stable[0]!.snap.ino).toBe(statSync(file).ino);
  });

  it('reports a file that vanished while settling, and forgets it', async () => {
    const dir = tempDir('stab');
    const file = path.join(dir, 'gone.bin');
    writeFileSync(file, 'x');
    const { t, stable, gone } = tracker(150);
    t.touch('gone.bin', file);
    rmSync(file);
    await waitFor(() => gone.length > 0, 'the gone event');
    expect(gone).toEqual(['gone.bin']);
    expect(stable).toEqual([]);
    expect(t.has('gone.bin')).toBe(false);
  });

  it('waits for a WAV whose header announces more bytes than are there, then takes it when complete', async () => {
    const dir = tempDir('stab');
    const file = path.join(dir, 'take.wav');
    const wav = speechWav(140, 0.5);
    writeFileSync(file, wav.subarray(0, 4000)); // a copy tool wrote the real header first
    expect(declaredShort(file, 4000)).toBe(true);
    fakeClock();
    const { t, stable } = tracker(100, { incompleteGraceMs: 60_000 });
    t.touch('take.wav', file);
    await pass(600); // settled several times over, but short
    expect(stable).toEqual([]);
    const fd = openSync(file, 'a');
    writeSync(fd, wav.subarray(4000));
    closeSync(fd);
    await pass(1000);
    expect(stable).toHaveLength(1);
    expect(stable[0]!.snap.size).toBe(wav.length);
    expect(declaredShort(file, wav.length)).toBe(false);
  });

  it('takes a short WAV anyway after the grace time, so the decoder can report the truncation', async () => {
    const dir = tempDir('stab');
    const file = path.join(dir, 'cut.wav');
    writeFileSync(file, speechWav(140, 0.5).subarray(0, 3000));
    fakeClock();
    const { t, stable } = tracker(80, { incompleteGraceMs: 400 });
    t.touch('cut.wav', file);
    await pass(399);
    expect(stable).toEqual([]);
    await pass(1000);
    expect(stable).toHaveLength(1);
    expect(stable[0]!.snap.size).toBe(3000);
  });

  it('does not judge non-WAV files or streaming WAV headers by size fields', () => {
    const dir = tempDir('stab');
    const text = path.join(dir, 'notes.txt');
    writeFileSync(text, 'RIFF but not a wave file at all');
    expect(declaredShort(text, statSync(text).size)).toBe(false);
    const streaming = Buffer.from(speechWav(140, 0.2));
    streaming.writeUInt32LE(0xffffffff, 4);
    const f = path.join(dir, 'stream.wav');
    writeFileSync(f, streaming.subarray(0, 100));
    expect(declaredShort(f, 100)).toBe(false);
  });
});
