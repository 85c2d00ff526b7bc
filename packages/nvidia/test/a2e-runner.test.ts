// Audio2Emotion over a line against the independent reimplementation in a2e-reference.ts: the
// window centred on the frame and zero padded, one classifier run every skip + 1 frames, and every
// post_processing_config key changing the result exactly as the reference says.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rational } from '@a2f/animation';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { A2E_CONFIG, makeMiniA2e } from '../../../models/nvidia/make-mini-a2e.mjs';
import { A2eRunner, type A2eOptions } from '../src/index.js';
import { referenceA2e, type RefConfig } from './a2e-reference.js';

afterAll(removeTempDirs);

/** 4 s of a 220 Hz tone whose loudness changes every 0.5 s, so each classifier window hears something else. */
function line(): Float32Array {
  const amps = [0, 0.6, 0.05, 0.3, 0.9, 0, 0.2, 0.45];
  const out = new Float32Array(64000);
  for (let i = 0; i < out.length; i++) out[i] = amps[Math.floor(i / 8000)] * Math.sin((2 * Math.PI * 220 * i) / 16000);
  return out;
}

let dir: string;
beforeAll(() => {
  dir = makeMiniA2e(path.join(tempDir('a2e'), 'a2e')).dir;
});

async function run(opts: A2eOptions, fps = rational(30)) {
  const runner = await A2eRunner.create(dir, opts);
  try {
    return await runner.emotions(line(), fps);
  } finally {
    await runner.close();
  }
}

function expectMatches(values: Float32Array, width: number, ref: number[][]) {
  expect(values.length).toBe(ref.length * width);
  let worst = 0;
  for (const [k, row] of ref.entries()) for (const [e, v] of row.entries()) worst = Math.max(worst, Math.abs(values[k * width + e] - v));
  expect(worst).toBeLessThan(2e-5);
}

const config = (over: Partial<RefConfig> = {}): RefConfig => ({ ...(A2E_CONFIG as unknown as RefConfig), ...over });

describe('A2eRunner', () => {
  it('matches the reference with the SDK sample defaults (window 60 000, skip 30) at 30 fps', async () => {
    const got = await run({});
    expect(got.frameCount).toBe(120);
    expect(got.width).toBe(10);
    expectMatches(got.values, 10, referenceA2e(line(), { num: 30, den: 1 }, 60000, 30, config()));
    // neutral has no A2F emotion and the others no classifier output: those slots stay 0.
    for (const unmapped of [0, 2, 5, 7, 8]) for (let k = 0; k < 120; k++) expect(got.values[k * 10 + unmapped]).toBe(0);
    expect(got.provenance).toMatchObject({ source: 'audio2emotion', window: 60000, skip: 30, classifierRuns: 4, emotion_strength: 0.6 });
  });

  it.each([
    [24, 1, 8000, 0],
    [25, 1, 16000, 4],
    [30000, 1001, 4001, 2],
    [60, 1, 12000, 9],
  ])('centres a zero-padded window on frame targets at %i/%i fps (window %i, skip %i)', async (num, den, window, skip) => {
    const got = await run({ window, skip }, rational(num, den));
    expectMatches(got.values, 10, referenceA2e(line(), { num, den }, window, skip, config()));
  });

  it('holds one classifier run for skip + 1 frames while the post-processing keeps moving', async () => {
    const every = await run({ window: 8000, skip: 0 });
    const skipped = await run({ window: 8000, skip: 7 });
    expect(skipped.provenance.classifierRuns).toBe(15);
    expect(every.provenance.classifierRuns).toBe(120);
    expectMatches(skipped.values, 10, referenceA2e(line(), { num: 30, den: 1 }, 8000, 7, config()));
    expect(Array.from(skipped.values)).not.toEqual(Array.from(every.values));
  });

  const base = { window: 8000, skip: 3 };
  it.each<[string, Record<string, string>, Partial<RefConfig>]>([
    ['emotion_contrast', { emotion_contrast: '2.5' }, { emotion_contrast: 2.5 }],
    ['max_emotions', { max_emotions: '2' }, { max_emotions: 2 }],
    ['live_blend_coef', { live_blend_coef: '0.2' }, { live_blend_coef: 0.2 }],
    [
      'enable_preferred_emotion + preferred_emotion',
      { enable_preferred_emotion: 'true', preferred_emotion: '0,0,0.5,0,0,0,0.3,0,0,0' },
      { enable_preferred_emotion: true, preferred_emotion: [0, 0, 0.5, 0, 0, 0, 0.3, 0, 0, 0] },
    ],
    [
      'preferred_emotion_strength',
      { enable_preferred_emotion: 'true', preferred_emotion: '0,0,0.5,0,0,0,0.3,0,0,0', preferred_emotion_strength: '0.9' },
      { enable_preferred_emotion: true, preferred_emotion: [0, 0, 0.5, 0, 0, 0, 0.3, 0, 0, 0], preferred_emotion_strength: 0.9 },
    ],
    ['transition_smoothing', { transition_smoothing: '0.05' }, { transition_smoothing: 0.05 }],
    ['emotion_strength', { emotion_strength: '1' }, { emotion_strength: 1 }],
    [
      'emotion_correspondence',
      { emotion_correspondence: 'happy:2,sad:-1' },
      { emotion_correspondence: { ...A2E_CONFIG.emotion_correspondence, happy: 2, sad: -1 } },
    ],
  ])('--a2e-param %s changes the result as the reference says', async (_key, params, ref) => {
    const plain = await run(base);
    const got = await run({ ...base, params });
    expectMatches(got.values, 10, referenceA2e(line(), { num: 30, den: 1 }, 8000, 3, config(ref)));
    expect(Array.from(got.values)).not.toEqual(Array.from(plain.values));
    expect(got.provenance.overrides).toBeDefined();
  });

  it("keeps the frame duration as the time step whatever fixed_dt says, as the SDK's executor does", async () => {
    const plain = await run(base);
    const got = await run({ ...base, params: { fixed_dt: '0.5' } });
    expect(Array.from(got.values)).toEqual(Array.from(plain.values));
  });

  it.each([
    [{ params: { max_emotion: '3' } }, '--a2e-param', /unknown Audio2Emotion parameter "max_emotion"/],
    [{ params: { live_blend_coef: '1.5' } }, '--a2e-param', /"live_blend_coef" is number 1.5, expected a number from 0 to 1/],
    [{ params: { preferred_emotion: '1,2' } }, '--a2e-param', /preferred_emotion/],
    [{ window: 1 }, '--a2e-window', /window/],
  ])('refuses bad options before any line runs (%o)', async (opts, file, problem) => {
    await expect(A2eRunner.create(dir, opts as A2eOptions)).rejects.toMatchObject({ file, problem: expect.stringMatching(problem) });
  });

  it('refuses a skip whose stride outruns the window, naming --a2e-skip', async () => {
    await expect(run({ window: 8000, skip: 30 })).rejects.toMatchObject({
      file: '--a2e-skip',
      problem: expect.stringMatching(/more than the 8000-sample window/),
    });
  });
});
