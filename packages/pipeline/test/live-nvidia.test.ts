import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { makeMiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { makeMiniV3Pack } from '../../../models/nvidia/make-mini-v3.mjs';
import { LiveModels, openLiveStream, type LiveEmotionKey, type LiveFrame, type LiveSettingsInput } from '../src/index.js';
import { clientPcm, maxDifference, randomSizes, runLine, streamPcm } from './live-helpers.js';

const work = tempDir('live-nvidia');
// The solver is a bounded least-squares fit: a few ulps of network output can move a weight by more.
const TOLERANCE = 1e-5;

describe('live stream, NVIDIA v2.3 mini packs: equal to a2f run', () => {
  let mark: string;
  let claire: string;
  const models = new LiveModels();
  beforeAll(() => {
    mark = makeMiniPack(path.join(work, 'mark'), { variant: 'mark' }).dir;
    claire = makeMiniPack(path.join(work, 'claire'), { variant: 'claire', seed: 2 }).dir;
    return () => models.close();
  });

  it.each([16000, 44100, 48000])('%i Hz, several chunkings, one shared model', async (rate) => {
    const pcm = clientPcm(rate, 1.6);
    const line = await runLine(work, { model: mark }, pcm, rate, `mark-${rate}`);
    for (const size of [() => rate / 1000, () => Math.round(rate * 0.333), () => pcm.length, randomSizes(rate + 1, 3000)]) {
      const stream = await openLiveStream({ settings: { model: mark }, sampleRate: rate, models });
      const frames = await streamPcm(stream, pcm, size);
      expect(frames.map((f) => f.index)).toEqual(line.weights.map((_, k) => k));
      expect(maxDifference(frames, line, stream.blendShapeNames)).toBeLessThan(TOLERANCE);
      expect(stream.emotionNames).toContain('joy');
    }
  });

  it('with the run settings that change frames: the mesh solver path, overrides, no blinks, a seed, --emotion (claire)', async () => {
    const rate = 44100;
    const settings: LiveSettingsInput = {
      model: claire,
      solvePath: 'mesh',
      params: { lower_face_strength: 1.3 },
      blinks: false,
      seed: 5,
      emotion: 'joy=0.7',
    };
    const pcm = clientPcm(rate, 1.3);
    const line = await runLine(work, settings, pcm, rate, 'claire-settings');
    const stream = await openLiveStream({ settings, sampleRate: rate, models });
    const frames = await streamPcm(stream, pcm, randomSizes(9, 2000));
    expect(maxDifference(frames, line, stream.blendShapeNames)).toBeLessThan(TOLERANCE);
    expect(frames[0].emotions?.joy).toBeCloseTo(0.7, 6);
    // The settings change the frames: a run without them differs.
    const plain = await runLine(work, { model: claire }, pcm, rate, 'claire-plain');
    expect(maxDifference(frames, plain, stream.blendShapeNames)).toBeGreaterThan(1e-3);
  });

  it('emotion keys with the audio: unknown names warned, late keys moved; a sidecar of the applied keys gives those frames', async () => {
    const rate = 48000;
    const pcm = clientPcm(rate, 2);
    const warnings: string[] = [];
    const stream = await openLiveStream({ settings: { model: mark }, sampleRate: rate, models, onWarning: (m) => warnings.push(m) });
    const sent: [number, LiveEmotionKey[]][] = [
      [0.2, [{ timeSeconds: 0.5, emotions: { joy: 0.8, out_of_breath: 0.3 } }]],
      [0.7, [{ timeSeconds: 1.2, emotions: { Anger: 0.6 } }]],
      // Frames up to about 1.1 s are out when this arrives (1.4 s of audio in, 0.26 s look-ahead).
      [1.4, [{ timeSeconds: 0.9, emotions: { sadness: 0.5 } }]],
      [1.6, [{ timeSeconds: 1.9, emotions: { out_of_breath: 1 } }]],
    ];
    const keysFor = (from: number, to: number): LiveEmotionKey[] | undefined =>
      sent.filter(([t]) => t * rate >= from && t * rate < to).flatMap(([, k]) => k);
    const frames = await streamPcm(stream, pcm, () => 960, keysFor);
    expect(warnings.filter((w) => w.includes('"out_of_breath" is not one of the model'))).toHaveLength(2);
    expect(warnings.some((w) => w.includes('the emotion key at 1.9 s names no emotion of the model'))).toBe(true);
    expect(warnings.some((w) => /the emotion key at 0.9 s arrived after the frames up to [\d.]+ s were sent/.test(w))).toBe(true);
    // Joy rises towards its key at 0.5 s and is held, then anger takes over towards 1.2 s.
    const at = (f: LiveFrame, name: string) => f.emotions![name];
    expect(at(frames[15], 'joy')).toBeCloseTo(0.8, 6);
    expect(at(frames[30], 'anger')).toBeGreaterThan(0.2);
    expect(at(frames[36], 'anger')).toBeCloseTo(0.6, 6);
    const applied = stream.appliedEmotionKeys;
    expect(applied.length).toBeGreaterThanOrEqual(3);
    const sidecar = { emotions: applied.map((k) => ({ time: k.time, ...k.emotions })) };
    const line = await runLine(work, { model: mark }, pcm, rate, 'mark-emotion', sidecar);
    expect(maxDifference(frames, line, stream.blendShapeNames)).toBeLessThan(TOLERANCE);
    // The emotion changed the face: without the keys the frames differ.
    const plain = await runLine(work, { model: mark }, pcm, rate, 'mark-plain');
    expect(maxDifference(frames, plain, stream.blendShapeNames)).toBeGreaterThan(1e-3);
  });

  it('a stream abandoned while its frames run leaves the shared model and post-processing fit for the next stream', async () => {
    const rate = 16000;
    const pcm = clientPcm(rate, 1.5);
    const line = await runLine(work, { model: mark }, pcm, rate, 'mark-after-abandon');
    for (let i = 0; i < 3; i++) {
      const gone = await openLiveStream({ settings: { model: mark }, sampleRate: rate, models });
      const pending = gone.push(pcm.subarray(0, 16000));
      // Usually while the network runs the push's frames; the push then fails as closed (or it had finished).
      await new Promise((resolve) => setImmediate(resolve));
      gone.close();
      await pending.then(
        (frames) => expect(frames.length).toBeGreaterThan(0),
        (err: unknown) => expect(String(err)).toMatch(/closed/),
      );
    }
    const stream = await openLiveStream({ settings: { model: mark }, sampleRate: rate, models });
    const frames = await streamPcm(stream, pcm, () => 1234);
    expect(maxDifference(frames, line, stream.blendShapeNames)).toBeLessThan(TOLERANCE);
    expect(models.users).toBe(0);
  });

  it('refuses a v3.0 pack and emotion from the voice, naming why and what to do', async () => {
    const v3 = makeMiniV3Pack(path.join(work, 'v3')).dir;
    await expect(openLiveStream({ settings: { model: v3 }, sampleRate: 16000 })).rejects.toThrow(/cannot run live/);
    await expect(openLiveStream({ settings: { model: mark, a2e: path.join(work, 'a2e') }, sampleRate: 16000 })).rejects.toThrow(
      /--a2e: emotion from the voice \(Audio2Emotion\) does not run live/,
    );
    await expect(openLiveStream({ settings: { model: mark }, sampleRate: 8000 })).rejects.toThrow(
      /8000 Hz is not a whole number of Hz from 16000/,
    );
  });
});
