// A small, deterministic .npy/.npz writer for generated test packs. It writes what numpy.save /
// numpy.savez write (format 1.0 headers padded to 64 bytes, a zip with fixed timestamps), with a
// per-entry choice of stored or deflated so both read paths of the loader get exercised.
// It is the generator's tool, not the reader's oracle: tests cross-check the reader against
// bytes they build by hand as well.

import { writeFileSync } from 'node:fs';
import { crc32, deflateRawSync } from 'node:zlib';

const DESCR_BY_TYPE = new Map([
  [Float32Array, '<f4'],
  [Float64Array, '<f8'],
  [Int32Array, '<i4'],
  [BigInt64Array, '<i8'],
  [Uint8Array, '|b1'],
]);

/**
 * One .npy image. `array` is { data, shape, descr?, fortranOrder? }; `data` is a typed array (in the
 * order the header declares) or a string array (written as '<U<n>' with n the longest string).
 */
export function npyBytes({ data, shape, descr, fortranOrder = false }) {
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`npy: shape [${shape}] holds ${count} values, data has ${data.length}`);
  let body;
  if (Array.isArray(data)) {
    const width = Math.max(1, ...data.map((s) => [...s].length));
    descr ??= `<U${width}`;
    const w = Number(descr.slice(2));
    body = new Uint8Array(count * w * 4);
    const view = new DataView(body.buffer);
    data.forEach((s, i) => {
      [...s].forEach((ch, c) => {
        view.setUint32(4 * (i * w + c), ch.codePointAt(0), true);
      });
    });
  } else {
    descr ??= DESCR_BY_TYPE.get(data.constructor);
    if (!descr) throw new TypeError('npy: unsupported data type');
    body = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': ${fortranOrder ? 'True' : 'False'}, 'shape': ${shapeText}, }`;
  // numpy pads with spaces and a final newline so the data starts on a 64-byte boundary.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(Buffer.from(header, 'latin1'), 10);
  out.set(body, total);
  return out;
}

/** A zip archive of `[{ name, bytes, deflate }]` with fixed timestamps (1980-01-01), no zip64. */
export function zipBytes(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, bytes, deflate } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const data = deflate ? deflateRawSync(bytes) : bytes;
    const crc = crc32(bytes) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(bytes.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(bytes.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const cdSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/**
 * Writes `arrays` (name → npy array spec) as an .npz. `deflate` is true, false, or a set of names
 * to deflate (the rest are stored).
 */
export function writeNpz(file, arrays, { deflate = false } = {}) {
  const entries = Object.entries(arrays).map(([name, arr]) => ({
    name: `${name}.npy`,
    bytes: npyBytes(arr),
    deflate: deflate === true || (deflate instanceof Set && deflate.has(name)),
  }));
  const bytes = zipBytes(entries);
  writeFileSync(file, bytes);
  return bytes.length;
}
