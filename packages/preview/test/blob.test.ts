// The page's binary blob: what BlobBuilder writes, readBlob gives back, value for value, with every
// array aligned for a typed view, and the errors a damaged or foreign blob gives.
import { describe, expect, it } from 'vitest';
import { BlobBuilder, PREVIEW_MAGIC, type PreviewHeader, readBlob } from '../src/data.js';

const header = (extra: Partial<PreviewHeader> = {}): PreviewHeader =>
  ({ magic: PREVIEW_MAGIC, notes: ['é ünïcode'], ...extra }) as PreviewHeader;

describe('blob round trip', () => {
  it('gives back the header and every array, each at an offset a typed view can use', () => {
    const b = new BlobBuilder();
    const refs = {
      u8: b.add('u8', Uint8Array.from([1, 2, 3])),
      f32: b.add('f32', [0.5, -1.25, 3e-8]),
      f64: b.add('f64', [Math.PI, -0]),
      u32: b.add('u32', [0, 4294967295]),
      i32: b.add('i32', Int32Array.from([-7, 7])),
    };
    const bytes = b.finish(header());
    const blob = readBlob(bytes);
    expect(blob.header.notes).toEqual(['é ünïcode']);
    expect(Object.values(refs).every((r) => r.offset % 8 === 0)).toBe(true);
    expect(Array.from(blob.u8(refs.u8))).toEqual([1, 2, 3]);
    expect(Array.from(blob.f32(refs.f32))).toEqual([0.5, -1.25, Math.fround(3e-8)]);
    expect(Array.from(blob.f64(refs.f64))).toEqual([Math.PI, -0]);
    expect(Array.from(blob.u32(refs.u32))).toEqual([0, 4294967295]);
    expect(Array.from(blob.i32(refs.i32))).toEqual([-7, 7]);
  });

  it('reads a blob that does not start on an 8-byte boundary (as base64 decoders may hand it over)', () => {
    const b = new BlobBuilder();
    const ref = b.add('f64', [1.5, 2.5]);
    const bytes = b.finish(header());
    const shifted = new Uint8Array(bytes.length + 3);
    shifted.set(bytes, 3);
    expect(Array.from(readBlob(shifted.subarray(3)).f64(ref))).toEqual([1.5, 2.5]);
  });

  it('says what is wrong with a foreign, a cut or a misread blob', () => {
    const b = new BlobBuilder();
    const ref = b.add('f32', new Float32Array(100));
    const bytes = b.finish(header());
    const foreign = bytes.slice();
    foreign[7] = '2'.charCodeAt(0);
    expect(() => readBlob(foreign)).toThrow(/not "A2FPREV1".*write it again/);
    expect(() => readBlob(bytes.subarray(0, bytes.length - 8)).f32(ref)).toThrow(/cut short/);
    expect(() => readBlob(bytes).u32(ref)).toThrow(/array of f32 was read as u32/);
  });
});
