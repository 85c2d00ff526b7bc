// The structure of a crate (.usdc) file (pxr/usd/usd/crateFile.cpp): an 88-byte bootstrap ("PXR-USDC",
// version bytes, the table of contents' offset), a table of contents naming sections by offset and
// size, then the structural sections: TOKENS (every name, LZ4-compressed), STRINGS (token indices),
// FIELDS (a name and a 64-bit value rep each), FIELDSETS (runs of field indices ended by ~0), PATHS
// (a compressed path tree) and SPECS (path, field set and spec type of every spec). Since 0.4.0 the
// index lists are stored with USD's integer coding; older files are refused.
import { UsdError } from '../errors.js';
import { Cursor, corrupt } from './cursor.js';
import { readCompressedInts } from './integers.js';
import { fastDecompress } from './lz4.js';

export type CrateVersion = readonly [major: number, minor: number, patch: number];

/** Oldest and newest crate versions this reader decodes (0.4.0 compressed the structural sections). */
export const OLDEST: CrateVersion = [0, 4, 0];
export const NEWEST: CrateVersion = [0, 11, 0];

export function versionAtLeast(v: CrateVersion, major: number, minor: number, patch = 0): boolean {
  return v[0] !== major ? v[0] > major : v[1] !== minor ? v[1] > minor : v[2] >= patch;
}

/** SdfSpecType, in the order of pxr/usd/sdf/types.h. */
export const SpecType = {
  Attribute: 1,
  Connection: 2,
  Expression: 3,
  Mapper: 4,
  MapperArg: 5,
  Prim: 6,
  PseudoRoot: 7,
  Relationship: 8,
  RelationshipTarget: 9,
  Variant: 10,
  VariantSet: 11,
} as const;

export interface CrateSpec {
  readonly type: number;
  /** Field name → index into the value reps. */
  readonly fields: Map<string, number>;
}

export interface CrateStructure {
  readonly file: string;
  readonly version: CrateVersion;
  readonly tokens: string[];
  /** String index → token index. */
  readonly strings: number[];
  /** Two uint32 words (low, high) per field value rep. */
  readonly reps: Uint32Array;
  readonly paths: string[];
  /** Spec path → spec. */
  readonly specs: Map<string, CrateSpec>;
}

const BOOTSTRAP_SIZE = 88;

function versionText(v: CrateVersion): string {
  return v.join('.');
}

function readBootstrap(c: Cursor): { version: CrateVersion; tocOffset: number } {
  if (c.bytes.length < BOOTSTRAP_SIZE)
    throw new UsdError(
      'CRATE_TRUNCATED',
      c.file,
      `the file starts like a crate (.usdc) file but has only ${c.bytes.length} bytes, fewer than its 88-byte header`,
      'The file is cut short: copy or export it again from the DCC.',
    );
  const magic = new TextDecoder('latin1').decode(c.bytes.subarray(0, 8));
  if (magic !== 'PXR-USDC')
    throw new UsdError(
      'NOT_USDA',
      c.file,
      'the file is not a crate (.usdc) file (it does not start with "PXR-USDC")',
      'Give a .usd, .usda, .usdc or .usdz layer.',
    );
  const version: CrateVersion = [c.bytes[8], c.bytes[9], c.bytes[10]];
  if (!versionAtLeast(version, ...OLDEST) || versionAtLeast(version, NEWEST[0], NEWEST[1] + 1))
    throw new UsdError(
      'CRATE_VERSION',
      c.file,
      `the crate (.usdc) file has version ${versionText(version)}; ` +
        `this reader reads versions ${versionText(OLDEST)} to ${versionText(NEWEST)}`,
      versionAtLeast(version, ...OLDEST)
        ? 'Re-save the layer with a USD that writes an older crate version (set USD_WRITE_NEW_USDC_FILES_AS_VERSION=0.10.0), or as .usda.'
        : 'Re-save the layer with a current USD (usdcat in.usdc -o out.usdc), which writes a newer crate version.',
    );
  c.pos = 16;
  const tocOffset = c.i64('the header');
  if (tocOffset < BOOTSTRAP_SIZE || tocOffset >= c.bytes.length)
    throw new UsdError(
      'CRATE_TRUNCATED',
      c.file,
      `the table of contents is at offset ${tocOffset} but the file has ${c.bytes.length} bytes (the file is cut short)`,
      'Copy or export the layer again from the DCC.',
    );
  return { version, tocOffset };
}

