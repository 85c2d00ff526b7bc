import { AudioError, FIX_CONVERT } from './errors.js';
import { findFirstMp3Frame, id3v2Size } from './mp3-frame.js';

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'ogg';

/** Extensions a2f treats as audio when scanning folders; decoding itself goes by content. */
export const AUDIO_EXTENSIONS: readonly string[] = Object.freeze(['.wav', '.wave', '.flac', '.mp3', '.ogg', '.oga']);

const ascii = (b: Uint8Array, at: number, s: string): boolean => {
  if (at + s.length > b.length) return false;
  for (let i = 0; i < s.length; i++) if (b[at + i] !== s.charCodeAt(i)) return false;
  return true;
};

/** `b` is shorter than `s` but agrees with it as far as it goes. */
const cutShortOf = (b: Uint8Array, s: string): boolean => b.length < s.length && [...b].every((v, i) => v === s.charCodeAt(i));

/** Formats we recognise but do not decode: named so the user knows what they actually have. */
const OTHER_AUDIO: ReadonlyArray<[at: number, magic: string, name: string]> = [
  [4, 'ftyp', 'an MP4/M4A/MOV file (AAC or video)'],
  [0, 'FORM', 'an AIFF file'],
  [0, '\x1A\x45\xDF\xA3', 'a Matroska/WebM file'],
  [0, 'caff', 'a Core Audio (CAF) file'],
  [0, '#!AMR', 'an AMR file'],
  [0, 'wvpk', 'a WavPack file'],
  [0, '.snd', 'a Sun/NeXT .au file'],
];

const NOT_AUDIO: ReadonlyArray<[magic: string, name: string]> = [
  ['\x89PNG\r\n\x1A\n', 'a PNG image'],
  ['\xFF\xD8\xFF', 'a JPEG image'],
  ['GIF8', 'a GIF image'],
  ['%PDF', 'a PDF document'],
  ['PK\x03\x04', 'a ZIP archive (or .docx/.xlsx/.usdz)'],
  ['\x1F\x8B', 'a gzip archive'],
  ['\x7FELF', 'an executable'],
  ['version https://git-lfs', 'a Git LFS pointer, not the audio itself'],
];

/** Most of the first KiB is printable ASCII or UTF-8: someone saved a page, a note or a pointer. */
function looksLikeText(b: Uint8Array): boolean {
  const n = Math.min(b.length, 1024);
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const c = b[i]!;
    if (c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || (c >= 0x80 && c <= 0xf4)) printable++;
    else if (c === 0) return false;
  }
  return printable >= n * 0.95;
}

function notAudio(file: string, what: string): AudioError {
  const lfs = what.includes('Git LFS');
  return new AudioError(
    'NOT_AUDIO',
    file,
    `is ${what}, not audio`,
    lfs ? 'Run `git lfs pull` to fetch the real file' : 'Point a2f at a WAV, FLAC, MP3 or Ogg Vorbis file',
  );
}

function otherAudio(file: string, what: string): AudioError {
  return new AudioError('UNKNOWN_FORMAT', file, `is ${what}, which a2f does not decode`, FIX_CONVERT);
}

function truncated(file: string, what: string): AudioError {
  return new AudioError('TRUNCATED', file, `ends inside the ${what} header`, 'Copy or export the file again; it is cut short');
}

/** Vorbis is the only Ogg codec wired to a tested decoder; others are named in the error. */
function oggCodec(b: Uint8Array, file: string): AudioFormat {
  if (b.length < 28) throw truncated(file, 'Ogg');
  const segments = b[26]!;
  const packet = 27 + segments;
  if (packet + 8 > b.length) throw truncated(file, 'Ogg');
  if (ascii(b, packet, '\x01vorbis')) return 'ogg';
  const codec = ascii(b, packet, 'OpusHead')
    ? 'Opus'
    : ascii(b, packet, '\x7FFLAC')
      ? 'FLAC'
      : ascii(b, packet, 'Speex')
        ? 'Speex'
        : ascii(b, packet, '\x80theora')
          ? 'Theora video'
          : 'an unknown codec';
  throw otherAudio(file, `an Ogg file with ${codec} inside (only Ogg Vorbis is supported)`);
}

/**
 * Decide the format from the bytes alone: a `.wav` that is really an MP3 (common with
 * downloads) still decodes, and a renamed PNG fails as NOT_AUDIO instead of as a decoder crash.
 */
export function detectFormat(b: Uint8Array, file: string): AudioFormat {
  if (b.length === 0) {
    throw new AudioError('EMPTY', file, 'is empty (0 bytes)', 'Export or copy the audio again');
  }
  for (const magic of ['RIFF', 'RF64', 'BW64']) {
    if (ascii(b, 0, magic)) {
      if (b.length < 12) throw truncated(file, 'RIFF/WAVE');
      if (ascii(b, 8, 'WAVE')) return 'wav';
      if (ascii(b, 8, 'WEBP')) throw notAudio(file, 'a WebP image');
      if (ascii(b, 8, 'AVI ')) throw otherAudio(file, 'an AVI video');
      throw otherAudio(file, `a RIFF file of type "${String.fromCharCode(...b.subarray(8, 12))}"`);
    }
  }
  if (ascii(b, 0, 'fLaC')) {
    if (b.length < 42) throw truncated(file, 'FLAC');
    return 'flac';
  }
  if (ascii(b, 0, 'OggS')) return oggCodec(b, file);
  if (['RIFF', 'RF64', 'fLaC', 'OggS', 'ID3'].some((m) => cutShortOf(b, m))) throw truncated(file, 'audio');

  const id3 = id3v2Size(b);
  if (id3 > 0) {
    if (id3 >= b.length) throw truncated(file, 'ID3 tag of an MP3');
    if (ascii(b, id3, 'fLaC')) return 'flac';
  }
  if (findFirstMp3Frame(b) >= 0) return 'mp3';
  if (id3 > 0) {
    throw new AudioError(
      'DECODE_FAILED',
      file,
      'has an ID3 tag but no MPEG audio frames after it',
      'Re-export the file as MP3 or 16-bit PCM WAV',
    );
  }

  for (const [at, magic, name] of OTHER_AUDIO) if (ascii(b, at, magic)) throw otherAudio(file, name);
  for (const [magic, name] of NOT_AUDIO) if (ascii(b, 0, magic)) throw notAudio(file, name);
  if (looksLikeText(b)) throw notAudio(file, 'a text file');
  throw new AudioError('UNKNOWN_FORMAT', file, 'is not a WAV, FLAC, MP3 or Ogg Vorbis file (no known signature at the start)', FIX_CONVERT);
}
