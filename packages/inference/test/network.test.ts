import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planPool, runNetwork } from '../src/index.js';
// The worker pool is internal: these tests drive it directly to check its batching and threads.
import { OrtPool } from '../src/pool.js';
import { runOnPool } from '../src/run-network.js';
import {
  FPS_CASES,
  PROBE_INDICES,
  conditionedNetwork,
  exactFrameCount,
  exactTarget,
  firstDifference,
  heavyNetwork,
  probeNetwork,
  ramp,
  rampAt,
  removeTempDirs,
  tempDir,
} from '@a2f/test-utils';
import { networkSpec } from './network-spec.js';

const dir = tempDir('inference');
afterAll(removeTempDirs);
const probe = networkSpec(dir, 'probe.onnx', probeNetwork());
let pool: OrtPool;
beforeAll(async () => {
  // one worker: these tests check per-batch order and progress, which several workers interleave
  pool = await OrtPool.create(probe, planPool({ workers: 1 }));
});
afterAll(() => pool?.close());

/** Every frame's probe values as the contract says they must be: window samples at PROBE_INDICES. */
function expectedProbe(n: number, num: number, den: number, gain = 1): Float32Array {
  const frames = exactFrameCount(n, num, den);
  const out = new Float32Array(frames * PROBE_INDICES.length);
  for (let k = 0; k < frames; k++) {
    const start = exactTarget(k, num, den) - 4160;
    PROBE_INDICES.forEach((j, c) => {
      out[k * PROBE_INDICES.length + c] = rampAt(start + j, n, gain);
    });
  }
  return out;
}

describe('windows through ONNX Runtime in worker threads', () => {
  for (const { num, den } of FPS_CASES) {
    it(`${num}/${den} fps: every frame sees exactly its window (batches 1, 7, 32)`, async () => {
      const n = exactTarget(95, num, den) + 1; // ends just past a frame boundary, mid-batch
      const samples = ramp(n);
      const expected = expectedProbe(n, num, den);
      for (const batchSize of [1, 7, 32]) {
        const out = await runOnPool(pool, samples, { fps: { num, den }, batchSize });
        expect(out.frameCount).toBe(exactFrameCount(n, num, den));
        expect(out.outputs.result.width).toBe(3);
        expect(firstDifference(out.outputs.result.data, expected), `batch ${batchSize}`).toBeUndefined();
      }
      // The input buffers went to the worker and back: the caller's samples are untouched.
      expect(samples[n - 1]).toBe(n);
    });
  }

  it('applies inputStrength before the network', async () => {
    const spec = { ...probe, audio: { ...probe.audio, inputStrength: 1.3 } };
    const n = 20000;
    const out = await runNetwork(ramp(n), spec, { fps: { num: 25, den: 1 }, batchSize: 8 });
    expect(firstDifference(out.outputs.result.data, expectedProbe(n, 25, 1, 1.3))).toBeUndefined();
  });

  it('keeps frame order with several workers and many batches in flight', async () => {
    const n = 48000;
    const out = await runNetwork(ramp(n), probe, { fps: { num: 60, den: 1 }, batchSize: 5, workers: 2, threads: 1 });
    expect(firstDifference(out.outputs.result.data, expectedProbe(n, 60, 1))).toBeUndefined();
  });

  it('reports progress per batch up to the frame count', async () => {
    const seen: [number, number][] = [];
    const out = await runOnPool(pool, ramp(16000), { fps: { num: 30, den: 1 }, batchSize: 8, onProgress: (d, t) => seen.push([d, t]) });
    expect(seen.map(([d]) => d)).toEqual([8, 16, 24, 30].slice(0, seen.length));
    expect(seen.every(([, t]) => t === out.frameCount)).toBe(true);
    expect(seen.at(-1)).toEqual([30, 30]);
  });

  it('returns empty outputs for empty audio without running', async () => {
    const out = await runOnPool(pool, new Float32Array(0), { fps: { num: 30, den: 1 } });
    expect(out.frameCount).toBe(0);
    expect(out.outputs.result.data.length).toBe(0);
  });

  it('feeds non-audio inputs per frame (constant rows and per-frame functions)', async () => {
    const spec = networkSpec(
      dir,
      'conditioned.onnx',
      conditionedNetwork(),
      [{ name: 'result', width: 2 }],
      [{ name: 'emotion', width: 26 }],
    );
    const n = 16000;
    const fps = { num: 30, den: 1 };
    const row = new Float32Array(26).fill(0.5);
    const constant = await runNetwork(ramp(n), spec, { fps, batchSize: 4, inputs: { emotion: row } });
    const byFrame = await runNetwork(ramp(n), spec, {
      fps,
      batchSize: 4,
      inputs: {
        emotion: (k, t, r) => {
          r.fill(0);
          r[0] = k;
          r[25] = t;
        },
      },
    });
    for (let k = 0; k < constant.frameCount; k++) {
      const t = exactTarget(k, 30, 1);
      expect(constant.outputs.result.data[k * 2]).toBe(t + 1);
      expect(constant.outputs.result.data[k * 2 + 1]).toBe(13);
      expect(byFrame.outputs.result.data[k * 2 + 1]).toBe(k + t);
    }
    await expect(runNetwork(ramp(n), spec, { fps })).rejects.toThrow(/input "emotion" \[batch, 1, 26\] needs a feed/);
    await expect(runNetwork(ramp(n), spec, { fps, inputs: { emotion: new Float32Array(3) } })).rejects.toThrow(
      /26 values per frame, has 3/,
    );
    await expect(runNetwork(ramp(n), spec, { fps, inputs: { emotion: row, mood: row } })).rejects.toThrow(/no input "mood"/);
  });

  it('rejects a bad batch size and non-Float32Array audio', async () => {
    await expect(runOnPool(pool, ramp(100), { fps: { num: 30, den: 1 }, batchSize: 0 })).rejects.toThrow(/batchSize 0/);
    await expect(runOnPool(pool, [1, 2, 3] as unknown as Float32Array, { fps: { num: 30, den: 1 } })).rejects.toThrow(/Float32Array/);
  });
});

