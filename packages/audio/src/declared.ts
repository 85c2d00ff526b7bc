/*
 * How many sample frames a compressed file's headers promise. The FLAC and Vorbis decoders
 * skip damaged data silently, so "decoded nothing" only means "empty recording" when the
 * header agrees; otherwise the file is damaged. null = the header does not say.
 */

/** FLAC: the 36-bit total in STREAMINFO (the mandatory first metadata block); 0 means unknown. */
export function flacDeclaredFrames(b: Uint8Array): number | null {
  if (b.length < 26 || (b[4]! & 0x7f) !== 0) return null;
  const low = ((b[22]! << 24) | (b[23]! << 16) | (b[24]! << 8) | b[25]!) >>> 0;
  const total = (b[21]! & 0x0f) * 2 ** 32 + low;
  return total > 0 ? total : null;
}

/**
 * Ogg Vorbis: the granule position of the end-of-stream page is the stream's length. A file
 * whose last page is not marked end-of-stream was cut short or is damaged: null.
 */
export function oggDeclaredFrames(b: Uint8Array): number | null {
  const stop = Math.max(0, b.length - 65536);
  for (let at = b.length - 27; at >= stop; at--) {
    if (b[at] !== 0x4f || b[at + 1] !== 0x67 || b[at + 2] !== 0x67 || b[at + 3] !== 0x53 || b[at + 4] !== 0) continue;
    if ((b[at + 5]! & 0x04) === 0) return null;
    const dv = new DataView(b.buffer, b.byteOffset + at + 6, 8);
    const lo = dv.getUint32(0, true);
    const hi = dv.getInt32(4, true);
    return hi === -1 && lo === 0xffffffff ? null : hi * 2 ** 32 + lo;
  }
  return null;
}
