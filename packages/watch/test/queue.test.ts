import { describe, expect, it } from 'vitest';
import { backoffMs, isTransient } from '../src/index.js';
// The queue is internal to the watcher; its ordering and retry rules are tested here directly.
import { WorkQueue } from '../src/queue.js';
import { sleep, waitFor } from '@a2f/test-utils';

describe('work queue', () => {
  it('runs each item once however often it is pushed, never more than `concurrency` at a time', async () => {
    let running = 0;
    let peak = 0;
    const runs: string[] = [];
    const q = new WorkQueue(
      3,
      async (item) => {
        running++;
        peak = Math.max(peak, running);
        runs.push(item);
        await sleep(5);
        running--;
      },
      () => {},
    );
    for (let i = 0; i < 30; i++) {
      q.push(`f${i % 10}`);
      q.push(`f${i % 10}`);
    }
    await q.idle();
    // pushes of a queued item are no-ops; pushes of a running one run it once more afterwards
    expect(new Set(runs).size).toBe(10);
    expect(peak).toBe(3);
    for (const r of new Set(runs)) expect(runs.filter((x) => x === r).length).toBeLessThanOrEqual(2);
  });

  it('runs an item again when it changed while running, and keeps delayed items out until due', async () => {
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new WorkQueue(
      1,
      async (item) => {
        runs.push(item);
        if (runs.length === 1) await gate;
      },
      () => {},
    );
    q.push('a');
    await waitFor(() => runs.length === 1, 'a to start');
    q.push('a'); // changed while running
    q.push('b', 150); // a retry, due later
    expect(q.stats).toEqual({ queued: 0, running: 1, delayed: 1 });
    release();
    await waitFor(() => runs.length === 2, 'a to run again');
    expect(runs).toEqual(['a', 'a']);
    await waitFor(() => runs.length === 3, 'b when due');
    expect(runs).toEqual(['a', 'a', 'b']);
  });

  it('stop() starts nothing more and drops timers; idle() waits only for what runs', async () => {
    const runs: string[] = [];
    const q = new WorkQueue(
      1,
      async (item) => {
        runs.push(item);
        await sleep(30);
      },
      () => {},
    );
    q.push('a');
    q.push('b');
    q.push('c', 50);
    q.stop();
    await q.idle();
    await sleep(80);
    expect(runs).toEqual(['a']);
  });
});

describe('retry policy', () => {
  it('retries what may pass on its own, not what needs a change of file or settings', () => {
    for (const code of ['EBUSY', 'EAGAIN', 'ENOSPC', 'EMFILE', 'ETIMEDOUT', 'ESTALE', 'WORKER_CRASHED', 'INFERENCE_RUN'])
      expect(isTransient({ code }), code).toBe(true);
    for (const code of ['NOT_AUDIO', 'EMPTY', 'TRUNCATED', 'BAD_SIDECAR', 'OUTPUT_PATH', 'CHARACTER_NOT_FOUND', 'EACCES', 'ENOENT'])
      expect(isTransient({ code }), code).toBe(false);
  });

  it('backs off exponentially within ±20 %, capped', () => {
    for (let i = 0; i < 50; i++) {
      const d1 = backoffMs(1, 1000);
      const d3 = backoffMs(3, 1000);
      expect(d1).toBeGreaterThanOrEqual(800);
      expect(d1).toBeLessThanOrEqual(1200);
      expect(d3).toBeGreaterThanOrEqual(3200);
      expect(d3).toBeLessThanOrEqual(4800);
      expect(backoffMs(20, 1000, 60_000)).toBeLessThanOrEqual(72_000);
    }
  });
});
