// Reads a USD layer file in any of its formats, told apart by content, not by extension (a .usd may
// be text or binary): "PXR-USDC" starts a crate (binary) layer, "PK\x03\x04" a .usdz package, and
// "#usda" a text layer. A package is read in place: its entries must be stored (not compressed) and
// start on 64-byte boundaries, as USD's usdz format requires; its first entry that is a layer is
// the root, and `pkg.usdz[inner/file.usdc]` names a layer inside it. See docs/usd-reading.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCrate } from './crate/layer.js';
import { UsdError } from './errors.js';
import { type ParseOptions, type UsdaLayer, parseUsda } from './usda-parser.js';

const LAYER_EXT = /\.(usd|usda|usdc)$/i;

const startsWith = (b: Uint8Array, s: string) => b.length >= s.length && [...s].every((ch, i) => b[i] === ch.charCodeAt(0));

/** One stored entry of a .usdz package. */
export interface UsdzEntry {
  readonly name: string;
  /** Offset of the entry's data in the package. */
  readonly offset: number;
  readonly size: number;
}

function usdzError(
  file: string,
  problem: string,
  fix = 'Package it again with usdzip (or UsdUtils.CreateNewUsdzPackage), which stores entries uncompressed and 64-byte aligned.',
): UsdError {
  return new UsdError('USDZ_BAD', file, problem, fix);
}

/** Lists a .usdz's entries from its zip central directory, checking USD's rules: stored, 64-byte aligned. */
export function usdzEntries(bytes: Uint8Array, file: string): UsdzEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end-of-central-directory record is the last 22 bytes, before a comment of up to 65535 bytes.
  let eocd = -1;
  for (let p = bytes.length - 22; p >= Math.max(0, bytes.length - 22 - 65535); p--) {
    if (view.getUint32(p, true) === 0x06054b50) {
      eocd = p;
      break;
    }
  }
  if (eocd < 0) throw usdzError(file, 'the package is not a complete zip archive (no end-of-central-directory record; is it cut short?)');
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const entries: UsdzEntry[] = [];
  const dec = new TextDecoder('utf-8');
  for (let i = 0; i < count; i++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50)
      throw usdzError(file, `the zip central directory is corrupt at entry ${i + 1} of ${count}`);
    const flags = view.getUint16(p + 8, true);
    const method = view.getUint16(p + 10, true);
    const size = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const extraLen = view.getUint16(p + 30, true);
    const commentLen = view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const name = dec.decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + nameLen + extraLen + commentLen;
    if (method !== 0)
      throw usdzError(file, `entry "${name}" is compressed (zip method ${method}); USD reads only stored (uncompressed) entries`);
    if (flags & 1) throw usdzError(file, `entry "${name}" is encrypted; USD cannot read it`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50)
      throw usdzError(file, `entry "${name}" points at a missing local header (offset ${local}; is the package cut short?)`);
    const offset = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (offset + size > bytes.length) throw usdzError(file, `entry "${name}" runs past the end of the package (is it cut short?)`);
    if (offset % 64 !== 0)
      throw usdzError(file, `entry "${name}" starts at byte ${offset}, which is not a multiple of 64 as USD requires of .usdz entries`);
    entries.push({ name, offset, size });
  }
  return entries;
}

