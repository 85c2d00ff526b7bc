import { ARKIT_BLENDSHAPES, TONGUE_BLENDSHAPES } from '@a2f/animation';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { composeMatrix, inspectCharacter, jointParents, multiplyMatrices, type JointTransform } from '../src/index.js';
import { HERO_USDA, SPARSE_USDA, sampleCharacterPath } from './fixtures.js';

const closeTo = (actual: readonly number[], expected: readonly number[], eps = 1e-9): void => {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((v, i) => {
    expect(Math.abs(v - expected[i]), `component ${i}: ${v} vs ${expected[i]}`).toBeLessThan(eps);
  });
};
const S = Math.SQRT1_2;

describe('inspectCharacter on the sample character', () => {
  const info = inspectCharacter(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face.usda');

  it('finds the SkelRoot, the Skeleton, the face mesh with all 52 ARKit shapes, the tongue with the 16 tongue poses and the eyes', () => {
    expect(info).toMatchObject({ defaultPrim: 'Character', upAxis: 'Y', metersPerUnit: 0.01, notes: [] });
    expect(info.skelRoot).toEqual({
      path: '/Character',
      childNames: ['Skel', 'Face', 'Tongue', 'Eye_L', 'Eye_R'],
      origin: { layer: 'face.usda', path: '/Character' },
    });
    expect(info.skeleton.path).toBe('/Character/Skel');
    expect(info.skeleton.joints).toEqual([
      'root',
      'root/head',
      'root/head/jaw',
      'root/head/jaw/tongue',
      'root/head/eye_L',
      'root/head/eye_R',
    ]);
    expect(info.meshes.map((m) => m.path)).toEqual(['/Character/Face', '/Character/Tongue', '/Character/Eye_L', '/Character/Eye_R']);
    expect(info.meshes.map((m) => m.skeleton)).toEqual(info.meshes.map(() => '/Character/Skel'));
    expect(info.blendShapes).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES]);
    expect(info.meshes[0].blendShapes).toEqual([...ARKIT_BLENDSHAPES]);
    expect(info.meshes[0].blendShapeTargets).toEqual(ARKIT_BLENDSHAPES.map((n) => `/Character/Face/${n}`));
    expect(info.meshes[1].blendShapes).toEqual([...TONGUE_BLENDSHAPES]);
    expect(info.meshes[1].blendShapeTargets).toEqual(TONGUE_BLENDSHAPES.map((n) => `/Character/Tongue/${n}`));
    expect(info.meshes.slice(2).map((m) => m.blendShapes)).toEqual([[], []]);
  });

  it('decomposes rest (local) and bind (world) poses consistently', () => {
    const jaw = info.skeleton.rest[2];
    closeTo(jaw.rotation, [Math.cos((4 * Math.PI) / 180), Math.sin((4 * Math.PI) / 180), 0, 0], 1e-8);
    closeTo(jaw.translation, [0, 3, -1]);
    closeTo(jaw.scale, [1, 1, 1]);
    // world = local · parentWorld, joint by joint
    const parents = jointParents(info.skeleton.joints);
    info.skeleton.rest.forEach((r, i) => {
      const local = composeMatrix(r);
      const expected = parents[i] < 0 ? local : multiplyMatrices(local, composeMatrix(info.skeleton.bind[parents[i]]));
      closeTo(composeMatrix(info.skeleton.bind[i]), expected, 1e-6);
    });
  });
});