interface Section {
  readonly start: number;
  readonly size: number;
}

function readToc(c: Cursor, tocOffset: number): Map<string, Section> {
  c.pos = tocOffset;
  const n = c.u64('the table of contents');
  const out = new Map<string, Section>();
  for (let i = 0; i < n; i++) {
    const nameBytes = c.take(16, 'the table of contents');
    const end = nameBytes.indexOf(0);
    const name = new TextDecoder('latin1').decode(nameBytes.subarray(0, end < 0 ? 16 : end));
    const start = c.i64('the table of contents');
    const size = c.i64('the table of contents');
    if (start < 0 || size < 0 || start + size > c.bytes.length)
      throw new UsdError(
        'CRATE_TRUNCATED',
        c.file,
        `section ${name} runs to offset ${start + size} but the file has ${c.bytes.length} bytes (the file is cut short)`,
        'Copy or export the layer again from the DCC.',
      );
    out.set(name, { start, size });
  }
  return out;
}

/** A cursor over one section, so a section cannot read into its neighbour. */
function sectionCursor(c: Cursor, toc: Map<string, Section>, name: string): Cursor | undefined {
  const s = toc.get(name);
  return s && new Cursor(c.bytes.subarray(0, s.start + s.size), c.file, s.start);
}

function readTokens(c: Cursor | undefined): string[] {
  if (!c) return [];
  const n = c.u64('the TOKENS section');
  const raw = c.u64('the TOKENS section');
  const packed = c.u64('the TOKENS section');
  const chars = fastDecompress(c.take(packed, 'the TOKENS section'), raw, c.file);
  const out: string[] = [];
  const dec = new TextDecoder('utf-8');
  let p = 0;
  while (out.length < n && p < chars.length) {
    let e = chars.indexOf(0, p);
    if (e < 0) e = chars.length;
    out.push(dec.decode(chars.subarray(p, e)));
    p = e + 1;
  }
  if (out.length !== n) throw corrupt(c.file, `the TOKENS section claims ${n} tokens but holds ${out.length}`);
  return out;
}

function readStrings(c: Cursor | undefined, tokens: number): number[] {
  if (!c) return [];
  const n = c.u64('the STRINGS section');
  c.need(n * 4, 'the STRINGS section');
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    out[i] = c.u32('the STRINGS section');
    if (out[i] >= tokens) throw corrupt(c.file, `string ${i} names token ${out[i]} of ${tokens}`);
  }
  return out;
}

function readFields(c: Cursor | undefined, tokens: string[]): { names: string[]; reps: Uint32Array } {
  if (!c) return { names: [], reps: new Uint32Array(0) };
  const n = c.u64('the FIELDS section');
  const idx = readCompressedInts(c, n, 'the FIELDS section');
  const names = idx.map((t) => {
    if (t >= tokens.length) throw corrupt(c.file, `a field names token ${t} of ${tokens.length}`);
    return tokens[t];
  });
  const size = c.u64('the FIELDS section');
  const raw = fastDecompress(c.take(size, 'the FIELDS section'), n * 8, c.file);
  if (raw.length !== n * 8) throw corrupt(c.file, `the FIELDS section holds ${raw.length / 8} value reps for ${n} fields`);
  const reps = new Uint32Array(n * 2);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  for (let i = 0; i < n * 2; i++) reps[i] = view.getUint32(i * 4, true);
  return { names, reps };
}

function readFieldSets(c: Cursor | undefined): number[] {
  if (!c) return [];
  const n = c.u64('the FIELDSETS section');
  return readCompressedInts(c, n, 'the FIELDSETS section');
}

/** Appends one path element as SdfPath::AppendElementToken / AppendProperty do. */
function appendElement(parent: string, token: string, property: boolean): string {
  if (property) return `${parent}.${token}`;
  if (token.startsWith('{') || token.startsWith('[') || parent.endsWith('}')) return parent + token;
  return parent === '/' ? `/${token}` : `${parent}/${token}`;
}

