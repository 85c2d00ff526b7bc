/*
 * A walk over an Ogg file's pages (RFC 3533, summarised in docs/audio-input.md): each page's
 * CRC-32, its sequence number, whether it is whole, and whether the stream ends on a page marked
 * end-of-stream. The Vorbis decoder ignores page CRCs and stops quietly where a copy was cut, so
 * this is how damage and truncation are told from a complete file.
 */
import { oggCrc32 } from './crc.js';

export interface OggWalk {
  /** from the Vorbis identification header; 0 when it is missing */
  sampleRate: number;
  /** the granule position (samples) of the end-of-stream page; null without one */
  declared: number | null;
  /** the highest granule position on pages that checked out, up to the first problem */
  good: number;
  problem: null | {
    kind: 'cut' | 'crc' | 'gap' | 'junk' | 'no-eos';
    /** byte offset of the page, or of the end of the file for 'no-eos' */
    at: number;
    /** 0-based page index in the file */
    page: number;
  };
}

const isCapture = (b: Uint8Array, at: number): boolean => b[at] === 0x4f && b[at + 1] === 0x67 && b[at + 2] === 0x67 && b[at + 3] === 0x53;

export function walkOgg(b: Uint8Array): OggWalk {
  const walk: OggWalk = { sampleRate: vorbisRate(b), declared: null, good: 0, problem: null };
  const nextSeq = new Map<number, number>();
  let eos = false;
  let at = 0;
  let page = 0;
  for (; at < b.length; page++) {
    if (!isCapture(b, at)) {
      walk.problem = { kind: 'junk', at, page };
      return walk;
    }
    const segments = at + 27 <= b.length ? b[at + 26]! : -1;
    let end = at + 27 + segments;
    if (segments < 0 || end > b.length) {
      walk.problem = { kind: 'cut', at, page };
      return walk;
    }
    for (let i = at + 27; i < at + 27 + segments; i++) end += b[i]!;
    if (end > b.length) {
      walk.problem = { kind: 'cut', at, page };
      return walk;
    }
    const dv = new DataView(b.buffer, b.byteOffset + at, 27);
    if (oggCrc32(b, at, end, at + 22) !== dv.getUint32(22, true)) {
      walk.problem = { kind: 'crc', at, page };
      return walk;
    }
    const serial = dv.getUint32(14, true);
    const seq = dv.getUint32(18, true);
    const expected = nextSeq.get(serial);
    if (expected !== undefined && seq !== expected) {
      walk.problem = { kind: 'gap', at, page };
      return walk;
    }
    nextSeq.set(serial, seq + 1);
    // -1 marks a page on which no packet ends; it says nothing about the position.
    const granule = dv.getUint32(6, true) + dv.getInt32(10, true) * 2 ** 32;
    if (granule >= 0) walk.good = Math.max(walk.good, granule);
    eos = (b[at + 5]! & 0x04) !== 0;
    if (eos && granule >= 0) walk.declared = granule;
    at = end;
  }
  if (!eos) walk.problem = { kind: 'no-eos', at, page };
  return walk;
}

/** The sample rate in the Vorbis identification header, the first packet of the first page. */
function vorbisRate(b: Uint8Array): number {
  if (b.length < 28) return 0;
  const p = 27 + b[26]!;
  if (p + 16 > b.length || b[p] !== 1) return 0;
  return new DataView(b.buffer, b.byteOffset + p + 12, 4).getUint32(0, true);
}
