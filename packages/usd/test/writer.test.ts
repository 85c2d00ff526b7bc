import { describe, expect, it } from 'vitest';
import { formatValue, writeLayer, writeToString, type LayerSpec, type PrimSpec } from '../src/index.js';

const layer = (prims: PrimSpec[], metadata: LayerSpec['metadata'] = []): string =>
  writeToString((sink) => writeLayer({ metadata, prims }, sink));

describe('formatValue', () => {
  it('formats by USD type', () => {
    expect(formatValue('float[]', new Float32Array([0.1, 1 / 3, -0]))).toBe('[0.1, 0.33333334, -0]');
    expect(formatValue('double', 0.1)).toBe('0.1');
    expect(formatValue('float3[]', [1, 2, 3, 4, 5, 6])).toBe('[(1, 2, 3), (4, 5, 6)]');
    expect(
      formatValue('float3[]', [
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ).toBe('[(1, 2, 3), (4, 5, 6)]');
    expect(formatValue('quatf[]', [1, 0, 0, 0])).toBe('[(1, 0, 0, 0)]');
    expect(formatValue('half3[]', [1, 0.1, 2049])).toBe('[(1, 0.099975586, 2048)]');
    expect(formatValue('token[]', ['a', 'b c'])).toBe('["a", "b c"]');
    expect(formatValue('asset', 'a.usda')).toBe('@a.usda@');
    expect(formatValue('bool', true)).toBe('1');
    expect(formatValue('int[]', [1, -2])).toBe('[1, -2]');
    expect(formatValue('matrix4d', [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 5, 6, 7, 1])).toBe(
      '( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (5, 6, 7, 1) )',
    );
    expect(formatValue('point3f[]', [])).toBe('[]');
  });

  it('rejects shape errors and unknown types', () => {
    expect(() => formatValue('quatf[]', [1, 0, 0])).toThrow(/whole quatf\[\] elements of 4/);
    expect(() => formatValue('quatf', [1, 0, 0])).toThrow(/needs 4 numbers/);
    expect(() => formatValue('floot[]', [1])).toThrow(/unsupported USD value type "floot\[\]"/);
  });
});

describe('writeLayer', () => {
  const anim = (samples: () => Iterable<readonly [number, unknown]>): PrimSpec => ({
    specifier: 'def',
    typeName: 'SkelAnimation',
    name: 'Anim',
    properties: [{ kind: 'attribute', name: 'blendShapeWeights', type: 'float[]', default: [0], timeSamples: samples }],
  });

  it('writes USD-style text: header, metadata, prims, one time sample a line in order', () => {
    const text = layer(
      [
        {
          specifier: 'over',
          name: 'Root',
          children: [
            {
              specifier: 'over',
              name: 'Skel',
              metadata: [{ key: 'apiSchemas', op: 'prepend', value: { kind: 'tokens', value: ['SkelBindingAPI'] } }],
              properties: [{ kind: 'relationship', name: 'skel:animationSource', targets: ['/Root/Anim'] }],
            },
            anim(() => [
              [0, [0.25]],
              [1, [0.5]],
              [2.5, [1e-7]],
            ]),
          ],
        },
      ],
      [
        { key: 'defaultPrim', value: { kind: 'token', value: 'Root' } },
        { key: 'timeCodesPerSecond', value: { kind: 'double', value: 30000 / 1001 } },
        { key: 'subLayers', value: { kind: 'subLayers', value: ['./a.usda', './b.usda'] } },
      ],
    );
    expect(text).toBe(`#usda 1.0
(
    defaultPrim = "Root"
    timeCodesPerSecond = 29.97002997002997
    subLayers = [
        @./a.usda@,
        @./b.usda@
    ]
)

over "Root"
{
    over "Skel" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        rel skel:animationSource = </Root/Anim>
    }

    def SkelAnimation "Anim"
    {
        float[] blendShapeWeights = [0]
        float[] blendShapeWeights.timeSamples = {
            0: [0.25],
            1: [0.5],
            2.5: [1e-7],
        }
    }
}
`);
  });

  it('drops repeated identical keys, refuses conflicting or unordered ones', () => {
    expect(
      layer([
        anim(() => [
          [0, [1]],
          [0, [1]],
          [1, [2]],
        ]),
      ]).match(/^\s+\d: /gm),
    ).toHaveLength(2);
    expect(() =>
      layer([
        anim(() => [
          [0, [1]],
          [0, [2]],
        ]),
      ]),
    ).toThrow(/<\/Anim.blendShapeWeights>: two different samples for frame 0/);
    expect(() =>
      layer([
        anim(() => [
          [1, [1]],
          [0, [2]],
        ]),
      ]),
    ).toThrow(/increasing order/);
  });

  it('names the attribute and frame of a non-finite value, and never writes it', () => {
    const chunks: string[] = [];
    expect(() =>
      writeLayer(
        {
          metadata: [],
          prims: [
            anim(() => [
              [0, [0]],
              [7, [NaN]],
            ]),
          ],
        },
        (c) => chunks.push(c),
      ),
    ).toThrow('</Anim.blendShapeWeights> at frame 7: cannot write NaN as a USD float');
    expect(chunks.join('')).not.toMatch(/nan/i);
    expect(() => layer([{ ...anim(() => []), properties: [{ kind: 'attribute', name: 'w', type: 'float', default: Infinity }] }])).toThrow(
      /<\/Anim.w> default value: cannot write Infinity/,
    );
  });

  it('refuses invalid names, duplicate siblings and uniform time samples', () => {
    expect(() => layer([{ specifier: 'def', name: 'Fa-ce' }])).toThrow(/not a valid identifier/);
    expect(() =>
      layer([
        { specifier: 'def', name: 'A' },
        { specifier: 'def', name: 'A' },
      ]),
    ).toThrow(/duplicate prim <\/A>/);
    expect(() =>
      layer([
        {
          specifier: 'def',
          name: 'A',
          properties: [{ kind: 'attribute', name: 'x', type: 'token[]', uniform: true, timeSamples: () => [] }],
        },
      ]),
    ).toThrow(/uniform attribute cannot be time-sampled/);
  });

  it('streams in chunks that concatenate to the whole text', () => {
    const frames = 5_000;
    const big = anim(function* () {
      for (let f = 0; f < frames; f++) yield [f, [f / frames, 1 - f / frames]] as const;
    });
    const chunks: string[] = [];
    writeLayer({ metadata: [], prims: [big] }, (c) => chunks.push(c));
    expect(chunks.length).toBeGreaterThan(1);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(70_000);
    const whole = chunks.join('');
    expect(whole).toBe(layer([big]));
    expect(whole.match(/^\s+\d+: \[/gm)).toHaveLength(frames);
  });

  it('writes dictionaries with sorted, quoted-when-needed keys and inferred types', () => {
    const text = layer(
      [],
      [
        {
          key: 'customLayerData',
          value: { kind: 'dictionary', value: { a2f: { 'a2f:gen': 'x', n: 1.5, b: true, list: ['p', 'q'], nested: { k: [1, 2] } } } },
        },
      ],
    );
    expect(text).toContain(`    customLayerData = {
        dictionary a2f = {
            string "a2f:gen" = "x"
            bool b = 1
            string[] list = ["p", "q"]
            double n = 1.5
            dictionary nested = {
                double[] k = [1, 2]
            }
        }
    }`);
  });
});
