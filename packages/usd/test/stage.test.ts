import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { thrown } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { writeUsdz } from './crate/write-usdz.js';
import { characterFromLayer, metadataValue, openStage, type UsdaLayer, type UsdaPrim, UsdError } from '../src/index.js';

const DIR = path.relative(process.cwd(), fileURLToPath(new URL('./composed/', import.meta.url)));
const at = (name: string): string => path.join(DIR, name);

function find(layer: UsdaLayer, p: string): UsdaPrim {
  const walk = (prims: readonly UsdaPrim[]): UsdaPrim | undefined => {
    for (const prim of prims) {
      if (prim.path === p) return prim;
      const c = walk(prim.children);
      if (c) return c;
    }
    return undefined;
  };
  const found = walk(layer.prims);
  if (!found) throw new Error(`no prim <${p}> in the flattened stage`);
  return found;
}
const paths = (layer: UsdaLayer): string[] => {
  const out: string[] = [];
  const walk = (prims: readonly UsdaPrim[]) => {
    for (const p of prims) {
      out.push(p.path);
      walk(p.children);
    }
  };
  walk(layer.prims);
  return out;
};

describe('openStage: a character composed of several layers (test/composed/hero.usda)', () => {
  const stage = openStage(at('hero.usda'));
  const flat = stage.flattened;

  it('follows the sublayer, the reference, the class, the variant and its payload, and drops the inactive prim', () => {
    expect(paths(flat)).toEqual([
      '/Hero',
      '/Hero/Skel',
      '/Hero/Face',
      '/Hero/Face/jawOpen',
      '/Hero/Face/mouthClose',
      '/Hero/Face/eyeBlinkLeft',
      '/_class_Character',
    ]);
    expect(stage.layers).toEqual(['hero.usda', 'shot-anim.usda', 'rig.usda', 'face-full.usda'].map(at));
    expect(stage.rootFile).toBe(at('hero.usda'));
    expect(metadataValue(stage.metadata, 'upAxis')).toBe('Y');
  });

  it('takes the type from the strongest opinion that has one, and the spec that defines each prim as its origin', () => {
    expect(find(flat, '/Hero')).toMatchObject({
      specifier: 'def',
      typeName: 'SkelRoot',
      origin: { layer: at('hero.usda'), path: '/Hero' },
    });
    expect(find(flat, '/Hero/Skel')).toMatchObject({ typeName: 'Skeleton', origin: { layer: at('rig.usda'), path: '/Rig/Skel' } });
    expect(find(flat, '/Hero/Face').origin).toEqual({ layer: at('hero.usda'), path: '/Hero{face=full}/Face' });
    expect(find(flat, '/Hero/Face').properties.get('skel:blendShapes')!.origin).toEqual({
      layer: at('face-full.usda'),
      path: '/FaceFull.skel:blendShapes',
    });
    expect(find(flat, '/_class_Character').specifier).toBe('class');
  });

  it("maps relationship targets from the payloaded prim and from a reference to a layer's defaultPrim into the stage's namespace", () => {
    expect(find(flat, '/Hero/Skel').properties.get('studio:self')!.targets).toEqual(['/Hero/Skel']);
    const face = find(flat, '/Hero/Face');
    expect(face.properties.get('skel:blendShapes')!.default).toEqual(['jawOpen', 'mouthClose', 'eyeBlinkLeft']);
    expect(face.properties.get('skel:blendShapeTargets')!.targets).toEqual([
      '/Hero/Face/jawOpen',
      '/Hero/Face/mouthClose',
      '/Hero/Face/eyeBlinkLeft',
    ]);
  });

  it("records the variant selection used and applies the sublayer's offset and scale to its time samples", () => {
    expect(metadataValue(find(flat, '/Hero').metadata, 'variants')).toEqual({
      kind: 'dictionary',
      entries: { face: { type: 'string', value: 'full' } },
    });
    expect(metadataValue(find(flat, '/Hero').metadata, 'apiSchemas')).toEqual(['SkelBindingAPI']);
    // customData merges key by key across the reference, nested dictionaries too.
    expect(metadataValue(find(flat, '/Hero').metadata, 'customData')).toEqual({
      kind: 'dictionary',
      entries: {
        owner: { type: 'string', value: 'face team' },
        rig: { type: 'string', value: 'v3' },
        a2f: {
          type: 'dictionary',
          value: { kind: 'dictionary', entries: { build: { type: 'int', value: 7 }, version: { type: 'int', value: 2 } } },
        },
      },
    });
    const blink = find(flat, '/Hero/Skel').properties.get('studio:blink')!;
    expect(blink.default).toBe(0.5); // from the referenced rig
    expect(blink.timeSamples).toEqual([
      [10, 0],
      [20, 1],
    ]); // shot-anim.usda is sublayered with offset 10, scale 2
    expect(find(flat, '/Hero').properties.get('studio:department')!.default).toBe('characters'); // inherited from the class
  });

  it('reads as a character like a single text layer does', () => {
    const info = characterFromLayer(flat);
    expect(info.skeleton.path).toBe('/Hero/Skel');
    expect(info.skeleton.joints).toEqual(['root', 'root/jaw']);
    expect(info.meshes.map((m) => m.path)).toEqual(['/Hero/Face']);
    expect(info.blendShapes).toEqual(['jawOpen', 'mouthClose', 'eyeBlinkLeft']);
  });
});

