import { InferenceError } from '@a2f/inference';

/**
 * NumPy `.npy` arrays as NVIDIA's packs use them (numpy.lib.format v1/v2/v3).
 *
 * Data always comes back in C (row-major) order: a Fortran-ordered array is transposed once on
 * read, so callers index `[i, j, k]` as `((i·d1)+j)·d2+k` whatever the file said. NVIDIA's files
 * are C order (numpy's default), so the copy only costs anything for hand-made files.
 *
 * float32 data is a view on the caller's buffer when it is 4-byte aligned (numpy pads headers
 * to 64 bytes, so it is for any buffer that starts aligned); otherwise, and for every other
 * dtype, it is a copy.
 */
export type NpyArray =
  | NpyOf<'float32', Float32Array>
  | NpyOf<'float64', Float64Array>
  | NpyOf<'int32', Int32Array>
  | NpyOf<'bool', Uint8Array>
  | NpyOf<'string', string[]>;

export interface NpyOf<D extends string, T> {
  readonly dtype: D;
  /** the file's dtype descriptor, e.g. '<i8' for an int64 array narrowed to int32 */
  readonly descr: string;
  readonly shape: readonly number[];
  readonly data: T;
}

export type NpyDtype = NpyArray['dtype'];

/** Where bytes came from, for errors: the file and, inside an .npz, the entry. */
export interface NpySource {
  readonly file: string;
  readonly entry?: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function npyError(src: NpySource, problem: string, fix: string): InferenceError {
  const where = src.entry === undefined ? '' : `entry "${src.entry}": `;
  return new InferenceError('PACK_FIELD', src.file, `${where}${problem}`, fix);
}

const REDOWNLOAD = 'The file is damaged or not what this pack should hold; download it again.';

/** Parses one .npy byte image. `bytes` may be kept alive by the result (float32 views). */
export function parseNpy(bytes: Uint8Array, src: NpySource): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw npyError(
      src,
      `bad magic: not a NumPy .npy array (starts with ${hex(bytes.subarray(0, 6))}, expected 93 4e 55 4d 50 59)`,
      REDOWNLOAD,
    );
  }
  const major = bytes[6];
  if (major < 1 || major > 3) {
    throw npyError(src, `unsupported .npy format version ${major}.${bytes[7]} (this reader knows 1.0, 2.0 and 3.0)`, REDOWNLOAD);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lenBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lenBytes) throw npyError(src, 'truncated inside the .npy preamble', REDOWNLOAD);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = 8 + lenBytes + headerLen;
  if (dataStart > bytes.length) {
    throw npyError(src, `truncated: the .npy header claims ${headerLen} bytes, only ${bytes.length - 8 - lenBytes} follow`, REDOWNLOAD);
  }
  // v1/v2 headers are latin1, v3 utf8; the fields we read are ASCII either way.
  const headerText = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lenBytes, headerLen).toString(major === 3 ? 'utf8' : 'latin1');
  const header = parseHeader(headerText, src);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const { itemSize, decode } = dtypeOf(header.descr, src);
  const need = count * itemSize;
  const have = bytes.length - dataStart;
  if (have < need) {
    throw npyError(
      src,
      `truncated: shape [${header.shape.join(', ')}] of ${header.descr} needs ${need} data bytes, found ${have}`,
      REDOWNLOAD,
    );
  }
  if (have > need) {
    throw npyError(src, `${have - need} unexpected bytes after the data of shape [${header.shape.join(', ')}] ${header.descr}`, REDOWNLOAD);
  }
  const raw = bytes.subarray(dataStart, dataStart + need);
  const arr = decode(raw, count, src);
  if (!header.fortranOrder || header.shape.length < 2) return { ...arr, descr: header.descr, shape: header.shape } as NpyArray;
  return { ...arr, descr: header.descr, shape: header.shape, data: fortranToC(arr.data, header.shape) } as NpyArray;
}

interface Header {
  readonly descr: string;
  readonly fortranOrder: boolean;
  readonly shape: number[];
}

/** The header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), } */
function parseHeader(text: string, src: NpySource): Header {
  const bad = (what: string): never => {
    throw npyError(src, `unreadable .npy header (${what}): ${JSON.stringify(text.trim().slice(0, 120))}`, REDOWNLOAD);
  };
  const body = text.trim().match(/^\{(.*)\}$/s)?.[1] ?? bad('not a dict');
  const field = (key: string): string => {
    const m = body.match(new RegExp(`['"]${key}['"]\\s*:\\s*('[^']*'|"[^"]*"|True|False|\\([^)]*\\))`));
    return m ? m[1] : bad(`no "${key}"`);
  };
  const descr = field('descr').slice(1, -1);
  const fo = field('fortran_order');
  if (fo !== 'True' && fo !== 'False') bad('fortran_order is not a bool');
  const tuple = field('shape').slice(1, -1).trim();
  const shape =
    tuple === ''
      ? []
      : tuple
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '')
          .map((s) => {
            const n = /^\d+L?$/.test(s) ? Number.parseInt(s, 10) : NaN;
            return Number.isSafeInteger(n) ? n : bad(`shape entry ${JSON.stringify(s)}`);
          });
  return { descr, fortranOrder: fo === 'True', shape };
}

