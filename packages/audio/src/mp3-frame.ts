/** One MPEG audio frame header, enough to find the Xing/LAME tag, tell mono from stereo and step to the next frame. */
export interface MpegFrame {
  offset: number;
  /** 1 = MPEG-1, 2 = MPEG-2, 2.5 = MPEG-2.5 */
  version: 1 | 2 | 2.5;
  layer: 1 | 2 | 3;
  /** a 16-bit CRC follows the 4-byte header */
  crc: boolean;
  bitrate: number;
  sampleRate: number;
  channels: 1 | 2;
  samplesPerFrame: number;
  bytes: number;
}

// kbit/s by bitrate index; index 0 (free format) and 15 (bad) are rejected before lookup.
const BITRATES = {
  v1l1: [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  v1l2: [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  v1l3: [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  v2l1: [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  v2l23: [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
} as const;
const RATES = { 1: [44100, 48000, 32000], 2: [22050, 24000, 16000], 2.5: [11025, 12000, 8000] } as const;

/** Parses the 4-byte header at `at`; null when any field holds a reserved value. */
export function parseMpegFrame(b: Uint8Array, at: number): MpegFrame | null {
  if (at + 4 > b.length || b[at] !== 0xff) return null;
  const b1 = b[at + 1]!,
    b2 = b[at + 2]!,
    b3 = b[at + 3]!;
  if ((b1 & 0xe0) !== 0xe0) return null;
  const v = (b1 >> 3) & 3,
    l = (b1 >> 1) & 3,
    bi = b2 >> 4,
    si = (b2 >> 2) & 3;
  if (v === 1 || l === 0 || bi === 0 || bi === 15 || si === 3 || (b3 & 3) === 2) return null;
  const version = v === 3 ? 1 : v === 2 ? 2 : 2.5;
  const layer = (4 - l) as 1 | 2 | 3;
  const table =
    version === 1
      ? layer === 1
        ? BITRATES.v1l1
        : layer === 2
          ? BITRATES.v1l2
          : BITRATES.v1l3
      : layer === 1
        ? BITRATES.v2l1
        : BITRATES.v2l23;
  const bitrate = table[bi]! * 1000;
  const sampleRate = RATES[version][si]!;
  const padding = (b2 >> 1) & 1;
  const samplesPerFrame = layer === 1 ? 384 : layer === 3 && version !== 1 ? 576 : 1152;
  const bytes =
    layer === 1
      ? (Math.floor((12 * bitrate) / sampleRate) + padding) * 4
      : Math.floor(((samplesPerFrame / 8) * bitrate) / sampleRate) + padding;
  return {
    offset: at,
    version,
    layer,
    crc: (b1 & 1) === 0,
    bitrate,
    sampleRate,
    channels: b3 >> 6 === 3 ? 1 : 2,
    samplesPerFrame,
    bytes,
  };
}

/** Bytes taken by ID3v2 tags at the start (several may be stacked), 0 if none. */
export function id3v2Size(b: Uint8Array): number {
  let at = 0;
  while (at + 10 <= b.length && b[at] === 0x49 && b[at + 1] === 0x44 && b[at + 2] === 0x33) {
    const size = [6, 7, 8, 9].map((i) => b[at + i]!);
    if (b[at + 3] === 0xff || size.some((s) => s >= 0x80)) break;
    const footer = b[at + 5]! & 0x10 ? 10 : 0;
    at += 10 + footer + ((size[0]! << 21) | (size[1]! << 14) | (size[2]! << 7) | size[3]!);
  }
  return at;
}

const sameStream = (a: MpegFrame, c: MpegFrame): boolean => a.version === c.version && a.layer === c.layer && a.sampleRate === c.sampleRate;

/**
 * Offset of the first MPEG audio frame, or -1. A lone 0xFFEx is too weak a signature (random
 * bytes hit it), so the frame must be followed by a second matching header, the end of the file
 * or an ID3v1 tag. Only after an ID3v2 tag do we scan forward, past the zero padding taggers add.
 */
export function findFirstMp3Frame(b: Uint8Array): number {
  const start = id3v2Size(b);
  const last = start > 0 ? Math.min(b.length - 4, start + 65536) : 0;
  for (let at = start; at <= last; at++) {
    const f = parseMpegFrame(b, at);
    if (!f) continue;
    const next = at + f.bytes;
    if (next === b.length) return at;
    if (next + 3 <= b.length && b[next] === 0x54 && b[next + 1] === 0x41 && b[next + 2] === 0x47) return at;
    const g = parseMpegFrame(b, next);
    if (g && sameStream(f, g)) return at;
  }
  return -1;
}

/** `n` bytes at `at` as Latin-1 text (fewer at the end of the file). */
export const asciiAt = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, Math.min(b.length, at + n)));
const u32be = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** Offset of the Xing/Info header inside the (silent) first frame, or -1 when it has none. */
export function xingOffset(b: Uint8Array, frame: MpegFrame): number {
  const sideInfo = frame.version === 1 ? (frame.channels === 1 ? 17 : 32) : frame.channels === 1 ? 9 : 17;
  // Some writers count the CRC before the side info and some do not; accept either.
  for (const rel of [4 + sideInfo + (frame.crc ? 2 : 0), 4 + sideInfo]) {
    const id = asciiAt(b, frame.offset + rel, 4);
    if (id === 'Xing' || id === 'Info') return frame.offset + rel;
  }
  return -1;
}

/**
 * Audio frames the first frame's Xing/Info or VBRI header announces, or null when there is no
 * such count. LAME's count leaves out the header frame itself (checked on the samples); whether
 * every VBRI writer does is not documented, so a VBRI count may be one frame high: `slack`.
 */
export function declaredMp3Frames(b: Uint8Array, frame: MpegFrame): { frames: number; slack: number } | null {
  const x = xingOffset(b, frame);
  if (x >= 0) return x + 12 <= b.length && b[x + 7]! & 1 ? { frames: u32be(b, x + 8), slack: 0 } : null;
  // VBRI sits 32 bytes after the header: version, delay, quality (2 bytes each), bytes, frames.
  const v = frame.offset + 36;
  return asciiAt(b, v, 4) === 'VBRI' && v + 18 <= b.length ? { frames: u32be(b, v + 14), slack: 1 } : null;
}

export interface Mp3Walk {
  /** whole frames after the first (the one that may hold the Xing/VBRI header) */
  frames: number;
  /** byte offset of a last frame that runs past the end of the file, or -1 */
  cutAt: number;
  /** byte offset of the first bytes between frames that are neither a frame nor a tag, or -1 */
  junkAt: number;
  /** `frames` counted before `junkAt` */
  framesBeforeJunk: number;
}

/** Trailing tags that may follow the last frame: ID3v1 (`TAG`), APEv2 (`APETAGEX`), Lyrics3. */
const isTrailer = (b: Uint8Array, at: number): boolean =>
  asciiAt(b, at, 3) === 'TAG' || asciiAt(b, at, 8) === 'APETAGEX' || asciiAt(b, at, 11) === 'LYRICSBEGIN';

/** Zeros to the end of the file: padding some writers and copy tools leave, not damage. */
function zerosToEnd(b: Uint8Array, at: number): boolean {
  for (let i = at; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Steps from frame to frame by their sizes. Where the chain breaks on anything but a tag or
 * padding, the bytes there are damage; like decoders, it then resynchronises on the next header
 * that a second one confirms, and goes on counting.
 */
export function walkMp3(b: Uint8Array, first: MpegFrame): Mp3Walk {
  const walk: Mp3Walk = { frames: 0, cutAt: -1, junkAt: -1, framesBeforeJunk: 0 };
  let at = first.offset + first.bytes;
  while (at < b.length) {
    const f = parseMpegFrame(b, at);
    if (f && sameStream(f, first)) {
      if (at + f.bytes > b.length) {
        walk.cutAt = at;
        break;
      }
      walk.frames++;
      at += f.bytes;
      continue;
    }
    if (isTrailer(b, at) || zerosToEnd(b, at)) break;
    const tag = id3v2Size(b.subarray(at));
    if (tag > 0) {
      at += tag;
      continue;
    }
    if (walk.junkAt < 0) {
      walk.junkAt = at;
      walk.framesBeforeJunk = walk.frames;
    }
    const next = resync(b, at + 1, first);
    if (next < 0) break;
    at = next;
  }
  return walk;
}

/** The next frame header from `from` on that a second header right after it confirms; -1 if none. */
function resync(b: Uint8Array, from: number, like: MpegFrame): number {
  for (let at = from; at + 4 <= b.length; at++) {
    const f = parseMpegFrame(b, at);
    if (!f || !sameStream(f, like)) continue;
    const g = parseMpegFrame(b, at + f.bytes);
    if (g && sameStream(g, like)) return at;
  }
  return -1;
}