describe('openStage: variant selections', () => {
  const shapes = (file: string, variants?: Record<string, string>) =>
    find(openStage(at(file), { variants }).flattened, '/Hero/Face').properties.get('skel:blendShapes')!.default;

  it('uses the strongest authored selection, and the one asked for over any authored', () => {
    expect(shapes('hero-lite.usda')).toEqual(['jawOpen']); // a stronger layer selects lite
    expect(shapes('hero.usda', { face: 'lite' })).toEqual(['jawOpen']);
    expect(shapes('hero-lite.usda', { face: 'full' })).toEqual(['jawOpen', 'mouthClose', 'eyeBlinkLeft']);
    expect(openStage(at('hero.usda'), { variants: { face: 'lite' } }).layers).toContain(at('face-lite.usda'));
    expect(openStage(at('hero.usda'), { variants: { face: 'lite' } }).layers).not.toContain(at('face-full.usda'));
  });

  it('refuses a variant the set does not have, naming the prim, the set and its variants', () => {
    const err = thrown(() => openStage(at('hero.usda'), { variants: { face: 'medium' } }));
    expect(err).toBeInstanceOf(UsdError);
    expect(err).toMatchObject({
      code: 'VARIANT_UNKNOWN',
      file: at('hero.usda'),
      problem: 'prim </Hero> has no variant "medium" in its variant set "face" (its variants: full, lite)',
      fix: 'Choose one of those with --variant face=full, or leave face out to keep the authored selection.',
    });
  });

  it('refuses a variant set no prim has, listing the sets there are', () => {
    expect(thrown(() => openStage(at('hero.usda'), { variants: { lod: 'high' } }))).toMatchObject({
      code: 'VARIANT_UNKNOWN',
      problem: 'no prim of the composed stage has a variant set "lod" (asked for lod=high); its variant sets: face on </Hero>',
    });
  });
});

describe('openStage: internal references, specializes and reference offsets (test/composed/arcs.usda)', () => {
  const flat = openStage(at('arcs.usda')).flattened;

  it('an internal reference brings the prim and its children, local opinions stronger, targets remapped', () => {
    const internal = find(flat, '/World/Internal');
    expect(internal.properties.get('size')!.default).toBe(2);
    expect(internal.properties.get('color')!.default).toBe(5);
    expect(internal.properties.get('material:binding')!.targets).toEqual(['/World/Internal/Look']);
    expect(find(flat, '/World/Internal/Look').typeName).toBe('Scope');
  });

  it('specializes is weaker than a reference on the same prim', () => {
    const special = find(flat, '/World/Special');
    expect(special.properties.get('studio:blink')!.default).toBe(0.5); // the referenced rig's, not the specialized class's 9
    expect(special.properties.get('color')!.default).toBe(5);
    expect(special.properties.get('joints')!.default).toEqual(['root', 'root/jaw']);
  });

  it("applies a reference's layer offset to the referenced time samples", () => {
    const skel = find(flat, '/World/Shifted/Skel');
    expect(skel.specifier).toBe('over');
    expect(skel.properties.get('studio:blink')!.timeSamples).toEqual([
      [3, 0],
      [5.5, 1],
    ]);
  });
});

