// Decodes a crate value rep (pxr/usd/usd/crateFile.h ValueRep): 64 bits holding an array flag (bit
// 63), an inlined flag (62), a compressed flag (61), the type (bits 48-55, crateDataTypes.h) and a
// 48-bit payload that is either the value itself (small scalars, token/string/path indices) or the
// file offset of the value. Values come out as the .usda parser gives them (tuples and matrix rows
// as arrays, quaternions as (real, i, j, k) like the text), so both formats give one layer model.
import type { UsdaAsset, UsdaDictionary, UsdaPath, UsdaValue } from '../usda-parser.js';
import { Cursor, corrupt } from './cursor.js';
import { readCompressedInts } from './integers.js';
import { type CrateStructure, versionAtLeast } from './sections.js';

/** An SdfListOp: explicit items, or the prepend/append/add/delete/reorder parts. */
export interface ListOp<T> {
  readonly kind: 'listOp';
  readonly explicit: boolean;
  readonly parts: readonly { readonly op: 'explicit' | 'add' | 'prepend' | 'append' | 'delete' | 'reorder'; readonly items: T[] }[];
}

/** Field values: UsdaValue, or the structured kinds composition metadata needs. */
export type CrateValue = UsdaValue | ListOp<UsdaValue> | LayerOffsets | VariantSelections;
export interface LayerOffsets {
  readonly kind: 'layerOffsets';
  readonly offsets: { offset: number; scale: number }[];
}
export interface VariantSelections {
  readonly kind: 'variantSelections';
  readonly selections: Record<string, string>;
}

/** crateDataTypes.h type numbers → the .usda type name (used for dictionary entries). */
const TYPE_NAMES: Record<number, string> = {
  1: 'bool',
  2: 'uchar',
  3: 'int',
  4: 'uint',
  5: 'int64',
  6: 'uint64',
  7: 'half',
  8: 'float',
  9: 'double',
  10: 'string',
  11: 'token',
  12: 'asset',
  13: 'matrix2d',
  14: 'matrix3d',
  15: 'matrix4d',
  16: 'quatd',
  17: 'quatf',
  18: 'quath',
  19: 'double2',
  20: 'float2',
  21: 'half2',
  22: 'int2',
  23: 'double3',
  24: 'float3',
  25: 'half3',
  26: 'int3',
  27: 'double4',
  28: 'float4',
  29: 'half4',
  30: 'int4',
  31: 'dictionary',
  41: 'token[]',
  48: 'double[]',
  50: 'string[]',
  56: 'timecode',
  57: 'pathExpression',
};

/** Scalar element layouts: [bytes per component, components, reader]. */
type Elem = 'i8' | 'u8' | 'i32' | 'u32' | 'i64' | 'u64' | 'f16' | 'f32' | 'f64';
const SCALARS: Record<number, [Elem, number, 'vec' | 'quat' | 'matrix' | 'scalar']> = {
  1: ['u8', 1, 'scalar'],
  2: ['u8', 1, 'scalar'],
  3: ['i32', 1, 'scalar'],
  4: ['u32', 1, 'scalar'],
  5: ['i64', 1, 'scalar'],
  6: ['u64', 1, 'scalar'],
  7: ['f16', 1, 'scalar'],
  8: ['f32', 1, 'scalar'],
  9: ['f64', 1, 'scalar'],
  56: ['f64', 1, 'scalar'],
  13: ['f64', 4, 'matrix'],
  14: ['f64', 9, 'matrix'],
  15: ['f64', 16, 'matrix'],
  16: ['f64', 4, 'quat'],
  17: ['f32', 4, 'quat'],
  18: ['f16', 4, 'quat'],
  19: ['f64', 2, 'vec'],
  20: ['f32', 2, 'vec'],
  21: ['f16', 2, 'vec'],
  22: ['i32', 2, 'vec'],
  23: ['f64', 3, 'vec'],
  24: ['f32', 3, 'vec'],
  25: ['f16', 3, 'vec'],
  26: ['i32', 3, 'vec'],
  27: ['f64', 4, 'vec'],
  28: ['f32', 4, 'vec'],
  29: ['f16', 4, 'vec'],
  30: ['i32', 4, 'vec'],
};
const ELEM_SIZE: Record<Elem, number> = { i8: 1, u8: 1, i32: 4, u32: 4, i64: 8, u64: 8, f16: 2, f32: 4, f64: 8 };