type Decoded = Omit<NpyArray, 'descr' | 'shape'>;
interface DtypeReader {
  readonly itemSize: number;
  decode(raw: Uint8Array, count: number, src: NpySource): Decoded;
}

function dtypeOf(descr: string, src: NpySource): DtypeReader {
  // '=' and '|' mean native / not applicable; every platform Node runs on is little-endian.
  const d = descr.replace(/^[=|]/, '<');
  switch (d) {
    case '<f4':
      return { itemSize: 4, decode: (raw) => ({ dtype: 'float32', data: float32View(raw) }) };
    case '<f8':
      return { itemSize: 8, decode: (raw, n) => ({ dtype: 'float64', data: copyTyped(raw, n, Float64Array) }) };
    case '<i4':
      return { itemSize: 4, decode: (raw, n) => ({ dtype: 'int32', data: copyTyped(raw, n, Int32Array) }) };
    case '<i8':
      return { itemSize: 8, decode: narrowInt64 };
    case '<b1':
      return { itemSize: 1, decode: (raw) => ({ dtype: 'bool', data: Uint8Array.from(raw, (b) => (b ? 1 : 0)) }) };
  }
  const unicode = d.match(/^<U(\d+)$/);
  if (unicode) {
    const chars = Number(unicode[1]);
    return { itemSize: 4 * chars, decode: (raw, n) => ({ dtype: 'string', data: decodeUtf32(raw, n, chars) }) };
  }
  const hint =
    descr === '|O'
      ? ' (a pickled object array; numpy.save it with a fixed-width string dtype instead)'
      : /^>/.test(descr)
        ? ' (big-endian)'
        : '';
  throw npyError(
    src,
    `unsupported dtype ${JSON.stringify(descr)}${hint}; this reader knows <f4 <f8 <i4 <i8 |b1 <U<n>`,
    'Re-save the array with one of those dtypes, or download the original file again.',
  );
}

function float32View(raw: Uint8Array): Float32Array {
  if ((raw.byteOffset & 3) === 0) return new Float32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  return copyTyped(raw, raw.byteLength / 4, Float32Array);
}

function copyTyped<T extends Float64Array | Int32Array | Float32Array>(
  raw: Uint8Array,
  n: number,
  Ctor: { new (buf: ArrayBuffer): T; BYTES_PER_ELEMENT: number },
): T {
  const buf = new ArrayBuffer(n * Ctor.BYTES_PER_ELEMENT);
  new Uint8Array(buf).set(raw);
  return new Ctor(buf);
}

/** int64 becomes Int32Array when every value fits, else Float64Array when every value is an exact double. */
function narrowInt64(raw: Uint8Array, n: number, src: NpySource): Decoded {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  let fitsInt32 = true;
  for (let i = 0; i < n && fitsInt32; i++) {
    const v = view.getBigInt64(8 * i, true);
    fitsInt32 = v >= -2147483648n && v <= 2147483647n;
  }
  if (fitsInt32) {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Number(view.getBigInt64(8 * i, true));
    return { dtype: 'int32', data: out };
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = view.getBigInt64(8 * i, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw npyError(
        src,
        `int64 value ${v} at index ${i} is beyond ±2^53 and cannot be represented exactly`,
        'Store the array as int32 or float64.',
      );
    }
    out[i] = Number(v);
  }
  return { dtype: 'float64', data: out };
}

/** numpy 'U' strings are fixed-width UTF-32LE, padded with NUL code points. */
function decodeUtf32(raw: Uint8Array, n: number, chars: number): string[] {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const cps: number[] = [];
    for (let c = 0; c < chars; c++) {
      const cp = view.getUint32(4 * (i * chars + c), true);
      if (cp === 0) break;
      cps.push(cp);
    }
    out.push(String.fromCodePoint(...cps));
  }
  return out;
}

/** Fortran order stores the first index fastest; rewrite so the last index is fastest. */
function fortranToC<T extends ArrayLike<unknown> & { length: number }>(data: T, shape: readonly number[]): T {
  const n = data.length;
  const out = (Array.isArray(data) ? new Array(n) : new (data.constructor as new (n: number) => T)(n)) as unknown as unknown[];
  const src = data as unknown as unknown[];
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  // Walk C order; track the Fortran offset incrementally from per-axis Fortran strides.
  const fStride = new Array<number>(rank);
  for (let a = 0, s = 1; a < rank; a++) {
    fStride[a] = s;
    s *= shape[a];
  }
  let f = 0;
  for (let c = 0; c < n; c++) {
    out[c] = src[f];
    for (let a = rank - 1; a >= 0; a--) {
      idx[a]++;
      f += fStride[a];
      if (idx[a] < shape[a]) break;
      f -= fStride[a] * shape[a];
      idx[a] = 0;
    }
  }
  return out as unknown as T;
}

function hex(b: Uint8Array): string {
  return b.length === 0 ? '(nothing)' : Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}
