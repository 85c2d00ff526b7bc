import {
  ARKIT_BLENDSHAPES,
  EMPTY_PRESET,
  TONGUE_BLENDSHAPES,
  createFaceAnimation,
  parseBindingPreset,
  pascalCase,
  rational,
} from '@a2f/animation';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindAnimation, inspectCharacter } from '../src/index.js';
import { HERO_USDA, PROVENANCE, SPARSE_USDA, repoRoot, sampleCharacterPath, syntheticAnimation } from './fixtures.js';

const preset = (name: string) => {
  const file = path.join(repoRoot, 'templates/bindings', `${name}.json`);
  return parseBindingPreset(JSON.parse(fs.readFileSync(file, 'utf8')), file);
};

describe('binding presets in templates/bindings', () => {
  it('arkit maps every ARKit and tongue channel to its lowerCamel name, joints by name', () => {
    const p = preset('arkit');
    expect(Object.entries(p.blendShapes)).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES].map((n) => [n, n]));
    expect(p.joints).toEqual({ jaw: 'jaw', eye_L: 'eye_L', eye_R: 'eye_R', tongue: 'tongue' });
  });

  it('arkit-pascal maps them to NVIDIA NIM PascalCase names', () => {
    const p = preset('arkit-pascal');
    expect(Object.entries(p.blendShapes)).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES].map((n) => [n, pascalCase(n)]));
    expect(p.blendShapes.jawOpen).toBe('JawOpen');
    expect(p.blendShapes.tongueTipUp).toBe('TongueTipUp');
  });
});

describe('bindAnimation', () => {
  const sample = inspectCharacter(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face.usda');

  it('binds all 52 ARKit shapes and the four joint channels of the sample character', () => {
    const b = bindAnimation(syntheticAnimation(), sample, preset('arkit'), { jaw: 'both' });
    expect(b.report.blendShapes.matches).toHaveLength(52);
    expect(b.report.blendShapes.unmatchedSource).toEqual([]);
    // an ARKit-only animation leaves the sample's tongue poses undriven
    expect(b.report.blendShapes.unmatchedTarget).toEqual([...TONGUE_BLENDSHAPES]);
    expect(b.report.joints.matches).toEqual([
      { source: 'jaw', target: 'root/head/jaw' },
      { source: 'eye_L', target: 'root/head/eye_L' },
      { source: 'eye_R', target: 'root/head/eye_R' },
      { source: 'tongue', target: 'root/head/jaw/tongue' },
    ]);
    expect(b.report.joints.unmatchedTarget).toEqual(['root', 'root/head']);
    // the SkelAnimation lists joints in the Skeleton's order (parents first)
    expect(b.joints.map((j) => [j.token, j.skeletonIndex, j.track.name])).toEqual([
      ['root/head/jaw', 2, 'jaw'],
      ['root/head/jaw/tongue', 3, 'tongue'],
      ['root/head/eye_L', 4, 'eye_L'],
      ['root/head/eye_R', 5, 'eye_R'],
    ]);
    expect(b.blendShapes[17]).toEqual({ token: 'jawOpen', column: 17 });
  });

  it("binds all 68 channels of an animation with tongue poses: face shapes and the tongue mesh's", () => {
    const anim = createFaceAnimation({
      fps: rational(30),
      frameCount: 1,
      channels: [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES],
      provenance: PROVENANCE,
    });
    const b = bindAnimation(anim, sample, preset('arkit'));
    expect(b.report.blendShapes.matches).toHaveLength(68);
    expect(b.report.blendShapes.unmatchedSource).toEqual([]);
    expect(b.report.blendShapes.unmatchedTarget).toEqual([]);
    expect(b.blendShapes.slice(52)).toEqual(TONGUE_BLENDSHAPES.map((n, i) => ({ token: n, column: 52 + i })));
  });

  it('reports tongue poses a character does not have instead of dropping them', () => {
    const anim = createFaceAnimation({
      fps: rational(30),
      frameCount: 1,
      channels: [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES],
      provenance: PROVENANCE,
    });
    const faceOnly = { ...sample, meshes: sample.meshes.filter((m) => m.path === '/Character/Face'), blendShapes: [...ARKIT_BLENDSHAPES] };
    const b = bindAnimation(anim, faceOnly, preset('arkit'));
    expect(b.report.blendShapes.matches).toHaveLength(52);
    expect(b.report.blendShapes.unmatchedSource).toEqual([...TONGUE_BLENDSHAPES]);
  });

  it('lists every unmatched name on both sides for a character missing shapes and joints', () => {
    const kid = inspectCharacter(SPARSE_USDA, 'kid.usda');
    const b = bindAnimation(syntheticAnimation(), kid, preset('arkit'));
    expect(b.report.blendShapes.matches).toEqual([
      { source: 'eyeBlinkLeft', target: 'eyeBlinkLeft' },
      { source: 'jawOpen', target: 'jawOpen' },
    ]);
    expect(b.report.blendShapes.unmatchedSource).toEqual(ARKIT_BLENDSHAPES.filter((n) => n !== 'jawOpen' && n !== 'eyeBlinkLeft'));
    expect(b.report.blendShapes.unmatchedTarget).toEqual(['customSneer']);
    expect(b.report.joints.matches).toEqual([{ source: 'jaw', target: 'root/jaw' }]);
    expect(b.report.joints.unmatchedSource).toEqual(['eye_L', 'eye_R', 'tongue']);
    expect(b.report.joints.unmatchedTarget).toEqual(['root']);
  });

  it('applies preset renames onto PascalCase shapes and differently named joints', () => {
    const hero = inspectCharacter(HERO_USDA, 'hero.usda');
    const custom = { ...preset('arkit-pascal'), joints: { eye_L: 'LeftEye', eye_R: 'RightEye' } };
    const b = bindAnimation(syntheticAnimation(), hero, custom, { jaw: 'both' });
    expect(b.report.blendShapes.matches.map((m) => m.target)).toEqual(['EyeBlinkLeft', 'JawOpen', 'MouthSmileLeft', 'TongueOut']);
    expect(b.report.joints.matches).toEqual([
      { source: 'jaw', target: 'Root/Head/Jaw' },
      { source: 'eye_L', target: 'Root/Head/LeftEye' },
      { source: 'eye_R', target: 'Root/Head/RightEye' },
    ]);
    const none = bindAnimation(
      syntheticAnimation(),
      inspectCharacter(SPARSE_USDA.replace(/"jawOpen", "eyeBlinkLeft", /, ''), 'kid.usda'),
      EMPTY_PRESET,
    );
    expect(none.report.notes.at(-1)).toMatch(/none of the 52 blendshape channels matched/);
  });
});
