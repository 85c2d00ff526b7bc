/*
 * Our own WAV reader for PCM and IEEE float: exact scaling (x / 2^(bits-1)), errors that name
 * the broken field, and tolerance for what real tools write (streaming placeholders, odd
 * chunks, fmt after data). A-law, µ-law and ADPCM WAVs are handed to @audio/decode instead.
 */
import { AudioError, FIX_REEXPORT_WAV } from './errors.js';

export const WAVE_FORMAT_PCM = 1;
export const WAVE_FORMAT_IEEE_FLOAT = 3;
export const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** Codecs @audio/decode's WAV decoder handles that we do not parse ourselves. */
const DELEGATED: Readonly<Record<number, string>> = { 2: 'MS ADPCM', 6: 'A-law', 7: 'µ-law', 17: 'IMA ADPCM' };
const CODEC_NAMES: Readonly<Record<number, string>> = {
  49: 'GSM 6.10',
  80: 'MPEG',
  85: 'MPEG Layer 3',
  255: 'AAC',
  353: 'WMA',
  5648: 'AAC',
};
/** Bytes 2..15 of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT; bytes 0..1 carry the format tag. */
const KS_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

export interface WavLayout {
  /** format tag after resolving EXTENSIBLE to its sub-format */
  codec: number;
  extensible: boolean;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** bytes one sample of one channel takes in the data chunk */
  container: number;
  dataOffset: number;
  /** whole frames in the file (0 for codecs @audio/decode handles) */
  frames: number;
  /** the data chunk's size as its header (or RF64's ds64) gives it; streaming placeholders resolved to the end of the file */
  declaredBytes: number;
  /** data bytes the file really holds, up to `declaredBytes` */
  availableBytes: number;
  /** true when the data chunk claims more bytes than the file holds: a copy cut short */
  dataCutShort: boolean;
}

/**
 * Random access to a file's bytes for the header walk: the whole file in memory, or reads from
 * disk (wav-stream.ts), so a long recording's layout is known without holding its samples.
 * Reads past the end give 0, as the walk never trusts a read it has not bounds-checked.
 */
export interface ByteSource {
  /** the file's size in bytes */
  readonly length: number;
  byte(at: number): number;
  u16(at: number): number;
  u32(at: number): number;
}

/** A ByteSource over bytes already in memory. */
export function memoryBytes(b: Uint8Array): ByteSource {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return {
    length: b.length,
    byte: (at) => b[at] ?? 0,
    u16: (at) => dv.getUint16(at, true),
    u32: (at) => dv.getUint32(at, true),
  };
}

const id = (b: ByteSource, at: number): string => String.fromCharCode(b.byte(at), b.byte(at + 1), b.byte(at + 2), b.byte(at + 3));
const isChunkId = (b: ByteSource, at: number): boolean =>
  at + 8 <= b.length && [0, 1, 2, 3].every((i) => b.byte(at + i) >= 0x20 && b.byte(at + i) < 0x7f);

