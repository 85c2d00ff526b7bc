import { describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { openLiveStream } from '../src/index.js';
import { clientPcm, liveFrames, maxDifference, randomSizes, runLine, streamPcm } from './live-helpers.js';

const work = tempDir('live');

describe('live stream, default model: equal to a2f run for any chunking', () => {
  it.each([16000, 44100, 48000])('%i Hz', async (rate) => {
    const pcm = clientPcm(rate, 1.6);
    const line = await runLine(work, {}, pcm, rate, `default-${rate}`);
    const chunkings: [string, (i: number) => number][] = [
      ['1 ms', () => rate / 1000],
      ['333 ms', () => Math.round(rate * 0.333)],
      ['all at once', () => pcm.length],
      ['random', randomSizes(rate, 5000)],
    ];
    for (const [label, size] of chunkings) {
      const stream = await openLiveStream({ settings: {}, sampleRate: rate });
      const frames = await streamPcm(stream, pcm, size);
      stream.close();
      expect(
        frames.map((f) => f.index),
        label,
      ).toEqual(line.weights.map((_, k) => k));
      expect(frames.map((f) => f.timeSeconds)).toEqual(frames.map((_, k) => k / 30));
      expect(maxDifference(frames, line, stream.blendShapeNames), label).toBeLessThan(1e-6);
    }
  });

  it.each(['24', '30000/1001'])('at the run setting fps %s: time codes index / fps, frames equal', async (fps) => {
    const rate = 44100;
    const pcm = clientPcm(rate, 1.2);
    const line = await runLine(work, { fps }, pcm, rate, `default-fps-${fps.replace('/', '-')}`);
    const stream = await openLiveStream({ settings: { fps }, sampleRate: rate });
    const frames = await streamPcm(stream, pcm, randomSizes(3, 4000));
    const [num, den] = fps === '24' ? [24, 1] : [30000, 1001];
    expect(stream.fps).toBe(num / den);
    expect(frames.map((f) => f.timeSeconds)).toEqual(frames.map((_, k) => (k * den) / num));
    expect(maxDifference(frames, line, stream.blendShapeNames)).toBeLessThan(1e-6);
  });

  it('one sample at a time', async () => {
    const rate = 44100;
    const pcm = clientPcm(rate, 1);
    const line = await runLine(work, {}, pcm, rate, 'default-samplewise');
    const frames = await liveFrames({}, pcm, rate, () => 1);
    expect(frames.length).toBe(30);
    expect(maxDifference(frames, line, line.names)).toBeLessThan(1e-6);
  });
});
