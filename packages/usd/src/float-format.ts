// Numbers exactly as Pixar USD writes them (TfStringify: double-conversion ToShortestSingle for
// `float`, ToShortest for `double`, decimal_in_shortest_low = -6, decimal_in_shortest_high = 15,
// no '+' in exponents). Writing the same text USD would write means a value survives any
// open/save cycle bit-for-bit and our files diff cleanly against USD-resaved ones.

const FLOAT32_MAX = 3.4028234663852886e38;

/** Layout shared by both formatters: `digits` with value = 0.DIGITS × 10^n. */
function layout(negative: boolean, digits: string, n: number): string {
  const sign = negative ? '-' : '';
  if (n > -6 && n <= 15) {
    if (n <= 0) return `${sign}0.${'0'.repeat(-n)}${digits}`;
    if (n >= digits.length) return sign + digits + '0'.repeat(n - digits.length);
    return `${sign}${digits.slice(0, n)}.${digits.slice(n)}`;
  }
  const mantissa = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${n - 1}`;
}

function assertFinite(x: number, what: string): void {
  if (!Number.isFinite(x)) throw new RangeError(`cannot write ${x} as a USD ${what}: USD files must only hold finite numbers`);
}

/** Parses toPrecision/toExponential output into [significant digits, n] for 0.DIGITS × 10^n. */
function splitExponential(s: string): [string, number] {
  const e = s.indexOf('e');
  const mant = e < 0 ? s : s.slice(0, e);
  const point = mant.indexOf('.');
  const digits = point < 0 ? mant : mant.slice(0, point) + mant.slice(point + 1);
  const n = (point < 0 ? mant.length : point) + (e < 0 ? 0 : Number(s.slice(e + 1)));
  let lead = 0; // "0.00012" → "12", n - 4
  while (digits.charCodeAt(lead) === 48 && lead < digits.length - 1) lead++;
  return [digits.slice(lead), n - lead];
}

/** Exact decimal expansion of a positive finite double: [significant digits, n] with v = 0.DIGITS × 10^n. */
function exactDigits(v: number): [string, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  let e = (hi >>> 20) & 0x7ff;
  let m = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  if (e === 0) e = 1;
  else m |= 1n << 52n;
  e -= 1075; // v = m × 2^e
  let s: string;
  let n: number;
  if (e >= 0) {
    s = (m << BigInt(e)).toString();
    n = s.length;
  } else {
    s = (m * 5n ** BigInt(-e)).toString(); // m × 2^e = m × 5^-e / 10^-e
    n = s.length + e;
  }
  const trimmed = s.replace(/^0+/, '');
  n -= s.length - trimmed.length;
  return [trimmed.replace(/0+$/, ''), n];
}

/** Rounds a digit string to p digits, half to even: [digits, carry into a new leading digit]. */
function roundDigits(d: string, p: number): [string, number] {
  if (d.length <= p) return [d, 0];
  const head = d.slice(0, p);
  const rest = d.slice(p);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(head[p - 1]) % 2 === 1));
  if (!up) return [head, 0];
  const r = (BigInt(head) + 1n).toString();
  return r.length > p ? [r.slice(0, p), 1] : [r, 0];
}

const roundTrips = (digits: string, n: number, a: number): boolean => Math.fround(Number(`0.${digits}e${n}`)) === a;

/**
 * The shortest digits that read back (text → double → float, as USD's parser does) as `a`,
 * choosing at each length the p-digit decimal nearest the exact value (ties to even), then its
 * neighbours, which matter only where the float spacing changes at powers of two.
 */
function shortestSingleExact(a: number): [string, number] {
  const [exact, n0] = exactDigits(a);
  for (let p = 1; p <= 9; p++) {
    const [r, carry] = roundDigits(exact, p);
    const n = n0 + carry;
    const candidates = [r];
    const low = (BigInt(r) - 1n).toString();
    const high = (BigInt(r) + 1n).toString();
    if (low.length === r.length && low !== '0') candidates.push(low);
    if (high.length === r.length) candidates.push(high);
    for (const c of candidates) if (roundTrips(c, n, a)) return [c.replace(/0+$/, ''), n];
  }
  throw new Error(`no 9-digit representation of float ${a}`); // unreachable: 9 digits always suffice
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k); // exact doubles

/**
 * Whether D × 10^k (D a p-digit integer) reads back as `a`. For |k| ≤ 22 one multiplication or
 * division of exact operands is correctly rounded, i.e. equals parsing the decimal text, without
 * building a string; beyond that the text is parsed.
 */
function readsBackAs(d: number, k: number, a: number): boolean {
  const v = k >= 0 ? (k <= 22 ? d * POW10[k] : Number(`${d}e${k}`)) : k >= -22 ? d / POW10[-k] : Number(`${d}e${k}`);
  return Math.fround(v) === a;
}

/**
 * The p-digit integer nearest to the float's significand (p < 9), from its correctly rounded
 * 9-digit form d9: rounding d9 again gives the same result unless d9's tail is exactly 5 followed
 * by zeros (the true value may lie on either side), and only then is toPrecision asked.
 */
function nearestDigits(a: number, d9: number, n9: number, p: number): [number, number] {
  const scale = POW10[9 - p];
  const q = Math.floor(d9 / scale);
  const rem = d9 - q * scale;
  const half = scale / 2;
  if (rem === half) {
    const [digits, n] = splitExponential(a.toPrecision(p));
    return [Number(digits), n];
  }
  if (rem < half) return [q, n9];
  return q + 1 === POW10[p] ? [POW10[p - 1], n9 + 1] : [q + 1, n9];
}

/** The round-tripping p-digit candidate in the reference order (nearest, then its neighbours). */
function candidateAt(a: number, d9: number, n9: number, p: number): [number, number] | undefined {
  const [r, n] = nearestDigits(a, d9, n9, p);
  const k = n - p;
  if (readsBackAs(r, k, a)) return [r, n];
  if (r - 1 >= POW10[p - 1] && readsBackAs(r - 1, k, a)) return [r - 1, n];
  if (r + 1 < POW10[p] && readsBackAs(r + 1, k, a)) return [r + 1, n];
  return undefined;
}

/**
 * Fast path with the same result as the exact one (tested on random bit patterns):
 * - p-digit roundings come from one toPrecision(9) (see nearestDigits); 9 correctly rounded
 *   digits always identify a float32, so 9 is the longest answer.
 * - "some candidate round-trips at p" is monotone in p (a p-digit value is also a (p+1)-digit
 *   one, and the round-trip interval is contiguous), so the shortest p is found by bisection.
 * - toPrecision breaks exact ties upwards where the reference goes to even. A tie at p needs the
 *   float's whole expansion to have p+1 digits ending in 5; that rare case goes to the exact path.
 *   A tie at a length where nothing round-trips cannot matter: both tied values were tried.
 */
function shortestSingle(a: number): [string, number] {
  const [s9, n9] = splitExponential(a.toPrecision(9));
  const d9 = Number(s9);
  if (!readsBackAs(d9, n9 - 9, a)) return shortestSingleExact(a);
  let found: [number, number] = [d9, n9];
  let lo = 1;
  let hi = 9;
  // Most weights need 8 or 9 digits, so look at 8 first, then bisect below.
  const at8 = candidateAt(a, d9, n9, 8);
  if (at8) {
    found = at8;
    hi = 8;
  } else lo = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = candidateAt(a, d9, n9, mid);
    if (c) {
      hi = mid;
      found = c;
    } else lo = mid + 1;
  }
  const n = found[1];
  // An exact tie at `hi` digits needs a × 10^(hi+1-n) to be an integer, hence a × 2^(hi+1-n) too.
  if (hi < 9 && Number.isInteger(a * 2 ** (hi + 1 - n))) {
    const next = a.toPrecision(hi + 1);
    if (Number(next) === a && /5(e|$)/.test(next)) return shortestSingleExact(a);
  }
  let digits = String(found[0]);
  while (digits.length > 1 && digits.endsWith('0')) digits = digits.slice(0, -1);
  return [digits, n];
}

/**
 * A number as USD writes a `float` (it is first rounded to float32, as storing it would).
 * Throws on NaN, ±Infinity and on values beyond float32 range, which USD would turn into inf.
 */
export function formatFloat(x: number): string {
  assertFinite(x, 'float');
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new RangeError(`cannot write ${x} as a USD float: beyond float32 range (±${FLOAT32_MAX})`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [digits, n] = shortestSingle(Math.abs(f));
  return layout(f < 0, digits, n);
}

/** The reference algorithm alone (BigInt throughout); exported for tests of the fast path. */
export function formatFloatExact(x: number): string {
  assertFinite(x, 'float');
  const f = Math.fround(x);
  if (!Number.isFinite(f)) throw new RangeError(`cannot write ${x} as a USD float: beyond float32 range`);
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [digits, n] = shortestSingleExact(Math.abs(f));
  return layout(f < 0, digits, n);
}

/**
 * A number as USD writes a `double` and time-sample keys. ECMAScript's shortest round-trip digits
 * (toExponential with no argument) are double-conversion's ToShortest digits, ties to even.
 */
export function formatDouble(x: number): string {
  assertFinite(x, 'double');
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const [digits, n] = splitExponential(Math.abs(x).toExponential());
  return layout(x < 0, digits, n);
}

/** An integer as USD writes `int` (throws on fractions and values outside int32). */
export function formatInt(x: number): string {
  if (!Number.isInteger(x) || x < -2147483648 || x > 2147483647) throw new RangeError(`cannot write ${x} as a USD int`);
  return String(x);
}

/**
 * Rounds to the nearest IEEE half (ties to even), as storing into a `half` does. Throws beyond
 * half range (±65504) rather than writing inf.
 */
export function toHalf(x: number): number {
  assertFinite(x, 'half');
  const sign = x < 0 || Object.is(x, -0) ? -1 : 1;
  const a = Math.abs(Math.fround(x));
  if (a === 0) return sign * 0;
  // Quantum of the half grid at this magnitude: 2^(e-10) for normals, 2^-24 for subnormals.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1; // log2 may round up just below a power of two
  else if (2 ** (e + 1) <= a) e += 1;
  const q = 2 ** (Math.max(e, -14) - 10);
  const scaled = a / q;
  let r = Math.round(scaled);
  if (r - scaled === 0.5 && r % 2 === 1) r -= 1; // Math.round breaks ties upwards; IEEE to even
  const h = r * q;
  if (h > 65504) throw new RangeError(`cannot write ${x} as a USD half: beyond half range (±65504)`);
  return sign * h;
}

/** A number as USD writes a `half` (the half value through the float formatter). */
export const formatHalf = (x: number): string => formatFloat(toHalf(x));
