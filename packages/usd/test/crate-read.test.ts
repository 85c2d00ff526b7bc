// The crate (.usdc) reader against files real Pixar USD (0.22, crate 0.8.0) wrote: our reading of
// the binary must equal our parse of USD's own text of the same layer, and the sample character read
// from .usdc must give the same skeleton, joints, transforms and blend shapes as its .usda.
import { tempDir } from '@a2f/test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CrateExportResult, exportCrateMany } from '../../../test/usd/export-crate.js';
import { readCrate } from '../src/crate/layer.js';
import { readLayer } from '../src/layer-file.js';
import { type UsdaLayer, type UsdaPrim, type UsdaValue, characterFromLayer, parseUsda } from '../src/index.js';
import { writeUsdz } from './crate/write-usdz.js';
import { sampleCharacterPath } from './fixtures.js';

const kindsPath = path.join(import.meta.dirname, 'crate/kinds.usda');

/** A layer as plain data without lines, metadata sorted by key (USD's text and crate orders differ). */
function plain(v: unknown): unknown {
  if (typeof v === 'boolean') return Number(v); // USD's text writes attribute bools as 1 and 0
  if (typeof v === 'number') return Number.isInteger(v) ? v : Math.fround(v); // text spells floats shortest
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, plain(x)]));
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'line' || x === undefined) continue;
      if (k === 'metadata' && Array.isArray(x))
        out[k] = plain([...x].sort((a, b) => (a.key + (a.op ?? '')).localeCompare(b.key + (b.op ?? ''))));
      else out[k] = plain(x);
    }
    return out;
  }
  return v;
}

const prim = (layer: UsdaLayer, p: string): UsdaPrim => {
  let list = layer.prims;
  let found: UsdaPrim | undefined;
  for (const name of p.split('/').filter(Boolean)) {
    found = list.find((c) => c.name === name);
    if (!found) throw new Error(`no prim ${p}`);
    list = found.children;
  }
  return found!;
};
const value = (layer: UsdaLayer, p: string, name: string): UsdaValue | undefined => prim(layer, p).properties.get(name)?.default;

let dir: string;
let face: CrateExportResult;
let kinds: CrateExportResult;

beforeAll(async () => {
  dir = tempDir('a2f-crate-');
  [face, kinds] = await exportCrateMany([
    { root: sampleCharacterPath, out: path.join(dir, 'face.usdc') },
    { root: kindsPath, out: path.join(dir, 'kinds.usdc') },
  ]);
}, 120_000);

