// The engine end to end on generated NVIDIA mini packs: loadModelPack recognises the folder, the
// 'a2f-v2.3' kind feeds [implicit | explicit] emotion per frame and solves to the rig's poses,
// parameter overrides and the solver path are applied and recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ARKIT_BLENDSHAPES,
  TONGUE_BLENDSHAPES,
  frameTargetSample,
  rational,
  validateFaceAnimation,
  type FaceAnimation,
  type Provenance,
} from '@a2f/animation';
import { createInferenceEngine, loadModelPack, type EmotionKey, type InferenceEngine } from '@a2f/inference';
import { createEmotionTrack } from '@a2f/inference';
import { removeTempDirs, voicedLine } from '@a2f/test-utils';
import { A2FPostprocessor, loadNvidiaPack, toRigData } from '../src/index.js';
import { packCopy } from './pack-helpers.js';

afterAll(removeTempDirs);

/** 1.4 s: a voiced, vowel-like tone between two silences, at 16 kHz. */
const line = (): Float32Array =>
  voicedLine({
    rate: 16000,
    seconds: 1.4,
    from: 0.3,
    to: 1.1,
    partials: [
      [130, 0.3],
      [650, 0.2],
      [1100, 0.12],
      [2500, 0.05],
    ],
  });

const fps = rational(30);
const tool = { name: 'test', version: '0' };
const keys: EmotionKey[] = [
  { time: 0.2, emotions: { joy: 0.9 } },
  { time: 1.0, emotions: { anger: 0.7, joy: 0.1 } },
];
const maxDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i])), 0);

describe('an NVIDIA mini pack through createInferenceEngine', () => {
  const made = packCopy('mark', 4);
  const samples = line();
  let engine: InferenceEngine;
  let plain: FaceAnimation;
  beforeAll(async () => {
    engine = await createInferenceEngine(await loadModelPack(made.dir), {
      tool,
      params: { lower_face_strength: '1.2' },
      workers: 1,
      threads: 1,
    });
    plain = await engine.animate(samples, { fps, seed: 3 });
  });
  afterAll(() => engine.close());

  it('loads the folder as a ModelPack of kind a2f-v2.3 and produces 68 A2F-ordered channels and the three joints', () => {
    expect(engine.pack).toMatchObject({
      format: 'nvidia-a2f-v2.3',
      id: 'nvidia-a2f-mark-v2.3',
      version: '2.3',
      postprocess: { kind: 'a2f-v2.3' },
    });
    expect(engine.emotionNames).toEqual([
      'amazement',
      'anger',
      'cheekiness',
      'disgust',
      'fear',
      'grief',
      'joy',
      'outofbreath',
      'pain',
      'sadness',
    ]);
    validateFaceAnimation(plain);
    expect(plain.frameCount).toBe(Math.ceil((samples.length * 30) / 16000));
    expect(plain.channels).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES]);
    expect(plain.joints.map((j) => j.name)).toEqual(['jaw', 'eye_L', 'eye_R']);
    // The voiced part moves the face relative to the leading silence.
    const row = (f: number) => plain.weights.subarray(f * 68, (f + 1) * 68);
    expect(maxDiff(row(0), row(20))).toBeGreaterThan(1e-3);
  });

  it('records the pack, every effective parameter (overrides applied), the solver path, emotion and blinks', () => {
    const p: Provenance = plain.provenance;
    expect(p.model).toMatchObject({ id: 'nvidia-a2f-mark-v2.3', kind: 'a2f-v2.3', version: '2.3' });
    expect(p.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(p.parameters).toMatchObject({
      fps: '30',
      inputStrength: 1.3,
      actor: 'mark',
      overrides: { lower_face_strength: 1.2 },
      lower_face_strength: 1.2,
      skin_strength: 1.1,
      saccade_strength: 0.9,
      source_shot: 'g2a_neutral',
      source_frame: 33,
      solvePath: 'coefficients',
      emotion: 'default',
      blinks: { seed: 3, intervalSeconds: 3 },
      seed: 3,
    });
  });

  it('blinks off: no blink track and eyeBlink held at 0, the rest of the face as the network and blink_offset floor give it', async () => {
    const off = await engine.animate(samples, { fps, seed: 3, blinks: { enabled: false } });
    const nv = await loadNvidiaPack(made.dir);
    const raw = await engine.run(samples, {
      fps,
      inputs: { emotion: createEmotionTrack({ implicit: nv.implicitEmotion, info: nv.networkInfo }).emotionForFrames([0]) },
    });
    const params = { ...nv.params, lower_face_strength: 1.2 };
    const noTrack = new A2FPostprocessor({
      rig: toRigData(nv),
      params,
      skinSolver: nv.skin.config,
      tongueSolver: nv.tongue.config,
      fps,
    }).run(raw.outputs.result.data, { provenance: off.provenance, blink: false });
    const blinkColumns = [0, 7];
    expect(blinkColumns.map((c) => off.channels[c])).toEqual(['eyeBlinkLeft', 'eyeBlinkRight']);
    for (let f = 0; f < off.frameCount; f++) {
      for (let c = 0; c < 68; c++) {
        const expected = blinkColumns.includes(c) ? 0 : noTrack.weights[f * 68 + c];
        if (off.weights[f * 68 + c] !== expected) expect([f, c, off.weights[f * 68 + c]]).toEqual([f, c, expected]);
      }
    }
    expect(off.provenance.parameters.blinks).toBe('off');
    const often = await engine.animate(samples, { fps, seed: 3, blinks: { enabled: true, intervalSeconds: 0.5 } });
    expect(often.provenance.parameters.blinks).toMatchObject({ seed: 3, intervalSeconds: 0.5 });
    expect(maxDiff(often.weights, plain.weights)).toBeGreaterThan(0);
  });

  it('feeds [implicit | explicit(t_k/16000)] per frame: equal to running the network and A2FPostprocessor by hand', async () => {
    const withEmotion = await engine.animate(samples, { fps, seed: 3, emotion: keys, emotionSource: 'test keys' });
    expect(maxDiff(withEmotion.weights, plain.weights)).toBeGreaterThan(1e-3);
    expect(withEmotion.provenance.parameters.emotion).toEqual({ source: 'test keys', times: [0.2, 1.0], anger: [0, 0.7], joy: [0.9, 0.1] });

    const nv = await loadNvidiaPack(made.dir);
    const track = createEmotionTrack({ implicit: nv.implicitEmotion, info: nv.networkInfo, keys });
    const raw = await engine.run(samples, {
      fps,
      inputs: { emotion: (_k, t, row) => row.set(track.emotionForFrames([t / 16000])) },
    });
    const params = { ...nv.params, lower_face_strength: 1.2 };
    const byHand = new A2FPostprocessor({
      rig: toRigData(nv),
      params,
      skinSolver: nv.skin.config,
      tongueSolver: nv.tongue.config,
      fps,
    }).run(raw.outputs.result.data, { provenance: withEmotion.provenance, blink: { seed: 3 } });
    expect(Array.from(withEmotion.weights)).toEqual(Array.from(byHand.weights));
    expect(frameTargetSample(7, fps)).toBe(3733); // the time each frame's key is read at: 3733/16000 s
  });

  it('refuses bad emotion keys before running, naming their source', async () => {
    await expect(
      engine.animate(samples, { fps, emotion: [{ time: 0, emotions: { glee: 1 } }], emotionSource: 'take.a2f.json' }),
    ).rejects.toMatchObject({
      code: 'BAD_OPTION',
      file: 'take.a2f.json',
      message: expect.stringMatching(/unknown emotion "glee".*amazement/),
    });
  });
});

