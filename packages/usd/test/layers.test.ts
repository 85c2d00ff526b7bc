// Both layering patterns on the sample character and on hand-written assets, checked by real
// Pixar USD (composition, flattened read-back) and TinyUSDZ (typed stage), each in one process.
import {
  ARKIT_BLENDSHAPES,
  parseBindingPreset,
  type BindingPreset,
  quatMultiply,
  quatNormalize,
  rational,
  type FaceAnimation,
  type Quat,
} from '@a2f/animation';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyusdzCheckMany, usdReadbackMany, type ReadbackResult, type TinyusdzResult, type UsdValue } from '../../../test/usd/validate.js';
import {
  bindAnimation,
  buildAnimationLayers,
  formatFloat,
  toHalf,
  inspectCharacter,
  type AnimationLayerOptions,
  type CharacterInfo,
} from '../src/index.js';
import { tempDir } from '@a2f/test-utils';
import { HERO_USDA, SPARSE_USDA, repoRoot, sameFloat32, sampleCharacterPath, syntheticAnimation } from './fixtures.js';

const arkit = parseBindingPreset(JSON.parse(fs.readFileSync(path.join(repoRoot, 'templates/bindings/arkit.json'), 'utf8')), 'arkit.json');
const pascal = parseBindingPreset(
  JSON.parse(fs.readFileSync(path.join(repoRoot, 'templates/bindings/arkit-pascal.json'), 'utf8')),
  'arkit-pascal.json',
);
const heroPreset = { ...pascal, joints: { eye_L: 'LeftEye', eye_R: 'RightEye' } };

const dir = tempDir('layers');
const chars = path.join(dir, 'character');
const shots = path.join(dir, 'shots');
const file = (...p: string[]): string => path.join(dir, ...p);

interface Case {
  readonly anim: FaceAnimation;
  readonly character: CharacterInfo;
  readonly animPath: string;
  readonly skelPath: string;
  readonly preset: BindingPreset;
}

const anim30 = syntheticAnimation(rational(30));
const anim2997 = syntheticAnimation(rational(30000, 1001), 4);
const characters: Record<string, CharacterInfo> = {};
const cases: Record<string, Case> = {};
let readback: Record<string, ReadbackResult> = {};
let tiny: TinyusdzResult[] = [];

function build(
  key: string,
  anim: FaceAnimation,
  charFile: string,
  opts: Omit<AnimationLayerOptions, 'name' | 'characterAssetPath'>,
): string[] {
  const character = characters[charFile];
  // Both jaw drivers, so every joint path of the writer is exercised (the jaw rule is bind.test.ts's).
  const { layers, report } = buildAnimationLayers(anim, character, {
    bind: { jaw: 'both' },
    ...opts,
    name: key,
    characterAssetPath: `../character/${charFile}`,
  });
  expect(report.character).toBe(character.file);
  for (const l of layers) fs.writeFileSync(path.join(shots, l.fileName), l.text());
  cases[key] = { anim, character, animPath: `${character.skelRoot.path}/${key}`, skelPath: character.skeleton.path, preset: opts.preset };
  return layers.map((l) => path.join(shots, l.fileName));
}