/** IEEE 754 half → number. */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? Number.NaN : s * Number.POSITIVE_INFINITY;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

function readElem(c: Cursor, e: Elem): number {
  switch (e) {
    case 'i8':
      return (c.u8() << 24) >> 24;
    case 'u8':
      return c.u8();
    case 'i32':
      return c.i32();
    case 'u32':
      return c.u32();
    case 'i64':
      return c.i64();
    case 'u64':
      return c.u64();
    case 'f16':
      return halfToNumber(c.u8() | (c.u8() << 8));
    case 'f32':
      return c.f32();
    case 'f64':
      return c.f64();
  }
}

/** `count` elements from the cursor, which the caller has checked holds them. */
function readFlat(c: Cursor, e: Elem, count: number): number[] {
  const v = new DataView(c.bytes.buffer, c.bytes.byteOffset + c.pos, count * ELEM_SIZE[e]);
  const out = new Array<number>(count);
  switch (e) {
    case 'f32':
      for (let i = 0; i < count; i++) out[i] = v.getFloat32(i * 4, true);
      break;
    case 'f64':
      for (let i = 0; i < count; i++) out[i] = v.getFloat64(i * 8, true);
      break;
    case 'i32':
      for (let i = 0; i < count; i++) out[i] = v.getInt32(i * 4, true);
      break;
    case 'u32':
      for (let i = 0; i < count; i++) out[i] = v.getUint32(i * 4, true);
      break;
    case 'f16':
      for (let i = 0; i < count; i++) out[i] = halfToNumber(v.getUint16(i * 2, true));
      break;
    case 'i64':
      for (let i = 0; i < count; i++) out[i] = Number(v.getBigInt64(i * 8, true));
      break;
    case 'u64':
      for (let i = 0; i < count; i++) out[i] = Number(v.getBigUint64(i * 8, true));
      break;
    case 'i8':
      for (let i = 0; i < count; i++) out[i] = v.getInt8(i);
      break;
    case 'u8':
      for (let i = 0; i < count; i++) out[i] = v.getUint8(i);
      break;
  }
  c.pos += count * ELEM_SIZE[e];
  return out;
}

/** Arranges flat components as the text parser gives them. */
function shape(flat: number[], layout: 'vec' | 'quat' | 'matrix' | 'scalar', type: number): UsdaValue {
  if (layout === 'scalar') return type === 1 ? flat[0] !== 0 : flat[0];
  if (layout === 'vec') return flat;
  if (layout === 'quat') return [flat[3], flat[0], flat[1], flat[2]]; // GfQuat stores (i, j, k, real)
  const n = Math.round(Math.sqrt(flat.length));
  const rows: number[][] = [];
  for (let r = 0; r < n; r++) rows.push(flat.slice(r * n, r * n + n));
  return rows;
}

export class ValueReader {
  private readonly file: string;
  private readonly depth = { n: 0 };

  constructor(
    private readonly crate: CrateStructure,
    private readonly bytes: Uint8Array,
  ) {
    this.file = crate.file;
  }

  token(i: number): string {
    const t = this.crate.tokens[i];
    if (t === undefined) throw corrupt(this.file, `a value names token ${i} of ${this.crate.tokens.length}`);
    return t;
  }
  string(i: number): string {
    const t = this.crate.strings[i];
    if (t === undefined) throw corrupt(this.file, `a value names string ${i} of ${this.crate.strings.length}`);
    return this.token(t);
  }
  path(i: number): string {
    const p = this.crate.paths[i];
    // The empty path (a reference without a prim path) is in the table but not in the path tree: ''.
    if (p === undefined) throw corrupt(this.file, `a value names path ${i} of ${this.crate.paths.length}`);
    return p;
  }

  /** The .usda type name of a rep (given its high word), e.g. `double` or `float3[]`, for dictionary entries. */
  typeName(hi: number): string {
    const type = (hi >>> 16) & 0xff;
    return (TYPE_NAMES[type] ?? 'unknown') + (hi & 0x80000000 && !TYPE_NAMES[type]?.endsWith('[]') ? '[]' : '');
  }

