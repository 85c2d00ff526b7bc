// The animation controls that act at binding: the jaw mode (and its per-character default) and the
// channel filters, on real .usda text read by inspectCharacter.
import { ARKIT_BLENDSHAPES, ChannelFilterError, JAW_BLENDSHAPES, parseBindingPreset, rational } from '@a2f/animation';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindAnimation, bindChannels, buildAnimationLayers, inspectCharacter } from '../src/index.js';
import { SPARSE_USDA, repoRoot, sampleCharacterPath, syntheticAnimation } from './fixtures.js';

const arkitFile = path.join(repoRoot, 'templates/bindings/arkit.json');
const arkit = parseBindingPreset(JSON.parse(fs.readFileSync(arkitFile, 'utf8')), arkitFile);
const sample = inspectCharacter(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face.usda');

/** The sparse "Kid" with skinning primvars on its Face: its own joint order, one weight per point. */
function kidSkinned(jawWeight: number): string {
  const skinning = [
    '        uniform token[] skel:joints = ["root/jaw", "root"]',
    '        int[] primvars:skel:jointIndices = [1, 0, 1] (',
    '            elementSize = 1',
    '            interpolation = "vertex"',
    '        )',
    `        float[] primvars:skel:jointWeights = [1, ${jawWeight}, 1] (`,
    '            elementSize = 1',
    '            interpolation = "vertex"',
    '        )',
  ].join('\n');
  const text = SPARSE_USDA.replace('        rel skel:skeleton = </Kid/Skel>', `${skinning}\n        rel skel:skeleton = </Kid/Skel>`);
  expect(text).not.toBe(SPARSE_USDA);
  return text;
}

describe('the jaw mode', () => {
  it('reads which joints move each mesh from its skinning primvars', () => {
    expect(sample.meshes.find((m) => m.path === '/Character/Face')!.skinnedJoints).toEqual(['root/head', 'root/head/jaw']);
    expect(sample.meshes.find((m) => m.path === '/Character/Tongue')!.skinnedJoints).toEqual(['root/head/jaw/tongue']);
    expect(inspectCharacter(SPARSE_USDA, 'kid.usda').meshes[0].skinnedJoints).toEqual([]);
    // skel:joints reorders: index 0 is root/jaw there, with weight 0.4 on the second point.
    expect(inspectCharacter(kidSkinned(0.4), 'kid.usda').meshes[0].skinnedJoints).toEqual(['root', 'root/jaw']);
    expect(inspectCharacter(kidSkinned(0), 'kid.usda').meshes[0].skinnedJoints).toEqual(['root']);
  });

  it('auto on the sample character: its Face carries jawOpen and is skinned to the jaw, so only the blendshapes drive the jaw', () => {
    const b = bindAnimation(syntheticAnimation(), sample, arkit);
    expect(b.report.jaw).toMatchObject({ requested: 'auto', mode: 'blendshape' });
    expect(b.report.jaw.reason).toMatch(/<\/Character\/Face> carries "jawOpen" and is skinned to the jaw joint "root\/head\/jaw"/);
    expect(b.joints.map((j) => j.token)).toEqual(['root/head/jaw/tongue', 'root/head/eye_L', 'root/head/eye_R']);
    expect(b.blendShapes.map((s) => s.token)).toContain('jawOpen');
    expect(b.report.dropped).toEqual([{ channel: 'jaw', why: '--jaw blendshape: the jaw blendshapes move the jaw' }]);
    expect(b.report.joints.unmatchedTarget).toContain('root/head/jaw');
  });

  it('auto where jawOpen sits on a mesh no jaw influence moves: both, and a zero weight does not count as skinned', () => {
    for (const text of [SPARSE_USDA, kidSkinned(0)]) {
      const b = bindAnimation(syntheticAnimation(), inspectCharacter(text, 'kid.usda'), arkit);
      expect(b.report.jaw).toMatchObject({ requested: 'auto', mode: 'both' });
      expect(b.report.jaw.reason).toMatch(/"jawOpen" is on <\/Kid\/Face>, which no jaw joint influence moves/);
      expect(b.joints.map((j) => j.token)).toEqual(['root/jaw']);
      expect(b.blendShapes.map((s) => s.token)).toEqual(['eyeBlinkLeft', 'jawOpen']);
    }
    const skinned = bindAnimation(syntheticAnimation(), inspectCharacter(kidSkinned(0.4), 'kid.usda'), arkit);
    expect(skinned.report.jaw.mode).toBe('blendshape');
    expect(skinned.joints).toEqual([]);
  });

  it('joint writes the jaw joint and none of the jaw blendshapes; blendshape the reverse; both writes both', () => {
    const joint = bindAnimation(syntheticAnimation(), sample, arkit, { jaw: 'joint' });
    expect(joint.report.jaw).toEqual({ requested: 'joint', mode: 'joint', reason: 'chosen with --jaw' });
    expect(joint.joints.map((j) => j.token)).toContain('root/head/jaw');
    expect(joint.blendShapes.map((s) => s.token).filter((t) => t.startsWith('jaw'))).toEqual([]);
    expect(joint.report.dropped.map((d) => d.channel)).toEqual(
      [...JAW_BLENDSHAPES].sort((a, b) => ARKIT_BLENDSHAPES.indexOf(a as never) - ARKIT_BLENDSHAPES.indexOf(b as never)),
    );
    expect(joint.report.blendShapes.unmatchedTarget).toEqual(expect.arrayContaining([...JAW_BLENDSHAPES]));

    const shape = bindAnimation(syntheticAnimation(), sample, arkit, { jaw: 'blendshape' });
    expect(shape.joints.map((j) => j.token)).not.toContain('root/head/jaw');
    expect(shape.blendShapes.map((s) => s.token)).toEqual(expect.arrayContaining([...JAW_BLENDSHAPES]));

    const both = bindAnimation(syntheticAnimation(), sample, arkit, { jaw: 'both' });
    expect(both.joints.map((j) => j.token)).toContain('root/head/jaw');
    expect(both.blendShapes).toHaveLength(52);
    expect(both.report.dropped).toEqual([]);
  });

  it('notes when the chosen driver has nothing to drive', () => {
    const noJaw = inspectCharacter(SPARSE_USDA.replace('"root", "root/jaw"', '"root", "root/chin"'), 'kid.usda');
    const b = bindAnimation(syntheticAnimation(), noJaw, arkit, { jaw: 'joint' });
    expect(b.report.notes.at(-1)).toMatch(/--jaw joint, but the character has no joint our "jaw" channel binds to/);
    expect(bindAnimation(syntheticAnimation(), noJaw, arkit).report.jaw).toMatchObject({
      mode: 'both',
      reason: expect.stringMatching(/no joint our jaw channel binds to/),
    });
  });
});

describe('channel filters', () => {
  it('writes only the channels an include glob matches (blendshapes and joints alike), case ignored', () => {
    const b = bindAnimation(syntheticAnimation(), sample, arkit, { jaw: 'both', channels: { include: ['JAW*', 'mouth*'] } });
    const expected = ARKIT_BLENDSHAPES.filter((n) => n.startsWith('jaw') || n.startsWith('mouth'));
    expect(b.blendShapes.map((s) => s.token)).toEqual(expected);
    expect(b.joints.map((j) => j.token)).toEqual(['root/head/jaw']);
    expect(b.report.dropped.map((d) => d.channel)).toEqual([
      ...ARKIT_BLENDSHAPES.filter((n) => !expected.includes(n)),
      'eye_L',
      'eye_R',
      'tongue',
    ]);
    expect(b.report.dropped[0].why).toBe('left out by --channels/--exclude-channels');
  });

  it('leaves out what an exclude glob matches, after the include', () => {
    const b = bindAnimation(syntheticAnimation(), sample, arkit, { channels: { include: ['eye*'], exclude: ['eyeLook*', 'eye_?'] } });
    expect(b.blendShapes.map((s) => s.token)).toEqual([
      'eyeBlinkLeft',
      'eyeSquintLeft',
      'eyeWideLeft',
      'eyeBlinkRight',
      'eyeSquintRight',
      'eyeWideRight',
    ]);
    expect(b.joints).toEqual([]);
  });

  it('refuses a pattern that matches no channel, naming it', () => {
    const names = { blendShapes: [...ARKIT_BLENDSHAPES], joints: ['jaw'] };
    expect(() => bindChannels(names, sample, arkit, { channels: { exclude: ['eyeLook*', 'eyelid*'] } })).toThrow(ChannelFilterError);
    expect(() => bindChannels(names, sample, arkit, { channels: { exclude: ['eyeLook*', 'eyelid*'] } })).toThrow(
      /--exclude-channels: pattern "eyelid\*" matches none of the 53 channels of this model/,
    );
    expect(() => bindChannels(names, sample, arkit, { channels: { include: ['tongue'] } })).toThrow(/--channels: pattern "tongue"/);
  });
});

describe('channel motion in the report', () => {
  it('gives per channel what it drives, min/max of the written values and whether it moves', () => {
    const anim = syntheticAnimation(rational(30), 6);
    const { report } = buildAnimationLayers(anim, sample, {
      layering: 'override',
      preset: arkit,
      name: 'm',
      characterAssetPath: 'face.usda',
    });
    const channels = report.channels!;
    expect(channels).toHaveLength(52 + 4);
    const n = anim.channels.length;
    anim.channels.forEach((name, c) => {
      const column = Array.from({ length: anim.frameCount }, (_, f) => anim.weights[f * n + c]);
      expect(channels[c]).toEqual({
        channel: name,
        kind: 'blendShape',
        boundTo: name,
        min: Math.min(...column),
        max: Math.max(...column),
        animated: Math.min(...column) !== Math.max(...column),
      });
    });
    const joint = (name: string) => channels.find((c) => c.channel === name)!;
    // auto → blendshape on the sample: the jaw joint is not written, but its motion is still measured.
    expect(joint('jaw')).toMatchObject({
      kind: 'joint',
      boundTo: null,
      animated: true,
      why: '--jaw blendshape: the jaw blendshapes move the jaw',
    });
    expect(joint('jaw').min).toBeCloseTo(0, 4);
    expect(joint('jaw').max).toBeCloseTo(0.05 * 5 * (180 / Math.PI), 3);
    expect(joint('jaw').maxOffset).toBeCloseTo(Math.hypot(0.05, 0.1), 6);
    // the tongue joint is bound but never moves in this animation
    expect(joint('tongue')).toMatchObject({ boundTo: 'root/head/jaw/tongue', min: 0, max: 0, maxOffset: 0, animated: false });
    expect(joint('eye_L')).toMatchObject({ boundTo: 'root/head/eye_L', animated: true });
  });
});