beforeAll(async () => {
  fs.mkdirSync(chars);
  fs.mkdirSync(shots);
  fs.copyFileSync(sampleCharacterPath, path.join(chars, 'face.usda'));
  fs.writeFileSync(path.join(chars, 'hero.usda'), HERO_USDA);
  fs.writeFileSync(path.join(chars, 'kid.usda'), SPARSE_USDA);
  for (const f of ['face.usda', 'hero.usda', 'kid.usda']) characters[f] = inspectCharacter(fs.readFileSync(path.join(chars, f), 'utf8'), f);

  const files = [
    ...build('a30', anim30, 'face.usda', { layering: 'override', preset: arkit }),
    ...build('a2997', anim2997, 'face.usda', { layering: 'override', preset: arkit, sublayerCharacter: false }),
    ...build('b2997', anim2997, 'face.usda', { layering: 'reference', preset: arkit }),
    ...build('hero', anim30, 'hero.usda', { layering: 'override', preset: heroPreset }),
    ...build('heroref', anim30, 'hero.usda', { layering: 'reference', preset: heroPreset }),
    ...build('kid', anim30, 'kid.usda', { layering: 'override', preset: arkit }),
  ];
  // A shot stack that lists [animation, character] itself, strongest first (docs/usd-layers.md#which-pattern).
  fs.writeFileSync(
    path.join(shots, 'stack.usda'),
    '#usda 1.0\n(\n    endTimeCode = 3\n    startTimeCode = 0\n    subLayers = [\n        @./a2997.usda@,\n ' +
      '       @../character/face.usda@\n    ]\n    timeCodesPerSecond = 29.97002997002997\n)\n',
  );

  const attrs = (key: string): string[] => {
    const { animPath, skelPath } = cases[key];
    return [
      ...['blendShapeWeights', 'rotations', 'translations', 'scales', 'joints', 'blendShapes'].map((a) => `${animPath}.${a}`),
      `${skelPath}.skel:animationSource`,
    ];
  };
  const requests = {
    a30: { root: file('shots/a30.usda'), others: [file('character/face.usda')], attrs: attrs('a30') },
    a2997: { root: file('shots/stack.usda'), others: [file('shots/a2997.usda'), file('character/face.usda')], attrs: attrs('a2997') },
    a2997alone: { root: file('shots/a2997.usda'), attrs: attrs('a2997') },
    b2997: {
      root: file('shots/b2997.shot.usda'),
      others: [file('shots/b2997.anim.usda'), file('character/face.usda')],
      attrs: attrs('b2997'),
    },
    b2997anim: { root: file('shots/b2997.anim.usda'), attrs: ['/b2997.blendShapeWeights'] },
    hero: { root: file('shots/hero.usda'), others: [file('character/hero.usda')], attrs: attrs('hero') },
    heroref: {
      root: file('shots/heroref.shot.usda'),
      others: [file('shots/heroref.anim.usda'), file('character/hero.usda')],
      attrs: attrs('heroref'),
    },
    kid: { root: file('shots/kid.usda'), others: [file('character/kid.usda')], attrs: attrs('kid') },
  };
  const [results, checks] = await Promise.all([usdReadbackMany(Object.values(requests)), tinyusdzCheckMany(files)]);
  readback = Object.fromEntries(Object.keys(requests).map((k, i) => [k, results[i]]));
  tiny = checks;
});

/** What the SkelAnimation must hold at frame f: rest · delta rotations, rest + offset translations. */
function expected(c: Case, f: number) {
  // Which joints are bound is bind.test.ts's business; here the values are recomputed.
  const bound = bindAnimation(c.anim, c.character, c.preset, { jaw: 'both' }).joints.map((j) => ({
    token: j.token,
    i: j.skeletonIndex,
    track: j.track,
  }));
  const unit = 0.01 / c.character.metersPerUnit;
  const rotations = bound.map(({ i, track }) => {
    const d = track.rotations.subarray(f * 4, f * 4 + 4);
    const q = quatNormalize(quatMultiply(c.character.skeleton.rest[i].rotation, [d[0], d[1], d[2], d[3]]));
    return (q[0] < 0 ? q.map((x) => -x) : q) as Quat; // these test motions never need a sign flip after frame 0
  });
  const translations = bound.map(({ i, track }) =>
    c.character.skeleton.rest[i].translation.map((r, k) => r + track.translations[f * 3 + k] * unit),
  );
  return {
    tokens: bound.map((b) => b.token),
    rotations,
    translations,
    scales: bound.map(({ i }) => c.character.skeleton.rest[i].scale.map(toHalf)),
  };
}

