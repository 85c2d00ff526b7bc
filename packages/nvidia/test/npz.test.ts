import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { npyBytes, writeNpz } from '../../../models/nvidia/npz-writer.mjs';
import { InferenceError } from '@a2f/inference';
import { NpzFile, parseNpy, readNpy, readNpz } from '../src/index.js';
import { NUMPY_DEFLATED_NPZ, NUMPY_STORED_NPZ } from './npz-fixtures.js';
import { rejection, removeTempDirs, tempDir, thrown } from '@a2f/test-utils';

afterAll(removeTempDirs);

const src = { file: 'test.npy' };

/** A .npy image built by hand, the way numpy 1.x wrote them (header padded to 16 bytes). */
function handNpy(header: string, body: Uint8Array, version = 1): Uint8Array {
  const pre = version === 1 ? 10 : 12;
  const padded = header.padEnd(Math.ceil((pre + header.length + 1) / 16) * 16 - pre - 1, ' ') + '\n';
  const head = Buffer.from(padded, version === 3 ? 'utf8' : 'latin1');
  const out = Buffer.alloc(pre + head.length + body.length);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0]).copy(out);
  if (version === 1) out.writeUInt16LE(head.length, 8);
  else out.writeUInt32LE(head.length, 8);
  head.copy(out, pre);
  Buffer.from(body).copy(out, pre + head.length);
  return out;
}

const le = (Ctor: typeof Float32Array | typeof Float64Array | typeof Int32Array, values: number[]) =>
  new Uint8Array(new Ctor(values).buffer);
const i64 = (values: bigint[]) => new Uint8Array(new BigInt64Array(values).buffer);

const message = (fn: () => unknown): string => thrown(fn).message;
const asyncMessage = async (p: Promise<unknown>): Promise<string> => (await rejection(p)).message;

