// A minimal crate (.usdc) WRITER for tests: it lays out specs and fields the way
// pxr/usd/usd/crateFile.cpp does (bootstrap, value data, TOKENS/STRINGS/FIELDS/FIELDSETS/PATHS/SPECS,
// table of contents), so the reader can be tested on what USD 0.22's wasm cannot write: layers with
// composition arcs (references and payloads with layer offsets, inherits, variant sets, sublayers)
// and crate versions 0.9.0-0.11.0 (timecode and pathExpression values). Integers are coded with the
// 32-bit code for every value and LZ4 blocks hold literals only: valid streams, just not small ones.

export type Ref = { asset: string; primPath?: string; offset?: number; scale?: number };
type ListOpParts<T> = Partial<Record<'explicit' | 'add' | 'prepend' | 'append' | 'delete' | 'reorder', T[]>> & { isExplicit?: boolean };

export type Value =
  | { t: 'token'; v: string }
  | { t: 'string'; v: string }
  | { t: 'bool'; v: boolean }
  | { t: 'specifier'; v: 'def' | 'over' | 'class' }
  | { t: 'variability'; v: 'varying' | 'uniform' }
  | { t: 'double'; v: number }
  | { t: 'timecode'; v: number }
  | { t: 'timecodes'; v: number[] }
  | { t: 'pathExpression'; v: string }
  | { t: 'tokens'; v: string[] }
  | { t: 'tokenArray'; v: string[] }
  | { t: 'strings'; v: string[] }
  | { t: 'layerOffsets'; v: { offset: number; scale: number }[] }
  | { t: 'variantSelection'; v: Record<string, string> }
  | { t: 'stringListOp'; v: ListOpParts<string> }
  | { t: 'tokenListOp'; v: ListOpParts<string> }
  | { t: 'pathListOp'; v: ListOpParts<string> }
  | { t: 'referenceListOp'; v: ListOpParts<Ref> }
  | { t: 'payloadListOp'; v: ListOpParts<Ref> };

export interface Spec {
  readonly path: string;
  /** SdfSpecType: 1 attribute, 6 prim, 7 pseudo-root, 8 relationship, 10 variant, 11 variant set. */
  readonly type: number;
  readonly fields: Record<string, Value>;
}

const TYPE = {
  token: 11,
  string: 10,
  bool: 1,
  specifier: 42,
  variability: 44,
  double: 9,
  timecode: 56,
  timecodes: 56,
  pathExpression: 57,
  tokens: 41,
  tokenArray: 11,
  strings: 50,
  layerOffsets: 49,
  variantSelection: 45,
  stringListOp: 33,
  tokenListOp: 32,
  pathListOp: 34,
  referenceListOp: 35,
  payloadListOp: 55,
} as const;

class Bytes {
  private buf = new Uint8Array(1 << 16);
  private view = new DataView(this.buf.buffer);
  length = 0;
  private grow(n: number) {
    if (this.length + n <= this.buf.length) return;
    const b = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
    b.set(this.buf);
    this.buf = b;
    this.view = new DataView(b.buffer);
  }
  u8(v: number) {
    this.grow(1);
    this.buf[this.length++] = v;
  }
  u32(v: number) {
    this.grow(4);
    this.view.setUint32(this.length, v >>> 0, true);
    this.length += 4;
  }
  i32(v: number) {
    this.grow(4);
    this.view.setInt32(this.length, v, true);
    this.length += 4;
  }
  u64(v: number) {
    this.grow(8);
    this.view.setBigUint64(this.length, BigInt(v), true);
    this.length += 8;
  }
  f64(v: number) {
    this.grow(8);
    this.view.setFloat64(this.length, v, true);
    this.length += 8;
  }
  bytes(b: Uint8Array) {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  setU64(at: number, v: number) {
    this.view.setBigUint64(at, BigInt(v), true);
  }
  done() {
    return this.buf.slice(0, this.length);
  }
}

/** TfFastCompression framing of one LZ4 block holding only literals. */
export function lz4Literals(data: Uint8Array): Uint8Array {
  const out = new Bytes();
  out.u8(0);
  const n = data.length;
  out.u8(Math.min(n, 15) << 4);
  if (n >= 15) {
    let rest = n - 15;
    while (rest >= 255) {
      out.u8(255);
      rest -= 255;
    }
    out.u8(rest);
  }
  out.bytes(data);
  return out.done();
}

/** USD integer coding with common value 0 and every delta as a 32-bit code, then LZ4. */
function compressInts(values: number[], w: Bytes) {
  const enc = new Bytes();
  enc.i32(0);
  const codes = new Uint8Array(Math.floor((values.length * 2 + 7) / 8)).fill(0xff);
  enc.bytes(codes);
  let prev = 0;
  for (const v of values) {
    enc.i32((v - prev) | 0);
    prev = v;
  }
  const packed = lz4Literals(enc.done());
  w.u64(packed.length);
  w.bytes(packed);
}

/** Splits `/A/B{set=sel}C.prop` into elements: ['A', 'B', '{set=sel}', 'C', '.prop']. */
function elements(path: string): string[] {
  if (path === '/') return [];
  return path.slice(1).match(/\{[^}]*\}|\.[\s\S]+$|[^/{}.]+/g) ?? [];
}

