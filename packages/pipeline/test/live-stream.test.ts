import { describe, expect, it } from 'vitest';
import { LiveModels, openLiveStream, resolveSettings, type LiveFrame } from '../src/index.js';
import { clientPcm } from './live-helpers.js';

describe('live stream behaviour (default model)', () => {
  const models = new LiveModels();

  it('sends frame k with the push that completes its window (target sample + look-ahead), not before', async () => {
    const stream = await openLiveStream({ settings: {}, sampleRate: 16000, models });
    // The default pack: an 8320-sample window centred on the frame (bufferOffset 4160).
    expect(stream.lookAheadSeconds).toBe(4160 / 16000);
    const pcm = clientPcm(16000, 1.5);
    const windowEnd = (k: number) => Math.floor((k * 16000) / 30) + 4160;
    let sent = 0;
    let next = 0;
    for (const step of [1000, 3000, 159, 1, 533, 534, 2000, 5, 7000]) {
      const frames = await stream.push(pcm.subarray(sent, sent + step));
      sent += step;
      const due: number[] = [];
      while (windowEnd(next) <= sent) due.push(next++);
      expect(frames.map((f) => f.index)).toEqual(due);
    }
    const rest = await stream.end();
    // The last windows run on end(), zeros past the audio, up to a2f run's frame count.
    const total = Math.ceil((sent * 30) / 16000);
    expect(rest.map((f) => f.index)).toEqual(Array.from({ length: total - next }, (_, i) => next + i));
    expect(stream.stats.framesOut).toBe(total);
    expect(stream.stats.audioSeconds).toBeCloseTo(sent / 16000, 9);
    expect(stream.stats.secondsBehindRealTime).toBeGreaterThanOrEqual(0);
  });

  // At 16 kHz: resampling 10 minutes of 48 kHz costs ~45 s here (SINC_BEST, as a2f run's), and holds no audio.
  it("counts a caller's backlog in secondsBehindRealTime: audio received 5 s before it is pushed is 5 s late", async () => {
    const stream = await openLiveStream({ settings: {}, sampleRate: 16000, models });
    const pcm = clientPcm(16000, 1);
    await stream.push(pcm.subarray(0, 8000));
    const frames = await stream.push(pcm.subarray(8000), undefined, performance.now() - 5000);
    expect(frames.length).toBeGreaterThan(0);
    expect(stream.stats.secondsBehindRealTime).toBeGreaterThanOrEqual(5);
    expect(stream.stats.maxSecondsBehindRealTime).toBeGreaterThanOrEqual(5);
    await stream.end();
  });

  it('holds O(window) audio however long it runs: 10 minutes in 100 ms pushes', async () => {
    const rate = 16000;
    const stream = await openLiveStream({ settings: {}, sampleRate: rate, models });
    const second = clientPcm(rate, 1);
    let frames = 0;
    let maxRetained = 0;
    let last: LiveFrame | undefined;
    for (let s = 0; s < 600; s++) {
      for (let i = 0; i < 10; i++) {
        const got = await stream.push(second.subarray(i * 1600, (i + 1) * 1600));
        frames += got.length;
        if (got.length) last = got[got.length - 1];
        maxRetained = Math.max(maxRetained, stream.stats.retainedSamples);
      }
    }
    frames += (await stream.end()).length;
    expect(frames).toBe(18000);
    expect(last!.timeSeconds).toBeGreaterThan(599);
    // The next frame's window (8320 samples) and at most one push (1600 samples at 16 kHz) beyond it.
    expect(maxRetained).toBeLessThanOrEqual(8320 + 1600);
    expect(stream.stats.audioSeconds).toBe(600);
  }, 120_000);

  it('queues calls, refuses pushes after end(), and close() frees a stream that is abandoned mid-way', async () => {
    const pcm = clientPcm(44100, 1);
    const stream = await openLiveStream({ settings: {}, sampleRate: 44100, models });
    // Not awaited one by one: the pushes run in order.
    const pushes = [stream.push(pcm.subarray(0, 20000)), stream.push(pcm.subarray(20000, 30000)), stream.push(pcm.subarray(30000))];
    const ending = stream.end();
    await expect(stream.push(pcm.subarray(0, 10))).rejects.toThrow(/push\(\) after the stream has ended/);
    const frames = [...(await Promise.all(pushes)).flat(), ...(await ending)];
    expect(frames.map((f) => f.index)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(models.users).toBe(0);

    const abandoned = await openLiveStream({ settings: {}, sampleRate: 44100, models });
    expect(models.users).toBe(1);
    await abandoned.push(pcm.subarray(0, 20000));
    abandoned.close();
    abandoned.close();
    expect(models.users).toBe(0);
    await expect(abandoned.push(pcm.subarray(0, 10))).rejects.toThrow(/the stream is closed/);
    await expect(abandoned.end()).rejects.toThrow(/the stream is closed/);
  });

  it('a model without an emotion input reports emotion keys once and runs on', async () => {
    const warnings: string[] = [];
    const stream = await openLiveStream({ settings: {}, sampleRate: 16000, models, onWarning: (m) => warnings.push(m) });
    expect(stream.emotionNames).toBeNull();
    const pcm = clientPcm(16000, 0.5);
    await stream.push(pcm.subarray(0, 4000), [{ timeSeconds: 0, emotions: { joy: 1 } }]);
    await stream.push(pcm.subarray(4000), [{ timeSeconds: 0.3, emotions: { joy: 0 } }]);
    const frames = await stream.end();
    expect(frames.at(-1)!.index).toBe(14);
    expect(frames[0].emotions).toBeUndefined();
    expect(warnings).toEqual(['the model has no emotion input; emotion keys are ignored']);
    await models.close();
  });
});

describe('LiveModels', () => {
  it('shares one engine between streams of the same settings and keeps at most keepIdle idle ones', async () => {
    const models = new LiveModels({ keepIdle: 1 });
    const a = await openLiveStream({ settings: {}, sampleRate: 16000, models });
    const b = await openLiveStream({ settings: {}, sampleRate: 16000, models });
    expect(models.loaded).toBe(1);
    expect(models.users).toBe(2);
    const c = await openLiveStream({ settings: { seed: 3, inference: { batchSize: 4 } }, sampleRate: 16000, models });
    expect(models.loaded).toBe(2);
    a.close();
    b.close();
    // One idle engine is kept, the stream on the other still runs.
    expect(models.loaded).toBe(2);
    c.close();
    expect(models.users).toBe(0);
    expect(models.loaded).toBe(1);
    await models.close();
    await expect(openLiveStream({ settings: {}, sampleRate: 16000, models })).rejects.toThrow(/the live models are closed/);
  });

  it('a retired engine (its workers died) is not given to later streams', async () => {
    const models = new LiveModels();
    const settings = resolveSettings({ character: 'face.usda', outDir: 'out' });
    const broken = await models.acquire(settings);
    broken.retire();
    expect(models.loaded).toBe(0);
    const fresh = await models.acquire(settings);
    expect(fresh.model.engine).not.toBe(broken.model.engine);
    broken.release();
    fresh.release();
    expect(models.users).toBe(0);
    await models.close();
  });
});
