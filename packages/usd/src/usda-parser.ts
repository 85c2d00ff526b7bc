// A parser for the .usda subset a character asset uses: layer metadata (sublayers with their
// offsets), prims (specifier, type, name, metadata with composition arcs, variant sets, children),
// attributes (type, variability, default, time samples, metadata) and relationships. This layer
// model is shared by every format (the crate reader fills the same shapes, see docs/usd-reading.md).
// Things it does not model (reorder statements, splines, unknown statements) are skipped as balanced
// text, so a real studio asset still parses.
import { UsdError } from './errors.js';
import { UsdaLexer, describe, type Token } from './usda-lexer.js';

export interface UsdaPath {
  readonly kind: 'path';
  readonly path: string;
}
export interface UsdaAsset {
  readonly kind: 'asset';
  readonly asset: string;
  readonly primPath?: string;
  /** Layer offset of a sublayer, reference or payload: time in the outer layer = offset + scale * inner time. */
  readonly offset?: number;
  readonly scale?: number;
}
export interface UsdaDictionary {
  readonly kind: 'dictionary';
  readonly entries: Readonly<Record<string, { readonly type: string; readonly value: UsdaValue }>>;
}
export interface UsdaTimeSamples {
  readonly kind: 'timeSamples';
  readonly samples: readonly (readonly [number, UsdaValue])[];
}
/** A value the caller chose not to materialise (e.g. the points of a mesh). */
export interface UsdaSkipped {
  readonly kind: 'skipped';
}
/** Numbers, strings/tokens (and bare identifiers), booleans, None as null, tuples and arrays as arrays. */
export type UsdaValue =
  | number
  | string
  | boolean
  | null
  | UsdaValue[]
  | UsdaPath
  | UsdaAsset
  | UsdaDictionary
  | UsdaTimeSamples
  | UsdaSkipped;

export interface UsdaMetadata {
  readonly key: string;
  readonly op?: string;
  readonly value: UsdaValue;
  readonly line: number;
}

export interface UsdaProperty {
  readonly name: string;
  readonly kind: 'attribute' | 'relationship';
  /** Value type name such as `token[]`; `rel` for relationships. */
  readonly typeName: string;
  readonly uniform: boolean;
  readonly custom: boolean;
  default?: UsdaValue;
  timeSamples?: UsdaTimeSamples['samples'];
  /** Absolute target paths of a relationship (relative ones resolved against the prim). */
  targets?: string[];
  metadata: UsdaMetadata[];
  readonly line: number;
  /** Filled by composition (stage.ts): the strongest layer and spec path that gave this opinion. */
  origin?: UsdaOrigin;
}

export interface UsdaOrigin {
  readonly layer: string;
  readonly path: string;
}

/** One variant's opinions: like a prim body. Its children's paths are the owning prim's path plus their name. */
export interface UsdaVariant {
  readonly metadata: UsdaMetadata[];
  readonly properties: Map<string, UsdaProperty>;
  readonly children: UsdaPrim[];
  readonly variantSets?: ReadonlyMap<string, ReadonlyMap<string, UsdaVariant>>;
}

export interface UsdaPrim {
  readonly specifier: 'def' | 'over' | 'class';
  readonly typeName: string;
  readonly name: string;
  readonly path: string;
  readonly line: number;
  readonly metadata: UsdaMetadata[];
  readonly properties: Map<string, UsdaProperty>;
  readonly children: UsdaPrim[];
  /** `variantSet "name" = { "variant" { ... } }` bodies, by set name then variant name (authored order). */
  readonly variantSets?: ReadonlyMap<string, ReadonlyMap<string, UsdaVariant>>;
  origin?: UsdaOrigin;
}

export interface UsdaLayer {
  readonly file: string;
  readonly metadata: UsdaMetadata[];
  readonly prims: UsdaPrim[];
}

export interface ParseOptions {
  /** Return false to skip (not materialise) a property's array/tuple values. */
  readonly keepValue?: (prim: { readonly typeName: string; readonly path: string }, property: string) => boolean;
}

const SPECIFIERS = new Set(['def', 'over', 'class']);
const LIST_OPS = new Set(['prepend', 'append', 'delete', 'add', 'reorder']);
const VARIABILITY = new Set(['uniform', 'varying', 'config']);
/** Metadata keys whose values are normalised to lists of UsdaAsset (with layer offsets) or UsdaPath. */
const ASSET_ARCS = new Set(['references', 'payload', 'subLayers']);
const PATH_ARCS = new Set(['inherits', 'specializes']);