describe('a heavy network', () => {
  const heavy = networkSpec(dir, 'heavy.onnx', heavyNetwork(120), [{ name: 'result', width: 4 }]);

  it('gives the same outputs batched as one frame at a time', async () => {
    const samples = Float32Array.from({ length: 24000 }, (_, i) => Math.sin(i * 0.01) * 0.5);
    const fps = { num: 30, den: 1 };
    const one = await runNetwork(samples, heavy, { fps, batchSize: 1 });
    const many = await runNetwork(samples, heavy, { fps, batchSize: 32 });
    expect(one.frameCount).toBe(45);
    // Frames differ from each other, so a mis-ordered batch would show.
    expect(new Set(one.outputs.result.data).size).toBeGreaterThan(100);
    let worst = 0;
    for (let i = 0; i < one.outputs.result.data.length; i++)
      worst = Math.max(worst, Math.abs(one.outputs.result.data[i] - many.outputs.result.data[i]));
    expect(worst).toBeLessThan(1e-5);
  });

  it('does not block the event loop while it runs', async () => {
    // Counts event-loop turns (setImmediate) until the run settles, not timer ticks per millisecond:
    // a run on the main thread allows at most one turn however long it takes, one in a worker
    // allows a turn per few microseconds of its runtime on any machine, idle or busy.
    // The pool is made first, so only the inference itself is counted.
    const heavyPool = await OrtPool.create(heavy, planPool({}));
    let turns = 0;
    let running = true;
    const turn = (): void => {
      if (running) {
        turns++;
        setImmediate(turn);
      }
    };
    try {
      const run = runOnPool(heavyPool, new Float32Array(16000 * 4).fill(0.1), { fps: { num: 30, den: 1 }, batchSize: 120 });
      setImmediate(turn);
      await run;
    } finally {
      running = false;
      await heavyPool.close();
    }
    expect(turns).toBeGreaterThan(3);
  });

  it('stops on abort with the signal reason and stays usable', async () => {
    const heavyPool = await OrtPool.create(heavy, planPool({}));
    try {
      const ac = new AbortController();
      const reason = new Error('user cancelled');
      const run = runOnPool(heavyPool, new Float32Array(16000 * 10), {
        fps: { num: 30, den: 1 },
        batchSize: 4,
        signal: ac.signal,
        onProgress: (done) => {
          if (done >= 8) ac.abort(reason);
        },
      });
      await expect(run).rejects.toBe(reason);
      const again = await runOnPool(heavyPool, new Float32Array(1600), { fps: { num: 30, den: 1 } });
      expect(again.frameCount).toBe(3);
      await expect(
        runOnPool(heavyPool, new Float32Array(1600), { fps: { num: 30, den: 1 }, signal: AbortSignal.abort(reason) }),
      ).rejects.toBe(reason);
    } finally {
      await heavyPool.close();
    }
  });

  it('reports a worker that dies as a rejection naming the network instead of hanging', async () => {
    const crashPool = await OrtPool.create(probe, planPool({ workers: 1, threads: 1 }));
    try {
      // Stand-in for a fault in the worker script: a request it cannot read throws outside its
      // error handling, and the uncaught error ends the thread.
      const { slots } = crashPool as unknown as { slots: { worker: import('node:worker_threads').Worker }[] };
      slots[0].worker.postMessage({ type: 'run', id: -1 });
      const run = runOnPool(crashPool, ramp(16000), { fps: { num: 30, den: 1 }, batchSize: 4 });
      await expect(run).rejects.toMatchObject({
        code: 'WORKER_CRASHED',
        file: probe.networkPath,
        message: expect.stringMatching(/exited unexpectedly \(exit code 1: .+\)/),
      });
      await expect(runOnPool(crashPool, ramp(1600), { fps: { num: 30, den: 1 } })).rejects.toMatchObject({ code: 'WORKER_CRASHED' });
    } finally {
      await crashPool.close();
    }
  });

  it('close() during a run rejects it at once and waits for the running batch (no process abort)', async () => {
    const p = await OrtPool.create(heavy, planPool({}));
    // Closed from the first progress report (not after a fixed wait, which a fast machine outruns):
    // 29 of 30 batches are still to run, and the other lanes' batches are in the workers.
    let closed: Promise<void> | undefined;
    const run = runOnPool(p, new Float32Array(16000 * 4), {
      fps: { num: 30, den: 1 },
      batchSize: 4,
      onProgress: () => {
        closed ??= p.close();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
    await closed;
    expect(closed).toBeDefined();
  });

  it('rejects runs after close()', async () => {
    const p = await OrtPool.create(probe, planPool({}));
    await p.close();
    await p.close();
    await expect(runOnPool(p, ramp(100), { fps: { num: 30, den: 1 } })).rejects.toMatchObject({
      code: 'ENGINE_CLOSED',
      file: path.join(dir, 'probe.onnx'),
    });
  });
});