const asNumbers = (v: UsdValue): number[] => (v as UsdValue[]).flat(2) as number[];

function expectBitEqual(actual: readonly number[], wanted: readonly number[], what: string): void {
  expect(actual.length, what).toBe(wanted.length);
  actual.forEach((a, i) => {
    if (!sameFloat32(a, wanted[i])) throw new Error(`${what}[${i}]: read back ${a}, wrote ${Math.fround(wanted[i])}`);
  });
}

describe.each([
  ['a30', 'override layer sublayering the character, 30 fps', 30],
  ['a2997', 'override layer in a shot stack [anim, character], 30000/1001 fps', 30000 / 1001],
  ['b2997', 'reference pattern: shot referencing character and animation asset, 30000/1001 fps', 30000 / 1001],
  ['hero', 'override layer on a nested SkelRoot with PascalCase shapes, metres', 30],
  ['heroref', 'reference pattern on the nested SkelRoot', 30],
  ['kid', 'override layer on a character missing most shapes and joints', 30],
])('%s: %s', (key, _label, tcps) => {
  it('opens in real USD without errors, with the right time range', () => {
    const r = readback[key];
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.timeCodesPerSecond).toBe(tcps);
    expect(r.startTimeCode).toBe(0);
    expect(r.endTimeCode).toBe(cases[key].anim.frameCount - 1);
    expect(r.missing).toEqual([]);
  });

  it('composes: the Skeleton points at a SkelAnimation, types come from the asset', () => {
    const r = readback[key];
    const c = cases[key];
    expect(r.targets[`${c.skelPath}.skel:animationSource`]).toEqual([c.animPath]);
    expect(r.prims[c.animPath]).toEqual({ specifier: 'def', type: 'SkelAnimation' });
    expect(r.prims[c.skelPath].type).toBe('Skeleton');
    expect(r.prims[c.character.skelRoot.path].type).toBe('SkelRoot');
  });

  it('reads back every weight sample bit-equal, spelled exactly as formatFloat spells it', () => {
    const r = readback[key];
    const c = cases[key];
    const tokens = r.defaults[`${c.animPath}.blendShapes`] as string[];
    const samples = r.samples[`${c.animPath}.blendShapeWeights`];
    expect(samples.map(([t]) => t)).toEqual(Array.from({ length: c.anim.frameCount }, (_, f) => f));
    expect(r.defaults[`${c.animPath}.blendShapeWeights`]).toEqual(tokens.map(() => 0));
    const column = (token: string): number => c.anim.channels.findIndex((ch) => ch.toLowerCase() === token.toLowerCase());
    samples.forEach(([f, values]) => {
      const wanted = tokens.map((t) => c.anim.weights[f * c.anim.channels.length + column(t)]);
      expectBitEqual(values as number[], wanted, `${key} blendShapeWeights at ${f}`);
      expect(r.sampleText[`${c.animPath}.blendShapeWeights`][f][1]).toBe(`[${wanted.map(formatFloat).join(', ')}]`);
    });
  });

  it('authors joints, rotations (rest · delta), translations (rest + offset) and scales, all sized to joints', () => {
    const r = readback[key];
    const c = cases[key];
    const e0 = expected(c, 0);
    expect(r.defaults[`${c.animPath}.joints`]).toEqual(e0.tokens);
    expect(r.defaults[`${c.animPath}.scales`]).toEqual(e0.scales);
    const rot = r.samples[`${c.animPath}.rotations`];
    expect(rot).toHaveLength(c.anim.frameCount);
    rot.forEach(([f, v]) => {
      expect((v as UsdValue[]).length).toBe(e0.tokens.length);
      expectBitEqual(asNumbers(v), expected(c, f).rotations.flat(), `${key} rotations at ${f}`);
    });
    const tr = r.samples[`${c.animPath}.translations`];
    expect(tr).toHaveLength(c.anim.frameCount);
    tr.forEach(([f, v]) => {
      expectBitEqual(asNumbers(v), expected(c, f).translations.flat(), `${key} translations at ${f}`);
    });
  });
});

