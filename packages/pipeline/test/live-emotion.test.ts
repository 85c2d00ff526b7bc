// Emotion keys on a live stream (docs/live-engine.md#emotion): with several keys and any chunking the
// frames equal `a2f run` with the applied keys as the line's sidecar, and keys that arrive before the
// frames they shape give the same frames as a line run with the client's own keys.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { makeMiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { LiveModels, openLiveStream, type LiveEmotionKey, type LiveFrame } from '../src/index.js';
import { clientPcm, maxDifference, randomSizes, runLine, streamPcm, type LineFrames } from './live-helpers.js';

const work = tempDir('live-emotion');
// As in live-nvidia.test.ts: the solver can move a weight by more than the network's few ulps.
const TOLERANCE = 1e-5;
const RATE = 32000;
const SECONDS = 2.4;

/** The sidecar a line reads: `{"emotions": [{"time": …, <name>: …}]}`. */
const sidecarOf = (keys: readonly { time: number; emotions: Readonly<Record<string, number>> }[]) => ({
  emotions: keys.map((k) => ({ time: k.time, ...k.emotions })),
});
/** The client's own keys as a line's sidecar. */
const clientSidecar = (keys: readonly LiveEmotionKey[]) => sidecarOf(keys.map((k) => ({ time: k.timeSeconds, emotions: k.emotions })));

const KEY_SETS: Record<string, LiveEmotionKey[]> = {
  'two keys (joy 1 at 0 s, fear 1 at 1 s)': [
    { timeSeconds: 0, emotions: { joy: 1 } },
    { timeSeconds: 1, emotions: { fear: 1 } },
  ],
  'three keys, partial and overlapping': [
    { timeSeconds: 0.25, emotions: { anger: 0.8, joy: 0.1 } },
    { timeSeconds: 0.9, emotions: { sadness: 0.6 } },
    { timeSeconds: 1.7, emotions: { joy: 0.9, anger: 0.3 } },
  ],
};

/** The keys a piece [from, to) of samples carries: those whose time plus `delay` seconds falls in it. */
const due = (keys: readonly LiveEmotionKey[], delay: number, from: number, to: number): LiveEmotionKey[] | undefined => {
  const at = keys.filter((k) => (k.timeSeconds + delay) * RATE >= from && (k.timeSeconds + delay) * RATE < to);
  return at.length ? at : undefined;
};

/** A sidecar's keys must rise in time: each applied key comes after the one before. */
const expectOrdered = (keys: readonly { time: number }[]): void => {
  for (let i = 1; i < keys.length; i++) expect(keys[i].time).toBeGreaterThan(keys[i - 1].time);
};

const CHUNKINGS: [string, (i: number) => number][] = [
  ['1 s', () => RATE],
  ['333 ms', () => Math.round(RATE * 0.333)],
  ['20 ms', () => RATE / 50],
  ['all at once', () => Number.MAX_SAFE_INTEGER],
  ['random', randomSizes(15, 12_000)],
];