describe('crate files written by real USD', () => {
  it('USD wrote version 0.8.0 crate files', () => {
    expect(face.errors).toEqual([]);
    expect(kinds.errors).toEqual([]);
    expect([face.version, kinds.version]).toEqual(['0.8.0', '0.8.0']);
    expect(fs.readFileSync(path.join(dir, 'face.usdc')).subarray(0, 8).toString('latin1')).toBe('PXR-USDC');
  });

  it("the sample character reads as the same layer as USD's text of it", () => {
    const fromCrate = readLayer(path.join(dir, 'face.usdc'));
    const fromText = parseUsda(face.text, 'face.usdc');
    expect(plain(fromCrate.prims)).toEqual(plain(fromText.prims));
    expect(plain(fromCrate.metadata)).toEqual(plain(fromText.metadata));
  });

  it('the character from the .usdc equals the character from the original .usda (skeleton, transforms, shapes, bindings)', () => {
    const original = characterFromLayer(parseUsda(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face'));
    const crate = characterFromLayer({ ...readLayer(path.join(dir, 'face.usdc')), file: 'face' });
    expect(crate.skeleton.joints).toEqual([
      'root',
      'root/head',
      'root/head/jaw',
      'root/head/jaw/tongue',
      'root/head/eye_L',
      'root/head/eye_R',
    ]);
    expect(plain(crate)).toEqual(plain(original));
  });

  it('reads joints, bindTransforms, restTransforms, blend shapes and targets exactly (doubles bit for bit)', () => {
    const layer = readLayer(path.join(dir, 'face.usdc'));
    const text = parseUsda(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face.usda');
    for (const name of ['joints', 'bindTransforms', 'restTransforms'])
      expect(value(layer, '/Character/Skel', name)).toEqual(value(text, '/Character/Skel', name));
    const mesh = prim(layer, '/Character/Face');
    expect(mesh.properties.get('skel:blendShapes')?.default).toEqual(
      prim(text, '/Character/Face').properties.get('skel:blendShapes')?.default,
    );
    expect(mesh.properties.get('skel:blendShapeTargets')?.targets).toEqual(
      prim(text, '/Character/Face').properties.get('skel:blendShapeTargets')?.targets,
    );
    expect(mesh.properties.get('skel:skeleton')?.targets).toEqual(['/Character/Skel']);
    expect(mesh.properties.get('skel:blendShapes')?.uniform).toBe(true);
  });

  it("a layer of every value kind reads as USD's text of it", () => {
    const fromCrate = readLayer(path.join(dir, 'kinds.usdc'));
    const fromText = parseUsda(kinds.text, 'kinds.usdc');
    expect(plain(fromCrate.prims)).toEqual(plain(fromText.prims));
    expect(plain(fromCrate.metadata)).toEqual(plain(fromText.metadata));
  });

  it('decodes each kind to the value the text gives, exactly', () => {
    const l = readLayer(path.join(dir, 'kinds.usdc'));
    const v = (name: string) => value(l, '/Root', name);
    expect([v('flag'), v('small'), v('i'), v('bigInt'), v('u'), v('i64'), v('u64')]).toEqual([
      true,
      200,
      -7,
      1234567,
      4000000000,
      -9000000000,
      18000000000,
    ]);
    expect([v('h'), v('f'), v('fInline'), v('d'), v('dInline')]).toEqual([0.5, Math.fround(0.1), 2, 1.2345678901234567, -4]);
    expect([v('s'), v('tok')]).toEqual(['a string', 'aToken']);
    expect(v('q')).toEqual([Math.fround(0.70710677), Math.fround(0.70710677), 0, 0]); // (real, i, j, k) as written
    expect(v('qh')).toEqual([0.5, 0.5, 0.5, 0.5]);
    expect(v('h2')).toEqual([0.25, 4]);
    expect(v('i3')).toEqual([1, -2, 3]);
    expect(v('m2')).toEqual([
      [2, 0, 0, 0],
      [0, 3, 0, 0],
      [0, 0, 4, 0],
      [0, 0, 0, 1],
    ]);
    expect(v('m3')).toEqual([
      [1, 0, 0, 0],
      [0, 0.5, 0.25, 0],
      [0, -0.25, 0.5, 0],
      [1.5, 2, -3, 1],
    ]);
    expect(v('longInts')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 100000, -5, -70000, 3, 3, 3, 3]);
    expect(v('longInt64s')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 100000, -5, -70000, 3, 3, 3, 9000000000]);
    expect(v('longUInts')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 100000, 5, 4000000000, 3, 3, 3, 3]);
    expect(v('intFloats')).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, -17]);
    expect(v('lutFloats')).toEqual([...Array(8).fill([0.5, 0.25]).flat(), 0.5, 0.125]);
    expect(v('lutDoubles')).toEqual([...Array(8).fill([0.1, 0.2]).flat(), 0.3]);
    expect((v('halves') as number[]).at(-1)).toBe(65504);
    expect(v('assets')).toEqual([
      { kind: 'asset', asset: 'a.usda' },
      { kind: 'asset', asset: 'b/c.png' },
    ]);
    expect(v('emptyInts')).toEqual([]);
    expect(v('blocked')).toBeNull();
    expect(prim(l, '/Root').properties.get('noValue')?.default).toBeUndefined();
    expect(prim(l, '/Root').properties.get('weights')?.timeSamples).toEqual([
      [0, [0, 0.5]],
      [1.5, [1, 0.25]],
      [3, [0.125, 1]],
    ]);
    expect(prim(l, '/Root').properties.get('targets')?.targets).toEqual(['/Root/Skel', '/Root/Mesh', '/Root/Skel.joints']);
    expect(prim(l, '/Root').properties.get('customAttr')?.custom).toBe(true);
    expect(prim(l, '/Root').properties.get('mats')?.uniform).toBe(true);
    expect(prim(l, '/Root').metadata.find((m) => m.key === 'apiSchemas')?.value).toEqual(['SkelBindingAPI', 'MaterialBindingAPI']);
    expect(l.prims.map((p) => [p.specifier, p.typeName, p.name])).toEqual([
      ['def', 'Xform', 'Root'],
      ['class', 'Xform', '_class_Thing'],
    ]);
    expect(prim(l, '/Root').children.map((p) => [p.specifier, p.path])).toEqual([
      ['def', '/Root/Skel'],
      ['def', '/Root/Mesh'],
      ['over', '/Root/Over'],
      ['class', '/Root/Class'],
    ]);
  });

  it('the real-USD .usdc packaged as a .usdz root gives the same character', () => {
    const usdz = path.join(dir, 'face.usdz');
    fs.writeFileSync(
      usdz,
      writeUsdz([
        { name: 'face.usdc', data: fs.readFileSync(path.join(dir, 'face.usdc')) },
        { name: 'notes.txt', data: 'x' },
      ]),
    );
    const layer = readLayer(usdz);
    expect(layer.file).toBe(`${usdz}[face.usdc]`);
    const original = characterFromLayer(parseUsda(fs.readFileSync(sampleCharacterPath, 'utf8'), 'face'));
    expect(plain(characterFromLayer({ ...layer, file: 'face' }))).toEqual(plain(original));
  });

  it('keepValue skips array values the caller does not want, as the text parser does', () => {
    const l = readLayer(path.join(dir, 'face.usdc'), { keepValue: (p, name) => !(p.typeName === 'Mesh' && name === 'points') });
    expect(prim(l, '/Character/Face').properties.get('points')?.default).toEqual({ kind: 'skipped' });
    expect(Array.isArray(value(l, '/Character/Skel', 'joints'))).toBe(true);
  });

  it('readCrate on bytes gives the same layer as readLayer on the file', () => {
    const bytes = fs.readFileSync(path.join(dir, 'kinds.usdc'));
    expect(plain(readCrate(bytes, path.join(dir, 'kinds.usdc')))).toEqual(plain(readLayer(path.join(dir, 'kinds.usdc'))));
  });
});
