// The v3.0 noise generator (docs/nvidia/v3.md#noise): Philox4x32-10 against the known-answer
// vectors published with the Philox paper's Random123 library, and against a second,
// independent BigInt implementation written from the paper's definition (Salmon et al. 2011,
// section 3: S-box = 64-bit products split hi/lo, Weyl key schedule); the normals against
// Box–Muller on that independent stream, in cuRAND's pairing.
import { describe, expect, it } from 'vitest';
import { philox4x32_10, philoxNormals } from '../src/index.js';

const hex = (words: ArrayLike<number>) => Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join(' ');

/** The paper's round, in BigInt: (L0, R0, L1, R1) → (hi(R1·M1) ⊕ L1? …) written out from its definition. */
function philoxBig(ctr: bigint[], key: bigint[]): bigint[] {
  const mask = 0xffffffffn;
  const M = [0xd2511f53n, 0xcd9e8d57n];
  const W = [0x9e3779b9n, 0xbb67ae85n];
  let [x0, x1, x2, x3] = ctr;
  let [k0, k1] = key;
  for (let r = 0; r < 10; r++) {
    const p0 = M[0] * x0;
    const p1 = M[1] * x2;
    [x0, x1, x2, x3] = [((p1 >> 32n) ^ x1 ^ k0) & mask, p1 & mask, ((p0 >> 32n) ^ x3 ^ k1) & mask, p0 & mask];
    k0 = (k0 + W[0]) & mask;
    k1 = (k1 + W[1]) & mask;
  }
  return [x0, x1, x2, x3];
}

describe('Philox4x32-10', () => {
  it('gives the Random123 known-answer vectors', () => {
    const out = new Uint32Array(4);
    expect(hex(philox4x32_10([0, 0, 0, 0], [0, 0], out))).toBe('6627e8d5 e169c58d bc57ac4c 9b00dbd8');
    expect(hex(philox4x32_10([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], out))).toBe(
      '408f276d 41c83b0e a20bc7c6 6d5451fd',
    );
    expect(hex(philox4x32_10([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], out))).toBe(
      'd16cfe09 94fdcceb 5001e420 24126ea1',
    );
  });

  it('agrees with an independent BigInt implementation on many counters and keys', () => {
    const out = new Uint32Array(4);
    let s = 12345;
    const next = () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      return s;
    };
    for (let i = 0; i < 500; i++) {
      const ctr = [next(), next(), next(), next()];
      const key = [next(), next()];
      const expected = philoxBig(ctr.map(BigInt), key.map(BigInt)).map(Number);
      expect(Array.from(philox4x32_10(ctr, key, out))).toEqual(expected);
    }
  });
});

describe('philoxNormals', () => {
  it('is Box–Muller on the stream word n = block(n / 4)[n mod 4], sin first, seed 0', () => {
    const got = philoxNormals(new Float32Array(64));
    for (let n = 0; n < 64; n += 2) {
      const block = philoxBig([BigInt(Math.floor(n / 4)), 0n, 0n, 0n], [0n, 0n]).map(Number);
      const x = block[n % 4];
      const y = block[(n % 4) + 1];
      const u = (x + 0.5) / 2 ** 32;
      const theta = ((y + 0.5) / 2 ** 32) * 2 * Math.PI;
      const r = Math.sqrt(-2 * Math.log(u));
      expect(got[n]).toBe(Math.fround(r * Math.sin(theta)));
      expect(got[n + 1]).toBe(Math.fround(r * Math.cos(theta)));
    }
  });

  it('draws standard normals (mean 0, variance 1) and continues the stream at an offset', () => {
    const all = philoxNormals(new Float32Array(200_000));
    let sum = 0;
    let sq = 0;
    for (const z of all) {
      sum += z;
      sq += z * z;
    }
    expect(Math.abs(sum / all.length)).toBeLessThan(0.01);
    expect(Math.abs(sq / all.length - 1)).toBeLessThan(0.02);
    expect(philoxNormals(new Float32Array(8), 0n, 40)).toEqual(all.subarray(40, 48));
    expect(philoxNormals(new Float32Array(8), 7n)).not.toEqual(all.subarray(0, 8));
  });
});
