// Audio2Emotion packs as shipped: the generated mini pack (NVIDIA's layout and keys) loads, its
// model.json is byte for byte the real one, and bad or misplaced packs fail naming the file and the fix.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelPack } from '@a2f/inference';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { A2E_CONFIG, makeMiniA2e } from '../../../models/nvidia/make-mini-a2e.mjs';
import { A2eRunner, isA2ePack, isNvidiaPack, loadA2ePack } from '../src/index.js';
import { packCopy } from './pack-helpers.js';

afterAll(removeTempDirs);

const mini = (opts?: Parameters<typeof makeMiniA2e>[1]) => makeMiniA2e(path.join(tempDir('a2e'), 'a2e'), opts);
type Failure = { code: string; file: string; problem: string; fix: string };
const failure = (p: Promise<unknown>): Promise<Failure> =>
  p.then(
    () => {
      throw new Error('expected a failure');
    },
    (e: unknown) => e as Failure,
  );
const edit = (file: string, change: (j: Record<string, any>) => void) => {
  const j = JSON.parse(readFileSync(file, 'utf8'));
  change(j);
  writeFileSync(file, JSON.stringify(j));
};

describe('loadA2ePack', () => {
  it('reads every file and key of the layout, mapping network.trt to the ONNX beside it', async () => {
    const { dir, files } = mini();
    // The real model.json's SHA-256 (docs/nvidia/known-packs.md): the generator writes the same bytes.
    expect(files['model.json'].sha256).toBe('b440470d59af100ef47cfb87bc633766320bee30979167b9bd6ad0b88e2081cd');
    const pack = await loadA2ePack(dir);
    expect(isA2ePack(dir)).toBe(true);
    expect(pack.emotions).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad']);
    expect(pack.sampleRate).toBe(16000);
    expect(pack.correspondence).toEqual([1, 3, 4, 6, -1, 9]);
    expect(pack.config.max_emotions).toBe(6);
    expect(pack.config.transition_smoothing).toBe(0.5);
    expect(pack.trtShapes).toEqual({ min: 5000, opt: 30000, max: 60000 });
    expect(path.basename(pack.files.network)).toBe('network.onnx');
    expect(pack.notes.some((n) => n.includes('network.trt'))).toBe(true);
  });

  it('takes the classifier order from network_info.json and maps each name by emotion_correspondence', async () => {
    const { dir } = mini({ emotions: ['sad', 'happy', 'neutral', 'fear', 'disgust', 'angry'] });
    const pack = await loadA2ePack(dir);
    expect(pack.correspondence).toEqual([9, 6, -1, 4, 3, 1]);
  });

  it('uses the documented order when network_info.json lists no emotions, and says so', async () => {
    const { dir } = mini();
    edit(path.join(dir, 'network_info.json'), (j) => delete j.emotions);
    const pack = await loadA2ePack(dir);
    expect(pack.emotions).toEqual(['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad']);
    expect(pack.notes.join('\n')).toMatch(/no "emotions" list/);
  });

  it.each([
    [
      'a missing key',
      (c: Record<string, any>) => delete c.post_processing_config.live_blend_coef,
      /"post_processing_config.live_blend_coef"/,
    ],
    [
      'a short preferred_emotion',
      (c: Record<string, any>) => (c.post_processing_config.preferred_emotion = [0, 0]),
      /preferred_emotion.*10 numbers/,
    ],
    [
      'an emotion without correspondence',
      (c: Record<string, any>) => delete c.post_processing_config.emotion_correspondence.fear,
      /emotion_correspondence.fear.*network_info.json lists "fear"/,
    ],
    [
      'an index past the A2F emotions',
      (c: Record<string, any>) => (c.post_processing_config.emotion_correspondence.sad = 10),
      /below output_emotion_length/,
    ],
  ])('refuses model_config.json with %s, naming the file', async (_what, change, problem) => {
    const { dir } = mini();
    edit(path.join(dir, 'model_config.json'), change);
    const err = await failure(loadA2ePack(dir));
    expect(err.file).toBe(path.join(dir, 'model_config.json'));
    expect(err.problem).toMatch(problem);
    expect(err.fix).toMatch(/model_config.json/);
  });

  it('names the missing network', async () => {
    const { dir } = mini();
    rmSync(path.join(dir, 'network.onnx'));
    await expect(loadA2ePack(dir)).rejects.toMatchObject({ code: 'PACK_NOT_FOUND', file: path.join(dir, 'network.onnx') });
  });

  it('refuses an Audio2Face-3D pack given as --a2e, saying where each belongs', async () => {
    const a2f = packCopy('mark');
    expect(isA2ePack(a2f.dir)).toBe(false);
    const err = await failure(loadA2ePack(a2f.dir));
    expect(err.file).toBe(path.join(a2f.dir, 'model.json'));
    expect(err.problem).toMatch(/is an Audio2Face-3D pack/);
    expect(err.fix).toMatch(/--model.*--a2e/);
  });

  it('refuses an Audio2Emotion pack given as a model, saying to pass it as --a2e', async () => {
    const { dir } = mini();
    expect(isNvidiaPack(dir)).toBe(true); // it holds a model.json, yet it is not loaded as one
    const err = await failure(loadModelPack(dir));
    expect(err.file).toBe(path.join(dir, 'model.json'));
    expect(err.problem).toMatch(/is an Audio2Emotion pack/);
    expect(err.fix).toMatch(/--a2e/);
  });

  it('checks the ONNX contract when the runner loads it: a network with other outputs fails naming both files', async () => {
    const { dir } = mini();
    edit(path.join(dir, 'network_info.json'), (j) => j.emotions.push('calm'));
    edit(path.join(dir, 'model_config.json'), (j) => (j.post_processing_config.emotion_correspondence.calm = -1));
    const err = await failure(A2eRunner.create(dir));
    expect(err.code).toBe('NETWORK_MISMATCH');
    expect(err.file).toBe(path.join(dir, 'network.onnx'));
    expect(err.problem).toMatch(/"output".*\[batch_size, 7\]/);
  });

  it('keeps the SDK test values of the real model_config.json', () => {
    expect(A2E_CONFIG).toMatchObject({
      emotion_contrast: 1,
      max_emotions: 6,
      live_blend_coef: 0.7,
      emotion_strength: 0.6,
      fixed_dt: 0.033,
    });
  });
});
