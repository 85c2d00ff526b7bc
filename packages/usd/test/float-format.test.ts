import { describe, expect, it } from 'vitest';
import { formatDouble, formatFloat, formatFloatExact, formatHalf, formatInt, toHalf } from '../src/index.js';

/** Deterministic float32 bit patterns (xorshift32), so failures reproduce. */
function* randomFloat32(count: number, seed = 0x9e3779b9): Generator<number> {
  const bits = new Uint32Array(1);
  const f = new Float32Array(bits.buffer);
  let s = seed >>> 0;
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    bits[0] = s;
    yield f[0];
  }
}

const sameFloat32 = (a: number, b: number): boolean => {
  const x = new Float32Array([a, b]);
  return new Uint32Array(x.buffer)[0] === new Uint32Array(x.buffer)[1];
};

describe('formatFloat (USD float text, docs/usd-layers.md#float-text)', () => {
  it.each([
    [0.30000001192092896, '0.3'],
    [133.203125, '133.20312'], // an exact tie: half to even
    [1e-5, '0.00001'],
    [1e-6, '0.000001'],
    [1e-7, '1e-7'],
    [0.9848077, '0.9848077'],
    [0.17364818, '0.17364818'],
    [-0, '-0'],
    [0, '0'],
    [1, '1'],
    [-0.125, '-0.125'],
    [0.333333, '0.333333'],
    [1 / 3, '0.33333334'],
    [16777216, '16777216'],
    [1e14, '100000000000000'],
    [1e15, '1e15'],
    [1.5e15, '1.5e15'],
    [1e20, '1e20'],
    [3.4028234663852886e38, '3.4028235e38'],
    [1.401298464324817e-45, '1e-45'],
    [1.1754943508222875e-38, '1.1754944e-38'],
  ])('%s → %s', (x, text) => {
    expect(formatFloat(x)).toBe(text);
    expect(formatFloatExact(x)).toBe(text);
  });

  it('reads back bit-equal and matches the exact algorithm over 100k random float32 bit patterns', () => {
    let checked = 0;
    for (const v of randomFloat32(100_000)) {
      if (!Number.isFinite(v)) continue;
      const text = formatFloat(v);
      // USD parses text as a double and stores it as float: Number() then fround.
      if (!sameFloat32(Math.fround(Number(text)), v)) throw new Error(`${v} → ${text} does not round-trip`);
      // The BigInt reference is slow: compare every 4th value against it.
      if (checked % 4 === 0 && text !== formatFloatExact(v)) throw new Error(`${v}: fast ${text} vs exact ${formatFloatExact(v)}`);
      if (/e\+|^\+|[^\d.e-]/.test(text)) throw new Error(`${v} → ${text} is not USD's spelling`);
      checked++;
    }
    expect(checked).toBeGreaterThan(99_000);
  });

  it('is the shortest spelling: no shorter decimal reads back as the same float', () => {
    for (const v of randomFloat32(2000, 7)) {
      if (!Number.isFinite(v) || v === 0) continue;
      const digits = formatFloat(v)
        .replace(/^-/, '')
        .replace(/e.*$/, '')
        .replace('.', '')
        .replace(/^0+|0+$/g, '');
      if (digits.length > 1) expect(Math.fround(Number(Math.abs(v).toPrecision(digits.length - 1)))).not.toBe(Math.abs(v));
    }
  });

  it('matches the exact algorithm on blendshape-weight-like values (the arithmetic 9-digit path)', () => {
    // [0, 1] and small negatives, where nearly every value takes the toPrecision-free path
    let s = 7;
    for (let i = 0; i < 20_000; i++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      const v = Math.fround((s / 2 ** 32) * 1.2 - 0.1);
      if (formatFloat(v) !== formatFloatExact(v)) throw new Error(`${v}: fast ${formatFloat(v)} vs exact ${formatFloatExact(v)}`);
    }
  });

  it('finds exact ties among dyadic values the same way as the exact algorithm', () => {
    for (let k = 0; k < 20_000; k++) {
      const v = Math.fround((k * 37) / 4096);
      expect(formatFloat(v)).toBe(formatFloatExact(v));
    }
  });

  it('refuses non-finite values and values beyond float32 range', () => {
    expect(() => formatFloat(NaN)).toThrow(/finite/);
    expect(() => formatFloat(Infinity)).toThrow(/finite/);
    expect(() => formatFloat(1e39)).toThrow(/float32 range/);
  });
});

describe('formatDouble (USD double text and time codes)', () => {
  it.each([
    [30000 / 1001, '29.97002997002997'],
    [0.1, '0.1'],
    [1e-7, '1e-7'],
    [1e21, '1e21'],
    [123456789012345680, '1.2345678901234568e17'],
    [1e15, '1e15'],
    [999999999999999.9, '999999999999999.9'],
    [-2.5, '-2.5'],
    [-0, '-0'],
    [5e-324, '5e-324'],
  ])('%s → %s', (x, text) => expect(formatDouble(x)).toBe(text));

  it('round-trips doubles exactly', () => {
    for (const v of randomFloat32(20_000, 3)) {
      if (!Number.isFinite(v)) continue;
      const d = v * Math.PI;
      expect(Number(formatDouble(d))).toBe(d);
    }
  });

  it('refuses non-finite values', () => expect(() => formatDouble(-Infinity)).toThrow(/finite/));
});

describe('half and int', () => {
  it('rounds to the nearest half, ties to even, and refuses overflow', () => {
    expect(toHalf(1)).toBe(1);
    expect(toHalf(0.1)).toBe(0.0999755859375);
    expect(toHalf(65504)).toBe(65504);
    expect(toHalf(2049)).toBe(2048); // tie between 2048 and 2050: even mantissa
    expect(toHalf(2051)).toBe(2052);
    expect(toHalf(6e-8)).toBe(2 ** -24); // smallest subnormal
    expect(Object.is(toHalf(-0), -0)).toBe(true);
    expect(formatHalf(0.1)).toBe('0.099975586');
    expect(() => toHalf(65520)).toThrow(/half range/);
  });

  it('writes int32 only', () => {
    expect(formatInt(-3)).toBe('-3');
    expect(() => formatInt(1.5)).toThrow();
    expect(() => formatInt(2 ** 31)).toThrow();
  });
});
