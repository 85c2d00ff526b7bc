// readLayer: the format is told by content (crate, usdz, text), packages are read in place under
// USD's rules, and every bad input is a UsdError naming the file, what is wrong and the fix.
import { tempDir } from '@a2f/test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCrate } from '../src/crate/layer.js';
import { UsdError } from '../src/index.js';
import { readLayer, usdzEntries } from '../src/layer-file.js';
import { type Spec, writeCrate } from './crate/write-crate.js';
import { writeUsdz } from './crate/write-usdz.js';

const RIG: Spec[] = [
  { path: '/', type: 7, fields: { defaultPrim: { t: 'token', v: 'Rig' }, primChildren: { t: 'tokens', v: ['Rig'] } } },
  {
    path: '/Rig',
    type: 6,
    fields: {
      specifier: { t: 'specifier', v: 'def' },
      typeName: { t: 'token', v: 'Skeleton' },
      properties: { t: 'tokens', v: ['joints'] },
    },
  },
  {
    path: '/Rig.joints',
    type: 1,
    fields: {
      typeName: { t: 'token', v: 'token[]' },
      variability: { t: 'variability', v: 'uniform' },
      default: { t: 'tokenArray', v: ['root', 'root/jaw'] },
    },
  },
];
const ROOT_USDA = '#usda 1.0\n(\n    defaultPrim = "Char"\n)\n\ndef SkelRoot "Char" (\n    references = @./parts/rig.usdc@\n)\n{\n}\n';

/** The error `fn` throws (the test fails if it throws none or not a UsdError). */
function usdError(fn: () => unknown): UsdError {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsdError) return e;
    throw e;
  }
  throw new Error('expected a UsdError, nothing was thrown');
}

const write = (dir: string, name: string, bytes: Uint8Array | string) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
};

describe('format detection', () => {
  it('reads text, crate and usdz by content, whatever the extension says', () => {
    const dir = tempDir('a2f-layerfile-');
    const crateAsUsd = write(dir, 'rig.usd', writeCrate(RIG));
    const textAsUsd = write(dir, 'root.usd', ROOT_USDA);
    expect(readLayer(crateAsUsd).prims[0].properties.get('joints')?.default).toEqual(['root', 'root/jaw']);
    expect(readLayer(textAsUsd).prims[0].metadata[0]).toMatchObject({ key: 'references', value: [{ asset: './parts/rig.usdc' }] });
  });

  it('refuses what is not a layer with NOT_USDA naming the file and the formats', () => {
    const dir = tempDir('a2f-layerfile-');
    for (const [name, bytes] of [
      ['noheader.usda', 'def "A" {}\n'],
      ['png.usd', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0])],
      ['empty.usdc', new Uint8Array()],
      ['almost.usdc', 'PXR-USDX and more bytes'],
    ] as const) {
      const f = write(dir, name, bytes);
      const e = usdError(() => readLayer(f));
      expect(e.code).toBe('NOT_USDA');
      expect(e.file).toBe(f);
      expect(e.message).toMatch(/#usda 1\.0.*PXR-USDC/);
    }
    expect(usdError(() => readCrate(new TextEncoder().encode('PXR-USDX'.padEnd(100, ' ')), 'x.usdc')).code).toBe('NOT_USDA');
  });
});