/** The metadata entry `key` (the last one written, ignoring `delete` list-ops). */
export function metadataValue(entries: readonly UsdaMetadata[], key: string): UsdaValue | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i].key === key && entries[i].op !== 'delete') return entries[i].value;
  return undefined;
}

/** Resolves a target path written in a layer (`<../Skel>`, `<Skel>`, `</Root/Skel>`) against its prim. */
export function resolvePath(anchor: string, path: string): string {
  if (path.startsWith('/')) return path;
  const parts = anchor.split('/').filter(Boolean);
  for (const seg of path.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return '/' + parts.join('/');
}

class Parser {
  constructor(
    private readonly lx: UsdaLexer,
    private readonly opts: ParseOptions,
  ) {}

  layer(): UsdaLayer {
    const metadata = this.lx.accept('(') ? this.metadataBlock() : [];
    const prims: UsdaPrim[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.kind === 'eof') break;
      if (t.kind === 'ident' && SPECIFIERS.has(t.text)) prims.push(this.prim(''));
      else this.skipStatement();
    }
    return { file: this.lx.file, metadata, prims };
  }

  /** `( entries )` after the opening paren: `[listop] key = value`, or a bare doc string. */
  private metadataBlock(): UsdaMetadata[] {
    const out: UsdaMetadata[] = [];
    for (;;) {
      const t = this.lx.peek();
      if (t.kind === 'punct' && t.text === ')') {
        this.lx.next();
        return out;
      }
      if (t.kind === 'punct' && t.text === ';') {
        this.lx.next();
        continue;
      }
      if (t.kind === 'eof') this.lx.error('metadata block is not closed with ")"');
      if (t.kind === 'string') {
        this.lx.next();
        out.push({ key: 'doc', value: t.text, line: t.line });
        continue;
      }
      if (t.kind !== 'ident') this.lx.error(`expected a metadata name, found ${describe(t)}`);
      this.lx.next();
      let op: string | undefined;
      let key = t.text;
      if (LIST_OPS.has(key) && this.lx.peek().kind === 'ident') {
        op = key;
        key = this.lx.next().text;
      }
      if (!this.lx.accept('=')) {
        out.push({ key, op, value: true, line: t.line });
        continue;
      }
      let value: UsdaValue;
      if (ASSET_ARCS.has(key) || PATH_ARCS.has(key)) value = this.arcList(key);
      else {
        value = this.value();
        if (key === 'variantSets' && typeof value === 'string') value = [value];
      }
      out.push({ key, op, value, line: t.line });
    }
  }

  private prim(parent: string): UsdaPrim {
    const spec = this.lx.next();
    let typeName = '';
    if (this.lx.peek().kind === 'ident') typeName = this.lx.next().text;
    const nameTok = this.lx.next();
    if (nameTok.kind !== 'string')
      this.lx.error(
        `expected the quoted prim name after "${spec.text}${typeName ? ' ' + typeName : ''}", found ${describe(nameTok)}`,
        nameTok.line,
      );
    const path = `${parent}/${nameTok.text}`;
    const metadata = this.lx.accept('(') ? this.metadataBlock() : [];
    this.lx.expect('{', `to open the body of prim <${path}> (line ${spec.line})`);
    const body = this.body(path, typeName, `prim <${path}> opened on line ${spec.line}`);
    return {
      specifier: spec.text as UsdaPrim['specifier'],
      typeName,
      name: nameTok.text,
      path,
      line: spec.line,
      metadata,
      ...body,
    };
  }

  /** A prim or variant body after its "{": properties, child prims and variant sets up to the closing "}". */
  private body(path: string, typeName: string, what: string): Omit<UsdaVariant, 'metadata'> {
    const properties = new Map<string, UsdaProperty>();
    const children: UsdaPrim[] = [];
    const sets = new Map<string, Map<string, UsdaVariant>>();
    for (;;) {
      const t = this.lx.peek();
      if (t.kind === 'punct' && t.text === '}') {
        this.lx.next();
        return sets.size > 0 ? { properties, children, variantSets: sets } : { properties, children };
      }
      if (t.kind === 'eof') this.lx.error(`${what} is not closed with "}"`);
      if (t.kind === 'ident' && SPECIFIERS.has(t.text)) children.push(this.prim(path));
      else if (t.kind === 'ident' && t.text === 'variantSet') this.variantSet(path, typeName, sets);
      else if (t.kind === 'ident' && t.text !== 'reorder') this.property({ path, typeName, properties });
      else this.skipStatement();
    }
  }

  /** `variantSet "name" = { "variant" (metadata) { body } ... }`; a set written twice merges its variants. */
  private variantSet(path: string, typeName: string, sets: Map<string, Map<string, UsdaVariant>>): void {
    const start = this.lx.next();
    const nameTok = this.lx.next();
    if (nameTok.kind !== 'string') this.lx.error(`expected the quoted variant set name after "variantSet", found ${describe(nameTok)}`);
    this.lx.expect('=', `after variantSet "${nameTok.text}" in prim <${path}>`);
    this.lx.expect('{', `to open variantSet "${nameTok.text}" in prim <${path}> (line ${start.line})`);
    const variants = sets.get(nameTok.text) ?? new Map<string, UsdaVariant>();
    sets.set(nameTok.text, variants);
    for (;;) {
      const t = this.lx.next();
      if (t.kind === 'punct' && t.text === '}') return;
      if (t.kind !== 'string')
        this.lx.error(`expected a quoted variant name in variantSet "${nameTok.text}", found ${describe(t)}`, t.line);
      const metadata = this.lx.accept('(') ? this.metadataBlock() : [];
      this.lx.expect('{', `to open variant "${t.text}" of variantSet "${nameTok.text}" in prim <${path}>`);
      const body = this.body(path, typeName, `variant "${t.text}" of <${path}> opened on line ${t.line}`);
      variants.set(t.text, { metadata, ...body });
    }
  }

  private property(prim: { readonly path: string; readonly typeName: string; readonly properties: Map<string, UsdaProperty> }): void {
    const first = this.lx.peek();
    let custom = false;
    let uniform = false;
    let tok = this.lx.next();
    let listOp: string | undefined;
    if (LIST_OPS.has(tok.text) && this.lx.peek().kind === 'ident') {
      listOp = tok.text;
      tok = this.lx.next();
    }
    for (;;) {
      if (tok.text === 'custom') custom = true;
      else if (VARIABILITY.has(tok.text)) uniform ||= tok.text === 'uniform';
      else break;
      tok = this.lx.next();
      if (tok.kind !== 'ident') this.lx.error(`expected a property type after "${first.text}", found ${describe(tok)}`, tok.line);
    }
    let typeName = tok.text;
    if (this.lx.peek().text === '[' && this.lx.peek().kind === 'punct') {
      this.lx.next();
      this.lx.expect(']', `after "${typeName}[" (array types are written "${typeName}[]")`);
      typeName += '[]';
    }
    const nameTok = this.lx.next();
    if (nameTok.kind !== 'ident')
      this.lx.error(`expected a property name after "${typeName}" in prim <${prim.path}>, found ${describe(nameTok)}`, nameTok.line);
    const isRel = typeName === 'rel';
    const m = /^(.*?)(\.timeSamples|\.connect|\.default|\.spline)?$/.exec(nameTok.text)!;
    const name = m[1];
    const suffix = m[2] ?? '';
    let prop = prim.properties.get(name);
    if (!prop) {
      prop = { name, kind: isRel ? 'relationship' : 'attribute', typeName, uniform, custom, metadata: [], line: nameTok.line };
      prim.properties.set(name, prop);
    }
    if (this.lx.accept('=')) {
      if (suffix === '.timeSamples') {
        const v = this.value();
        const empty =
          typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'dictionary' && Object.keys(v.entries).length === 0;
        if (!empty && (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'timeSamples')) {
          this.lx.error(`<${prim.path}.${name}>: expected { time: value, ... } time samples`, nameTok.line);
        }
        prop.timeSamples = empty ? [] : (v as UsdaTimeSamples).samples;
      } else if (isRel || suffix === '.connect') {
        // Target list ops are not composed (docs/usd-reading.md): prepended/appended targets count as the
        // list; deleted or reordered ones are no targets of their own.
        const targets = this.targets(prim.path, nameTok);
        if (listOp !== 'delete' && listOp !== 'reorder') prop.targets = targets;
      } else if (suffix === '.spline') {
        this.skipValueRaw();
      } else {
        const keep = this.opts.keepValue?.({ typeName: prim.typeName, path: prim.path }, name) ?? true;
        if (!keep && this.lx.peek().kind === 'punct' && (this.lx.peek().text === '[' || this.lx.peek().text === '(')) {
          this.skipValueRaw();
          prop.default = { kind: 'skipped' };
        } else prop.default = this.value();
      }
    }
    if (this.lx.accept('(')) prop.metadata.push(...this.metadataBlock());
  }

  /** `None`, one item or `[items]` of a composition arc: assets (with prim path and layer offset) or paths. */
  private arcList(key: string): UsdaValue[] {
    if (this.lx.accept('None')) return [];
    if (!this.lx.accept('[')) return [this.arcItem(key)];
    const items: UsdaValue[] = [];
    for (;;) {
      if (this.lx.accept(']')) return items;
      items.push(this.arcItem(key));
      if (!this.lx.accept(',') && !(this.lx.peek().kind === 'punct' && this.lx.peek().text === ']'))
        this.lx.error(`expected "," or "]" in the ${key} list, found ${describe(this.lx.peek())}`);
    }
  }

  private arcItem(key: string): UsdaAsset | UsdaPath {
    const t = this.lx.next();
    if (PATH_ARCS.has(key)) {
      if (t.kind !== 'path') this.lx.error(`${key} entries are prim paths such as </_class_Hero>, found ${describe(t)}`, t.line);
      return { kind: 'path', path: t.text };
    }
    let asset: UsdaAsset;
    if (t.kind === 'path' && key !== 'subLayers')
      asset = { kind: 'asset', asset: '', primPath: t.text }; // internal reference
    else if (t.kind === 'asset') {
      const next = this.lx.peek();
      if (next.kind === 'path' && key !== 'subLayers') this.lx.next();
      asset =
        next.kind === 'path' && key !== 'subLayers'
          ? { kind: 'asset', asset: t.text, primPath: next.text }
          : { kind: 'asset', asset: t.text };
    } else return this.lx.error(`${key} entries are @asset paths@, found ${describe(t)}`, t.line);
    if (!this.lx.accept('(')) return asset;
    // `( offset = 10; scale = 2 )`, possibly with customData, which is not kept.
    let offset: number | undefined;
    let scale: number | undefined;
    for (;;) {
      if (this.lx.accept(')')) break;
      if (this.lx.accept(';')) continue;
      const k = this.lx.next();
      if (k.kind !== 'ident') this.lx.error(`expected offset = N or scale = N after @${asset.asset}@, found ${describe(k)}`, k.line);
      this.lx.expect('=', `after "${k.text}" in the layer offset of @${asset.asset}@`);
      const v = this.value();
      if ((k.text === 'offset' || k.text === 'scale') && typeof v !== 'number')
        this.lx.error(`the layer offset's ${k.text} of @${asset.asset}@ must be a number`, k.line);
      if (k.text === 'offset') offset = v as number;
      else if (k.text === 'scale') scale = v as number;
    }
    return { ...asset, ...(offset !== undefined && { offset }), ...(scale !== undefined && { scale }) };
  }

  private targets(anchor: string, at: Token): string[] {
    const v = this.value();
    const list = Array.isArray(v) ? v : [v];
    const out: string[] = [];
    for (const item of list) {
      if (item === null) continue; // `= None`: explicitly no targets
      if (typeof item !== 'object' || Array.isArray(item) || item.kind !== 'path') {
        this.lx.error(`relationship <${anchor}.${at.text}> targets must be <paths>`, at.line);
      }
      out.push(resolvePath(anchor, item.path));
    }
    return out;
  }

  private skipValueRaw(): void {
    const open = this.lx.next();
    if (open.kind === 'punct' && '([{'.includes(open.text)) this.lx.skipRawAfterOpen(open);
  }

  value(): UsdaValue {
    const t = this.lx.next();
    switch (t.kind) {
      case 'number':
        return Number(t.text.replace(/^([-+]?)inf$/, '$1Infinity').replace(/^[-+]?nan$/, 'NaN'));
      case 'string':
        return t.text;
      case 'path':
        return { kind: 'path', path: t.text };
      case 'asset': {
        const next = this.lx.peek();
        let primPath: string | undefined;
        if (next.kind === 'path') {
          this.lx.next();
          primPath = next.text;
        }
        // A "(" after an asset value is the property's metadata (arcs with layer offsets are read by arcItem).
        return primPath === undefined ? { kind: 'asset', asset: t.text } : { kind: 'asset', asset: t.text, primPath };
      }
      case 'ident':
        if (t.text === 'None') return null;
        if (t.text === 'true') return true;
        if (t.text === 'false') return false;
        if (t.text === 'inf') return Infinity;
        if (t.text === 'nan') return NaN;
        return t.text;
      case 'punct':
        if (t.text === '[') return this.sequence(']');
        if (t.text === '(') return this.sequence(')');
        if (t.text === '{') return this.braced();
        break;
      case 'eof':
        break;
    }
    return this.lx.error(`expected a value, found ${describe(t)}`, t.line);
  }

  private sequence(close: string): UsdaValue[] {
    const items: UsdaValue[] = [];
    for (;;) {
      if (this.lx.accept(close)) return items;
      items.push(this.value());
      if (this.lx.accept(',')) continue;
      const t = this.lx.peek();
      if (!(t.kind === 'punct' && t.text === close)) this.lx.error(`expected "," or "${close}" in a list, found ${describe(t)}`);
    }
  }

  /** `{ time: value, ... }` time samples or `{ type key = value ... }` dictionary. */
  private braced(): UsdaTimeSamples | UsdaDictionary {
    const first = this.lx.peek();
    if (first.kind === 'number') {
      const samples: [number, UsdaValue][] = [];
      for (;;) {
        if (this.lx.accept('}')) return { kind: 'timeSamples', samples };
        const time = this.lx.next();
        if (time.kind !== 'number') this.lx.error(`expected a time code, found ${describe(time)}`, time.line);
        this.lx.expect(':', 'after a time code');
        samples.push([Number(time.text), this.value()]);
        this.lx.accept(',');
      }
    }
    const entries: Record<string, { type: string; value: UsdaValue }> = {};
    for (;;) {
      if (this.lx.accept('}')) return { kind: 'dictionary', entries };
      if (this.lx.accept(';') || this.lx.accept(',')) continue;
      const typeTok = this.lx.next();
      if (typeTok.kind !== 'ident') this.lx.error(`expected a dictionary entry type, found ${describe(typeTok)}`, typeTok.line);
      let type = typeTok.text;
      if (this.lx.accept('[')) {
        this.lx.expect(']', 'in an array type');
        type += '[]';
      }
      const key = this.lx.next();
      if (key.kind !== 'ident' && key.kind !== 'string') this.lx.error(`expected a dictionary key, found ${describe(key)}`, key.line);
      this.lx.expect('=', `after dictionary key "${key.text}"`);
      entries[key.text] = { type, value: this.value() };
    }
  }

  /** Skips an unmodelled statement: its tokens up to the end of its line, brackets balanced. */
  private skipStatement(): void {
    const start = this.lx.next();
    if (start.kind === 'punct' && '([{'.includes(start.text)) {
      this.lx.skipRawAfterOpen(start);
      return;
    }
    if (start.kind === 'punct' && ')]}'.includes(start.text)) this.lx.error(`unexpected "${start.text}"`, start.line);
    for (;;) {
      const t = this.lx.peek();
      if (t.kind === 'eof' || t.line !== start.line || (t.kind === 'punct' && t.text === '}')) return;
      this.lx.next();
      if (t.kind === 'punct' && '([{'.includes(t.text)) this.lx.skipRawAfterOpen(t);
    }
  }
}

const USDA_FIX = 'Pass a text .usda layer (usdcat converts .usd and .usdc: "usdcat face.usd -o face.usda").';

/** Parses .usda text; `file` names the layer in errors ("face.usda:12: expected ..."). */
export function parseUsda(text: string, file: string, opts: ParseOptions = {}): UsdaLayer {
  if (text.startsWith('PXR-USDC')) {
    throw new UsdError(
      'NOT_USDA',
      file,
      'is a binary .usdc layer; only .usda text is read',
      `Convert it with "usdcat ${file} -o face.usda".`,
    );
  }
  if (text.startsWith('PK\x03\x04'))
    throw new UsdError('NOT_USDA', file, 'is a .usdz package', 'Unpack it and point at the .usda layer inside.');
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  if (!/^#usda 1\.\d/.test(body)) {
    const found = JSON.stringify(body.slice(0, 20));
    throw new UsdError('NOT_USDA', `${file}:1`, `not a .usda text layer: the first line must be "#usda 1.0", found ${found}`, USDA_FIX);
  }
  const lx = new UsdaLexer(body, file);
  lx.skipLine();
  return new Parser(lx, opts).layer();
}