  /** The value of field `index` (its rep in the FIELDS section). */
  field(index: number, keep = true): CrateValue {
    return this.unpack(this.crate.reps[index * 2], this.crate.reps[index * 2 + 1], keep);
  }

  /** Unpacks a rep given as its low and high 32-bit words; `keep` false skips array contents. */
  unpack(lo: number, hi: number, keep = true): CrateValue {
    // A damaged file can make a value contain itself (a dictionary holding its own rep).
    if (++this.depth.n > 64) throw corrupt(this.file, 'values nest more than 64 deep (a value contains itself)');
    try {
      return this.unpackRep(lo, hi, keep);
    } finally {
      this.depth.n--;
    }
  }

  private unpackRep(lo: number, hi: number, keep: boolean): CrateValue {
    const isArray = (hi & 0x80000000) !== 0;
    const inlined = (hi & 0x40000000) !== 0;
    const compressed = (hi & 0x20000000) !== 0;
    const type = (hi >>> 16) & 0xff;
    const payload = (hi & 0xffff) * 2 ** 32 + lo;
    if (isArray) {
      if (!keep) return { kind: 'skipped' };
      return this.array(type, payload, compressed);
    }
    const layout = SCALARS[type];
    if (layout && inlined) return this.inlinedScalar(type, lo);
    switch (type) {
      case 10:
        return this.string(lo);
      case 11:
        return this.token(lo);
      case 12:
        return { kind: 'asset', asset: this.token(lo) };
      case 42:
        return ['def', 'over', 'class'][lo] ?? 'def';
      case 43:
        return ['public', 'private'][lo] ?? 'public';
      case 44:
        return lo === 0 ? 'varying' : 'uniform'; // 2, the legacy "config", reads as uniform
      case 51:
        return null; // SdfValueBlock, written `None`
    }
    if (inlined) {
      if (type === 31) return { kind: 'dictionary', entries: {} };
      throw corrupt(this.file, `a value of type ${type} is marked inlined`);
    }
    const c = new Cursor(this.bytes, this.file, payload);
    if (layout) {
      const flat: number[] = [];
      for (let k = 0; k < layout[1]; k++) flat.push(readElem(c, layout[0]));
      return shape(flat, layout[2], type);
    }
    return this.structured(type, c);
  }

  /** Small scalars live in the payload itself: ints and floats as 32 bits, vectors and matrix diagonals as int8s. */
  private inlinedScalar(type: number, lo: number): UsdaValue {
    const [elem, n, layout] = SCALARS[type];
    const buf = new DataView(new ArrayBuffer(4));
    buf.setUint32(0, lo, true);
    if (layout === 'scalar') {
      if (type === 1 || type === 2) return type === 1 ? (lo & 0xff) !== 0 : lo & 0xff;
      if (elem === 'f16') return halfToNumber(lo & 0xffff);
      if (elem === 'f32' || elem === 'f64') return buf.getFloat32(0, true);
      if (elem === 'u32' || elem === 'u64') return lo >>> 0;
      return buf.getInt32(0, true);
    }
    if (elem === 'f16' && n * 2 <= 4) return [halfToNumber(lo & 0xffff), halfToNumber(lo >>> 16)]; // GfVec2h fits whole
    if (layout === 'matrix') {
      const dim = Math.round(Math.sqrt(n));
      const rows: number[][] = [];
      for (let r = 0; r < dim; r++) rows.push(Array.from({ length: dim }, (_, k) => (k === r ? buf.getInt8(r) : 0)));
      return rows;
    }
    const flat = Array.from({ length: n }, (_, k) => buf.getInt8(k));
    return shape(flat, layout, type);
  }

  private arraySize(c: Cursor): number {
    return versionAtLeast(this.crate.version, 0, 7) ? c.u64('an array size') : c.u32('an array size');
  }