describe('parseNpy on hand-built bytes', () => {
  it('reads <f4 in C order, as a view when aligned and as a copy when not', () => {
    const bytes = handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", le(Float32Array, [1, 2, 3, 4, 5, 6]));
    const a = parseNpy(bytes, src);
    expect(a).toMatchObject({ dtype: 'float32', descr: '<f4', shape: [2, 3] });
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((a.data as Float32Array).buffer).toBe(bytes.buffer);
    const shifted = new Uint8Array(bytes.length + 1);
    shifted.set(bytes, 1);
    const b = parseNpy(shifted.subarray(1), src);
    expect(Array.from(b.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect((b.data as Float32Array).buffer).not.toBe(shifted.buffer);
  });

  it('reads <f8, <i4, |b1 and narrows <i8 to int32 when it fits, float64 when not', () => {
    const f8 = parseNpy(handNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", le(Float64Array, [0.1, -1e300])), src);
    expect(f8).toMatchObject({ dtype: 'float64', shape: [2] });
    expect(Array.from(f8.data as Float64Array)).toEqual([0.1, -1e300]);
    const i4 = parseNpy(handNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", le(Int32Array, [-1, 0, 2147483647])), src);
    expect(Array.from(i4.data as Int32Array)).toEqual([-1, 0, 2147483647]);
    const small = parseNpy(handNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i64([-5n, 7n])), src);
    expect(small).toMatchObject({ dtype: 'int32', descr: '<i8' });
    expect(small.data).toBeInstanceOf(Int32Array);
    expect(Array.from(small.data as Int32Array)).toEqual([-5, 7]);
    const big = parseNpy(handNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }", i64([1n, 5_000_000_000n])), src);
    expect(big.dtype).toBe('float64');
    expect(Array.from(big.data as Float64Array)).toEqual([1, 5_000_000_000]);
    expect(message(() => parseNpy(handNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", i64([2n ** 60n])), src))).toMatch(
      /beyond ±2\^53/,
    );
    const b1 = parseNpy(handNpy("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }", Uint8Array.of(1, 0, 1)), src);
    expect(b1).toMatchObject({ dtype: 'bool' });
    expect(Array.from(b1.data as Uint8Array)).toEqual([1, 0, 1]);
  });

  it('reads <U strings (UTF-32LE, NUL padded, astral code points)', () => {
    const body = new Uint8Array(3 * 4 * 4);
    const view = new DataView(body.buffer);
    ['ab', 'é😀', 'wxyz'].forEach((s, i) => {
      [...s].forEach((ch, c) => {
        view.setUint32(16 * i + 4 * c, ch.codePointAt(0)!, true);
      });
    });
    const a = parseNpy(handNpy("{'descr': '<U4', 'fortran_order': False, 'shape': (3,), }", body), src);
    expect(a).toMatchObject({ dtype: 'string', shape: [3], data: ['ab', 'é😀', 'wxyz'] });
  });

  it('transposes Fortran order to C order', () => {
    // Fortran 2×3 [[1,2,3],[4,5,6]] is stored column by column: 1 4 2 5 3 6.
    const a = parseNpy(handNpy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", le(Float32Array, [1, 4, 2, 5, 3, 6])), src);
    expect(Array.from(a.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    // 2×2×2: element [i,j,k] = 100i+10j+k, stored with i fastest.
    const fortran: number[] = [];
    for (let k = 0; k < 2; k++) for (let j = 0; j < 2; j++) for (let i = 0; i < 2; i++) fortran.push(100 * i + 10 * j + k);
    const b = parseNpy(handNpy("{'descr': '<i4', 'fortran_order': True, 'shape': (2, 2, 2), }", le(Int32Array, fortran)), src);
    expect(Array.from(b.data as Int32Array)).toEqual([0, 1, 10, 11, 100, 101, 110, 111]);
  });

  it('reads version 2 and 3 headers and 0-d arrays', () => {
    const v2 = parseNpy(handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", le(Float32Array, [9]), 2), src);
    expect(Array.from(v2.data as Float32Array)).toEqual([9]);
    const v3 = parseNpy(handNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", le(Int32Array, [42]), 3), src);
    expect(v3.shape).toEqual([]);
    expect(Array.from(v3.data as Int32Array)).toEqual([42]);
  });

  it('names the problem: bad magic, truncated header, truncated data, unsupported dtype', () => {
    const good = handNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", le(Float32Array, [1, 2, 3, 4]));
    const where = { file: '/p/model_data.npz', entry: 'neutral_jaw' };
    const bad = Uint8Array.from(good);
    bad[1] = 0x58;
    expect(message(() => parseNpy(bad, where))).toMatch(/^\/p\/model_data\.npz: entry "neutral_jaw": bad magic/);
    expect(message(() => parseNpy(good.subarray(0, 30), where))).toMatch(/truncated: the \.npy header claims \d+ bytes/);
    expect(message(() => parseNpy(good.subarray(0, good.length - 3), where))).toMatch(
      /truncated: shape \[4\] of <f4 needs 16 data bytes, found 13/,
    );
    const be = handNpy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(4));
    expect(message(() => parseNpy(be, where))).toMatch(/unsupported dtype ">f4" \(big-endian\)/);
    const obj = handNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", new Uint8Array(8));
    expect(message(() => parseNpy(obj, where))).toMatch(/pickled object array/);
    const err = (() => {
      try {
        parseNpy(bad, where);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(InferenceError);
    expect((err as InferenceError).file).toBe('/p/model_data.npz');
  });

  it("reads a standalone .npy file written by the generator's writer", async () => {
    const file = path.join(tempDir(), 'a.npy');
    writeFileSync(file, npyBytes({ data: Float32Array.of(1, 2, 3, 4, 5, 6), shape: [3, 2], fortranOrder: true }));
    const a = await readNpy(file);
    expect(a.shape).toEqual([3, 2]);
    // Written in Fortran order, the data is read as column-major: element [i,j] = data[j*3+i].
    expect(Array.from(a.data as Float32Array)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

describe('NpzFile on numpy-written archives', () => {
  for (const [kind, bytes] of [
    ['stored (np.savez)', NUMPY_STORED_NPZ],
    ['deflated (np.savez_compressed)', NUMPY_DEFLATED_NPZ],
  ] as const) {
    it(`reads every dtype from a ${kind} archive with zip64 local headers`, async () => {
      const file = path.join(tempDir(), 'numpy.npz');
      writeFileSync(file, bytes);
      const all = await readNpz(file);
      expect([...all.keys()]).toEqual(['f4', 'f8', 'i4', 'i8', 'b1', 'names', 'fort']);
      expect(all.get('f4')).toMatchObject({ dtype: 'float32', shape: [2, 3] });
      expect(Array.from(all.get('f4')!.data as Float32Array)).toEqual([1.5, -2, 3, 4, 5.25, -6]);
      expect(Array.from(all.get('f8')!.data as Float64Array)).toEqual([0.1, -1e300, 2.5]);
      expect(Array.from(all.get('i4')!.data as Int32Array)).toEqual([-7, 8, 2147483647, -2147483648]);
      expect(all.get('i8')).toMatchObject({ dtype: 'float64', descr: '<i8' });
      expect(Array.from(all.get('i8')!.data as Float64Array)).toEqual([3, -4, 5000000000]);
      expect(Array.from(all.get('b1')!.data as Uint8Array)).toEqual([1, 0, 1, 1]);
      expect(all.get('names')!.data).toEqual(['neutral', 'héllo', '😀x', '']);
      const fort = all.get('fort')!;
      expect(fort.shape).toEqual([2, 3, 4]);
      expect(Array.from(fort.data as Float32Array)).toEqual(Array.from({ length: 24 }, (_, i) => i));
    });
  }

  it('keeps stored float32 data as a view on the one entry buffer', async () => {
    const file = path.join(tempDir(), 'numpy.npz');
    writeFileSync(file, NUMPY_STORED_NPZ);
    const npz = await NpzFile.open(file);
    const a = await npz.read('f4');
    expect((a.data as Float32Array).buffer.byteLength).toBe(npz.byteSize('f4'));
    await npz.close();
  });

  it('reads a hand-built zip64 archive (zip64 end record, locator and central extra field)', async () => {
    const npy = handNpy("{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }", le(Int32Array, [10, 20, 30]));
    const name = Buffer.from('x.npy');
    const z64 = (values: number[]) => {
      const b = Buffer.alloc(4 + 8 * values.length);
      b.writeUInt16LE(1, 0);
      b.writeUInt16LE(8 * values.length, 2);
      values.forEach((v, i) => {
        b.writeBigUInt64LE(BigInt(v), 4 + 8 * i);
      });
      return b;
    };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(45, 4);
    local.writeUInt32LE(crc32(npy) >>> 0, 14);
    local.writeUInt32LE(0xffffffff, 18);
    local.writeUInt32LE(0xffffffff, 22);
    local.writeUInt16LE(name.length, 26);
    const localExtra = z64([npy.length, npy.length]);
    local.writeUInt16LE(localExtra.length, 28);
    const entry = Buffer.concat([local, name, localExtra, npy]);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(45, 4);
    central.writeUInt16LE(45, 6);
    central.writeUInt32LE(crc32(npy) >>> 0, 16);
    central.writeUInt32LE(0xffffffff, 20);
    central.writeUInt32LE(0xffffffff, 24);
    central.writeUInt16LE(name.length, 28);
    const centralExtra = z64([npy.length, npy.length, 0]); // size, compressed size, local header offset
    central.writeUInt16LE(centralExtra.length, 30);
    central.writeUInt32LE(0xffffffff, 42);
    const cd = Buffer.concat([central, name, centralExtra]);
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeUInt16LE(45, 12);
    rec.writeUInt16LE(45, 14);
    rec.writeBigUInt64LE(1n, 24);
    rec.writeBigUInt64LE(1n, 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(entry.length), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(entry.length + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(0xffff, 8);
    end.writeUInt16LE(0xffff, 10);
    end.writeUInt32LE(0xffffffff, 12);
    end.writeUInt32LE(0xffffffff, 16);
    const file = path.join(tempDir(), 'zip64.npz');
    writeFileSync(file, Buffer.concat([entry, cd, rec, loc, end]));
    const all = await readNpz(file);
    expect(Array.from(all.get('x')!.data as Int32Array)).toEqual([10, 20, 30]);
  });
});

describe('NpzFile errors name the file, the entry and the problem', () => {
  const make = (deflate: boolean) => {
    const file = path.join(tempDir(), deflate ? 'd.npz' : 's.npz');
    writeNpz(
      file,
      {
        a: { data: Float32Array.from({ length: 64 }, (_, i) => i), shape: [64] },
        b: { data: Int32Array.of(1, 2), shape: [2] },
      },
      { deflate },
    );
    return file;
  };

  it('CRC mismatch in a stored entry', async () => {
    const file = make(false);
    const bytes = Buffer.from(await import('node:fs').then((fs) => fs.readFileSync(file)));
    bytes[30 + 'a.npy'.length + 64 + 8] ^= 0x01; // a byte inside a.npy's data
    writeFileSync(file, bytes);
    const npz = await NpzFile.open(file);
    expect(await asyncMessage(npz.read('a'))).toMatch(
      new RegExp(
        `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: entry "a": CRC mismatch: ` +
          `the data's CRC-32 is 0x[0-9a-f]{8}, the archive records 0x[0-9a-f]{8}`,
      ),
    );
    expect(Array.from((await npz.read('b')).data as Int32Array)).toEqual([1, 2]);
    await npz.close();
  });

  it('corrupt deflate data', async () => {
    const file = make(true);
    const fs = await import('node:fs');
    const bytes = fs.readFileSync(file);
    for (let i = 0; i < 12; i++) bytes[30 + 'a.npy'.length + 2 + i] ^= 0xff;
    fs.writeFileSync(file, bytes);
    expect(await asyncMessage(readNpz(file, ['a']))).toMatch(/entry "a": (deflate data is corrupt|CRC mismatch|inflates to)/);
  });

  it('truncated archive and not-a-zip', async () => {
    const fs = await import('node:fs');
    const file = make(false);
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    expect(await asyncMessage(NpzFile.open(file))).toMatch(/is not a zip\/\.npz archive or is truncated/);
    // Cut out the middle but keep the end record: the directory it points at is gone.
    fs.writeFileSync(file, Buffer.concat([bytes.subarray(0, 100), bytes.subarray(bytes.length - 150)]));
    expect(await asyncMessage(readNpz(file))).toMatch(/truncated: the central directory should span bytes \d+–\d+, the file has 250/);
    // Keep the directory intact but cut an entry's data short: the entry says where it should end.
    const cdOffset = bytes.readUInt32LE(bytes.length - 22 + 16);
    const rebuilt = Buffer.concat([bytes.subarray(0, 60), bytes.subarray(cdOffset)]);
    rebuilt.writeUInt32LE(60, rebuilt.length - 22 + 16); // the directory now starts right after the cut
    fs.writeFileSync(file, rebuilt);
    expect(await asyncMessage(readNpz(file, ['a']))).toMatch(
      /entry "a": truncated: its \d+ bytes should end at offset \d+, the file has \d+/,
    );
    const npy = path.join(tempDir(), 'plain.npz');
    fs.writeFileSync(npy, npyBytes({ data: Float32Array.of(1), shape: [1] }));
    expect(await asyncMessage(NpzFile.open(npy))).toMatch(/plain\.npz: is not a zip/);
  });

  it('missing entry lists what the archive holds; missing file says so', async () => {
    const file = make(false);
    expect(await asyncMessage(readNpz(file, ['c']))).toMatch(/entry "c": missing: the archive holds "a", "b"/);
    expect(await asyncMessage(NpzFile.open(path.join(tempDir(), 'nope.npz')))).toMatch(/nope\.npz: cannot be opened/);
  });
});