describe('openStage: selections over referenced variant sets, nested sets, classes with children (test/composed/nested.usda)', () => {
  const geo = (variants?: Record<string, string>) => find(openStage(at('nested.usda'), { variants }).flattened, '/Set/Hero/Geo');

  it("a referencing prim's selection beats the asset's; a nested set takes the strongest one (the asset prim's, not its variant's)", () => {
    expect(geo().properties.get('detail')!.default).toBe(1);
    expect(geo().properties.get('primvars:displayColor')!.default).toEqual([[1, 0, 0]]);
    expect(geo().origin).toEqual({ layer: at('lod-asset.usda'), path: '/Asset{lod=low}/Geo' });
  });

  it('--variant reaches sets inside referenced assets and inside variants', () => {
    expect(geo({ look: 'blue' }).properties.get('primvars:displayColor')!.default).toEqual([[0, 0, 1]]);
    expect(geo({ lod: 'high' }).properties.get('detail')!.default).toBe(2);
    expect(geo({ lod: 'high' }).properties.has('primvars:displayColor')).toBe(false);
    // A variant the referencing layer adds to the asset's set.
    expect(geo({ lod: 'proxy' })).toMatchObject({ specifier: 'over', typeName: '' });
    expect(geo({ lod: 'proxy' }).properties.get('detail')!.default).toBe(0);
    expect(thrown(() => geo({ lod: 'mid' }))).toMatchObject({
      code: 'VARIANT_UNKNOWN',
      file: at('nested.usda'),
      problem: 'prim </Set/Hero> has no variant "mid" in its variant set "lod" (its variants: proxy, high, low)',
    });
    // With lod=high no prim has the look set any more.
    expect(thrown(() => geo({ lod: 'high', look: 'red' }))).toMatchObject({
      code: 'VARIANT_UNKNOWN',
      problem: expect.stringContaining('"look"'),
    });
  });

  it("a class's children reach the inheriting prim, whose own opinions stay stronger", () => {
    const body = find(openStage(at('nested.usda')).flattened, '/Set/Crowd/Body');
    expect(body).toMatchObject({ specifier: 'def', typeName: 'Mesh' });
    expect(body.properties.get('size')!.default).toBe(4);
    expect(body.properties.get('mass')!.default).toBe(70);
  });
});

describe('openStage: layers at other time code rates (test/composed/rate.usda)', () => {
  it('scales a sublayer or referenced layer by the ratio of the rates, then applies its layer offset', () => {
    const a = find(openStage(at('rate.usda')).flattened, '/A');
    // rate-48.usda at 48 per second under 24: times halve, then offset 2.
    expect(a.properties.get('x')!.timeSamples).toEqual([
      [2, 0],
      [26, 1],
    ]);
    // rate-12.usda has framesPerSecond 12 and no timeCodesPerSecond: times double, then scale 2 and offset 1.
    expect(a.properties.get('y')!.timeSamples).toEqual([
      [1, 0],
      [49, 1],
    ]);
  });
});

describe('openStage: implied inherits (test/composed/implied.usda)', () => {
  it("a class in the root layer stack beats the referenced asset's own opinions and its class", () => {
    const flat = openStage(at('implied.usda')).flattened;
    const extra = find(flat, '/Crowd/Extra1');
    expect(extra.properties.get('height')!.default).toBe(180); // the root's class, over the asset's 170 and its class's 160
    expect(extra.properties.get('height')!.origin).toEqual({ layer: at('implied.usda'), path: '/_class_Extra.height' });
    expect(extra.properties.get('width')!.default).toBe(50);
    expect(extra.properties.get('depth')!.default).toBe(30);
    expect(find(flat, '/Crowd/Extra1/Face').properties.get('skel:blendShapes')!.default).toEqual(['jawOpen', 'mouthClose']);
  });
});