describe('inspectCharacter on hand-written assets', () => {
  const hero = inspectCharacter(HERO_USDA, 'hero.usda');

  it('picks the skeleton bound by the mesh with the most blendshapes and unions its meshes', () => {
    expect(hero.skelRoot.path).toBe('/World/Chars/Hero');
    expect(hero.skelRoot.childNames).toEqual(['Rig', 'Body', 'Head']);
    expect(hero.skeletons).toEqual(['/World/Chars/Hero/Rig/Skel', '/World/Chars/Hero/Rig/BodySkel']);
    expect(hero.skeleton.path).toBe('/World/Chars/Hero/Rig/Skel');
    expect(hero.meshes.map((m) => [m.path, m.skeleton])).toEqual([
      ['/World/Chars/Hero/Head/Face', '/World/Chars/Hero/Rig/Skel'], // binding inherited from Head
      ['/World/Chars/Hero/Head/Teeth', '/World/Chars/Hero/Rig/Skel'],
    ]);
    expect(hero.blendShapes).toEqual(['JawOpen', 'EyeBlinkLeft', 'MouthSmileLeft', 'TongueOut']);
    const skeletonsNote = [
      '2 skeletons found .*animating </World/Chars/Hero/Rig/Skel>, ',
      'bound to </World/Chars/Hero/Head/Face> which has the most blendshapes \\(3\\)',
    ];
    expect(hero.notes.join('\n')).toMatch(new RegExp(skeletonsNote.join('')));
    expect(hero).toMatchObject({ defaultPrim: 'World', upAxis: 'Z', metersPerUnit: 1, timeCodesPerSecond: 24 });
  });

  it('decomposes rotations, translations and scales of joint matrices', () => {
    const [root, head, jaw] = hero.skeleton.rest as JointTransform[];
    closeTo(root.rotation, [1, 0, 0, 0]);
    closeTo(head.rotation, [S, 0, S, 0], 1e-12); // 90° about +Y
    closeTo(head.translation, [0, 150, 0]);
    closeTo(jaw.scale, [2, 1, 1]);
    closeTo(jaw.translation, [0, -5, 2]);
    closeTo(composeMatrix(head), [0, 0, -1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 150, 0, 1], 1e-12);
  });

  it('derives the rest pose from bind transforms, and defaults units with a note', () => {
    const kid = inspectCharacter(SPARSE_USDA, 'kid.usda');
    expect(kid.skeleton.restSource).toBe('bindTransforms');
    closeTo(kid.skeleton.rest[1].translation, [0, 4, 3]);
    expect(kid.metersPerUnit).toBe(0.01);
    expect(kid.upAxis).toBe('Y');
    expect(kid.notes).toEqual([
      'Skeleton </Kid/Skel> has no restTransforms; the rest pose was derived from bindTransforms',
      "kid.usda does not set metersPerUnit; assuming 0.01 (centimetres), USD's fallback",
      'kid.usda does not set upAxis; assuming "Y", USD\'s fallback',
    ]);
  });

  it('explains what is missing', () => {
    expect(() => inspectCharacter('#usda 1.0\ndef Xform "World" {\n    def Mesh "Face" {}\n}\n', 'face.usda')).toThrow(
      'no SkelRoot found in face.usda: the layer needs a SkelRoot prim containing a Skeleton and the face mesh',
    );
    expect(() => inspectCharacter('#usda 1.0\n(\n    subLayers = [@./geo.usda@]\n)\ndef Xform "World" {}\n', 'shot.usda')).toThrow(
      /no SkelRoot found in shot\.usda.*sublayers or references, which are not followed/,
    );
    expect(() => inspectCharacter('#usda 1.0\ndef SkelRoot "Root" {\n    def Mesh "Face" {}\n}\n', 'face.usda')).toThrow(
      'no Skeleton found under SkelRoot </Root> in face.usda (line 2)',
    );
    const oneMatrix = SPARSE_USDA.replace(/,\s+\( \(1, 0, 0, 0\), \(0, 1, 0, 0\), \(0, 0, 1, 0\), \(0, 104, 3, 1\) \)/, '');
    expect(() => inspectCharacter(oneMatrix, 'kid.usda')).toThrow('kid.usda:11: </Kid/Skel.bindTransforms> has 1 matrices for 2 joints');
    const childFirst = SPARSE_USDA.replace('["root", "root/jaw"]', '["root/jaw", "root"]');
    expect(() => inspectCharacter(childFirst, 'kid.usda')).toThrow(/kid\.usda:10: .*lists joint "root\/jaw" before its parent/);
  });
});
