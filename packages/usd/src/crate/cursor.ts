// A little-endian reader over a crate file's bytes that refuses to read past the end: a truncated or
// corrupt file then fails with a UsdError naming the file and what was cut off, never a RangeError.
import { UsdError } from '../errors.js';

export const TRUNCATED_FIX =
  'The file is cut short or corrupt: copy or export it again from the DCC (usdcat can tell whether USD reads it).';

export class Cursor {
  private readonly view: DataView;
  pos: number;

  constructor(
    readonly bytes: Uint8Array,
    readonly file: string,
    pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
  }

  /** A second reader over the same bytes (values are unpacked at their own offsets). */
  at(pos: number): Cursor {
    return new Cursor(this.bytes, this.file, pos);
  }

  need(n: number, what: string): void {
    if (n < 0 || this.pos < 0 || this.pos + n > this.bytes.length)
      throw new UsdError(
        'CRATE_TRUNCATED',
        this.file,
        `the crate file ends inside ${what} (needs ${n} bytes at offset ${this.pos}, the file has ${this.bytes.length})`,
        TRUNCATED_FIX,
      );
  }

  u8(what = 'a value'): number {
    this.need(1, what);
    return this.bytes[this.pos++];
  }
  u32(what = 'a value'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  i32(what = 'a value'): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }
  /** A 64-bit size or offset as a JS number (exact below 2^53, which any file we can hold is). */
  u64(what = 'a value'): number {
    this.need(8, what);
    const lo = this.view.getUint32(this.pos, true);
    const hi = this.view.getUint32(this.pos + 4, true);
    this.pos += 8;
    return hi * 2 ** 32 + lo;
  }
  i64(what = 'a value'): number {
    this.need(8, what);
    const v = this.view.getBigInt64(this.pos, true);
    this.pos += 8;
    return Number(v);
  }
  f32(what = 'a value'): number {
    this.need(4, what);
    const v = this.view.getFloat32(this.pos, true);
    this.pos += 4;
    return v;
  }
  f64(what = 'a value'): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}

/** The error for bytes that are there but do not decode (bad LZ4 stream, index out of range, ...). */
export function corrupt(file: string, problem: string): UsdError {
  return new UsdError('CRATE_TRUNCATED', file, `the crate file is corrupt: ${problem}`, TRUNCATED_FIX);
}