describe('live stream emotion keys (NVIDIA v2.3 mini pack): frames equal a2f run with the sidecar', () => {
  let mark: string;
  const models = new LiveModels();
  const pcm = clientPcm(RATE, SECONDS);
  beforeAll(() => {
    mark = makeMiniPack(path.join(work, 'mark'), { variant: 'mark' }).dir;
  });
  afterAll(() => models.close());

  const stream = async (size: (i: number) => number, keys: (from: number, to: number) => LiveEmotionKey[] | undefined) => {
    const warnings: string[] = [];
    const live = await openLiveStream({ settings: { model: mark }, sampleRate: RATE, models, onWarning: (m) => warnings.push(m) });
    const frames = await streamPcm(live, pcm, size, keys);
    return { frames, applied: live.appliedEmotionKeys, names: live.blendShapeNames, warnings };
  };

  it('joy at 0 s and fear at 1 s with the first second: frame 0 is joy 1, frames between interpolate', async () => {
    const keys = KEY_SETS['two keys (joy 1 at 0 s, fear 1 at 1 s)'];
    const r = await stream(
      () => RATE,
      (from) => (from === 0 ? keys : undefined),
    );
    const at = (f: LiveFrame, name: string) => f.emotions![name];
    expect(at(r.frames[0], 'joy')).toBe(1);
    expect(at(r.frames[0], 'fear')).toBe(0);
    // Frame 15 is at 0.5 s, half way between the keys.
    expect(at(r.frames[15], 'joy')).toBeCloseTo(0.5, 6);
    expect(at(r.frames[15], 'fear')).toBeCloseTo(0.5, 6);
    expect(at(r.frames[30], 'fear')).toBe(1);
    expect(at(r.frames[30], 'joy')).toBe(0);
    const line = await runLine(work, { model: mark }, pcm, RATE, 'two-keys', clientSidecar(keys));
    expect(maxDifference(r.frames, line, r.names)).toBeLessThan(TOLERANCE);
    expect(r.warnings).toEqual([]);
  });

  it('a key between the frames out and a later known key pins the value reached; with no such key, no pins at all', async () => {
    const early: LiveEmotionKey[] = [
      { timeSeconds: 0, emotions: { joy: 1 } },
      { timeSeconds: 2, emotions: { fear: 1 } },
    ];
    // All keys early, 20 ms pieces (about 120 runs): the sidecar is the client's two keys.
    const plain = await stream(
      () => RATE / 50,
      (from) => (from === 0 ? early : undefined),
    );
    expect(plain.applied.map((k) => k.time)).toEqual([0, 2]);
    // Sadness at 1 s sent with the audio at 0.9 s, when the frames up to about 0.6 s are out (0.26 s look-ahead,
    // and the resampler holds back ~9 ms).
    const between: LiveEmotionKey = { timeSeconds: 1, emotions: { sadness: 0.8 } };
    const r = await stream(
      () => RATE / 50,
      (from, to) => (from === 0 ? early : from <= 0.9 * RATE && 0.9 * RATE < to ? [between] : undefined),
    );
    const times = r.applied.map((k) => k.time);
    expect(times).toHaveLength(4);
    expect(times[1]).toBeGreaterThan(0.55);
    expect(times[1]).toBeLessThan(0.7);
    expect(times.filter((_, i) => i !== 1)).toEqual([0, 1, 2]);
    const line = await runLine(work, { model: mark }, pcm, RATE, 'pinned', sidecarOf(r.applied));
    expect(maxDifference(r.frames, line, r.names)).toBeLessThan(TOLERANCE);
    // The pin matters: without it a line ramps from joy to sadness over 0..1 s, which the frames out before the key did not.
    const unpinned = await runLine(work, { model: mark }, pcm, RATE, 'unpinned', clientSidecar([early[0], between, early[1]]));
    expect(maxDifference(r.frames, unpinned, r.names)).toBeGreaterThan(1e-3);
    expect(r.frames[15].emotions!.fear).toBeCloseTo(0.25, 6);
  });

  for (const [label, keys] of Object.entries(KEY_SETS)) {
    describe(label, () => {
      let clientLine: LineFrames;
      beforeAll(async () => {
        const name = `client-${Object.keys(KEY_SETS).indexOf(label)}`;
        clientLine = await runLine(work, { model: mark }, pcm, RATE, name, clientSidecar(keys));
      });

      it.each(CHUNKINGS)('all keys with the first push; pieces of %s', async (_, size) => {
        const r = await stream(size, (from) => (from === 0 ? keys : undefined));
        // Nothing was late, so the pins lie on the client's own curve: the client's keys give the frames.
        expect(maxDifference(r.frames, clientLine, r.names)).toBeLessThan(TOLERANCE);
        const line = await runLine(work, { model: mark }, pcm, RATE, 'applied-early', sidecarOf(r.applied));
        expect(maxDifference(r.frames, line, r.names)).toBeLessThan(TOLERANCE);
        expect(r.warnings).toEqual([]);
      });

      it.each(CHUNKINGS)(
        'each key with the push that holds its time (frames before it ran towards the previous key); pieces of %s',
        async (_, size) => {
          const r = await stream(size, (from, to) => due(keys, 0, from, to));
          const line = await runLine(work, { model: mark }, pcm, RATE, 'applied-due', sidecarOf(r.applied));
          expect(maxDifference(r.frames, line, r.names)).toBeLessThan(TOLERANCE);
          expectOrdered(r.applied);
          // A key's own value is reached at its time and held after the last key.
          const last = keys[keys.length - 1];
          const frame = r.frames[Math.ceil(last.timeSeconds * 30) + 9];
          for (const [name, value] of Object.entries(last.emotions)) expect(frame.emotions![name]).toBeCloseTo(value, 6);
        },
      );

      it.each(CHUNKINGS)(
        'each key half a second late (frames past its time already out: it applies from the next); pieces of %s',
        async (label, size) => {
          const r = await stream(size, (from, to) => due(keys, 0.5, from, to));
          const line = await runLine(work, { model: mark }, pcm, RATE, 'applied-late', sidecarOf(r.applied));
          expect(maxDifference(r.frames, line, r.names)).toBeLessThan(TOLERANCE);
          expectOrdered(r.applied);
          // In small pieces the frames up to 0.24 s before the audio's end are out when a key comes: every key is late.
          if (label === '20 ms') expect(r.warnings.filter((w) => w.includes('arrived after the frames up to'))).toHaveLength(keys.length);
        },
      );
    });
  }
});
