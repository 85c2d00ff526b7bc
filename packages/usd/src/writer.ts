// A streaming .usda writer: a layer is described as prim/property specs whose time samples are
// produced lazily frame by frame, and the text goes to a sink in chunks, so an hour-long line
// never has to exist as one string.
import { formatDouble } from './float-format.js';
import { assetPath, dictionaryKey, isIdentifier, quoteString } from './escape.js';
import { formatValue } from './values.js';

/** Receives the layer text in order, one chunk at a time. */
export type Sink = (chunk: string) => void;

/** Provenance and other free-form data: written with USD types inferred from the JS values. */
export type DictionaryValue = string | number | boolean | readonly string[] | readonly number[] | readonly boolean[] | Dictionary;
export interface Dictionary {
  readonly [key: string]: DictionaryValue | undefined;
}

/** `@asset@` or `@asset@</prim/path>` (references). */
export interface AssetRef {
  readonly asset: string;
  readonly primPath?: string;
}

export type MetadataValue =
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'string' | 'token'; readonly value: string }
  | { readonly kind: 'tokens'; readonly value: readonly string[] }
  | { readonly kind: 'references'; readonly value: readonly AssetRef[] }
  | { readonly kind: 'subLayers'; readonly value: readonly string[] }
  | { readonly kind: 'dictionary'; readonly value: Dictionary };

export interface MetadataEntry {
  readonly key: string;
  readonly value: MetadataValue;
  /** List-op for list-valued metadata (apiSchemas, references). */
  readonly op?: 'prepend' | 'append' | 'delete';
}

/** Frame-indexed samples, produced on demand and in increasing time order. */
export type TimeSamples = () => Iterable<readonly [time: number, value: unknown]>;

export interface AttributeSpec {
  readonly kind: 'attribute';
  readonly name: string;
  /** USD value type name: `float[]`, `quatf[]`, `uniform`-free. */
  readonly type: string;
  readonly uniform?: boolean;
  readonly custom?: boolean;
  readonly default?: unknown;
  readonly timeSamples?: TimeSamples;
  readonly metadata?: readonly MetadataEntry[];
}

export interface RelationshipSpec {
  readonly kind: 'relationship';
  readonly name: string;
  /** Absolute prim/property paths. */
  readonly targets: readonly string[];
}

export type PropertySpec = AttributeSpec | RelationshipSpec;

export interface PrimSpec {
  readonly specifier: 'def' | 'over' | 'class';
  readonly typeName?: string;
  readonly name: string;
  readonly metadata?: readonly MetadataEntry[];
  readonly properties?: readonly PropertySpec[];
  readonly children?: readonly PrimSpec[];
}

export interface LayerSpec {
  readonly metadata: readonly MetadataEntry[];
  readonly prims: readonly PrimSpec[];
}

const CHUNK = 1 << 16;

/** Collects small writes and hands the sink chunks of about 64 KiB. */
class ChunkedOutput {
  private buffer = '';
  constructor(private readonly sink: Sink) {}
  line(depth: number, text: string): void {
    this.buffer += '    '.repeat(depth) + text + '\n';
    if (this.buffer.length >= CHUNK) this.flush();
  }
  flush(): void {
    if (this.buffer !== '') this.sink(this.buffer);
    this.buffer = '';
  }
}

function dictionaryEntryType(key: string, v: DictionaryValue): string {
  const scalarType = (x: unknown): string => {
    if (typeof x === 'string') return 'string';
    if (typeof x === 'number') return 'double';
    if (typeof x === 'boolean') return 'bool';
    throw new Error(`dictionary entry "${key}": unsupported value ${JSON.stringify(x)}`);
  };
  if (!Array.isArray(v)) return scalarType(v);
  if (v.length === 0) throw new Error(`dictionary entry "${key}": an empty array has no USD element type`);
  const t = scalarType(v[0]);
  if (!v.every((x) => scalarType(x) === t)) throw new Error(`dictionary entry "${key}": array elements must all be of one type`);
  return `${t}[]`;
}

function writeDictionary(out: ChunkedOutput, depth: number, head: string, dict: Dictionary, where: string): void {
  out.line(depth, `${head} = {`);
  for (const key of Object.keys(dict).sort()) {
    const v = dict[key];
    if (v === undefined) continue;
    if (typeof v === 'object' && !Array.isArray(v)) {
      writeDictionary(out, depth + 1, `dictionary ${dictionaryKey(key)}`, v as Dictionary, `${where}.${key}`);
      continue;
    }
    const type = dictionaryEntryType(key, v as DictionaryValue);
    let text: string;
    try {
      text = formatValue(type, v);
    } catch (e) {
      throw new Error(`${where}.${key}: ${(e as Error).message}`);
    }
    out.line(depth + 1, `${type} ${dictionaryKey(key)} = ${text}`);
  }
  out.line(depth, '}');
}

const refText = (r: AssetRef): string => assetPath(r.asset) + (r.primPath ? `<${r.primPath}>` : '');