export function writeCrate(specs: readonly Spec[], version: [number, number, number] = [0, 8, 0]): Uint8Array {
  const tokens = [''];
  const tokenIndex = new Map<string, number>([['', 0]]);
  const tok = (s: string) => {
    let i = tokenIndex.get(s);
    if (i === undefined) {
      i = tokens.length;
      tokens.push(s);
      tokenIndex.set(s, i);
    }
    return i;
  };
  const strings: number[] = [];
  const stringIndex = new Map<string, number>();
  const str = (s: string) => {
    let i = stringIndex.get(s);
    if (i === undefined) {
      i = strings.length;
      strings.push(tok(s));
      stringIndex.set(s, i);
    }
    return i;
  };
  // Paths: a tree of elements; the empty path gets index 0 but no place in the tree, as in USD.
  type Node = { el: string; index: number; children: Node[] };
  const pathIndex = new Map<string, number>([['', 0]]);
  const root: Node = { el: '', index: 1, children: [] };
  pathIndex.set('/', 1);
  const pathOf = (p: string): number => {
    const known = pathIndex.get(p);
    if (known !== undefined) return known;
    let node = root;
    let sofar = '';
    for (const el of elements(p)) {
      sofar = el.startsWith('.') || el.startsWith('{') || sofar.endsWith('}') ? sofar + el : `${sofar}/${el}`;
      let next = node.children.find((c) => c.el === el);
      if (!next) {
        next = { el, index: pathIndex.get(sofar) ?? pathIndex.size, children: [] };
        pathIndex.set(sofar, next.index);
        node.children.push(next);
      }
      node = next;
    }
    return node.index;
  };

  const w = new Bytes();
  for (let i = 0; i < 88; i++) w.u8(0); // bootstrap, filled in at the end
  const rep = (type: number, payload: number, flags: { inlined?: boolean; array?: boolean } = {}) => ({
    lo: payload >>> 0,
    hi: ((flags.array ? 0x80000000 : 0) | (flags.inlined ? 0x40000000 : 0) | (type << 16) | Math.floor(payload / 2 ** 32)) >>> 0,
  });
  const listOp = <T>(parts: ListOpParts<T>, item: (x: T) => void) => {
    const order = [
      ['explicit', 1 << 1],
      ['add', 1 << 2],
      ['prepend', 1 << 5],
      ['append', 1 << 6],
      ['delete', 1 << 3],
      ['reorder', 1 << 4],
    ] as const;
    let bits = parts.isExplicit ? 1 : 0;
    for (const [op, bit] of order) if (parts[op]?.length) bits |= bit;
    w.u8(bits);
    for (const [op] of order) {
      const items = parts[op];
      if (!items?.length) continue;
      w.u64(items.length);
      for (const x of items) item(x);
    }
  };
  const ref = (payload: boolean) => (r: Ref) => {
    w.u32(str(r.asset));
    w.u32(pathOf(r.primPath ?? ''));
    w.f64(r.offset ?? 0);
    w.f64(r.scale ?? 1);
    if (!payload) w.u64(0); // customData: an empty dictionary
  };
  const value = (v: Value) => {
    const type = TYPE[v.t];
    switch (v.t) {
      case 'token':
        return rep(type, tok(v.v), { inlined: true });
      case 'string':
        return rep(type, str(v.v), { inlined: true });
      case 'bool':
        return rep(type, v.v ? 1 : 0, { inlined: true });
      case 'specifier':
        return rep(type, ['def', 'over', 'class'].indexOf(v.v), { inlined: true });
      case 'variability':
        return rep(type, v.v === 'uniform' ? 1 : 0, { inlined: true });
    }
    const at = w.length;
    switch (v.t) {
      case 'double':
      case 'timecode':
        w.f64(v.v);
        break;
      case 'timecodes':
        w.u64(v.v.length);
        for (const x of v.v) w.f64(x);
        return rep(type, at, { array: true });
      case 'pathExpression':
        w.u32(str(v.v));
        break;
      case 'tokens':
        w.u64(v.v.length);
        for (const x of v.v) w.u32(tok(x));
        break;
      case 'tokenArray':
        w.u64(v.v.length);
        for (const x of v.v) w.u32(tok(x));
        return rep(type, at, { array: true });
      case 'strings':
        w.u64(v.v.length);
        for (const x of v.v) w.u32(str(x));
        break;
      case 'layerOffsets':
        w.u64(v.v.length);
        for (const x of v.v) {
          w.f64(x.offset);
          w.f64(x.scale);
        }
        break;
      case 'variantSelection':
        w.u64(Object.keys(v.v).length);
        for (const [k, x] of Object.entries(v.v)) {
          w.u32(str(k));
          w.u32(str(x));
        }
        break;
      case 'stringListOp':
        listOp(v.v, (x) => w.u32(str(x)));
        break;
      case 'tokenListOp':
        listOp(v.v, (x) => w.u32(tok(x)));
        break;
      case 'pathListOp':
        listOp(v.v, (x) => w.u32(pathOf(x)));
        break;
      case 'referenceListOp':
        listOp(v.v, ref(false));
        break;
      case 'payloadListOp':
        listOp(v.v, ref(true));
        break;
    }
    return rep(type, at);
  };

  // Fields and field sets, as USD dedups them: one field per (name, value rep).
  const fields: { token: number; lo: number; hi: number }[] = [];
  const fieldSets: number[] = [];
  const specRows: { path: number; set: number; type: number }[] = [];
  for (const s of specs) {
    const set = fieldSets.length;
    for (const [name, v] of Object.entries(s.fields)) {
      const r = value(v);
      fieldSets.push(fields.length);
      fields.push({ token: tok(name), ...r });
    }
    fieldSets.push(0xffffffff);
    specRows.push({ path: pathOf(s.path), set, type: s.type });
  }

  // Path element names are tokens too: name them all before the TOKENS section is written.
  const order: { node: Node; jump: number }[] = [];
  const walk = (nodes: Node[]) => {
    nodes.forEach((n, k) => {
      const me = order.length;
      order.push({ node: n, jump: 0 });
      tok(n.el.startsWith('.') ? n.el.slice(1) : n.el);
      walk(n.children);
      const hasSibling = k < nodes.length - 1;
      const hasChild = n.children.length > 0;
      order[me].jump = hasChild && hasSibling ? order.length - me : hasChild ? -1 : hasSibling ? 0 : -2;
    });
  };
  walk([root]);

  const sections: [string, number, number][] = [];
  const section = (name: string, body: () => void) => {
    const start = w.length;
    body();
    sections.push([name, start, w.length - start]);
  };
  section('TOKENS', () => {
    const chars = new TextEncoder().encode(tokens.map((t) => `${t}\0`).join(''));
    const packed = lz4Literals(chars);
    w.u64(tokens.length);
    w.u64(chars.length);
    w.u64(packed.length);
    w.bytes(packed);
  });
  section('STRINGS', () => {
    w.u64(strings.length);
    for (const s of strings) w.u32(s);
  });
  section('FIELDS', () => {
    w.u64(fields.length);
    compressInts(
      fields.map((f) => f.token),
      w,
    );
    const reps = new Bytes();
    for (const f of fields) {
      reps.u32(f.lo);
      reps.u32(f.hi);
    }
    const packed = lz4Literals(reps.done());
    w.u64(packed.length);
    w.bytes(packed);
  });
  section('FIELDSETS', () => {
    w.u64(fieldSets.length);
    compressInts(fieldSets, w);
  });
  section('PATHS', () => {
    w.u64(pathIndex.size);
    w.u64(order.length);
    compressInts(
      order.map((o) => o.node.index),
      w,
    );
    compressInts(
      order.map((o) => (o.node.el.startsWith('.') ? -tok(o.node.el.slice(1)) : tok(o.node.el))),
      w,
    );
    compressInts(
      order.map((o) => o.jump),
      w,
    );
  });
  section('SPECS', () => {
    w.u64(specRows.length);
    compressInts(
      specRows.map((s) => s.path),
      w,
    );
    compressInts(
      specRows.map((s) => s.set),
      w,
    );
    compressInts(
      specRows.map((s) => s.type),
      w,
    );
  });
  const toc = w.length;
  w.u64(sections.length);
  for (const [name, start, size] of sections) {
    const n = new Uint8Array(16);
    n.set(new TextEncoder().encode(name));
    w.bytes(n);
    w.u64(start);
    w.u64(size);
  }
  const out = w.done();
  out.set(new TextEncoder().encode('PXR-USDC'), 0);
  out.set(version, 8);
  new DataView(out.buffer).setBigUint64(16, BigInt(toc), true);
  return out;
}
