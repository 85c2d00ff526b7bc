// USD compresses structural sections and large arrays with TfFastCompression: a first byte that
// counts chunks (0 = one LZ4 block filling the rest of the buffer), else per chunk an int32 size and
// an LZ4 block (pxr/base/tf/fastCompression.cpp). Each chunk is a raw LZ4 block (no frame header).
import { corrupt } from './cursor.js';

/** Decodes one raw LZ4 block into `out` from `outPos`; returns the new end position. */
function lz4Block(src: Uint8Array, out: Uint8Array, outPos: number, file: string): number {
  let i = 0;
  let o = outPos;
  const bad = (why: string) => corrupt(file, `an LZ4 block does not decode (${why})`);
  while (i < src.length) {
    const token = src[i++];
    let lit = token >> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (i >= src.length) throw bad('literal length runs past the block');
        b = src[i++];
        lit += b;
      } while (b === 255);
    }
    if (i + lit > src.length) throw bad('literals run past the block');
    if (o + lit > out.length) throw bad('output larger than announced');
    out.set(src.subarray(i, i + lit), o);
    i += lit;
    o += lit;
    if (i >= src.length) break; // the last sequence has literals only
    if (i + 2 > src.length) throw bad('match offset cut off');
    const offset = src[i] | (src[i + 1] << 8);
    i += 2;
    if (offset === 0 || offset > o - outPos) throw bad('match offset out of range');
    let len = (token & 15) + 4;
    if ((token & 15) === 15) {
      let b: number;
      do {
        if (i >= src.length) throw bad('match length runs past the block');
        b = src[i++];
        len += b;
      } while (b === 255);
    }
    if (o + len > out.length) throw bad('output larger than announced');
    // Matches may overlap their own output (a run), so copy byte by byte when they do.
    if (offset >= len) out.copyWithin(o, o - offset, o - offset + len);
    else for (let k = 0; k < len; k++) out[o + k] = out[o + k - offset];
    o += len;
  }
  return o;
}

/** TfFastCompression::DecompressFromBuffer: `size` is the decompressed size the caller expects (at most). */
export function fastDecompress(src: Uint8Array, size: number, file: string): Uint8Array {
  // LZ4 expands at most ~255:1: never allocate more than that, whatever size a damaged file claims
  // (callers pass an upper bound for integer streams and check exact sizes themselves).
  const out = new Uint8Array(Math.min(size, src.length * 256 + 64));
  if (src.length === 0) throw corrupt(file, 'an empty compressed buffer');
  const chunks = src[0];
  if (chunks === 0) {
    const end = lz4Block(src.subarray(1), out, 0, file);
    return end === out.length ? out : out.subarray(0, end);
  }
  let p = 1;
  let o = 0;
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let c = 0; c < chunks; c++) {
    if (p + 4 > src.length) throw corrupt(file, 'a compressed chunk header is cut off');
    const n = view.getInt32(p, true);
    p += 4;
    if (n < 0 || p + n > src.length) throw corrupt(file, 'a compressed chunk runs past its buffer');
    o = lz4Block(src.subarray(p, p + n), out, o, file);
    p += n;
  }
  return o === out.length ? out : out.subarray(0, o);
}
