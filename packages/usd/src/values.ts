// Attribute values formatted by their USD type name, so that e.g. a `float` and a `double` holding
// the same JS number are each written exactly as USD writes that type.
import { formatDouble, formatFloat, formatHalf, formatInt } from './float-format.js';
import { assetPath, quoteString } from './escape.js';

type ElementKind = 'float' | 'double' | 'half' | 'int' | 'bool' | 'string' | 'token' | 'asset';

interface TypeInfo {
  readonly kind: ElementKind;
  /** Numbers per element: 1 for scalars, 3 for float3, 4 for quatf, 16 for matrix4d. */
  readonly arity: number;
  /** Matrix rows (0 for non-matrices). */
  readonly rows: number;
  readonly isArray: boolean;
}

const SCALARS: Record<string, ElementKind> = {
  float: 'float',
  double: 'double',
  half: 'half',
  int: 'int',
  uint: 'int',
  int64: 'int',
  uint64: 'int',
  uchar: 'int',
  bool: 'bool',
  string: 'string',
  token: 'token',
  asset: 'asset',
  timecode: 'double',
};
const ROLE_KIND: Record<string, ElementKind> = { f: 'float', d: 'double', h: 'half' };

const infoCache = new Map<string, TypeInfo>();

/** Parses a USD value type name such as `float3[]`, `quatf`, `point3f[]`, `matrix4d[]`, `token[]`. */
function typeInfo(type: string): TypeInfo {
  let info = infoCache.get(type);
  if (!info) {
    info = parseTypeName(type);
    infoCache.set(type, info);
  }
  return info;
}

function parseTypeName(type: string): TypeInfo {
  const isArray = type.endsWith('[]');
  const base = isArray ? type.slice(0, -2) : type;
  if (SCALARS[base]) return { kind: SCALARS[base], arity: 1, rows: 0, isArray };
  let m = /^(float|double|half|int)([234])$/.exec(base);
  if (m) return { kind: SCALARS[m[1]], arity: Number(m[2]), rows: 0, isArray };
  m = /^quat([fdh])$/.exec(base);
  if (m) return { kind: ROLE_KIND[m[1]], arity: 4, rows: 0, isArray };
  m = /^(?:point|vector|normal|color)3([fdh])$|^color4([fdh])$|^texCoord([23])([fdh])$/.exec(base);
  if (m) {
    if (m[1]) return { kind: ROLE_KIND[m[1]], arity: 3, rows: 0, isArray };
    if (m[2]) return { kind: ROLE_KIND[m[2]], arity: 4, rows: 0, isArray };
    return { kind: ROLE_KIND[m[4]], arity: Number(m[3]), rows: 0, isArray };
  }
  m = /^(?:matrix|frame)([234])d$/.exec(base);
  if (m) return { kind: 'double', arity: Number(m[1]) ** 2, rows: Number(m[1]), isArray };
  throw new Error(`unsupported USD value type "${type}"`);
}

function scalar(kind: ElementKind, v: unknown): string {
  switch (kind) {
    case 'float':
      return formatFloat(v as number);
    case 'double':
      return formatDouble(v as number);
    case 'half':
      return formatHalf(v as number);
    case 'int':
      return formatInt(v as number);
    case 'bool':
      return v ? '1' : '0';
    case 'string':
    case 'token':
      return quoteString(v as string);
    case 'asset':
      return assetPath(v as string);
  }
}

function element(info: TypeInfo, flat: ArrayLike<number>, offset: number): string {
  const fmt = info.kind === 'float' ? formatFloat : info.kind === 'half' ? formatHalf : info.kind === 'int' ? formatInt : formatDouble;
  if (info.rows > 0) {
    const rows: string[] = [];
    for (let r = 0; r < info.rows; r++) {
      const row: string[] = [];
      for (let c = 0; c < info.rows; c++) row.push(fmt(flat[offset + r * info.rows + c]));
      rows.push(`(${row.join(', ')})`);
    }
    return `( ${rows.join(', ')} )`;
  }
  // concatenated, not joined from a parts array: this runs once per tuple of every time sample
  let text = '(' + fmt(flat[offset]);
  for (let k = 1; k < info.arity; k++) text += ', ' + fmt(flat[offset + k]);
  return text + ')';
}

function isNumberRun(v: unknown): v is ArrayLike<number> {
  return ArrayBuffer.isView(v) || (Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number'));
}

/**
 * Formats `value` as USD writes an attribute of `type`. Arrays of tuples may be one flat run of
 * numbers (length a multiple of the tuple size) or one run per element. Throws on non-finite
 * numbers, on numbers out of the type's range, and on shape mismatches.
 */
export function formatValue(type: string, value: unknown): string {
  const info = typeInfo(type);
  const numeric = info.kind !== 'bool' && info.kind !== 'string' && info.kind !== 'token' && info.kind !== 'asset';
  const one = (v: unknown): string => {
    if (info.arity === 1) return scalar(info.kind, v);
    const flat = v as ArrayLike<number>;
    if (!numeric || flat.length !== info.arity) throw new Error(`a ${type} element needs ${info.arity} numbers, got ${flat.length}`);
    return element(info, flat, 0);
  };
  if (!info.isArray) return one(value);
  if (info.arity > 1 && isNumberRun(value)) {
    if (value.length % info.arity !== 0) throw new Error(`${value.length} numbers do not make whole ${type} elements of ${info.arity}`);
    if (value.length === 0) return '[]';
    let text = '[' + element(info, value, 0);
    for (let k = info.arity; k < value.length; k += info.arity) text += ', ' + element(info, value, k);
    return text + ']';
  }
  if (info.arity === 1 && numeric && isNumberRun(value)) {
    // The time samples of an animation layer are almost all number arrays (float[] weights, one
    // per frame); this is the same text as the general path below without a closure call and a
    // parts array per number.
    const fmt = info.kind === 'float' ? formatFloat : info.kind === 'half' ? formatHalf : info.kind === 'int' ? formatInt : formatDouble;
    if (value.length === 0) return '[]';
    let text = '[' + fmt(value[0]);
    for (let k = 1; k < value.length; k++) text += ', ' + fmt(value[k]);
    return text + ']';
  }
  const items = value as ArrayLike<unknown>;
  const parts: string[] = [];
  for (let k = 0; k < items.length; k++) parts.push(one(items[k]));
  return `[${parts.join(', ')}]`;
}