describe('engine options on NVIDIA packs', () => {
  it('mesh and coefficient paths agree to 1e-4 through the engine; input_strength overrides the window gain', async () => {
    const pack = await loadModelPack(packCopy('claire', 2).dir);
    const samples = line();
    const engines = await Promise.all([
      createInferenceEngine(pack, { tool, solvePath: 'mesh', workers: 1, threads: 1 }),
      createInferenceEngine(pack, { tool, params: { input_strength: 2 }, workers: 1, threads: 1 }),
    ]);
    try {
      const [mesh, loud] = engines;
      expect(loud.pack.audio.inputStrength).toBe(2);
      expect(pack.audio.inputStrength).toBe(1.3);
      const coefficients = await createInferenceEngine(pack, { tool, workers: 1, threads: 1 });
      let fast: FaceAnimation;
      try {
        fast = await coefficients.animate(samples, { fps: rational(60), seed: 1 });
      } finally {
        await coefficients.close();
      }
      const slow = await mesh.animate(samples, { fps: rational(60), seed: 1 });
      expect(slow.provenance.parameters.solvePath).toBe('mesh');
      expect(fast.channels).toHaveLength(68);
      expect(maxDiff(fast.weights, slow.weights)).toBeLessThan(1e-4);
      const louder = await loud.animate(samples, { fps: rational(60), seed: 1 });
      expect(louder.provenance.parameters).toMatchObject({ inputStrength: 2, input_strength: 2, overrides: { input_strength: 2 } });
      expect(maxDiff(louder.weights, fast.weights)).toBeGreaterThan(1e-4);
    } finally {
      await Promise.all(engines.map((e) => e.close()));
    }
  });

  it('rejects unknown or out-of-range overrides and solver paths when the engine starts', async () => {
    const pack = await loadModelPack(packCopy('mark', 4).dir);
    await expect(createInferenceEngine(pack, { params: { lower_face_strenght: 1 } })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      file: '--param',
      message: expect.stringContaining('unknown parameter "lower_face_strenght"'),
    });
    await expect(createInferenceEngine(pack, { params: { skin_strength: '9' } })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      fix: expect.stringContaining('[0, 2]'),
    });
    await expect(createInferenceEngine(pack, { params: { source_shot: 'nope' } })).rejects.toThrow(/source_shot "nope" is not a shot/);
    await expect(createInferenceEngine(pack, { solvePath: 'fast' as never })).rejects.toThrow(/solver path "fast" is not known/);
  });

  it('a pack.json cannot declare the a2f-v2.3 kind', async () => {
    const { nvidiaKind } = await import('../src/kind.js');
    expect(() => nvidiaKind.validate({ kind: 'a2f-v2.3' }, { file: 'pack.json', dir: '.', outputs: [] })).toThrow(
      /only for NVIDIA pack folders/,
    );
  });
});
