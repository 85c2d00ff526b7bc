// Audio2Face-3D v3.0 on the generated mini pack (models/nvidia/make-mini-v3.mjs): the kind's
// windows, latents, emotion rows, identity and noise as fed to the real ONNX network, checked
// against an independent reimplementation of the SDK's schedule and of the mini network's math;
// frame delivery at 60/30/24/25 fps; identity choice; bad packs and options.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rational, type FaceAnimation, type Provenance } from '@a2f/animation';
import {
  createInferenceEngine,
  InferenceError,
  loadModelPack,
  postprocessKind,
  type LineRunner,
  type ModelPack,
  type FrameEmotion,
  type NetworkTensor,
} from '@a2f/inference';
import { removeTempDirs, tempDir, voicedLine } from '@a2f/test-utils';
import { makeMiniV3Pack, type MiniV3Dims, type MiniV3Weights } from '../../../models/nvidia/make-mini-v3.mjs';
import { npyBytes } from '../../../models/nvidia/npz-writer.mjs';
import { NVIDIA_V3_KIND, philoxNormals } from '../src/index.js';

afterAll(removeTempDirs);

const RATE = 16000;
const samples = voicedLine({
  rate: RATE,
  seconds: 2.3,
  from: 0.2,
  to: 2.0,
  partials: [
    [140, 0.3],
    [700, 0.2],
    [2400, 0.05],
  ],
});
const provenance: Provenance = { tool: { name: 'test', version: '0' }, model: { id: 'v3', kind: NVIDIA_V3_KIND }, parameters: {} };

let made: { dir: string; dims: MiniV3Dims; weights: MiniV3Weights | null };
let loaded: ModelPack;
let session: ort.InferenceSession;

beforeAll(async () => {
  made = makeMiniV3Pack(path.join(tempDir('v3'), 'pack'));
  loaded = await loadModelPack(made.dir);
  session = await ort.InferenceSession.create(path.join(made.dir, 'network.onnx'));
});

interface Call {
  feeds: Record<string, Float32Array>;
  outputs: Record<string, Float32Array>;
}

/** A LineRunner on a real ORT session that records every run, in order. */
function recordingRunner(calls: Call[]): LineRunner {
  return {
    async run(feeds) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', Float32Array.from(t.data), [...t.dims]);
      const result = await session.run(tensors);
      const outputs: Record<string, NetworkTensor> = {};
      for (const [name, t] of Object.entries(result)) outputs[name] = { data: t.data as Float32Array, dims: [...t.dims] };
      calls.push({
        feeds: Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, Float32Array.from(t.data)])),
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, t]) => [k, Float32Array.from(t.data)])),
      });
      return outputs;
    },
  };
}

async function drive(
  options: Record<string, string>,
  fps = rational(30),
  extra: { emotion?: { time: number; emotions: Record<string, number> }[]; frames?: FrameEmotion } = {},
) {
  const kind = postprocessKind(NVIDIA_V3_KIND)!;
  const pack = kind.configure!(loaded, { options });
  const post = await kind.prepare(pack);
  const calls: Call[] = [];
  const anim = await post.animateLine!(samples, recordingRunner(calls), {
    fps,
    provenance,
    blinks: { enabled: false },
    ...(extra.emotion || extra.frames
      ? { emotion: { keys: extra.emotion ?? [], source: 'test', ...(extra.frames ? { frames: extra.frames } : {}) } }
      : {}),
  });
  return { anim, calls, pack };
}

/** The SDK's schedule, written out for this pack: window w starts at w·8000 − 16000; frame j's target is floor(j·16000/60) − 12000. */
const windowStart = (w: number) => w * 8000 - 16000;
const target = (j: number) => Math.floor((j * 16000) / 60) - 12000;