describe('layer files', () => {
  it('parse in TinyUSDZ as layers and as typed stages, and convert to its render scene', () => {
    expect(tiny.map((t) => path.basename(t.file))).toEqual([
      'a30.usda',
      'a2997.usda',
      'b2997.anim.usda',
      'b2997.shot.usda',
      'hero.usda',
      'heroref.anim.usda',
      'heroref.shot.usda',
      'kid.usda',
    ]);
    for (const t of tiny) {
      expect(t.layerError, t.file).toBe('');
      expect(t.stageParsed, `${t.file}: ${t.stageError}`).toBe(true);
      expect(t.stageOk, `${t.file}: ${t.stageError}`).toBe(true); // its render-scene conversion accepts them too
    }
  });

  it('an override layer without its sublayer still opens on its own (prims are plain overs)', () => {
    const r = readback.a2997alone;
    expect(r.errors).toEqual([]);
    expect(r.prims['/Character']).toEqual({ specifier: 'over', type: '' });
    expect(r.prims['/Character/a2997']).toEqual({ specifier: 'def', type: 'SkelAnimation' });
    expect(r.samples['/Character/a2997.blendShapeWeights']).toEqual(readback.a2997.samples['/Character/a2997.blendShapeWeights']);
  });

  it('the animation asset of the reference pattern stands alone', () => {
    const r = readback.b2997anim;
    expect(r.errors).toEqual([]);
    expect(r.metadata.defaultPrim).toBe('b2997');
    expect(r.samples['/b2997.blendShapeWeights']).toHaveLength(4);
  });

  it('carries stage metadata from the asset and provenance in customLayerData', () => {
    const m = readback.a30.metadata;
    expect(m).toMatchObject({
      defaultPrim: 'Character',
      upAxis: 'Y',
      metersPerUnit: 0.01,
      framesPerSecond: 30,
      timeCodesPerSecond: 30,
      startTimeCode: 0,
      endTimeCode: 4,
    });
    expect(m.customLayerData).toEqual({
      a2f: {
        audio: { channels: 1, durationSeconds: 0.1667, file: 'dialogue/line "7".wav', sampleRate: 48000, sha256: 'ab'.repeat(32) },
        binding: {
          character: '../character/face.usda',
          layering: 'override',
          preset: 'arkit',
          jaw: { requested: 'both', mode: 'both', reason: 'chosen with --jaw' },
        },
        fps: '30',
        frameCount: 5,
        model: { id: 'synthetic', kind: 'test', version: '1' },
        parameters: { blink: 1, emotion: 'neutral', smoothing: { joints: [0.1, 0.2], weights: 0.5 }, strength: 1.25 },
        tool: { name: 'a2f', version: '0.1.0-test' },
      },
    });
    expect(readback.hero.metadata).toMatchObject({ defaultPrim: 'World', upAxis: 'Z', metersPerUnit: 1 });
    expect(readback.b2997.metadata).toMatchObject({ framesPerSecond: 30000 / 1001, timeCodesPerSecond: 30000 / 1001 });
  });
});

