// Crate features real USD 0.22's wasm cannot write for us (its export flattens the stage, and it
// writes crate 0.8.0 only): composition arcs and versions 0.9.0-0.11.0. The files come from the
// test writer in crate/write-crate.ts, laid out as crateFile.cpp lays them out; each must read as
// the same layer as its .usda text.
import { describe, expect, it } from 'vitest';
import { readCrate } from '../src/crate/layer.js';
import { type UsdaLayer, parseUsda } from '../src/index.js';
import { type Spec, type Value, writeCrate } from './crate/write-crate.js';

/** A layer as plain data without lines (text has them, binary files do not). */
function plain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => k !== 'line' && x !== undefined)
        .map(([k, x]) => [k, plain(x)]),
    );
  return v;
}
const same = (crate: UsdaLayer, text: string) => expect(plain(crate)).toEqual(plain(parseUsda(text, crate.file)));

const prim = (path: string, fields: Record<string, Value>, type = 6): Spec => ({ path, type, fields });
const def = (typeName?: string): Record<string, Value> => ({
  specifier: { t: 'specifier', v: 'def' },
  ...(typeName && { typeName: { t: 'token', v: typeName } }),
});

/** A character asset with every arc, as specs... */
const ARC_SPECS: Spec[] = [
  prim(
    '/',
    {
      defaultPrim: { t: 'token', v: 'Char' },
      subLayers: { t: 'strings', v: ['./shot.usda', './anim.usdc'] },
      subLayerOffsets: {
        t: 'layerOffsets',
        v: [
          { offset: 0, scale: 1 },
          { offset: 10, scale: 2 },
        ],
      },
      primChildren: { t: 'tokens', v: ['Char', '_class_Char'] },
    },
    7,
  ),
  prim('/Char', {
    ...def('SkelRoot'),
    references: {
      t: 'referenceListOp',
      v: {
        prepend: [
          { asset: './rig.usdc', primPath: '/Rig', offset: 5 },
          { asset: '', primPath: '/_class_Char' },
        ],
      },
    },
    payload: { t: 'payloadListOp', v: { append: [{ asset: './heavy.usdz', scale: 2 }] } },
    inheritPaths: { t: 'pathListOp', v: { prepend: ['/_class_Char'] } },
    apiSchemas: { t: 'tokenListOp', v: { prepend: ['SkelBindingAPI'], delete: ['OldAPI'] } },
    variantSetNames: { t: 'stringListOp', v: { prepend: ['look'] } },
    variantSelection: { t: 'variantSelection', v: { look: 'b' } },
    variantSetChildren: { t: 'tokens', v: ['look'] },
    primChildren: { t: 'tokens', v: ['Skel'] },
    properties: { t: 'tokens', v: ['skel:skeleton', 'skel:animationSource', 'extra'] },
  }),
  prim('/Char.skel:skeleton', { targetPaths: { t: 'pathListOp', v: { isExplicit: true, explicit: ['/Char/Skel'] } } }, 8),
  prim('/Char.skel:animationSource', { targetPaths: { t: 'pathListOp', v: { delete: ['/Char/Old'] } } }, 8),
  prim('/Char.extra', { targetPaths: { t: 'pathListOp', v: { prepend: ['/Char/Skel'] } } }, 8),
  prim('/Char{look=}', { variantChildren: { t: 'tokens', v: ['a', 'b'] } }, 11),
  prim('/Char{look=a}', { primChildren: { t: 'tokens', v: ['Extra'] } }, 10),
  prim('/Char{look=a}Extra', { ...def('Xform'), properties: { t: 'tokens', v: ['x'] } }),
  prim('/Char{look=a}Extra.x', { typeName: { t: 'token', v: 'double' }, default: { t: 'double', v: 1.5 } }, 1),
  prim('/Char{look=b}', { kind: { t: 'token', v: 'component' }, properties: { t: 'tokens', v: ['size'] } }, 10),
  prim('/Char{look=b}.size', { typeName: { t: 'token', v: 'double' }, default: { t: 'double', v: 2 } }, 1),
  prim('/Char/Skel', {
    ...def('Skeleton'),
    payload: { t: 'payloadListOp', v: { isExplicit: true } },
    properties: { t: 'tokens', v: ['joints'] },
  }),
  prim(
    '/Char/Skel.joints',
    {
      typeName: { t: 'token', v: 'token[]' },
      variability: { t: 'variability', v: 'uniform' },
      default: { t: 'tokenArray', v: ['root', 'root/jaw'] },
    },
    1,
  ),
  prim('/_class_Char', { specifier: { t: 'specifier', v: 'class' }, active: { t: 'bool', v: true } }),
];

