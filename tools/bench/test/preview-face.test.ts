// The preview rows' generated face: the same bytes every time, read by a2f's own USD reader as a character
// with the sample's skeleton and the 52 ARKit blendshapes, each moving the share of the points it was asked for.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ARKIT_BLENDSHAPES } from '@a2f/animation';
import { inspectCharacter } from '@a2f/usd';
import { afterAll, describe, expect, it } from 'vitest';
import { writePreviewFace } from '../src/preview-face.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'a2f-preview-face-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The numbers of a `name = [ … ]` array in the text (flattening tuples). */
function numbers(text: string, name: string, from = 0): number[] {
  const at = text.indexOf(`${name} = [`, from);
  expect(at, `${name} not found`).toBeGreaterThanOrEqual(0);
  const open = at + name.length + 4;
  const body = text.slice(open, text.indexOf(']', open));
  return body
    .replace(/[()]/g, '')
    .split(',')
    .map((s) => Number(s.trim()));
}

describe('the preview bench face', () => {
  const size = { rows: 20, cols: 30, share: 0.3 };

  it('is the same file on every run, of the size asked for', async () => {
    const a = path.join(dir, 'a.usda');
    const b = path.join(dir, 'b.usda');
    const info = await writePreviewFace(a, size);
    await writePreviewFace(b, size);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expect(info).toEqual({ points: 600, triangles: 2 * 19 * 30, blendShapes: 52, offsetsPerShape: 180, bytes: readFileSync(a).length });
  });

  it("reads as a character with the sample's joints and the 52 ARKit blendshapes on one skinned face", async () => {
    const file = path.join(dir, 'face.usda');
    await writePreviewFace(file, size);
    const c = inspectCharacter(file);
    expect(c.skeleton.joints).toEqual(['root', 'root/head', 'root/head/jaw', 'root/head/jaw/tongue', 'root/head/eye_L', 'root/head/eye_R']);
    expect(c.meshes.map((m) => m.path)).toEqual(['/Character/Face']);
    expect([...c.blendShapes].sort()).toEqual([...ARKIT_BLENDSHAPES].sort());
  });

  it('skins every point to the head and the jaw with weights summing to 1, the jaw only below the mouth', async () => {
    const file = path.join(dir, 'skin.usda');
    await writePreviewFace(file, size);
    const text = readFileSync(file, 'utf8');
    const points = numbers(text, 'point3f[] points');
    const joints = numbers(text, 'int[] primvars:skel:jointIndices');
    const weights = numbers(text, 'float[] primvars:skel:jointWeights');
    expect(points).toHaveLength(600 * 3);
    expect(joints).toHaveLength(600 * 2);
    for (let i = 0; i < 600; i++) {
      expect([joints[2 * i], joints[2 * i + 1]]).toEqual([1, 2]);
      expect(weights[2 * i]! + weights[2 * i + 1]!).toBeCloseTo(1, 4);
      // above the mouth (y 149.5) nothing follows the jaw
      if (points[3 * i + 1]! > 149.5) expect(weights[2 * i + 1]).toBe(0);
    }
    expect(weights.some((w, k) => k % 2 === 1 && w > 0.5)).toBe(true);
  });

  it('gives each blendshape offsets on its share of the points, sorted and distinct; jawOpen moves them down', async () => {
    const file = path.join(dir, 'shapes.usda');
    await writePreviewFace(file, size);
    const text = readFileSync(file, 'utf8');
    for (const name of ARKIT_BLENDSHAPES) {
      const at = text.indexOf(`def BlendShape "${name}"`);
      const indices = numbers(text, 'uniform int[] pointIndices', at);
      expect(indices).toHaveLength(180);
      expect(indices.every((v, k) => Number.isInteger(v) && v >= 0 && v < 600 && (k === 0 || v > indices[k - 1]!))).toBe(true);
      expect(numbers(text, 'uniform vector3f[] offsets', at)).toHaveLength(180 * 3);
    }
    const jaw = numbers(text, 'uniform vector3f[] offsets', text.indexOf('def BlendShape "jawOpen"'));
    const ys = jaw.filter((_, k) => k % 3 === 1);
    expect(Math.max(...ys)).toBeLessThanOrEqual(0);
    expect(Math.min(...ys)).toBeLessThan(-1);
  });
});