/** Splits `pkg.usdz[inner]` into the package and the inner path (which may itself be packaged). */
export function splitPackaged(file: string): { readonly outer: string; readonly inner: string } | undefined {
  if (!file.endsWith(']')) return undefined;
  const m = /\.usdz\[/i.exec(file);
  return m ? { outer: file.slice(0, m.index + 5), inner: file.slice(m.index + 6, -1) } : undefined;
}

/** How a layer inside a package is named: `a.usdz[inner]`, or `a.usdz[b.usdz[inner]]` one level down. */
type Namer = (inner: string) => string;

/** Parses a layer's bytes by their content; `file` names it in the layer and in errors. */
export function layerFromBytes(bytes: Uint8Array, file: string, opts: ParseOptions = {}): UsdaLayer {
  return fromBytes(bytes, file, (inner) => `${file}[${inner}]`, opts);
}

function fromBytes(bytes: Uint8Array, file: string, name: Namer, opts: ParseOptions): UsdaLayer {
  if (startsWith(bytes, 'PXR-USDC')) return readCrate(bytes, file, opts);
  if (startsWith(bytes, 'PK\x03\x04')) return readPackage(bytes, file, name, undefined, opts);
  if (startsWith(bytes, '#usda')) return parseUsda(new TextDecoder('utf-8').decode(bytes), file, opts);
  const what = startsWith(bytes, '#sdf')
    ? 'an old .sdf/.menva text file'
    : bytes.length === 0
      ? 'empty'
      : 'neither a .usda, .usdc nor .usdz layer';
  throw new UsdError(
    'NOT_USDA',
    file,
    `the file is ${what} (a text layer starts with "#usda 1.0", a binary one with "PXR-USDC", a package is a zip archive)`,
    'Give a USD layer (.usd, .usda, .usdc or .usdz), or export the character from the DCC as USD.',
  );
}

function entryOf(entries: UsdzEntry[], file: string, inner: string): UsdzEntry {
  const entry = entries.find((e) => e.name === inner);
  if (entry) return entry;
  throw new UsdError(
    'ASSET_NOT_FOUND',
    file,
    `the package has no entry "${inner}" (it holds ${entries.map((e) => e.name).join(', ') || 'nothing'})`,
    'Correct the asset path, or package the file with the character.',
  );
}

/** A layer in a package: `inner` names the entry (undefined: the root layer, the first entry). */
function readPackage(bytes: Uint8Array, file: string, name: Namer, inner: string | undefined, opts: ParseOptions): UsdaLayer {
  const entries = usdzEntries(bytes, file);
  const data = (e: UsdzEntry) => bytes.subarray(e.offset, e.offset + e.size);
  if (inner === undefined) {
    if (entries.length === 0 || !LAYER_EXT.test(entries[0].name))
      throw usdzError(
        file,
        entries.length === 0
          ? 'the package is empty'
          : `the first entry "${entries[0].name}" is not a layer; USD takes a package's first entry as its root layer`,
        'Package it again with the root layer first (usdzip root.usda ...).',
      );
    return fromBytes(data(entries[0]), name(entries[0].name), (n) => name(`${entries[0].name}[${n}]`), opts);
  }
  const nested = splitPackaged(inner);
  if (nested) {
    const e = entryOf(entries, file, nested.outer);
    return readPackage(data(e), name(nested.outer), (n) => name(`${nested.outer}[${n}]`), nested.inner, opts);
  }
  const e = entryOf(entries, file, inner);
  // Relative asset paths in a packaged layer resolve inside the package: the layer is `pkg.usdz[entry]`.
  return fromBytes(data(e), name(inner), (n) => name(`${inner}[${n}]`), opts);
}

/**
 * Reads the layer `file`: a text, crate or .usdz file (its root layer, named `pkg.usdz[root.usdc]` so
 * its relative paths resolve inside the package), or `pkg.usdz[inner/file]`, one layer in a package
 * (`a.usdz[b.usdz[c.usda]]` one package further down).
 */
export function readLayer(file: string, opts: ParseOptions = {}): UsdaLayer {
  const packaged = splitPackaged(file);
  if (packaged) {
    const outer = packaged.outer;
    return readPackage(readFileSync(outer), outer, (n) => `${outer}[${n}]`, packaged.inner, opts);
  }
  return layerFromBytes(readFileSync(file), file, opts);
}

/** The package file on disk that holds `file` (itself when it is not packaged). */
export function fileOnDisk(file: string): string {
  return path.normalize(splitPackaged(file)?.outer ?? file);
}