/** ...and as the .usda text USD would write for them. */
const ARC_TEXT = `#usda 1.0
(
    defaultPrim = "Char"
    subLayers = [
        @./shot.usda@,
        @./anim.usdc@ (offset = 10; scale = 2)
    ]
)

def SkelRoot "Char" (
    prepend references = [@./rig.usdc@</Rig> (offset = 5), </_class_Char>]
    append payload = @./heavy.usdz@ (scale = 2)
    prepend inherits = </_class_Char>
    prepend apiSchemas = ["SkelBindingAPI"]
    delete apiSchemas = ["OldAPI"]
    prepend variantSets = "look"
    variants = {
        string look = "b"
    }
)
{
    rel skel:skeleton = </Char/Skel>
    delete rel skel:animationSource = </Char/Old>
    prepend rel extra = </Char/Skel>

    def Skeleton "Skel" (
        payload = None
    )
    {
        uniform token[] joints = ["root", "root/jaw"]
    }

    variantSet "look" = {
        "a" {
            def Xform "Extra"
            {
                double x = 1.5
            }
        }
        "b" (
            kind = "component"
        ) {
            double size = 2
        }
    }
}

class "_class_Char" (
    active = true
)
{
}
`;

describe('crate layers with composition arcs', () => {
  it('references, payloads (with layer offsets), inherits, list ops, variant sets and sublayers read as their text', () => {
    const layer = readCrate(writeCrate(ARC_SPECS), 'arcs.usdc');
    same(layer, ARC_TEXT);
    const char = layer.prims[0];
    expect(char.metadata.find((m) => m.key === 'references')).toEqual({
      key: 'references',
      op: 'prepend',
      value: [
        { kind: 'asset', asset: './rig.usdc', primPath: '/Rig', offset: 5 },
        { kind: 'asset', asset: '', primPath: '/_class_Char' },
      ],
      line: 0,
    });
    expect(['skel:skeleton', 'skel:animationSource', 'extra'].map((n) => char.properties.get(n)?.targets)).toEqual([
      ['/Char/Skel'],
      undefined,
      ['/Char/Skel'],
    ]);
    expect(char.variantSets?.get('look')?.get('a')?.children[0].path).toBe('/Char/Extra'); // no variant selection in paths
    expect(layer.metadata.find((m) => m.key === 'subLayers')?.value).toEqual([
      { kind: 'asset', asset: './shot.usda' },
      { kind: 'asset', asset: './anim.usdc', offset: 10, scale: 2 },
    ]);
  });
});

describe('crate versions', () => {
  const timed = (version: [number, number, number], extra: Record<string, Value>, props: string) => {
    const specs: Spec[] = [
      prim('/', { primChildren: { t: 'tokens', v: ['A'] } }, 7),
      prim('/A', { ...def('Xform'), properties: { t: 'tokens', v: Object.keys(extra) } }),
      ...Object.entries(extra).map(([name, v]) =>
        prim(
          `/A.${name}`,
          { typeName: { t: 'token', v: name === 'expr' ? 'pathExpression' : name === 'range' ? 'timecode[]' : 'timecode' }, default: v },
          1,
        ),
      ),
    ];
    return { layer: readCrate(writeCrate(specs, version), 'v.usdc'), text: `#usda 1.0\ndef Xform "A"\n{\n${props}\n}\n` };
  };

  it('reads 0.8.0 to 0.11.0 files with the values each version added (0.9.0 timecode, 0.10.0 pathExpression)', () => {
    const v8 = readCrate(writeCrate(ARC_SPECS, [0, 8, 0]), 'arcs.usdc');
    for (const v of [
      [0, 9, 0],
      [0, 10, 0],
      [0, 11, 0],
    ] as [number, number, number][])
      expect(plain(readCrate(writeCrate(ARC_SPECS, v), 'arcs.usdc'))).toEqual(plain(v8));
    const t9 = timed(
      [0, 9, 0],
      { start: { t: 'timecode', v: 12.5 }, range: { t: 'timecodes', v: [0, 24.5] } },
      '    timecode start = 12.5\n    timecode[] range = [0, 24.5]',
    );
    same(t9.layer, t9.text);
    const t10 = timed([0, 10, 0], { expr: { t: 'pathExpression', v: '/Char/**' } }, '    pathExpression expr = "/Char/**"');
    same(t10.layer, t10.text);
  });
});
