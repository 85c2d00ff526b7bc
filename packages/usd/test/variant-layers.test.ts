// Layers over a character composed with a chosen variant (--variant): they author the selection at
// the composed path that holds the set, so real USD composes the character the animation was bound to.
import { parseBindingPreset, rational } from '@a2f/animation';
import { tempDir } from '@a2f/test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { usdReadbackMany, type ReadbackResult } from '../../../test/usd/validate.js';
import { buildAnimationLayers, inspectCharacter, metadataValue, parseUsda, type CharacterInfo, type Layering } from '../src/index.js';
import { repoRoot, sampleCharacterPath, syntheticAnimation } from './fixtures.js';

const arkit = parseBindingPreset(JSON.parse(fs.readFileSync(path.join(repoRoot, 'templates/bindings/arkit.json'), 'utf8')), 'arkit.json');
const dir = tempDir('variant-layers');
const charFile = path.join(dir, 'character', 'bearded.usda');
const shots = path.join(dir, 'shots');

// The sample face with a variant set on its SkelRoot: "none" (authored) or "beard", which adds a mesh.
const BEARD =
  'def Mesh "Beard" ( prepend apiSchemas = ["SkelBindingAPI"] ) {\n' +
  '                uniform token[] skel:blendShapes = ["jawOpen"]\n' +
  '                rel skel:blendShapeTargets = </Character/Face/jawOpen>\n' +
  '                rel skel:skeleton = </Character/Skel>\n            }';
const VARIANT_SET = `    variantSet "extras" = {\n        "none" {\n        }\n        "beard" {\n            ${BEARD}\n        }\n    }`;
const BEARDED = fs
  .readFileSync(sampleCharacterPath, 'utf8')
  .replace(
    'def SkelRoot "Character" (\n    kind = "component"\n)\n{',
    'def SkelRoot "Character" (\n    kind = "component"\n    variants = { string extras = "none" }\n' +
      `    prepend variantSets = "extras"\n)\n{\n${VARIANT_SET}`,
  );

const anim = syntheticAnimation(rational(30));
const layersFor = (character: CharacterInfo, key: string, layering: Layering): string[] => {
  const { layers } = buildAnimationLayers(anim, character, {
    layering,
    preset: arkit,
    name: key,
    characterAssetPath: '../character/bearded.usda',
  });
  return layers.map((l) => {
    const out = path.join(shots, l.fileName);
    fs.writeFileSync(out, l.text());
    return out;
  });
};

let authored: CharacterInfo;
let bearded: CharacterInfo;
const files: Record<string, string[]> = {};
let readback: Record<string, ReadbackResult> = {};

beforeAll(async () => {
  fs.mkdirSync(path.dirname(charFile), { recursive: true });
  fs.mkdirSync(shots, { recursive: true });
  fs.writeFileSync(charFile, BEARDED);
  authored = inspectCharacter(charFile);
  bearded = inspectCharacter(charFile, { variants: { extras: 'beard' } });
  files.plain = layersFor(authored, 'plain', 'override');
  files.over = layersFor(bearded, 'over', 'override');
  files.ref = layersFor(bearded, 'ref', 'reference');
  const requests = {
    plain: { root: files.plain[0], others: [charFile] },
    over: { root: files.over[0], others: [charFile], attrs: ['/Character/over.blendShapes', '/Character/Beard.skel:blendShapes'] },
    ref: { root: files.ref[1], others: [files.ref[0], charFile], attrs: ['/Character/Beard.skel:blendShapes'] },
  };
  const results = await usdReadbackMany(Object.values(requests));
  readback = Object.fromEntries(Object.keys(requests).map((k, i) => [k, results[i]]));
}, 120_000);

describe('layers over a character composed with --variant', () => {
  it('reads which selections the stage was composed with, and which the caller chose', () => {
    expect(authored.variants).toEqual([{ path: '/Character', set: 'extras', selection: 'none', requested: false }]);
    expect(bearded.variants).toEqual([{ path: '/Character', set: 'extras', selection: 'beard', requested: true }]);
    expect(bearded.meshes.map((m) => m.path)).toContain('/Character/Beard');
  });

  it('authors the chosen selection on the prim that holds the set, and records it in the provenance', () => {
    const over = parseUsda(fs.readFileSync(files.over[0], 'utf8'), files.over[0]);
    expect(over.prims.map((p) => p.path)).toEqual(['/Character']);
    expect(metadataValue(over.prims[0].metadata, 'variants')).toEqual({
      kind: 'dictionary',
      entries: { extras: { type: 'string', value: 'beard' } },
    });
    expect(over.prims[0].children.map((c) => c.name)).toEqual(['Skel', 'over']);
    const shot = parseUsda(fs.readFileSync(files.ref[1], 'utf8'), files.ref[1]);
    expect(metadataValue(shot.prims[0].metadata, 'variants')).toMatchObject({ entries: { extras: { value: 'beard' } } });
    expect(fs.readFileSync(files.over[0], 'utf8')).toMatch(/\n {16}dictionary variants = \{\s*string extras = "beard"\s*\}/);
    // The authored selection is the asset's own business: nothing is written for it.
    const plain = parseUsda(fs.readFileSync(files.plain[0], 'utf8'), files.plain[0]);
    expect(metadataValue(plain.prims[0].metadata, 'variants')).toBeUndefined();
  });

  it('composes in real USD with the chosen variant in both patterns, and without it when none was chosen', () => {
    for (const key of ['plain', 'over', 'ref']) expect(readback[key].errors, key).toEqual([]);
    expect(readback.plain.prims['/Character/Beard']).toBeUndefined();
    expect(readback.over.prims['/Character/Beard']).toMatchObject({ type: 'Mesh' });
    expect(readback.ref.prims['/Character/Beard']).toMatchObject({ type: 'Mesh' });
    expect(readback.over.defaults['/Character/Beard.skel:blendShapes']).toEqual(['jawOpen']);
  });
});
