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

// The fast path runs once per number written (millions per layer), so its helpers return
// through these two registers instead of allocating a tuple per call: D × 10^(N − digits of D).
let regD = 0;
let regN = 0;

/**
 * The p-digit integer nearest to the float's significand (p < 9), from its correctly rounded
 * 9-digit form d9: rounding d9 again gives the same result unless d9's tail is exactly 5 followed
 * by zeros (the true value may lie on either side), and only then is toPrecision asked.
 * Result in regD, regN.
 */
function nearestDigits(a: number, d9: number, n9: number, p: number): void {
  const scale = POW10[9 - p];
  const q = Math.floor(d9 / scale);
  const rem = d9 - q * scale;
  const half = scale / 2;
  if (rem === half) {
    const [digits, n] = splitExponential(a.toPrecision(p));
    regD = Number(digits);
    regN = n;
  } else if (rem < half) {
    regD = q;
    regN = n9;
  } else if (q + 1 === POW10[p]) {
    regD = POW10[p - 1];
    regN = n9 + 1;
  } else {
    regD = q + 1;
    regN = n9;
  }
}

/** Whether a p-digit candidate round-trips, in the reference order (nearest, then its neighbours); the one found in regD, regN. */
function candidateAt(a: number, d9: number, n9: number, p: number): boolean {
  nearestDigits(a, d9, n9, p);
  const r = regD;
  const k = regN - p;
  if (readsBackAs(r, k, a)) return true;
  if (r - 1 >= POW10[p - 1] && readsBackAs(r - 1, k, a)) {
    regD = r - 1;
    return true;
  }
  if (r + 1 < POW10[p] && readsBackAs(r + 1, k, a)) {
    regD = r + 1;
    return true;
  }
  return false;
}

/**
 * Fast path with the same result as the exact one (tested on random bit patterns):
 * - p-digit roundings come from the 9 correctly rounded digits (see nearestDigits); 9 digits
 *   always identify a float32, so 9 is the longest answer.
 * - "some candidate round-trips at p" is monotone in p (a p-digit value is also a (p+1)-digit
 *   one, and the round-trip interval is contiguous), so the shortest p is found by bisection.
 * - toPrecision breaks exact ties upwards where the reference goes to even. A tie at p needs the
 *   float's whole expansion to have p+1 digits ending in 5; that rare case goes to the exact path.
 *   A tie at a length where nothing round-trips cannot matter: both tied values were tried.
 * Returns false where only the exact path can answer; else the digits (no trailing zeros) in regD,
 * regN. `exponentField` is the float's biased binary exponent (bits 23–30).
 */
function shortestSingle(a: number, exponentField: number): boolean {
  if (!nineDigits(a, exponentField)) {
    const [s9, n] = splitExponential(a.toPrecision(9));
    regD = Number(s9);
    regN = n;
  }
  const d9 = regD;
  const n9 = regN;
  if (!readsBackAs(d9, n9 - 9, a)) return false;
  let foundD = d9;
  let foundN = n9;
  let lo = 1;
  let hi = 9;
  // Most weights need 8 or 9 digits, so look at 8 and 7 first, then bisect below. The shortest
  // length is unique (monotone), and the candidate at a length does not depend on the search.
  if (candidateAt(a, d9, n9, 8)) {
    foundD = regD;
    foundN = regN;
    hi = 8;
    if (candidateAt(a, d9, n9, 7)) {
      foundD = regD;
      foundN = regN;
      hi = 7;
    } else lo = 8;
  } else lo = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (candidateAt(a, d9, n9, mid)) {
      hi = mid;
      foundD = regD;
      foundN = regN;
    } else lo = mid + 1;
  }
  // An exact tie at `hi` digits needs a × 10^(hi+1-n) to be an integer, hence a × 2^(hi+1-n) too.
  if (hi < 9 && Number.isInteger(a * 2 ** (hi + 1 - foundN))) {
    const next = a.toPrecision(hi + 1);
    if (Number(next) === a && /5(e|$)/.test(next)) return false;
  }
  while (foundD >= 10 && foundD % 10 === 0) foundD /= 10;
  regD = foundD;
  regN = foundN;
  return true;
}

/**
 * The 9 correctly rounded significant digits of a (> 0) by arithmetic, in regD, regN (toPrecision
 * dominated the cost of writing a layer); false where arithmetic cannot be sure. a·10^k for
 * |k| ≤ 22 is one correctly rounded operation on exact operands, so below 10^9 it is off by at
 * most 2^-24 from the exact product: rounding it to an integer is exact unless its fraction lies
 * within that of one half (then a tie, which toPrecision breaks upwards, is possible).
 */
function nineDigits(a: number, exponentField: number): boolean {
  // From the binary exponent: a ∈ [2^e, 2^(e+1)) puts log10(a) in [e·log10 2, (e+1)·log10 2), so
  // this is the digit count or one less (corrected below); subnormals ask log10.
  let n9 = exponentField === 0 ? Math.floor(Math.log10(a)) + 1 : Math.floor((exponentField - 127) * Math.LOG10E * Math.LN2) + 1;
  let v = scaled(a, 9 - n9);
  // log10 can miss by one next to powers of ten
  if (v >= 1e9) v = scaled(a, 9 - ++n9);
  else if (v < 1e8) v = scaled(a, 9 - --n9);
  if (!(v >= 1e8 && v < 1e9)) return false;
  const floor = Math.floor(v);
  const fraction = v - floor;
  if (Math.abs(fraction - 0.5) < 1e-6) return false;
  const d9 = fraction > 0.5 ? floor + 1 : floor;
  regD = d9 === 1e9 ? 1e8 : d9;
  regN = d9 === 1e9 ? n9 + 1 : n9;
  return true;
}

/** a·10^k as one correctly rounded operation, or NaN when 10^|k| is not an exact double. */
function scaled(a: number, k: number): number {
  if (k >= 0) return k <= 22 ? a * POW10[k] : NaN;
  return k >= -22 ? a / POW10[-k] : NaN;
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
  // Animation repeats values (weights at a bound of 1, constant quaternion components, offsets):
  // a small cache keyed by the float's bits answers those without formatting them again.
  floatBits[0] = f;
  const bits = wordOfBits[0];
  const slot = Math.imul(bits, 0x9e3779b1) >>> (32 - TEXT_CACHE_BITS);
  if (cachedBits[slot] === bits && cachedText[slot] !== '') return cachedText[slot];
  const a = Math.abs(f);
  let text: string;
  if (shortestSingle(a, (bits >>> 23) & 0xff)) text = layout(f < 0, String(regD), regN);
  else {
    const [digits, n] = shortestSingleExact(a);
    text = layout(f < 0, digits, n);
  }
  cachedBits[slot] = bits;
  cachedText[slot] = text;
  return text;
}

const floatBits = new Float32Array(1);
const wordOfBits = new Uint32Array(floatBits.buffer);
const TEXT_CACHE_BITS = 10;
const cachedBits = new Uint32Array(1 << TEXT_CACHE_BITS);
/** '' marks an empty slot (no float formats to '') */
const cachedText: string[] = new Array<string>(1 << TEXT_CACHE_BITS).fill('');

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
  // Time codes are whole frame numbers: below 10^15 both spellings are the plain digits.
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
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
  if (2 ** e > a)
    e -= 1; // log2 may round up just below a power of two
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