function writeMetadata(out: ChunkedOutput, depth: number, entries: readonly MetadataEntry[], where: string): void {
  for (const { key, value, op } of entries) {
    const head = (op ? `${op} ` : '') + key;
    switch (value.kind) {
      case 'double':
        out.line(depth, `${head} = ${formatDouble(value.value)}`);
        break;
      case 'string':
      case 'token':
        out.line(depth, `${head} = ${quoteString(value.value)}`);
        break;
      case 'tokens':
        out.line(depth, `${head} = [${value.value.map(quoteString).join(', ')}]`);
        break;
      case 'references':
        out.line(depth, `${head} = ${value.value.length === 1 ? refText(value.value[0]) : `[${value.value.map(refText).join(', ')}]`}`);
        break;
      case 'subLayers':
        out.line(depth, `${head} = [`);
        value.value.forEach((p, i) => {
          out.line(depth + 1, assetPath(p) + (i < value.value.length - 1 ? ',' : ''));
        });
        out.line(depth, ']');
        break;
      case 'dictionary':
        writeDictionary(out, depth, head, value.value, `${where} ${key}`);
        break;
    }
  }
}

function writeAttribute(out: ChunkedOutput, depth: number, a: AttributeSpec, primPath: string): void {
  const where = `<${primPath}.${a.name}>`;
  if (a.uniform && a.timeSamples) throw new Error(`${where}: a uniform attribute cannot be time-sampled`);
  const decl = `${a.custom ? 'custom ' : ''}${a.uniform ? 'uniform ' : ''}${a.type} ${a.name}`;
  const withContext = (value: unknown, at: string): string => {
    try {
      return formatValue(a.type, value);
    } catch (e) {
      throw new Error(`${where}${at}: ${(e as Error).message}`);
    }
  };
  if (a.default !== undefined || !a.timeSamples) {
    const value = a.default === undefined ? '' : ` = ${withContext(a.default, ' default value')}`;
    if (a.metadata?.length) {
      out.line(depth, `${decl}${value} (`);
      writeMetadata(out, depth + 1, a.metadata, where);
      out.line(depth, ')');
    } else out.line(depth, decl + value);
  }
  if (!a.timeSamples) return;
  out.line(depth, `${a.type} ${a.name}.timeSamples = {`);
  let last = -Infinity;
  let lastText = '';
  for (const [time, value] of a.timeSamples()) {
    if (!Number.isFinite(time)) throw new Error(`${where}: time sample key ${time} is not finite`);
    const text = withContext(value, ` at frame ${time}`);
    if (time === last) {
      // USD keeps the last of duplicate keys silently; we refuse conflicting ones.
      if (text !== lastText) throw new Error(`${where}: two different samples for frame ${time}`);
      continue;
    }
    if (time < last) throw new Error(`${where}: time samples must come in increasing order (${time} after ${last})`);
    out.line(depth + 1, `${formatDouble(time)}: ${text},`);
    last = time;
    lastText = text;
  }
  out.line(depth, '}');
}

function pathText(p: string): string {
  if (!p.startsWith('/') || /[<>\s]/.test(p))
    throw new Error(`relationship target "${p}" must be an absolute path without spaces or angle brackets`);
  return `<${p}>`;
}

function writePrim(out: ChunkedOutput, depth: number, prim: PrimSpec, parentPath: string): void {
  if (!isIdentifier(prim.name)) throw new Error(`prim name "${prim.name}" under <${parentPath || '/'}> is not a valid identifier`);
  const path = `${parentPath}/${prim.name}`;
  const head = `${prim.specifier}${prim.typeName ? ` ${prim.typeName}` : ''} ${quoteString(prim.name)}`;
  if (prim.metadata?.length) {
    out.line(depth, `${head} (`);
    writeMetadata(out, depth + 1, prim.metadata, `<${path}>`);
    out.line(depth, ')');
  } else out.line(depth, head);
  out.line(depth, '{');
  for (const p of prim.properties ?? []) {
    if (p.kind === 'attribute') writeAttribute(out, depth + 1, p, path);
    else if (p.targets.length === 1) out.line(depth + 1, `rel ${p.name} = ${pathText(p.targets[0])}`);
    else {
      out.line(depth + 1, `rel ${p.name} = [`);
      p.targets.forEach((t, i) => {
        out.line(depth + 2, pathText(t) + (i < p.targets.length - 1 ? ',' : ''));
      });
      out.line(depth + 1, ']');
    }
  }
  const names = new Set<string>();
  (prim.children ?? []).forEach((child, i) => {
    if (names.has(child.name)) throw new Error(`duplicate prim <${path}/${child.name}>`);
    names.add(child.name);
    if (i > 0 || prim.properties?.length) out.line(0, '');
    writePrim(out, depth + 1, child, path);
  });
  out.line(depth, '}');
}

/** Writes `layer` as `#usda 1.0` text to `sink`, in chunks. */
export function writeLayer(layer: LayerSpec, sink: Sink): void {
  const out = new ChunkedOutput(sink);
  out.line(0, '#usda 1.0');
  if (layer.metadata.length) {
    out.line(0, '(');
    writeMetadata(out, 1, layer.metadata, 'layer metadata');
    out.line(0, ')');
  }
  const names = new Set<string>();
  for (const prim of layer.prims) {
    if (names.has(prim.name)) throw new Error(`duplicate prim </${prim.name}>`);
    names.add(prim.name);
    out.line(0, '');
    writePrim(out, 0, prim, '');
  }
  out.flush();
}

/** Runs a sink-based writer and returns the whole text. */
export function writeToString(write: (sink: Sink) => void): string {
  const chunks: string[] = [];
  write((c) => chunks.push(c));
  return chunks.join('');
}