function readPaths(c: Cursor | undefined, tokens: string[]): string[] {
  if (!c) return [];
  const total = c.u64('the PATHS section');
  const n = c.u64('the PATHS section');
  const pathIndexes = readCompressedInts(c, n, 'the PATHS section');
  const elements = readCompressedInts(c, n, 'the PATHS section', { signed: true });
  const jumps = readCompressedInts(c, n, 'the PATHS section', { signed: true });
  // Every path but the empty one is in the encoded tree.
  if (total > n + 1) throw corrupt(c.file, `the PATHS section claims ${total} paths but encodes ${n}`);
  const paths = new Array<string>(total).fill('');
  let visits = 0;
  // Depth-first with explicit stacks: a jump > 0 (or -1) means a child follows, a jump >= 0 that a
  // sibling starts `jump` entries further on.
  const stack: [index: number, parent: string | undefined][] = [[0, undefined]];
  while (stack.length > 0) {
    let [i, parent] = stack.pop()!;
    for (;;) {
      if (i >= n || ++visits > n) throw corrupt(c.file, `the path tree jumps to entry ${i} of ${n}`);
      const at = pathIndexes[i];
      if (at >= total) throw corrupt(c.file, `path entry ${i} is numbered ${at} of ${total}`);
      let path: string;
      if (parent === undefined) path = '/';
      else {
        const t = Math.abs(elements[i]);
        if (t >= tokens.length) throw corrupt(c.file, `path entry ${i} names token ${t} of ${tokens.length}`);
        path = appendElement(parent, tokens[t], elements[i] < 0);
      }
      paths[at] = path;
      const jump = jumps[i];
      const hasChild = jump > 0 || jump === -1;
      const hasSibling = jump >= 0;
      if (hasChild && hasSibling) stack.push([i + jump, parent ?? '/']);
      if (hasChild) parent = path;
      else if (!hasSibling) break;
      if (parent === undefined) parent = '/';
      i++;
    }
  }
  return paths;
}

function readSpecs(c: Cursor | undefined, paths: string[], fieldNames: string[], fieldSets: number[]): Map<string, CrateSpec> {
  const out = new Map<string, CrateSpec>();
  if (!c) return out;
  const n = c.u64('the SPECS section');
  const pathIdx = readCompressedInts(c, n, 'the SPECS section');
  const setIdx = readCompressedInts(c, n, 'the SPECS section');
  const types = readCompressedInts(c, n, 'the SPECS section');
  for (let i = 0; i < n; i++) {
    const path = paths[pathIdx[i]];
    if (path === undefined || path === '') throw corrupt(c.file, `spec ${i} names path ${pathIdx[i]} of ${paths.length}`);
    if (types[i] < 1 || types[i] > SpecType.VariantSet) throw corrupt(c.file, `spec <${path}> has the unknown spec type ${types[i]}`);
    const fields = new Map<string, number>();
    for (let k = setIdx[i]; ; k++) {
      if (k >= fieldSets.length) throw corrupt(c.file, `the field set of spec <${path}> is not terminated`);
      const f = fieldSets[k];
      if (f === 0xffffffff) break;
      if (f >= fieldNames.length) throw corrupt(c.file, `spec <${path}> names field ${f} of ${fieldNames.length}`);
      fields.set(fieldNames[f], f);
    }
    out.set(path, { type: types[i], fields });
  }
  return out;
}

/** Reads the bootstrap, table of contents and structural sections of a crate file. */
export function readCrateStructure(bytes: Uint8Array, file: string): CrateStructure {
  const c = new Cursor(bytes, file);
  const { version, tocOffset } = readBootstrap(c);
  const toc = readToc(c, tocOffset);
  const tokens = readTokens(sectionCursor(c, toc, 'TOKENS'));
  const strings = readStrings(sectionCursor(c, toc, 'STRINGS'), tokens.length);
  const { names, reps } = readFields(sectionCursor(c, toc, 'FIELDS'), tokens);
  const fieldSets = readFieldSets(sectionCursor(c, toc, 'FIELDSETS'));
  const paths = readPaths(sectionCursor(c, toc, 'PATHS'), tokens);
  const specs = readSpecs(sectionCursor(c, toc, 'SPECS'), paths, names, fieldSets);
  return { file, version, tokens, strings, reps, paths, specs };
}
