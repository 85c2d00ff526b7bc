import type { FileHandle } from 'node:fs/promises';
import { createInflateRaw, crc32 } from 'node:zlib';
import { npyError, type NpySource } from './npy.js';

/**
 * The part of ZIP (APPNOTE 6.3) that .npz files use: a central directory, stored (0) and
 * deflated (8) entries, zip64 sizes and offsets. Entries are read one at a time, on request,
 * into a single buffer of the entry's size, so a 200 MB model_data.npz never sits in memory
 * twice. Encryption, multi-disk archives and other methods are rejected with a clear error.
 */
export interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
  readonly flags: number;
}

const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_LOCAL = 0x04034b50;
const MAX16 = 0xffff;
const MAX32 = 0xffffffff;
/** Reads of compressed data go through a buffer this big, never the whole entry. */
const CHUNK = 1 << 20;

const FIX = 'The file is damaged or incomplete; download it again.';

/** Reads the central directory. `file` is only used in errors. */
export async function readCentralDirectory(fh: FileHandle, file: string): Promise<ZipEntry[]> {
  const src: NpySource = { file };
  const size = (await fh.stat()).size;
  // The end record is 22 bytes plus a comment of at most 65535.
  const tailLen = Math.min(size, 22 + MAX16);
  const tail = await readAt(fh, size - tailLen, tailLen, src);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === SIG_EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    throw npyError(
      src,
      size === 0
        ? 'is empty'
        : `is not a zip/.npz archive or is truncated (no end-of-central-directory record in the last ${tailLen} bytes)`,
      FIX,
    );
  }
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
    throw npyError(src, 'is a multi-disk zip archive, which .npz files never are', FIX);
  }
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === MAX16 || cdSize === MAX32 || cdOffset === MAX32) {
    const locAt = size - tailLen + eocd - 20;
    const loc = locAt >= 0 ? await readAt(fh, locAt, 20, src) : undefined;
    if (!loc || loc.readUInt32LE(0) !== SIG_ZIP64_LOCATOR) throw npyError(src, 'needs zip64 records but has no zip64 locator', FIX);
    const recAt = u64(loc, 8, src);
    const rec = await readAt(fh, recAt, 56, src);
    if (rec.readUInt32LE(0) !== SIG_ZIP64_EOCD) throw npyError(src, `bad zip64 end record at offset ${recAt}`, FIX);
    count = u64(rec, 32, src);
    cdSize = u64(rec, 40, src);
    cdOffset = u64(rec, 48, src);
  }
  if (cdOffset + cdSize > size) {
    throw npyError(src, `truncated: the central directory should span bytes ${cdOffset}–${cdOffset + cdSize}, the file has ${size}`, FIX);
  }
  const cd = await readAt(fh, cdOffset, cdSize, src);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== SIG_CENTRAL) throw npyError(src, `central directory entry ${i} is damaged`, FIX);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = cd.toString('utf8', p + 46, p + 46 + nameLen);
    let size32: number = cd.readUInt32LE(p + 24);
    let csize32: number = cd.readUInt32LE(p + 20);
    let offset32: number = cd.readUInt32LE(p + 42);
    if (size32 === MAX32 || csize32 === MAX32 || offset32 === MAX32) {
      // The zip64 extra field (id 1) holds, in this order, only the fields that overflowed.
      const z = findExtra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), 0x0001);
      if (!z) throw npyError({ file, entry: name }, 'sizes overflow 32 bits but the zip64 extra field is missing', FIX);
      let q = 0;
      const next = (): number => {
        const v = u64(z, q, { file, entry: name });
        q += 8;
        return v;
      };
      if (size32 === MAX32) size32 = next();
      if (csize32 === MAX32) csize32 = next();
      if (offset32 === MAX32) offset32 = next();
    }
    entries.push({
      name,
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      crc32: cd.readUInt32LE(p + 16),
      compressedSize: csize32,
      size: size32,
      localHeaderOffset: offset32,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return entries;
}

/** Reads, inflates and CRC-checks one entry into one buffer of exactly its size; `label` names it in errors. */
export async function readEntry(fh: FileHandle, e: ZipEntry, file: string, label = e.name): Promise<Buffer> {
  const src: NpySource = { file, entry: label };
  if (e.flags & 1) throw npyError(src, 'is encrypted', 'Re-save the archive without a password.');
  if (e.method !== 0 && e.method !== 8) {
    throw npyError(
      src,
      `uses zip compression method ${e.method}; only stored (0) and deflated (8) are supported`,
      'Re-save it with numpy.savez or numpy.savez_compressed.',
    );
  }
  const local = await readAt(fh, e.localHeaderOffset, 30, src);
  if (local.readUInt32LE(0) !== SIG_LOCAL) throw npyError(src, `bad local header at offset ${e.localHeaderOffset}`, FIX);
  const dataAt = e.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  const fileSize = (await fh.stat()).size;
  if (dataAt + e.compressedSize > fileSize) {
    throw npyError(
      src,
      `truncated: its ${e.compressedSize} bytes should end at offset ${dataAt + e.compressedSize}, the file has ${fileSize}`,
      FIX,
    );
  }
  // Allocated outside Node's small-buffer pool so the data starts at byteOffset 0 (aligned views).
  const out = Buffer.from(new ArrayBuffer(e.size));
  if (e.method === 0) {
    if (e.compressedSize !== e.size) throw npyError(src, `stored entry with compressed size ${e.compressedSize} ≠ size ${e.size}`, FIX);
    await readInto(fh, out, dataAt, src);
  } else {
    await inflateInto(fh, dataAt, e.compressedSize, out, src);
  }
  const actual = crc32(out) >>> 0;
  if (actual !== e.crc32) {
    throw npyError(src, `CRC mismatch: the data's CRC-32 is ${hex32(actual)}, the archive records ${hex32(e.crc32)}`, FIX);
  }
  return out;
}

async function inflateInto(fh: FileHandle, at: number, csize: number, out: Buffer, src: NpySource): Promise<void> {
  const inflate = createInflateRaw();
  let filled = 0;
  let overflow = false;
  const done = new Promise<void>((resolve, reject) => {
    inflate.on('data', (chunk: Buffer) => {
      if (filled + chunk.length > out.length) {
        overflow = true;
        return;
      }
      chunk.copy(out, filled);
      filled += chunk.length;
    });
    inflate.on('end', resolve);
    inflate.on('error', reject);
  });
  try {
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(csize, 1)));
    for (let pos = 0; pos < csize; ) {
      const n = Math.min(buf.length, csize - pos);
      const { bytesRead } = await fh.read(buf, 0, n, at + pos);
      if (bytesRead === 0) throw npyError(src, 'truncated inside its compressed data', FIX);
      pos += bytesRead;
      // Copy: the stream may still hold the previous chunk when we refill `buf`.
      if (!inflate.write(Buffer.from(buf.subarray(0, bytesRead)))) await new Promise((r) => inflate.once('drain', r));
    }
    inflate.end();
    await done;
  } catch (err) {
    inflate.destroy();
    if (err instanceof Error && 'code' in err && String((err as { code: unknown }).code).startsWith('Z_')) {
      throw npyError(src, `deflate data is corrupt (${err.message})`, FIX);
    }
    throw err;
  }
  if (overflow || filled !== out.length) {
    throw npyError(src, `inflates to ${overflow ? 'more than' : filled} bytes, the archive records ${out.length}`, FIX);
  }
}