  private array(type: number, payload: number, compressed: boolean): UsdaValue {
    if (payload === 0) return [];
    const c = new Cursor(this.bytes, this.file, payload);
    const v = this.crate.version;
    if (!versionAtLeast(v, 0, 5)) c.u32('an array rank'); // before 0.5.0 arrays stored a rank of 1
    const layout = SCALARS[type];
    if (layout && layout[2] === 'scalar' && compressed) {
      const isInt = type >= 3 && type <= 6;
      const isFloat = type >= 7 && type <= 9;
      if ((isInt && versionAtLeast(v, 0, 5)) || (isFloat && versionAtLeast(v, 0, 6))) return this.compressedArray(c, type, isInt);
    }
    const n = this.arraySize(c);
    if (layout) {
      const [elem, k, form] = layout;
      c.need(n * k * ELEM_SIZE[elem], 'an array');
      const flat = readFlat(c, elem, n * k); // bounds checked once above: the hot loop of big meshes
      if (form === 'scalar') return type === 1 ? flat.map((x) => x !== 0) : flat;
      const out: UsdaValue[] = new Array(n);
      for (let i = 0; i < n; i++) out[i] = shape(flat.slice(i * k, i * k + k), form, type);
      return out;
    }
    c.need(n * 4, 'an array');
    const out: UsdaValue[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const idx = c.u32();
      if (type === 10) out[i] = this.string(idx);
      else if (type === 11) out[i] = this.token(idx);
      else if (type === 12) out[i] = { kind: 'asset', asset: this.string(idx) };
      else throw corrupt(this.file, `an array of type ${type}, which USD does not write`);
    }
    return out;
  }

  private compressedArray(c: Cursor, type: number, isInt: boolean): number[] {
    const n = this.arraySize(c);
    const elem = SCALARS[type][0];
    if (n < 16) {
      // Arrays shorter than 16 are flagged compressed but stored plainly.
      c.need(n * ELEM_SIZE[elem], 'an array');
      return readFlat(c, elem, n);
    }
    if (isInt) return readCompressedInts(c, n, 'an int array', { wide: type >= 5, signed: type === 3 || type === 5 });
    const code = String.fromCharCode(c.u8('a float array'));
    if (code === 'i') return readCompressedInts(c, n, 'a float array', { signed: true });
    if (code === 't') {
      const lutSize = c.u32('a float array');
      c.need(lutSize * ELEM_SIZE[elem], 'a float array');
      const lut = Array.from({ length: lutSize }, () => readElem(c, elem));
      const idx = readCompressedInts(c, n, 'a float array');
      return idx.map((k) => {
        if (k >= lutSize) throw corrupt(this.file, `a float array indexes entry ${k} of its ${lutSize}-entry table`);
        return lut[k];
      });
    }
    throw corrupt(this.file, `a compressed float array has the unknown code "${code}"`);
  }

  /** A VtValue stored in place: an int64 jump relative to its own position, then the rep there. */
  private vtValue(c: Cursor): UsdaValue {
    const start = c.pos;
    const jump = c.i64('a nested value');
    const at = new Cursor(this.bytes, this.file, start + jump);
    const lo = at.u32('a nested value');
    const hi = at.u32('a nested value');
    c.pos = at.pos;
    return this.unpack(lo, hi) as UsdaValue;
  }

  private dictionary(c: Cursor): UsdaDictionary {
    const n = c.u64('a dictionary');
    const entries: Record<string, { type: string; value: UsdaValue }> = {};
    for (let i = 0; i < n; i++) {
      const key = this.string(c.u32('a dictionary'));
      const start = c.pos;
      const jump = c.i64('a dictionary');
      const at = new Cursor(this.bytes, this.file, start + jump);
      const lo = at.u32('a dictionary');
      const hi = at.u32('a dictionary');
      c.pos = at.pos;
      entries[key] = { type: this.typeName(hi), value: this.unpack(lo, hi) as UsdaValue };
    }
    return { kind: 'dictionary', entries };
  }

  private vector<T>(c: Cursor, what: string, item: (c: Cursor) => T): T[] {
    const n = c.u64(what);
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(item(c));
    return out;
  }

  private layerOffset(c: Cursor): { offset: number; scale: number } {
    return { offset: c.f64('a layer offset'), scale: c.f64('a layer offset') };
  }

