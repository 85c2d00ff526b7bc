/*
 * The checksums the compressed formats carry (docs/audio-input.md): all three are MSB-first
 * ("non-reflected") CRCs with initial value 0 and no final XOR, which is why Node's zlib.crc32
 * (reflected, as in PNG and gzip) cannot stand in for Ogg's.
 */

function table(poly: number, width: 8 | 16 | 32): Uint32Array {
  const top = 2 ** (width - 1);
  const mask = 2 ** width - 1;
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i * 2 ** (width - 8);
    for (let k = 0; k < 8; k++) c = c >= top ? (((c - top) * 2) ^ poly) >>> 0 : c * 2;
    t[i] = (c & mask) >>> 0;
  }
  return t;
}

const CRC8 = table(0x07, 8);
const CRC16 = table(0x8005, 16);
const CRC32 = table(0x04c11db7, 32);

/** FLAC frame header CRC-8 (polynomial x^8 + x^2 + x + 1) of b[from, to). */
export function crc8(b: Uint8Array, from: number, to: number): number {
  let c = 0;
  for (let i = from; i < to; i++) c = CRC8[c ^ b[i]!]!;
  return c;
}

/** One step of the FLAC frame CRC-16 (polynomial x^16 + x^15 + x^2 + 1), so a scan can keep it running. */
export const crc16Step = (c: number, byte: number): number => ((c << 8) & 0xffff) ^ CRC16[(c >> 8) ^ byte]!;

/** The CRC-16 step's table, for the frame scan's inner loop (flac-frames.ts), where a call per byte costs half the time. */
export const CRC16_TABLE: Readonly<Uint32Array> = CRC16;

/** Ogg page CRC-32 (polynomial 0x04C11DB7) of b[from, to), with the page's own CRC field at `zeroAt` read as 0. */
export function oggCrc32(b: Uint8Array, from: number, to: number, zeroAt: number): number {
  const run = (c: number, start: number, end: number, zero: boolean): number => {
    for (let i = start; i < end; i++) c = ((c << 8) ^ CRC32[(c >>> 24) ^ (zero ? 0 : b[i]!)]!) >>> 0;
    return c;
  };
  const z0 = Math.min(Math.max(zeroAt, from), to);
  const z1 = Math.min(Math.max(zeroAt + 4, from), to);
  return run(run(run(0, from, z0, false), z0, z1, true), z1, to, false);
}
