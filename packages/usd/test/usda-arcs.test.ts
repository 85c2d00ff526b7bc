import { describe, expect, it } from 'vitest';
import { metadataValue, parseUsda } from '../src/index.js';
import { HERO_USDA } from './fixtures.js';

const ARCS_USDA = `#usda 1.0
(
    defaultPrim = "Asset"
    subLayers = [
        @./anim.usda@ (offset = 10; scale = 2),
        @./base.usda@
    ]
)

def Xform "Asset" (
    prepend references = [@./geo.usdc@</Geo> (offset = -4), </Local>]
    payload = @./face.usd@ (scale = 0.5)
    inherits = </_class_Face>
    append specializes = [</_base>]
    variants = {
        string lod = "low"
    }
    prepend variantSets = ["lod", "look"]
    instanceable = true
    active = false
    kind = "component"
)
{
    variantSet "lod" = {
        "high" (
            prepend references = @./high.usda@
        ) {
            def Mesh "Face" { float x = 1 }
            variantSet "look" = {
                "a" { }
            }
        }
        "low" {
            over "Face" { float x = 2 }
        }
    }
}
`;

describe('parseUsda composition arcs', () => {
  const layer = parseUsda(ARCS_USDA, 'asset.usda');
  const asset = layer.prims[0];
  const md = (key: string) => asset.metadata.find((m) => m.key === key);

  it('reads sublayers with their layer offsets', () => {
    expect(metadataValue(layer.metadata, 'subLayers')).toEqual([
      { kind: 'asset', asset: './anim.usda', offset: 10, scale: 2 },
      { kind: 'asset', asset: './base.usda' },
    ]);
  });

  it('reads references, payloads, inherits and specializes as lists with their list ops and offsets', () => {
    expect(md('references')).toMatchObject({
      op: 'prepend',
      value: [
        { kind: 'asset', asset: './geo.usdc', primPath: '/Geo', offset: -4 },
        { kind: 'asset', asset: '', primPath: '/Local' },
      ],
    });
    expect(md('payload')).toMatchObject({ op: undefined, value: [{ kind: 'asset', asset: './face.usd', scale: 0.5 }] });
    expect(md('inherits')?.value).toEqual([{ kind: 'path', path: '/_class_Face' }]);
    expect(md('specializes')).toMatchObject({ op: 'append', value: [{ kind: 'path', path: '/_base' }] });
  });

  it('reads variant selections, variant set names, instanceable, active and kind', () => {
    expect(metadataValue(asset.metadata, 'variants')).toEqual({ kind: 'dictionary', entries: { lod: { type: 'string', value: 'low' } } });
    expect(md('variantSets')).toMatchObject({ op: 'prepend', value: ['lod', 'look'] });
    expect(metadataValue(asset.metadata, 'instanceable')).toBe(true);
    expect(metadataValue(asset.metadata, 'active')).toBe(false);
    expect(metadataValue(asset.metadata, 'kind')).toBe('component');
  });

  it('keeps variant bodies: metadata, child prims with the owning prim path, properties, nested sets', () => {
    const lod = asset.variantSets!.get('lod')!;
    expect([...lod.keys()]).toEqual(['high', 'low']);
    const high = lod.get('high')!;
    expect(metadataValue(high.metadata, 'references')).toEqual([{ kind: 'asset', asset: './high.usda' }]);
    expect(high.children.map((c) => [c.specifier, c.typeName, c.path])).toEqual([['def', 'Mesh', '/Asset/Face']]);
    expect(high.children[0].properties.get('x')!.default).toBe(1);
    expect([...high.variantSets!.get('look')!.keys()]).toEqual(['a']);
    expect(lod.get('low')!.children[0]).toMatchObject({ specifier: 'over', path: '/Asset/Face' });
    // The variant's children are not the prim's own.
    expect(asset.children).toEqual([]);
  });

  it('reads the sample character variant set', () => {
    const hero = parseUsda(HERO_USDA, 'hero.usda').prims[0].children[1].children[0];
    expect(hero.path).toBe('/World/Chars/Hero');
    expect(metadataValue(hero.metadata, 'variantSets')).toEqual(['lod']);
    expect(
      hero
        .variantSets!.get('lod')!
        .get('high')!
        .children.map((c) => c.path),
    ).toEqual(['/World/Chars/Hero/Extra']);
    expect(metadataValue(hero.variantSets!.get('lod')!.get('low')!.metadata, 'doc')).toBe('x');
  });

  it('takes prepended relationship targets as the targets, and deleted ones as none', () => {
    const text = '#usda 1.0\nover "A" {\n    delete rel r = </X>\n    prepend rel s = </Y>\n}\n';
    const prim = parseUsda(text, 'r.usda').prims[0];
    expect(prim.properties.get('r')!.targets).toBeUndefined();
    expect(prim.properties.get('s')!.targets).toEqual(['/Y']);
  });

  it("reads an asset-valued attribute's metadata", () => {
    const prim = parseUsda(
      '#usda 1.0\ndef Shader "T" {\n    asset inputs:file = @./skin.png@ (\n        colorSpace = "raw"\n    )\n}\n',
      't.usda',
    ).prims[0];
    const file = prim.properties.get('inputs:file')!;
    expect(file.default).toEqual({ kind: 'asset', asset: './skin.png' });
    expect(metadataValue(file.metadata, 'colorSpace')).toBe('raw');
  });

  it.each([
    ['def "A" (\n    references = [@a.usda@ @b.usda@]\n) {}\n', 'x.usda:3: expected "," or "]" in the references list, found @b.usda@'],
    ['def "A" (\n    inherits = @a.usda@\n) {}\n', 'x.usda:3: inherits entries are prim paths such as </_class_Hero>, found @a.usda@'],
    ['def "A" (\n    references = @a.usda@ (offset = "x")\n) {}\n', "x.usda:3: the layer offset's offset of @a.usda@ must be a number"],
    ['def "A" {\n    variantSet "v" = {\n        "a" {\n', 'x.usda:5: variant "a" of </A> opened on line 4 is not closed with "}"'],
  ])('reports bad arcs %j with file and line', (body, message) => {
    expect(() => parseUsda(`#usda 1.0\n${body}`, 'x.usda')).toThrow(message);
  });
});