  private reference(c: Cursor, payload: boolean): UsdaAsset {
    const asset = this.string(c.u32('a reference'));
    const primPath = this.path(c.u32('a reference'));
    // Payloads gained layer offsets in 0.8.0; references always had them, and a customData dictionary.
    const lo = !payload || versionAtLeast(this.crate.version, 0, 8) ? this.layerOffset(c) : { offset: 0, scale: 1 };
    if (!payload) this.dictionary(c);
    return {
      kind: 'asset',
      asset,
      ...(primPath !== '' && primPath !== undefined && { primPath }),
      ...(lo.offset !== 0 && { offset: lo.offset }),
      ...(lo.scale !== 1 && { scale: lo.scale }),
    };
  }

  private listOp(c: Cursor, item: (c: Cursor) => UsdaValue): ListOp<UsdaValue> {
    const bits = c.u8('a list op');
    const parts: ListOp<UsdaValue>['parts'][number][] = [];
    // The order USD reads them in (_ListOpHeader): explicit, added, prepended, appended, deleted, ordered.
    const order: [number, ListOp<UsdaValue>['parts'][number]['op']][] = [
      [1 << 1, 'explicit'],
      [1 << 2, 'add'],
      [1 << 5, 'prepend'],
      [1 << 6, 'append'],
      [1 << 3, 'delete'],
      [1 << 4, 'reorder'],
    ];
    for (const [bit, op] of order) if (bits & bit) parts.push({ op, items: this.vector(c, 'a list op', item) });
    return { kind: 'listOp', explicit: (bits & 1) !== 0, parts };
  }

  private structured(type: number, c: Cursor): CrateValue {
    const str = (k: Cursor) => this.string(k.u32('a string'));
    const tok = (k: Cursor) => this.token(k.u32('a token'));
    const path = (k: Cursor): UsdaPath => ({ kind: 'path', path: this.path(k.u32('a path')) });
    switch (type) {
      case 31:
        return this.dictionary(c);
      case 32:
        return this.listOp(c, tok);
      case 33:
        return this.listOp(c, str);
      case 34:
        return this.listOp(c, path);
      case 35:
        return this.listOp(c, (k) => this.reference(k, false));
      case 36:
        return this.listOp(c, (k) => k.i32());
      case 37:
        return this.listOp(c, (k) => k.i64());
      case 38:
        return this.listOp(c, (k) => k.u32());
      case 39:
        return this.listOp(c, (k) => k.u64());
      case 54:
        return this.listOp(c, (k) => this.vtValue(k));
      case 55:
        return this.listOp(c, (k) => this.reference(k, true));
      case 40:
        return this.vector(c, 'a path list', path);
      case 41:
        return this.vector(c, 'a token list', tok);
      case 50:
        return this.vector(c, 'a string list', str);
      case 48:
        return this.vector(c, 'a double list', (k) => k.f64());
      case 49:
        return { kind: 'layerOffsets', offsets: this.vector(c, 'layer offsets', (k) => this.layerOffset(k)) };
      case 45: {
        const selections: Record<string, string> = {};
        const n = c.u64('variant selections');
        for (let i = 0; i < n; i++) selections[str(c)] = str(c);
        return { kind: 'variantSelections', selections };
      }
      case 46:
        return this.timeSamples(c);
      case 47:
        return this.reference(c, true);
      case 52:
      case 53:
        return this.vtValue(c);
      case 57:
        return str(c);
      case 58:
        return this.vector(c, 'relocates', (k) => [path(k), path(k)]);
    }
    throw corrupt(this.file, `a value of unknown type ${type}`);
  }

  /** Jump, the times' rep, jump, then a count and one rep per sample. */
  private timeSamples(c: Cursor): UsdaValue {
    const s1 = c.pos;
    c.pos = s1 + c.i64('time samples');
    const times = this.unpack(c.u32('time samples'), c.u32('time samples'));
    const s2 = c.pos;
    c.pos = s2 + c.i64('time samples');
    const n = c.u64('time samples');
    if (!Array.isArray(times) || times.length !== n) throw corrupt(this.file, `time samples have ${n} values for their times`);
    const samples: [number, UsdaValue][] = [];
    for (let i = 0; i < n; i++) samples.push([times[i] as number, this.unpack(c.u32('time samples'), c.u32('time samples')) as UsdaValue]);
    return { kind: 'timeSamples', samples };
  }
}