async function readAt(fh: FileHandle, at: number, len: number, src: NpySource): Promise<Buffer> {
  const buf = Buffer.alloc(len);
  await readInto(fh, buf, at, src);
  return buf;
}

async function readInto(fh: FileHandle, buf: Buffer, at: number, src: NpySource): Promise<void> {
  // One read call is capped at 2 GiB and may return short; loop.
  for (let got = 0; got < buf.length; ) {
    const { bytesRead } = await fh.read(buf, got, Math.min(buf.length - got, 1 << 30), at + got);
    if (bytesRead === 0) throw npyError(src, `truncated: wanted ${buf.length} bytes at offset ${at}, the file ends after ${got}`, FIX);
    got += bytesRead;
  }
}

function findExtra(extra: Buffer, id: number): Buffer | undefined {
  for (let p = 0; p + 4 <= extra.length; ) {
    const len = extra.readUInt16LE(p + 2);
    if (extra.readUInt16LE(p) === id) return extra.subarray(p + 4, p + 4 + len);
    p += 4 + len;
  }
  return undefined;
}

function u64(b: Buffer, at: number, src: NpySource): number {
  if (at + 8 > b.length) throw npyError(src, 'zip64 field is truncated', FIX);
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw npyError(src, `zip64 value ${v} is out of range`, FIX);
  return Number(v);
}

const hex32 = (v: number): string => `0x${v.toString(16).padStart(8, '0')}`;
