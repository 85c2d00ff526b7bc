// Emotion from the voice through the engine: the frames A2eRunner makes become the `emotion` input
// [implicit row | A2E row of the frame], keys hold the emotions they name, and the curves the
// animation carries are exactly what was fed (checked against feeding the same rows by hand).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameTargetSample, rational, validateFaceAnimation } from '@a2f/animation';
import { createEmotionTrack, createInferenceEngine, loadModelPack, type EmotionKey, type InferenceEngine } from '@a2f/inference';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { makeMiniA2e } from '../../../models/nvidia/make-mini-a2e.mjs';
import { A2eRunner, loadNvidiaPack, type A2eFrames } from '../src/index.js';
import { packCopy } from './pack-helpers.js';

afterAll(removeTempDirs);

/** 2 s: a tone that gets louder, so the classifier's windows differ. */
const line = (): Float32Array =>
  Float32Array.from({ length: 32000 }, (_, i) => (0.05 + i / 40000) * Math.sin((2 * Math.PI * 180 * i) / 16000));
const fps = rational(25);

describe('--a2e frames through an NVIDIA mini pack', () => {
  const made = packCopy('mark', 5);
  let engine: InferenceEngine;
  let frames: A2eFrames;
  let implicit: Float32Array;
  beforeAll(async () => {
    engine = await createInferenceEngine(await loadModelPack(made.dir), { workers: 1, threads: 1 });
    implicit = (await loadNvidiaPack(made.dir)).implicitEmotion;
    const runner = await A2eRunner.create(makeMiniA2e(path.join(tempDir('a2e'), 'a2e')).dir, { window: 16000, skip: 4 });
    frames = await runner.emotions(line(), fps);
    await runner.close();
  });
  afterAll(() => engine.close());

  it('feeds [implicit | A2E row] frame by frame and carries the fed rows as the emotion curves', async () => {
    const voice = await engine.animate(line(), { fps, emotionFrames: frames, blinks: { enabled: false } });
    const byHand = await engine.animate(line(), {
      fps,
      blinks: { enabled: false },
      inputs: {
        emotion: (frame, _t, row) => {
          row.set(implicit, 0);
          row.set(frames.values.subarray(frame * 10, frame * 10 + 10), implicit.length);
        },
      },
    });
    validateFaceAnimation(voice);
    expect(Array.from(voice.weights)).toEqual(Array.from(byHand.weights));
    expect(voice.emotions!.names).toEqual(engine.emotionNames);
    expect(Array.from(voice.emotions!.values)).toEqual(Array.from(frames.values));
    expect(voice.provenance.parameters.emotion).toMatchObject({ voice: { source: 'audio2emotion', window: 16000, skip: 4 } });
    const plain = await engine.animate(line(), { fps, blinks: { enabled: false } });
    expect(Array.from(voice.weights)).not.toEqual(Array.from(plain.weights));
  });

  it('lets keys hold the emotions they name for the whole line, the voice the others', async () => {
    const keys: EmotionKey[] = [
      { time: 0.3, emotions: { joy: 0.9 } },
      { time: 1.5, emotions: { joy: 0.1, pain: 0.4 } },
    ];
    const anim = await engine.animate(line(), { fps, emotion: keys, emotionSource: 'take.a2f.json', emotionFrames: frames });
    const info = (await loadNvidiaPack(made.dir)).networkInfo;
    const track = createEmotionTrack({ implicit, info, keys });
    const keyed = [info.explicitEmotions.indexOf('joy'), info.explicitEmotions.indexOf('pain')];
    for (let f = 0; f < frames.frameCount; f++) {
      const fromKeys = track.explicitAt(frameTargetSample(f, fps, 16000) / 16000);
      for (let e = 0; e < 10; e++) {
        const want = keyed.includes(e) ? fromKeys[e] : frames.values[f * 10 + e];
        expect(anim.emotions!.values[f * 10 + e]).toBe(want);
      }
    }
    expect(anim.provenance.parameters.emotion).toMatchObject({
      voice: { keyedEmotions: ['joy', 'pain'] },
      keys: { source: 'take.a2f.json' },
    });
  });

  it('refuses frames made for another line length, naming the source', async () => {
    const short = { ...frames, frameCount: frames.frameCount - 1, values: frames.values.subarray(0, (frames.frameCount - 1) * 10) };
    await expect(engine.animate(line(), { fps, emotionFrames: short })).rejects.toMatchObject({
      problem: expect.stringMatching(/has \d+ frames, the line has \d+/),
    });
  });
});