describe('openStage: bad composition', () => {
  const tmp = mkdtempSync(path.join(tmpdir(), 'a2f-stage-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const write = (name: string, body: string): string => {
    const file = path.join(tmp, name);
    writeFileSync(file, `#usda 1.0\n${body}`);
    return file;
  };

  it.each([
    ['references', 'def Xform "A" (\n    references = @./gone.usda@</X>\n)\n{\n}\n'],
    ['payload', 'def Xform "A" (\n    payload = @./gone.usda@</X>\n)\n{\n}\n'],
  ])('names a missing %s file, the layer and line that asked for it, and the fix', (arc, body) => {
    const file = write(`asks-${arc}.usda`, body);
    expect(thrown(() => openStage(file))).toMatchObject({
      code: 'ASSET_NOT_FOUND',
      file: `${file}:3`,
      problem: `${arc} @./gone.usda@ names ${path.join(tmp, 'gone.usda')}, which does not exist`,
      fix: `Put the file there, or correct the path in ${file} (relative paths are relative to the layer that writes them).`,
    });
  });

  it('names a missing sublayer the same way', () => {
    const file = write('sub.usda', '(\n    subLayers = [@./nope.usda@]\n)\n');
    expect(thrown(() => openStage(file))).toMatchObject({ code: 'ASSET_NOT_FOUND', file: `${file}:3` });
  });

  it('resolves paths inside a .usdz relative to the entry that writes them, and names the entry a package lacks', () => {
    const root = '#usda 1.0\ndef Xform "A" (\n    references = @./geo/mesh.usda@\n)\n{\n}\n';
    const mesh = '#usda 1.0\n(\n    defaultPrim = "M"\n)\ndef Mesh "M" (\n    references = @./shape.usda@\n)\n{\n}\n';
    const shape = '#usda 1.0\n(\n    defaultPrim = "S"\n)\ndef Mesh "S"\n{\n    float size = 7\n}\n';
    const pkg = path.join(tmp, 'char.usdz');
    writeFileSync(
      pkg,
      writeUsdz([
        { name: 'root.usda', data: root },
        { name: 'geo/mesh.usda', data: mesh },
        { name: 'geo/shape.usda', data: shape },
      ]),
    );
    const stage = openStage(pkg);
    expect(find(stage.flattened, '/A').properties.get('size')!.default).toBe(7);
    expect(stage.layers).toEqual([pkg, `${pkg}[geo/mesh.usda]`, `${pkg}[geo/shape.usda]`]);

    const broken = path.join(tmp, 'broken.usdz');
    writeFileSync(
      broken,
      writeUsdz([
        { name: 'root.usda', data: root },
        { name: 'geo/shape.usda', data: shape },
      ]),
    );
    expect(thrown(() => openStage(broken))).toMatchObject({
      code: 'ASSET_NOT_FOUND',
      file: `${broken}[root.usda]:3`,
      problem:
        `references @./geo/mesh.usda@ names ${broken}[geo/mesh.usda]: ` +
        'the package has no entry "geo/mesh.usda" (it holds root.usda, geo/shape.usda)',
    });
  });

  it('refuses a sublayer cycle, naming the chain', () => {
    write('b.usda', '(\n    subLayers = [@./c.usda@]\n)\n');
    write('c.usda', '(\n    subLayers = [@./b.usda@]\n)\n');
    const a = write('a.usda', '(\n    subLayers = [@./b.usda@]\n)\n');
    expect(thrown(() => openStage(a))).toMatchObject({
      code: 'SUBLAYER_CYCLE',
      file: `${path.join(tmp, 'c.usda')}:3`,
      problem: 'sublayers form a cycle: b.usda → c.usda → b.usda',
    });
  });

  it('refuses a reference with no prim path into a layer with no defaultPrim', () => {
    write('plain.usda', 'def Xform "X"\n{\n}\n');
    const file = write('nodefault.usda', 'def Xform "A" (\n    references = @./plain.usda@\n)\n{\n}\n');
    expect(thrown(() => openStage(file))).toMatchObject({
      code: 'BAD_REFERENCE',
      file: `${file}:3`,
      problem: 'references @./plain.usda@ on </A> names no prim, and plain.usda has no defaultPrim',
    });
  });

  it('keeps instanceable on the composed prim (the character reader refuses skinned meshes in instances)', () => {
    const asset = write(
      'inst-asset.usda',
      '(\n    defaultPrim = "Rig"\n)\ndef Xform "Rig" (\n    instanceable = true\n)\n{\n    def Mesh "Face"\n    {\n    }\n}\n',
    );
    const file = write('inst.usda', `def Xform "A" (\n    references = @./${path.basename(asset)}@\n)\n{\n}\n`);
    const a = find(openStage(file).flattened, '/A');
    expect(metadataValue(a.metadata, 'instanceable')).toBe(true);
    expect(a.children.map((c) => c.path)).toEqual(['/A/Face']);
  });

  it('does not follow a reference back into a site it came from', () => {
    const file = write(
      'loop.usda',
      'def Xform "A" (\n    references = </B>\n)\n{\n    float a = 1\n}\ndef Xform "B" (\n    references = </A>\n)\n{\n}\n',
    );
    const flat = openStage(file).flattened;
    expect(find(flat, '/B').properties.get('a')!.default).toBe(1);
    expect(find(flat, '/A').properties.get('a')!.default).toBe(1);
  });
});
