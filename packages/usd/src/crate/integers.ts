// USD's integer coding (pxr/usd/usd/integerCoding.cpp), used for every index list of the structural
// sections and for int arrays: the values are deltas from the previous value; the stream holds the
// most common delta, then 2 bits per value (0 = the common delta, 1/2/3 = a signed 8/16/32-bit delta,
// or 16/32/64-bit for 64-bit ints), then the deltas that are not the common one. The whole stream is
// TfFastCompression-compressed.
import { type Cursor, corrupt } from './cursor.js';
import { fastDecompress } from './lz4.js';

/** The most bytes the encoded (not yet LZ4-compressed) stream of `n` ints can take. */
function encodedSize(n: number, wide: boolean): number {
  const w = wide ? 8 : 4;
  return w + Math.floor((n * 2 + 7) / 8) + n * w;
}

/** Decodes an encoded stream; 32-bit values as numbers (signed when `signed`), 64-bit ones as numbers. */
function decode(data: Uint8Array, n: number, wide: boolean, signed: boolean, file: string): number[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const w = wide ? 8 : 4;
  const out = new Array<number>(n);
  if (n === 0) return out;
  if (data.length < w) throw corrupt(file, 'a compressed integer list is cut off');
  const common = wide ? Number(view.getBigInt64(0, true)) : view.getInt32(0, true);
  const codes = w;
  let vints = w + Math.floor((n * 2 + 7) / 8);
  let prev = 0;
  if (codes + Math.floor((n * 2 + 7) / 8) > data.length) throw corrupt(file, 'a compressed integer list is cut off');
  const need = (k: number) => {
    if (vints + k > data.length) throw corrupt(file, 'a compressed integer list is cut off');
  };
  for (let i = 0; i < n; i++) {
    const code = (data[codes + (i >> 2)] >> (2 * (i & 3))) & 3;
    if (code === 0) prev += common;
    else if (code === 1) {
      need(wide ? 2 : 1);
      prev += wide ? view.getInt16(vints, true) : view.getInt8(vints);
      vints += wide ? 2 : 1;
    } else if (code === 2) {
      need(wide ? 4 : 2);
      prev += wide ? view.getInt32(vints, true) : view.getInt16(vints, true);
      vints += wide ? 4 : 2;
    } else {
      need(wide ? 8 : 4);
      prev += wide ? Number(view.getBigInt64(vints, true)) : view.getInt32(vints, true);
      vints += wide ? 8 : 4;
    }
    // 32-bit values wrap as C's int32/uint32 do; the running sum is exact in a double.
    out[i] = wide ? prev : signed ? prev | 0 : prev >>> 0;
  }
  return out;
}

/** `uint64 compressedSize` then that many bytes holding `n` compressed ints (_CompressedIntsReader). */
export function readCompressedInts(c: Cursor, n: number, what: string, opts: { wide?: boolean; signed?: boolean } = {}): number[] {
  const size = c.u64(`the size of ${what}`);
  const bytes = c.take(size, what);
  if (n === 0) return [];
  // Four 2-bit codes per byte, and LZ4 expands at most ~255:1: more ints than that is damage.
  if (n > (bytes.length * 256 + 64) * 4) throw corrupt(c.file, `${what} claims ${n} integers in ${bytes.length} bytes`);
  const wide = opts.wide ?? false;
  const data = fastDecompress(bytes, encodedSize(n, wide), c.file);
  return decode(data, n, wide, opts.signed ?? false, c.file);
}