/** The mini network's math (make-mini-v3.mjs), in double. */
function reference(window: Float32Array, identity: number, emotion: Float32Array, lat: Float64Array, noise: Float32Array) {
  const { C, F, D, E, Q, L, left, centre, S } = made.dims;
  const w = made.weights!;
  const feat = new Float64Array(C);
  for (let c = 0; c < C; c++) {
    let s = 0;
    for (let i = (c * L) / C; i < ((c + 1) * L) / C; i++) s += window[i] * window[i];
    feat[c] = (100 * s) / (L / C);
  }
  const pred = new Float64Array(F * D);
  for (let k = 0; k < F * D; k++) {
    let v = w.identity[identity * F * D + k];
    for (let c = 0; c < C; c++) v += feat[c] * w.audio[c * F * D + k];
    for (let q = 0; q < Q; q++) v += lat[q] * w.latent[q * F * D + k];
    const f = Math.floor(k / D);
    const d = k % D;
    if (f >= left && f < left + centre) for (let e = 0; e < E; e++) v += emotion[(f - left) * E + e] * w.emotion[e * D + d];
    let n = 0;
    for (let s = 0; s <= S; s++) n += noise[s * F * D + k];
    pred[k] = v + (0.1 * n) / (S + 1);
  }
  const next = new Float64Array(Q);
  for (let q = 0; q < Q; q++) {
    let v = 0.5 * lat[q];
    for (let c = 0; c < C; c++) v += feat[c] * w.state[c * Q + q];
    next[q] = Math.tanh(v);
  }
  return { pred, next };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

describe('v3.0 windows, latents, identity and noise as fed to the network', () => {
  it('runs the SDK schedule with the latents chained window to window, in order', async () => {
    const { calls, anim } = await drive({ identity: 'James', v3Noise: 'zeros' }, rational(60));
    const frames = Math.ceil((samples.length * 60) / RATE);
    expect(anim.frameCount).toBe(frames);
    // Frames 45 … 45+frames−1 are delivered; window w holds internal frames 30w … 30w+29.
    expect(calls.length).toBe(Math.floor((45 + frames - 1) / 30) + 1);
    let lat: Float64Array = new Float64Array(made.dims.Q);
    calls.forEach((call, w) => {
      const start = windowStart(w);
      const window = Float32Array.from({ length: 16000 }, (_, i) =>
        start + i >= 0 && start + i < samples.length ? samples[start + i] * Math.fround(1.1) : 0,
      );
      expect(call.feeds.window).toEqual(window);
      expect(Array.from(call.feeds.identity)).toEqual([0, 1, 0]);
      expect(maxDiff(call.feeds.input_latents, lat)).toBeLessThan(1e-6);
      expect(call.feeds.noise.every((x) => x === 0)).toBe(true);
      const { pred, next } = reference(window, 1, call.feeds.emotion, lat, call.feeds.noise);
      expect(maxDiff(call.outputs.prediction, pred)).toBeLessThan(1e-4);
      expect(maxDiff(call.outputs.output_latents, next)).toBeLessThan(1e-5);
      lat = Float64Array.from(call.outputs.output_latents);
    });
    // The latents really carry state: windows after the first are fed non-zero latents.
    expect(calls[2].feeds.input_latents.some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });

  it('feeds each centre frame the emotion interpolated at its own target time', async () => {
    const keys: { time: number; emotions: Record<string, number> }[] = [
      { time: 0.5, emotions: { joy: 0.2 } },
      { time: 1.5, emotions: { joy: 1, anger: 0.6 } },
    ];
    const { calls, anim } = await drive({ v3Noise: 'zeros' }, rational(30), { emotion: keys });
    expect(anim.provenance.parameters.emotion).toEqual({ source: 'test', times: [0.5, 1.5], anger: [0, 0.6], joy: [0.2, 1] });
    const joy = 6;
    const anger = 1;
    calls.forEach((call, w) => {
      for (let f = 0; f < 30; f++) {
        const t = Math.max(0, target(w * 30 + f)) / RATE;
        const a = Math.min(1, Math.max(0, (t - 0.5) / 1.0));
        expect(call.feeds.emotion[f * 10 + joy]).toBeCloseTo(0.2 + 0.8 * a, 5);
        expect(call.feeds.emotion[f * 10 + anger]).toBeCloseTo(0.6 * a, 5);
      }
    });
  });

  it('feeds emotion from the voice (--a2e) frame by frame at the line rate, keys holding the emotions they name', async () => {
    const fps = rational(30);
    const count = Math.ceil((samples.length * 30) / RATE);
    const values = Float32Array.from({ length: count * 10 }, (_, i) => (i % 10 === 6 ? Math.floor(i / 10) / 100 : 0.05));
    const frames: FrameEmotion = { width: 10, frameCount: count, values, provenance: { pack: 'test-a2e' } };
    const { calls, anim } = await drive({ v3Noise: 'zeros' }, fps, { frames, emotion: [{ time: 0, emotions: { anger: 0.7 } }] });
    calls.forEach((call, w) => {
      for (let f = 0; f < 30; f++) {
        const t = Math.max(0, target(w * 30 + f));
        // The line frame whose target floor(k·16000/30) is the last at or before t.
        let k = 0;
        while (k + 1 < count && Math.floor(((k + 1) * RATE) / 30) <= t) k++;
        expect(call.feeds.emotion[f * 10 + 6]).toBeCloseTo(k / 100, 6);
        expect(call.feeds.emotion[f * 10 + 1]).toBeCloseTo(0.7, 6);
        expect(call.feeds.emotion[f * 10]).toBeCloseTo(0.05, 6);
      }
    });
    expect(anim.emotions?.names).toHaveLength(10);
    expect(anim.emotions?.values.length).toBe(anim.frameCount * 10);
    expect(anim.emotions!.values[7 * 10 + 6]).toBeCloseTo(0.07, 6);
    expect(anim.emotions!.values[7 * 10 + 1]).toBeCloseTo(0.7, 6);
    expect(anim.provenance.parameters.emotion).toMatchObject({ voice: { pack: 'test-a2e', keyedEmotions: ['anger'] } });
  });

  it('feeds one noise tensor for the whole clip: Philox normals by default, a file exactly as written', async () => {
    const { calls } = await drive({});
    const size = 3 * 60 * made.dims.D;
    const expected = philoxNormals(new Float32Array(size));
    for (const call of calls) expect(call.feeds.noise).toEqual(expected);
    // The first identity is the default, as in NVIDIA's sample.
    expect(Array.from(calls[0].feeds.identity)).toEqual([1, 0, 0]);

    const file = path.join(tempDir('v3-noise'), 'noise.npy');
    const values = Float32Array.from({ length: size }, (_, i) => Math.sin(i) * 0.5);
    writeFileSync(file, npyBytes({ data: values, shape: [1, 3, 60, made.dims.D] }));
    const fromFile = await drive({ v3Noise: file });
    for (const call of fromFile.calls) expect(call.feeds.noise).toEqual(values);
    expect(maxDiff(fromFile.calls[1].outputs.prediction, calls[1].outputs.prediction)).toBeGreaterThan(1e-3);
  });
});

describe('v3.0 lines in parallel', () => {
  it('keeps each line in order while two lines share the worker pool: the same results as one at a time', async () => {
    const other = voicedLine({
      rate: RATE,
      seconds: 1.7,
      from: 0.1,
      to: 1.5,
      partials: [
        [220, 0.3],
        [900, 0.1],
      ],
    });
    const engine = await createInferenceEngine(loaded, { workers: 2, modelOptions: { identity: 'Mark', v3Noise: 'zeros' } });
    try {
      const opts = { fps: rational(30), blinks: { enabled: false } } as const;
      const [a, b] = await Promise.all([engine.animate(samples, opts), engine.animate(other, opts)]);
      const aAlone = await engine.animate(samples, opts);
      const bAlone = await engine.animate(other, opts);
      expect(a.frameCount).toBe(aAlone.frameCount);
      expect(b.frameCount).toBe(Math.ceil((other.length * 30) / RATE));
      expect(maxDiff(a.weights, aAlone.weights)).toBeLessThan(1e-6);
      expect(maxDiff(b.weights, bAlone.weights)).toBeLessThan(1e-6);
      expect(maxDiff(a.joints[0].rotations, aAlone.joints[0].rotations)).toBeLessThan(1e-6);
    } finally {
      await engine.close();
    }
  });
});

describe('v3.0 frame delivery', () => {
  let at60: FaceAnimation;
  beforeAll(async () => {
    at60 = (await drive({ v3Noise: 'zeros' }, rational(60))).anim;
  });

  it('takes every other network frame at 30 fps: joints equal the 60 fps run at the same times', async () => {
    const { anim } = await drive({ v3Noise: 'zeros' }, rational(30));
    expect(anim.frameCount).toBe(Math.ceil((samples.length * 30) / RATE));
    for (const j of [0, 1, 2]) {
      for (let k = 0; k < anim.frameCount; k++) {
        expect(Array.from(anim.joints[j].rotations.subarray(k * 4, k * 4 + 4))).toEqual(
          Array.from(at60.joints[j].rotations.subarray(2 * k * 4, 2 * k * 4 + 4)),
        );
      }
    }
  });

  it('refuses 24 and 25 fps unless --v3-resample nearest, which takes the nearest network frame', async () => {
    for (const fps of [24, 25]) {
      await expect(drive({ v3Noise: 'zeros' }, rational(fps))).rejects.toThrow(/does not divide.*--v3-resample nearest/s);
      const { anim } = await drive({ v3Noise: 'zeros', v3Resample: 'nearest' }, rational(fps));
      expect(anim.frameCount).toBe(Math.ceil((samples.length * fps) / RATE));
      for (let k = 0; k < anim.frameCount; k++) {
        const i = Math.round((Math.floor((k * RATE) / fps) * 60) / RATE);
        expect(Array.from(anim.joints[0].translations.subarray(k * 3, k * 3 + 3))).toEqual(
          Array.from(at60.joints[0].translations.subarray(i * 3, i * 3 + 3)),
        );
      }
    }
  });
});

describe('v3.0 identities and post-processing', () => {
  it('post-processes and solves with the chosen identity and records it with the overrides', async () => {
    const kind = postprocessKind(NVIDIA_V3_KIND)!;
    const claire = (await drive({ identity: 'Claire', v3Noise: 'zeros' })).anim;
    const james = (await drive({ identity: 'james', v3Noise: 'zeros' })).anim;
    expect(james.provenance.parameters.identity).toBe('James');
    // The identity's model_config values are recorded; v3.0 has no implicit-emotion shot to record.
    expect(james.provenance.parameters.input_strength).toBeCloseTo(1.1, 6);
    expect(james.provenance.parameters).not.toHaveProperty('source_shot');
    expect(maxDiff(claire.weights, james.weights)).toBeGreaterThan(1e-3);
    // James's model_config input_strength is 1.1 (the generator's), applied to the windows.
    expect(kind.configure!(loaded, { options: { identity: 'James' } }).audio.inputStrength).toBeCloseTo(1.1, 6);
    const engine = await createInferenceEngine(loaded, {
      workers: 1,
      params: { lower_teeth_strength: 0 },
      modelOptions: { v3Noise: 'zeros' },
    });
    try {
      const anim = await engine.animate(samples, { fps: rational(30), blinks: { enabled: false } });
      expect(anim.provenance.parameters.overrides).toEqual({ lower_teeth_strength: 0 });
      const base = (await drive({ v3Noise: 'zeros' })).anim;
      expect(maxDiff(anim.joints[0].translations, base.joints[0].translations)).toBeGreaterThan(1e-4);
      expect(anim.channels).toEqual(base.channels);
    } finally {
      await engine.close();
    }
  });

  it('lists the identities for an unknown --identity, and names the file and identity when one is missing', async () => {
    const kind = postprocessKind(NVIDIA_V3_KIND)!;
    expect(() => kind.configure!(loaded, { options: { identity: 'Bob' } })).toThrow(/"Bob" is not in this pack.*Claire, James, Mark/s);
    expect(() => kind.configure!(loaded, { options: { v3Noise: 'gauss' } })).toThrow(/neither philox, zeros nor a \.npy/);
    expect(() => kind.configure!(loaded, { options: { v3Resample: 'cubic' } })).toThrow(InferenceError);
    const broken = makeMiniV3Pack(path.join(tempDir('v3-broken'), 'pack')).dir;
    rmSync(path.join(broken, 'bs_tongue_James.npz'));
    await expect(loadModelPack(broken)).rejects.toThrow(/bs_tongue_James\.npz is missing.*"blendshapePaths"\[1\], identity "James"/s);
  });
});
