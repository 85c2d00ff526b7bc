// Philox4x32-10 (Salmon, Moraes, Dror, Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC 2011)
// and the Box–Muller normals cuRAND makes from it, for the v3.0 network's noise input
// (docs/nvidia/v3.md#noise).

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two unsigned 32-bit numbers, exact (16-bit limbs keep every partial below 2^53). */
function mulhi(a: number, b: number): number {
  const aH = a >>> 16;
  const aL = a & 0xffff;
  const bH = b >>> 16;
  const bL = b & 0xffff;
  const low = aL * bL;
  const mid1 = aH * bL;
  const mid2 = aL * bH;
  const carry = ((low >>> 16) + (mid1 & 0xffff) + (mid2 & 0xffff)) >>> 16;
  return (aH * bH + (mid1 >>> 16) + (mid2 >>> 16) + carry) >>> 0;
}

/** One Philox4x32-10 block: `ctr` (4 words) under `key` (2 words) → 4 words written to `out`. */
export function philox4x32_10(ctr: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array): Uint32Array {
  let c0 = ctr[0] >>> 0;
  let c1 = ctr[1] >>> 0;
  let c2 = ctr[2] >>> 0;
  let c3 = ctr[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

const TWO_POW_M32 = 2 ** -32;
const TWO_PI_POW_M32 = 2 * Math.PI * TWO_POW_M32;

/**
 * Fills `out` (even length) with standard normals the way cuRAND's host API does for a Philox
 * generator (curandGenerateNormal, mean 0, stddev 1): word n of the stream is word n mod 4 of the
 * block at counter n / 4 (64-bit, in the first two counter words) under key = the 64-bit seed; each
 * pair of words (x, y) gives u = x·2⁻³² + 2⁻³³, θ = y·2π·2⁻³² + π·2⁻³², r = √(−2 ln u), and the two
 * normals r·sin θ, r·cos θ in that order. Computed in double and rounded once to float32, so it
 * matches the GPU's float intrinsics to about 1e-6, not bit for bit.
 */
export function philoxNormals(out: Float32Array, seed = 0n, offset = 0): Float32Array {
  if (out.length % 2 !== 0) throw new RangeError(`normals come in pairs: ${out.length} asked`);
  if (offset % 4 !== 0) throw new RangeError(`offset ${offset} must be a multiple of 4 (whole Philox blocks)`);
  const key = [Number(seed & 0xffffffffn), Number((seed >> 32n) & 0xffffffffn)];
  const ctr = new Uint32Array(4);
  const block = new Uint32Array(4);
  const first = offset / 4;
  for (let i = 0; i < out.length; i += 4) {
    const counter = first + i / 4;
    ctr[0] = counter >>> 0;
    ctr[1] = Math.floor(counter / 2 ** 32) >>> 0;
    philox4x32_10(ctr, key, block);
    for (let pair = 0; pair < 2 && i + 2 * pair < out.length; pair++) {
      const u = block[2 * pair] * TWO_POW_M32 + TWO_POW_M32 / 2;
      const theta = block[2 * pair + 1] * TWO_PI_POW_M32 + TWO_PI_POW_M32 / 2;
      const r = Math.sqrt(-2 * Math.log(u));
      out[i + 2 * pair] = r * Math.sin(theta);
      out[i + 2 * pair + 1] = r * Math.cos(theta);
    }
  }
  return out;
}
