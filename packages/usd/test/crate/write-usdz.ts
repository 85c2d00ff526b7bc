// Writes .usdz packages for tests: a zip archive whose entries are stored (not compressed) and whose
// data starts on 64-byte boundaries (padding in each local header's extra field), as USD's usdz
// format asks. `method` and `misalign` break those rules on purpose.

function crc32(b: Uint8Array): number {
  let c = ~0;
  for (const x of b) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

export interface ZipEntry {
  readonly name: string;
  readonly data: Uint8Array | string;
  /** Zip method written in the headers (0 = stored; 8 claims deflate, which USD refuses). */
  readonly method?: number;
  /** Start the data this many bytes past a 64-byte boundary. */
  readonly misalign?: number;
}

export function writeUsdz(entries: readonly ZipEntry[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let at = 0;
  const central: Uint8Array[] = [];
  const enc = new TextEncoder();
  for (const e of entries) {
    const data = typeof e.data === 'string' ? enc.encode(e.data) : e.data;
    const name = enc.encode(e.name);
    const headerEnd = at + 30 + name.length;
    let pad = (64 - ((headerEnd + 4) % 64)) % 64; // 4 bytes for the extra field's own header
    pad += e.misalign ?? 0;
    const extra = new Uint8Array(4 + pad);
    new DataView(extra.buffer).setUint16(0, 0x1986, true); // an unknown extra id, as usdzip pads
    new DataView(extra.buffer).setUint16(2, pad, true);
    const local = new Uint8Array(30 + name.length + extra.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, e.method ?? 0, true);
    lv.setUint32(14, crc32(data), true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, extra.length, true);
    local.set(name, 30);
    local.set(extra, 30 + name.length);
    const c = new Uint8Array(46 + name.length);
    const cv = new DataView(c.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, e.method ?? 0, true);
    cv.setUint32(16, crc32(data), true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, at, true);
    c.set(name, 46);
    central.push(c);
    parts.push(local, data);
    at += local.length + data.length;
  }
  const cdStart = at;
  const cdSize = central.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, cdSize, true);
  ev.setUint32(16, cdStart, true);
  const out = new Uint8Array(cdStart + cdSize + 22);
  let p = 0;
  for (const b of [...parts, ...central, end]) {
    out.set(b, p);
    p += b.length;
  }
  return out;
}
