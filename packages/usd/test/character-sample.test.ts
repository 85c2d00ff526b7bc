// samples/character/face.usda: reproducible from its script, valid for real USD and TinyUSDZ,
// and anatomically plausible where the animation relies on it.
import { ARKIT_BLENDSHAPES } from '@a2f/animation';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyusdzCheck, usdReadback, type ReadbackResult, type TinyusdzResult } from '../../../test/usd/validate.js';
import { parseUsda, type UsdaPrim } from '../src/index.js';
import { repoRoot, sampleCharacterPath, tempDir } from './fixtures.js';

const text = fs.readFileSync(sampleCharacterPath, 'utf8');
const face = parseUsda(text, 'face.usda').prims[0].children.find((c) => c.name === 'Face')!;
const numbers = (prim: UsdaPrim, name: string): number[] => (prim.properties.get(name)!.default as number[][]).flat() as number[];
const points = numbers(face, 'points');
const point = (i: number): number[] => points.slice(i * 3, i * 3 + 3);
const shape = (name: string): { index: number[]; offset: number[][] } => {
  const s = face.children.find((c) => c.name === name)!;
  return { index: s.properties.get('pointIndices')!.default as number[], offset: s.properties.get('offsets')!.default as number[][] };
};

let usd: ReadbackResult;
let tiny: TinyusdzResult;
beforeAll(async () => {
  [usd, tiny] = await Promise.all([
    usdReadback(sampleCharacterPath, [], [
      '/Character/Skel.joints', '/Character/Face.skel:blendShapes', '/Character/Face.skel:blendShapeTargets', '/Character/Face.skel:skeleton',
      '/Character/Face.primvars:skel:jointIndices', '/Character/Face.primvars:skel:jointWeights',
    ]),
    tinyusdzCheck(sampleCharacterPath),
  ]);
});

describe('samples/character/face.usda', () => {
  it('is exactly what make-character.mjs writes (byte-identical, deterministic)', () => {
    const out = path.join(tempDir('char'), 'face.usda');
    execFileSync(process.execPath, [path.join(repoRoot, 'samples/character/make-character.mjs'), out], { stdio: 'pipe' });
    expect(fs.readFileSync(out).equals(fs.readFileSync(sampleCharacterPath))).toBe(true);
    expect(fs.statSync(sampleCharacterPath).size).toBeLessThan(1 << 20);
  });

  it('opens in real USD without errors, with the expected prims and bindings', () => {
    expect(usd.errors).toEqual([]);
    expect(usd.ok).toBe(true);
    expect(usd.metadata).toMatchObject({ defaultPrim: 'Character', metersPerUnit: 0.01, upAxis: 'Y' });
    expect(usd.prims['/Character']).toEqual({ specifier: 'def', type: 'SkelRoot' });
    expect(usd.prims['/Character/Skel'].type).toBe('Skeleton');
    expect(usd.prims['/Character/Face'].type).toBe('Mesh');
    for (const n of ARKIT_BLENDSHAPES) expect(usd.prims[`/Character/Face/${n}`]?.type).toBe('BlendShape');
    expect(usd.defaults['/Character/Skel.joints']).toEqual(['root', 'root/head', 'root/head/jaw', 'root/head/jaw/tongue', 'root/head/eye_L', 'root/head/eye_R']);
    expect(usd.defaults['/Character/Face.skel:blendShapes']).toEqual([...ARKIT_BLENDSHAPES]);
    expect(usd.targets['/Character/Face.skel:blendShapeTargets']).toEqual(ARKIT_BLENDSHAPES.map((n) => `/Character/Face/${n}`));
    expect(usd.targets['/Character/Face.skel:skeleton']).toEqual(['/Character/Skel']);
  });

  it('converts in TinyUSDZ all the way to a render scene (single-rooted skeleton, typed prims)', () => {
    expect(tiny.layerError).toBe('');
    expect(tiny.stageError).toBe('');
    expect(tiny.stageOk).toBe(true);
  });

  it('skins every vertex to head and jaw with weights summing to 1; the jaw region lies below the mouth', () => {
    const weights = usd.defaults['/Character/Face.primvars:skel:jointWeights'] as number[];
    const indices = usd.defaults['/Character/Face.primvars:skel:jointIndices'] as number[];
    expect(points.length / 3).toBeGreaterThan(300);
    expect(points.length / 3).toBeLessThan(2000);
    expect(weights).toHaveLength((points.length / 3) * 2);
    expect(indices).toHaveLength(weights.length);
    for (let v = 0; v < points.length / 3; v++) {
      expect(Math.abs(weights[2 * v] + weights[2 * v + 1] - 1)).toBeLessThan(1e-6);
      if (weights[2 * v + 1] > 0) expect(point(v)[1]).toBeLessThan(149.5);
    }
    expect(weights.filter((w, i) => i % 2 === 1 && w === 1).length).toBeGreaterThan(20);
  });

  it('has sparse, plausible shapes: jawOpen drops the chin, pucker pushes lips forward, blink closes the left eye', () => {
    for (const n of ARKIT_BLENDSHAPES) {
      const s = shape(n);
      expect(s.index.length, n).toBeGreaterThan(0);
      expect(s.index.length, n).toBeLessThan(points.length / 3 / 4);
      expect(s.offset).toHaveLength(s.index.length);
    }
    const jaw = shape('jawOpen');
    expect(Math.min(...jaw.offset.map((o) => o[1]))).toBeLessThan(-0.5);
    jaw.index.forEach((i) => expect(point(i)[1]).toBeLessThan(149.5));
    // A rotation about the hinge lifts points level with it a hair; the chin as a whole drops.
    expect(jaw.offset.filter((o) => o[1] < 0).length / jaw.offset.length).toBeGreaterThan(0.9);
    expect(Math.max(...jaw.offset.map((o) => o[1]))).toBeLessThan(0.01);
    const pucker = shape('mouthPucker');
    expect(pucker.offset.every((o) => o[2] > 0)).toBe(true);
    const blink = shape('eyeBlinkLeft');
    blink.index.forEach((i) => expect(point(i)[0]).toBeGreaterThanOrEqual(0)); // character left is +X
    expect(Math.min(...blink.offset.map((o) => o[1]))).toBeLessThan(-1);
    const smileL = shape('mouthSmileLeft');
    expect(smileL.offset.every((o) => o[1] > 0 && o[0] >= 0)).toBe(true);
  });
});