describe('crate versions and damage', () => {
  it('refuses crate versions it does not read, naming the version and how to re-save', () => {
    const newer = usdError(() => readCrate(writeCrate(RIG, [0, 12, 0]), 'new.usdc'));
    expect([newer.code, newer.file]).toEqual(['CRATE_VERSION', 'new.usdc']);
    expect(newer.problem).toContain('version 0.12.0');
    expect(newer.fix).toContain('USD_WRITE_NEW_USDC_FILES_AS_VERSION');
    for (const v of [
      [0, 3, 0],
      [0, 0, 1],
    ] as [number, number, number][]) {
      const older = usdError(() => readCrate(writeCrate(RIG, v), 'old.usdc'));
      expect(older.code).toBe('CRATE_VERSION');
      expect(older.problem).toContain(`version ${v.join('.')}`);
      expect(older.fix).toMatch(/Re-save the layer with a current USD/);
    }
    expect(usdError(() => readCrate(writeCrate(RIG, [1, 0, 0]), 'major.usdc')).code).toBe('CRATE_VERSION');
    for (const v of [
      [0, 4, 0],
      [0, 8, 0],
      [0, 11, 0],
    ] as [number, number, number][])
      expect(readCrate(writeCrate(RIG, v), 'ok.usdc').prims).toHaveLength(1);
  });

  it('a file cut short anywhere is CRATE_TRUNCATED, never a crash or a partial layer', () => {
    const bytes = writeCrate(RIG);
    const toc = Number(new DataView(bytes.buffer).getBigUint64(16, true));
    const header = usdError(() => readCrate(bytes.subarray(0, 40), 'cut.usdc'));
    expect(header.problem).toMatch(/fewer than its 88-byte header/);
    const noToc = usdError(() => readCrate(bytes.subarray(0, toc), 'cut.usdc'));
    expect(noToc.problem).toBe(`the table of contents is at offset ${toc} but the file has ${toc} bytes (the file is cut short)`);
    for (let n = 8; n < bytes.length; n++)
      expect(usdError(() => readCrate(bytes.subarray(0, n), 'cut.usdc')).code).toMatch(/^(CRATE_TRUNCATED|NOT_USDA)$/);
  });

  it('a table of contents that points past the end names the section', () => {
    const bytes = writeCrate(RIG).slice();
    const view = new DataView(bytes.buffer);
    const toc = Number(view.getBigUint64(16, true));
    const first = toc + 8; // name[16], start, size
    view.setBigUint64(first + 24, BigInt(bytes.length), true);
    const e = usdError(() => readCrate(bytes, 'big.usdc'));
    expect(e.code).toBe('CRATE_TRUNCATED');
    expect(e.problem).toMatch(/^section TOKENS runs to offset \d+ but the file has \d+ bytes/);
  });

  it('any single damaged byte gives the layer or a UsdError, nothing else', () => {
    const bytes = writeCrate(RIG);
    let errors = 0;
    for (let i = 0; i < bytes.length; i++) {
      const bad = bytes.slice();
      bad[i] ^= 0xa5;
      try {
        readCrate(bad, 'bad.usdc');
      } catch (e) {
        expect(e).toBeInstanceOf(UsdError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});

describe('.usdz packages', () => {
  const pkg = () =>
    writeUsdz([
      { name: 'root.usda', data: ROOT_USDA },
      { name: 'parts/rig.usdc', data: writeCrate(RIG) },
      { name: 'textures/skin.png', data: new Uint8Array(100) },
    ]);

  it('reads the first entry as the root layer, named pkg.usdz[entry] so its relative paths stay inside', () => {
    const dir = tempDir('a2f-usdz-');
    const f = write(dir, 'char.usdz', pkg());
    const root = readLayer(f);
    expect(root.file).toBe(`${f}[root.usda]`);
    expect(root.prims[0].name).toBe('Char');
    const rig = readLayer(`${f}[parts/rig.usdc]`);
    expect(rig.file).toBe(`${f}[parts/rig.usdc]`);
    expect(rig.prims[0].properties.get('joints')?.default).toEqual(['root', 'root/jaw']);
    expect(usdzEntries(pkg(), f).map((e) => [e.name, e.offset % 64])).toEqual([
      ['root.usda', 0],
      ['parts/rig.usdc', 0],
      ['textures/skin.png', 0],
    ]);
  });

  it('reads a package inside a package', () => {
    const dir = tempDir('a2f-usdz-');
    const f = write(
      dir,
      'outer.usdz',
      writeUsdz([
        { name: 'main.usda', data: '#usda 1.0\n' },
        { name: 'inner.usdz', data: pkg() },
      ]),
    );
    expect(readLayer(`${f}[inner.usdz]`).file).toBe(`${f}[inner.usdz[root.usda]]`);
    const rig = readLayer(`${f}[inner.usdz[parts/rig.usdc]]`);
    expect(rig.file).toBe(`${f}[inner.usdz[parts/rig.usdc]]`);
    expect(rig.prims[0].typeName).toBe('Skeleton');
  });

  it('an entry that is not there is ASSET_NOT_FOUND listing what the package holds', () => {
    const dir = tempDir('a2f-usdz-');
    const f = write(dir, 'char.usdz', pkg());
    const e = usdError(() => readLayer(`${f}[parts/face.usdc]`));
    expect([e.code, e.file]).toEqual(['ASSET_NOT_FOUND', f]);
    expect(e.problem).toBe('the package has no entry "parts/face.usdc" (it holds root.usda, parts/rig.usdc, textures/skin.png)');
  });

  it('refuses compressed, unaligned, truncated and root-less packages with USDZ_BAD', () => {
    const dir = tempDir('a2f-usdz-');
    const cases: [string, Uint8Array, RegExp][] = [
      ['deflated.usdz', writeUsdz([{ name: 'root.usda', data: ROOT_USDA, method: 8 }]), /entry "root.usda" is compressed \(zip method 8\)/],
      [
        'unaligned.usdz',
        writeUsdz([
          { name: 'root.usda', data: ROOT_USDA },
          { name: 'rig.usdc', data: writeCrate(RIG), misalign: 4 },
        ]),
        /"rig.usdc" starts at byte \d+, which is not a multiple of 64/,
      ],
      ['cut.usdz', pkg().subarray(0, 300), /not a complete zip archive/],
      ['garbage.usdz', new TextEncoder().encode('PK\x03\x04 but nothing of a zip'), /not a complete zip archive/],
      [
        'texture-first.usdz',
        writeUsdz([
          { name: 'skin.png', data: new Uint8Array(8) },
          { name: 'root.usda', data: ROOT_USDA },
        ]),
        /first entry "skin.png" is not a layer/,
      ],
    ];
    for (const [name, bytes, problem] of cases) {
      const f = write(dir, name, bytes);
      const e = usdError(() => readLayer(f));
      expect([name, e.code, e.file]).toEqual([name, 'USDZ_BAD', f]);
      expect(e.problem).toMatch(problem);
      expect(e.fix.length).toBeGreaterThan(10);
    }
  });
});
