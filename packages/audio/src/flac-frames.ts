/*
 * A walk over a FLAC file's frames that checks each one's CRC-16, so a copy cut short or a
 * damaged byte is found even where the decoder stops or skips silently. FLAC frames carry no
 * length: a frame ends where the next valid frame header (sync code + CRC-8) begins AND the
 * CRC-16 of the bytes before it matches. The CRC runs along as the scan goes, so the walk is
 * linear in the file's size. Format: RFC 9639, summarised in docs/audio-input.md.
 */
import { CRC16_TABLE, crc16Step, crc8 } from './crc.js';
import { id3v2Size } from './mp3-frame.js';

export interface FlacWalk {
  /** STREAMINFO's total samples; null when it says 0 ("unknown", written by streaming encoders) */
  declared: number | null;
  sampleRate: number;
  /** samples in frames that passed their CRC-16, up to the first that did not */
  good: number;
  /** the first problem, or null when every frame checks out */
  problem: null | {
    /** cut: the file ends inside this frame; crc: it fails its CRC-16; junk: no frame header where one must be */
    kind: 'cut' | 'crc' | 'junk';
    /** byte offset of the frame */
    at: number;
    /** 0-based frame index */
    frame: number;
  };
}

interface FrameHeader {
  blockSize: number;
  /** header bytes including the CRC-8 */
  length: number;
}

/** sync + 2 bytes + a 7-byte number + 2 bytes of block size + 2 of rate + CRC-8 */
const MAX_HEADER = 16;
const BLOCK_SIZES = [0, 192, 576, 1152, 2304, 4608, -1, -2, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768];

/** STREAMINFO's 36-bit total sample count at its fixed offset after `fLaC`; 0 means unknown. */
export function flacDeclaredFrames(b: Uint8Array, start = flacStart(b)): number | null {
  const s = start + 8; // 'fLaC' + 4-byte block header
  if (b.length < s + 18 || (b[start + 4]! & 0x7f) !== 0) return null;
  const low = ((b[s + 14]! << 24) | (b[s + 15]! << 16) | (b[s + 16]! << 8) | b[s + 17]!) >>> 0;
  const total = (b[s + 13]! & 0x0f) * 2 ** 32 + low;
  return total > 0 ? total : null;
}

/** Where `fLaC` is: 0, or after ID3v2 tags some taggers put in front. */
const flacStart = (b: Uint8Array): number => id3v2Size(b);

/** Parses the frame header at `p` and checks its CRC-8; null when there is none. */
function frameHeader(b: Uint8Array, p: number): FrameHeader | null {
  if (p + 6 > b.length || b[p] !== 0xff || (b[p + 1]! & 0xfe) !== 0xf8) return null;
  const bsCode = b[p + 2]! >> 4;
  const srCode = b[p + 2]! & 0x0f;
  const channels = b[p + 3]! >> 4;
  const depth = (b[p + 3]! >> 1) & 7;
  if (bsCode === 0 || srCode === 15 || channels > 10 || depth === 3 || (b[p + 3]! & 1) !== 0) return null;
  // The frame or sample number, UTF-8 style: the leading ones of the first byte give the length.
  const first = b[p + 4]!;
  let n = 1;
  if (first >= 0x80) {
    if (first < 0xc0 || first === 0xff) return null;
    while (n < 7 && first & (0x80 >> n)) n++;
  }
  for (let i = 1; i < n; i++) if (((b[p + 4 + i] ?? 0) & 0xc0) !== 0x80) return null;
  let q = p + 4 + n;
  let blockSize = BLOCK_SIZES[bsCode]!;
  if (blockSize === -1) blockSize = (b[q++] ?? 0) + 1;
  else if (blockSize === -2) {
    blockSize = (((b[q] ?? 0) << 8) | (b[q + 1] ?? 0)) + 1;
    q += 2;
  }
  if (srCode === 12) q += 1;
  else if (srCode === 13 || srCode === 14) q += 2;
  if (q >= b.length || crc8(b, p, q) !== b[q]) return null;
  return { blockSize, length: q + 1 - p };
}

/**
 * Where the first audio frame starts: past `fLaC` and the metadata blocks. `cut`: they run past
 * the end of the file; `junk`: a block header that is not one (a type RFC 9639 reserves).
 */
function audioStart(b: Uint8Array): { at: number; problem?: 'cut' | 'junk' } {
  let at = flacStart(b) + 4;
  for (;;) {
    if (at + 4 > b.length) return { at, problem: 'cut' };
    if ((b[at]! & 0x7f) > 6) return { at, problem: 'junk' };
    const last = b[at]! & 0x80;
    const next = at + 4 + ((b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!);
    if (next > b.length) return { at, problem: 'cut' };
    if (last) return { at: next };
    at = next;
  }
}

/** True where b[e, end) can follow a frame: the end of the file, an ID3v1 tag, or the next frame. */
function frameCanEndAt(b: Uint8Array, e: number): boolean {
  if (e === b.length) return true;
  if (e + 128 === b.length && b[e] === 0x54 && b[e + 1] === 0x41 && b[e + 2] === 0x47) return true;
  return b[e] === 0xff && frameHeader(b, e) !== null;
}

export function walkFlac(b: Uint8Array): FlacWalk {
  const head = flacStart(b);
  const declared = flacDeclaredFrames(b, head);
  const s = head + 8;
  const sampleRate = b.length >= s + 13 ? (b[s + 10]! << 12) | (b[s + 11]! << 4) | (b[s + 12]! >> 4) : 0;
  const walk: FlacWalk = { declared, sampleRate, good: 0, problem: null };
  const start = audioStart(b);
  if (start.problem) return { ...walk, problem: { kind: start.problem, at: start.at, frame: 0 } };
  let at = start.at;
  for (let frame = 0; at < b.length; frame++) {
    const header = frameHeader(b, at);
    if (!header) {
      // What follows the last frame (a trailing tag, padding) is not audio; before it, it is damage.
      if (declared !== null && walk.good >= declared) break;
      walk.problem = { kind: b.length - at < MAX_HEADER ? 'cut' : 'junk', at, frame };
      break;
    }
    const end = frameEnd(b, at, header.length);
    if (end < 0) {
      walk.problem = { kind: goodFrameAfter(b, at + 1) < 0 ? 'cut' : 'crc', at, frame };
      break;
    }
    walk.good += header.blockSize;
    at = end;
  }
  return walk;
}

/** The end of the frame starting at `at`: the first place it can end whose CRC-16 matches; -1 if none. */
function frameEnd(b: Uint8Array, at: number, headerLength: number): number {
  let crc = 0;
  for (let k = at; k < at + headerLength; k++) crc = crc16Step(crc, b[k]!);
  // At each k, crc covers b[at, k); a frame ending at k + 2 stores that CRC in b[k], b[k + 1].
  const table = CRC16_TABLE;
  for (let k = at + headerLength, last = b.length - 2; k <= last; k++) {
    const byte = b[k]!;
    if (crc === ((byte << 8) | b[k + 1]!) && frameCanEndAt(b, k + 2)) return k + 2;
    crc = ((crc << 8) & 0xffff) ^ table[(crc >> 8) ^ byte]!;
  }
  return -1;
}

/** The next frame from `from` on that passes both its CRCs: a damaged frame has one, a cut one none. */
function goodFrameAfter(b: Uint8Array, from: number): number {
  for (let p = from; p + 6 <= b.length; p++) {
    if (b[p] !== 0xff) continue;
    const h = frameHeader(b, p);
    if (h && frameEnd(b, p, h.length) >= 0) return p;
  }
  return -1;
}