describe('buildAnimationLayers', () => {
  const character = (): CharacterInfo => inspectCharacter(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face.usda');

  it('names files after the take and avoids clashing prim names', () => {
    const { layers } = buildAnimationLayers(anim30, character(), {
      layering: 'reference',
      preset: arkit,
      name: '042 Hello, world!.wav',
      characterAssetPath: 'face.usda',
    });
    expect(layers.map((l) => [l.role, l.fileName])).toEqual([
      ['animation', '_042_Hello_world.anim.usda'],
      ['shot', '_042_Hello_world.shot.usda'],
    ]);
    const clash = buildAnimationLayers(anim30, character(), {
      layering: 'override',
      preset: arkit,
      name: 'Skel',
      characterAssetPath: 'face.usda',
    });
    expect(clash.layers[0].text()).toContain('def SkelAnimation "Skel_1"');
    expect(() =>
      buildAnimationLayers(anim30, character(), {
        layering: 'override',
        preset: arkit,
        name: 'x',
        characterAssetPath: 'face.usda',
        animationPrimName: 'Face',
      }),
    ).toThrow(/clashes with an existing child of <\/Character>/);
  });

  it("references the SkelRoot's top prim by path when the character has no matching defaultPrim", () => {
    const hero = { ...inspectCharacter(HERO_USDA, 'hero.usda'), defaultPrim: undefined };
    const shot = buildAnimationLayers(anim30, hero, {
      layering: 'reference',
      preset: heroPreset,
      name: 'r',
      characterAssetPath: '../character/hero.usda',
    }).layers[1].text();
    expect(shot).toContain(`def "World" (
    prepend references = @../character/hero.usda@</World>
)
{
    over "Chars"
    {
        over "Hero"
        {
            over "Rig"
            {
                over "Skel" (
                    prepend apiSchemas = ["SkelBindingAPI"]
                )
                {
                    rel skel:animationSource = </World/Chars/Hero/r>
                }
            }

            def "r" (
                prepend references = @./r.anim.usda@
            )
            {
            }
        }
    }
}`);
  });

  it('streams the same text it returns, and is deterministic', () => {
    const make = () =>
      buildAnimationLayers(anim30, character(), { layering: 'override', preset: arkit, name: 'x', characterAssetPath: 'face.usda' })
        .layers[0];
    const chunks: string[] = [];
    make().write((c) => chunks.push(c));
    expect(chunks.join('')).toBe(make().text());
  });

  it('writes static joint channels as plain values and omits the sublayer on request', () => {
    const still = syntheticAnimation(rational(24), 3);
    for (const j of still.joints) {
      for (let f = 1; f < 3; f++) {
        (j.rotations as Float32Array).set(j.rotations.subarray(0, 4), f * 4);
        (j.translations as Float32Array).set(j.translations.subarray(0, 3), f * 3);
      }
    }
    const text = buildAnimationLayers(still, character(), {
      layering: 'override',
      preset: arkit,
      name: 'still',
      characterAssetPath: 'face.usda',
      sublayerCharacter: false,
    }).layers[0].text();
    expect(text).not.toContain('subLayers');
    expect(text).toMatch(/^ {8}quatf\[\] rotations = \[\(/m);
    expect(text).toMatch(/^ {8}float3\[\] translations = \[\(/m);
    expect(text).not.toContain('rotations.timeSamples');
    expect(text).toContain('timeCodesPerSecond = 24');
  });

  it('refuses non-finite weights naming the channel and frame, before writing anything', () => {
    const bad = syntheticAnimation();
    (bad.weights as Float32Array)[3 * ARKIT_BLENDSHAPES.length + 17] = NaN;
    expect(() =>
      buildAnimationLayers(bad, character(), { layering: 'override', preset: arkit, name: 'bad', characterAssetPath: 'face.usda' }),
    ).toThrow('weight of "jawOpen" at frame 3 is not finite');
  });

  it('reports unmatched channels and scaled translation units in the report', () => {
    const { report } = buildAnimationLayers(anim30, characters['hero.usda'] ?? inspectCharacter(HERO_USDA, 'hero.usda'), {
      layering: 'override',
      preset: heroPreset,
      name: 'h',
      characterAssetPath: 'hero.usda',
    });
    expect(report.blendShapes.unmatchedSource).toHaveLength(48);
    expect(report.joints.unmatchedSource).toEqual(['tongue']);
    expect(report.notes).toContain('joint translation offsets scaled by 0.01 (animation 0.01 m/unit, character 1 m/unit)');
  });
});
