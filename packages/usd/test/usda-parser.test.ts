import { describe, expect, it } from 'vitest';
import { isA2fError } from '@a2f/base';
import { thrown } from '@a2f/test-utils';
import { metadataValue, parseUsda, resolvePath, UsdaSyntaxError, UsdError, type UsdaPrim } from '../src/index.js';
import { HERO_USDA } from './fixtures.js';

const find = (prims: readonly UsdaPrim[], path: string): UsdaPrim | undefined => {
  for (const p of prims) {
    if (p.path === path) return p;
    const c = find(p.children, path);
    if (c) return c;
  }
  return undefined;
};

describe('parseUsda', () => {
  const layer = parseUsda(HERO_USDA, 'hero.usda');

  it('reads layer metadata: doc strings, nested dictionaries, numbers, tokens', () => {
    expect(metadataValue(layer.metadata, 'doc')).toBe('A doc string with a "quote" and # no comment');
    expect(metadataValue(layer.metadata, 'metersPerUnit')).toBe(1);
    expect(metadataValue(layer.metadata, 'upAxis')).toBe('Z');
    expect(metadataValue(layer.metadata, 'customLayerData')).toEqual({
      kind: 'dictionary',
      entries: {
        studio: {
          type: 'dictionary',
          value: {
            kind: 'dictionary',
            entries: {
              note: { type: 'string', value: 'braces { } and [ ] inside' },
              deeper: { type: 'dictionary', value: { kind: 'dictionary', entries: { list: { type: 'int[]', value: [1, 2] } } } },
            },
          },
        },
      },
    });
  });

  it('builds the prim tree with specifiers, types, paths and lines (variant bodies kept apart, reorder statements skipped)', () => {
    expect(layer.prims.map((p) => p.path)).toEqual(['/World']);
    const hero = find(layer.prims, '/World/Chars/Hero')!;
    expect(hero.typeName).toBe('SkelRoot');
    expect(hero.children.map((c) => c.name)).toEqual(['Rig', 'Body', 'Head']);
    expect(hero.line).toBe(25);
    expect(find(layer.prims, '/World/Props')?.typeName).toBe('Scope');
    expect(metadataValue(hero.metadata, 'apiSchemas')).toEqual(['SkelBindingAPI']);
    expect(hero.metadata.find((m) => m.key === 'apiSchemas')?.op).toBe('prepend');
  });

  it('reads attributes: types, variability, defaults, time samples, property metadata, escapes', () => {
    const skel = find(layer.prims, '/World/Chars/Hero/Rig/Skel')!;
    const joints = skel.properties.get('joints')!;
    expect(joints).toMatchObject({ typeName: 'token[]', uniform: true, kind: 'attribute' });
    expect(joints.default).toHaveLength(5);
    expect(skel.properties.get('userNote')).toMatchObject({ custom: true, typeName: 'string', default: 'single "quoted"\ttab' });
    const face = find(layer.prims, '/World/Chars/Hero/Head/Face')!;
    expect(face.properties.get('points')!.timeSamples).toEqual([
      [
        0,
        [
          [0, 0, 0],
          [1, 0, 0],
        ],
      ],
      [
        1.5,
        [
          [0, 0, 0],
          [1, 1, 0],
        ],
      ],
    ]);
    const ji = face.properties.get('primvars:skel:jointIndices')!;
    expect(ji.default).toEqual([0, 2]);
    expect(metadataValue(ji.metadata, 'interpolation')).toBe('vertex');
    expect(metadataValue(ji.metadata, 'elementSize')).toBe(1);
  });

  it('resolves relationship targets, relative ones against their prim', () => {
    const face = find(layer.prims, '/World/Chars/Hero/Head/Face')!;
    expect(face.properties.get('skel:blendShapeTargets')!.targets).toEqual([
      '/World/Chars/Hero/Head/Face/JawOpen',
      '/World/Chars/Hero/Head/Face/EyeBlinkLeft',
      '/World/Chars/Hero/Head/Face/MouthSmileLeft',
    ]);
    expect(find(layer.prims, '/World/Chars/Hero/Head')!.properties.get('skel:skeleton')!.targets).toEqual(['/World/Chars/Hero/Rig/Skel']);
    expect(find(layer.prims, '/World/Chars/Hero/Head/Teeth')!.properties.get('skel:blendShapeTargets')!.targets).toHaveLength(2);
    expect(resolvePath('/A/B', '../C/./D')).toBe('/A/C/D');
  });

  it('can skip big values without materialising them', () => {
    const skipped = parseUsda(HERO_USDA, 'hero.usda', { keepValue: (_p, name) => name !== 'points' });
    expect(find(skipped.prims, '/World/Chars/Hero/Head/Face')!.properties.get('points')!.default).toEqual({ kind: 'skipped' });
  });

  it.each([
    ['def "A"\n{\n', 'x.usda:4: prim </A> opened on line 2 is not closed with "}"'],
    ['def "A"\n{\n    float3[] v = [(1, 2, 3]\n}\n', 'x.usda:4: expected "," or ")" in a list, found "]"'],
    ['def "A" {\n    rel r = </B\n}\n', 'x.usda:3: unterminated path (missing ">")'],
    ['def "A" {\n    string s = "abc\n}\n', 'x.usda:3: line break inside a single-quoted string'],
    ['def A {}\n', 'x.usda:2: expected the quoted prim name after "def A", found "{"'],
    ['def "A" {\n    rel r = "B"\n}\n', 'x.usda:3: relationship </A.r> targets must be <paths>'],
  ])('reports %j with file and line', (body, message) => {
    expect(() => parseUsda(`#usda 1.0\n${body}`, 'x.usda')).toThrow(message);
  });

  it('refuses other formats with a hint', () => {
    expect(() => parseUsda('PXR-USDC\x00\x00', 'face.usdc')).toThrow(/binary \.usdc.*usdcat/);
    expect(() => parseUsda('hello', 'face.txt')).toThrow('face.txt:1: not a .usda text layer: the first line must be "#usda 1.0"');
  });

  it('throws errors of the one a2f shape: code, file (with the line), problem and fix', () => {
    const syntax = thrown(() => parseUsda('#usda 1.0\ndef "A" {\n    rel r = </B\n}\n', 'x.usda'));
    expect(syntax).toBeInstanceOf(UsdaSyntaxError);
    expect(isA2fError(syntax)).toBe(true);
    expect(syntax).toMatchObject({
      code: 'USDA_SYNTAX',
      file: 'x.usda:3',
      path: 'x.usda',
      line: 3,
      problem: 'unterminated path (missing ">")',
    });
    expect(syntax.message).toBe(`x.usda:3: unterminated path (missing ">"). ${(syntax as UsdaSyntaxError).fix}`);
    const usdz = thrown(() => parseUsda('PK\x03\x04rest', 'face.usdz'));
    expect(usdz).toBeInstanceOf(UsdError);
    expect(usdz).toMatchObject({ code: 'NOT_USDA', file: 'face.usdz', fix: 'Unpack it and point at the .usda layer inside.' });
  });
});