/** Walks the RIFF chunks and validates the header; does not touch the samples. */
export function readWavLayout(source: Uint8Array | ByteSource, file: string): WavLayout {
  const b = source instanceof Uint8Array ? memoryBytes(source) : source;
  const riffSize = b.u32(4);
  const unpatched = riffSize === 0 || riffSize === 0xffffffff;
  let fmt: { tag: number; channels: number; rate: number; blockAlign: number; bits: number; sub: number } | null = null;
  let data: { offset: number; size: number } | null = null;
  let ds64DataSize = -1;

  let at = 12;
  while (at + 8 <= b.length) {
    const chunk = id(b, at);
    const size = b.u32(at + 4);
    const body = at + 8;
    if (chunk === 'ds64' && body + 16 <= b.length) {
      ds64DataSize = b.u32(body + 8) + b.u32(body + 12) * 2 ** 32;
    } else if (chunk === 'fmt ') {
      if (size < 16 || body + 16 > b.length) {
        throw new AudioError('TRUNCATED', file, 'ends inside the WAV fmt chunk', 'Copy or export the file again; it is cut short');
      }
      const tag = b.u16(body);
      let sub = tag;
      if (tag === WAVE_FORMAT_EXTENSIBLE) {
        if (size < 40 || body + 40 > b.length) {
          throw new AudioError('TRUNCATED', file, 'has a WAVE_FORMAT_EXTENSIBLE fmt chunk shorter than 40 bytes', FIX_REEXPORT_WAV);
        }
        sub = b.u16(body + 24);
        if (!KS_GUID_TAIL.every((v, i) => b.byte(body + 26 + i) === v)) sub = -1;
      }
      fmt = {
        tag,
        sub,
        channels: b.u16(body + 2),
        rate: b.u32(body + 4),
        blockAlign: b.u16(body + 12),
        bits: b.u16(body + 14),
      };
    } else if (chunk === 'data') {
      // Streaming writers (ffmpeg/sox to a pipe, recorders still recording) leave 0 or 0xFFFFFFFF
      // and patch it only when they finish; RF64 puts the real size in ds64 (0 until finished).
      // In those cases the data runs to the end of the file (docs/audio-input.md).
      let len = size;
      if (size === 0xffffffff) len = ds64DataSize > 0 ? ds64DataSize : b.length - body;
      else if (size === 0 && (unpatched || !isChunkId(b, body))) len = b.length - body;
      data = { offset: body, size: len };
      if (body + len >= b.length) break;
    }
    let next = body + size + (size & 1);
    // Some writers forget the pad byte after an odd-sized chunk; follow whichever lands on an id.
    if (size & 1 && !isChunkId(b, next) && isChunkId(b, next - 1)) next -= 1;
    at = next;
  }

  if (!fmt) {
    throw new AudioError('TRUNCATED', file, 'has no fmt chunk (the WAV header is missing or cut short)', FIX_REEXPORT_WAV);
  }
  if (!data) {
    throw new AudioError('TRUNCATED', file, 'has no data chunk (the file is cut short before the audio)', 'Copy or export the file again');
  }
  if (fmt.channels === 0 || fmt.rate === 0) {
    throw new AudioError('DECODE_FAILED', file, `has a corrupt WAV header (${fmt.channels} channels at ${fmt.rate} Hz)`, FIX_REEXPORT_WAV);
  }
  const codec = fmt.sub;
  const name = codec === -1 ? 'an unknown EXTENSIBLE sub-format' : (CODEC_NAMES[codec] ?? `codec 0x${codec.toString(16)}`);
  const supported =
    (codec === WAVE_FORMAT_PCM && fmt.bits >= 1 && fmt.bits <= 32) ||
    (codec === WAVE_FORMAT_IEEE_FLOAT && (fmt.bits === 32 || fmt.bits === 64)) ||
    codec in DELEGATED;
  if (!supported) {
    const what = codec === WAVE_FORMAT_PCM || codec === WAVE_FORMAT_IEEE_FLOAT ? `${fmt.bits}-bit samples` : name;
    throw new AudioError('UNKNOWN_FORMAT', file, `is a WAV file with ${what}, which a2f does not decode`, FIX_REEXPORT_WAV);
  }
  // blockAlign is what positions samples; fall back to the bit depth when a writer got it wrong.
  const minimum = Math.ceil(fmt.bits / 8);
  const fromAlign = fmt.blockAlign / fmt.channels;
  const container = Number.isInteger(fromAlign) && fromAlign >= minimum ? fromAlign : minimum;
  const available = Math.max(0, b.length - data.offset);
  const bytes = Math.min(data.size, available);
  return {
    codec,
    extensible: fmt.tag === WAVE_FORMAT_EXTENSIBLE,
    channels: fmt.channels,
    sampleRate: fmt.rate,
    bitsPerSample: fmt.bits,
    container,
    dataOffset: data.offset,
    frames: codec in DELEGATED ? 0 : Math.floor(bytes / (container * fmt.channels)),
    declaredBytes: data.size,
    availableBytes: bytes,
    dataCutShort: data.size > available,
  };
}

export const isDelegatedWav = (layout: WavLayout): boolean => layout.codec in DELEGATED;

/** De-interleaves PCM or float samples into one Float32Array per channel, scaled to ±1. */
export function decodeWavSamples(b: Uint8Array, layout: WavLayout): Float32Array[] {
  const { channels: n, frames, container, dataOffset, codec } = layout;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out = Array.from({ length: n }, () => new Float32Array(frames));
  const stride = container * n;
  const read = sampleReader(dv, codec, container);
  for (let c = 0; c < n; c++) {
    const ch = out[c]!;
    for (let i = 0, p = dataOffset + c * container; i < frames; i++, p += stride) ch[i] = read(p);
  }
  return out;
}

/** Reads one sample at byte offset p of `dv` as a float in ±1 (the exact scaling above). */
export function sampleReader(dv: DataView, codec: number, container: number): (p: number) => number {
  if (codec === WAVE_FORMAT_IEEE_FLOAT) {
    return container === 8 ? (p) => dv.getFloat64(p, true) : (p) => dv.getFloat32(p, true);
  }
  switch (container) {
    case 1: // 8-bit WAV is unsigned with 128 as zero
      return (p) => (dv.getUint8(p) - 128) / 128;
    case 2:
      return (p) => dv.getInt16(p, true) / 32768;
    case 3:
      return (p) => (dv.getUint8(p) | (dv.getUint8(p + 1) << 8) | (dv.getInt8(p + 2) << 16)) / 8388608;
    default: {
      // Left-justified in a 4+ byte container: the top 4 bytes hold the value.
      const top = container - 4;
      return (p) => dv.getInt32(p + top, true) / 2147483648;
    }
  }
}
