import { FIX_DAMAGED, firstLine, runCodec, type CodecResult } from './codec.js';
import { detectFormat, type AudioFormat } from './detect.js';
import { AudioError, type Shortfall } from './errors.js';
import { checkFlac, checkMp3, checkOgg, shortfallError, wavShortfall, type Truncation } from './integrity.js';
import { readMp3Gapless, trimMp3 } from './mp3-delay.js';
import { findFirstMp3Frame } from './mp3-frame.js';
import { decodeWavSamples, isDelegatedWav, readWavLayout } from './wav.js';

export interface DecodedAudio {
  /** one array per channel, at `sampleRate` */
  channels: Float32Array[];
  sampleRate: number;
  format: AudioFormat;
  /** samples removed from the start (MP3 encoder + decoder delay), by us or by the decoder */
  trimmedSamples: number;
  /** set when the file is cut short or damaged and `allowTruncated` let it through */
  truncation?: Truncation;
}

export interface DecodeOptions {
  /**
   * Decode what is there of a file that is cut short or damaged (TRUNCATED / CORRUPT) instead of
   * refusing it; the shortfall comes back as `truncation`. Default false.
   */
  allowTruncated?: boolean;
}

interface Decoded extends DecodedAudio {
  /** frames the headers promise, when they say */
  declared: number | null;
  /** decoding to nothing means damage rather than an empty recording */
  emptyIsDamage: boolean;
  messages: string[];
  /** what the integrity checks found (integrity.ts) */
  shortfall: Shortfall | null;
}

/**
 * Decodes a whole file held in memory to per-channel float samples at the file's own rate.
 * `file` is only used in error messages. Throws AudioError for every failure, TRUNCATED or
 * CORRUPT for a file cut short or damaged unless `allowTruncated`.
 */
export async function decodeAudioBytes(bytes: Uint8Array, file: string, opts: DecodeOptions = {}): Promise<DecodedAudio> {
  const format = detectFormat(bytes, file);
  const d = await decodeAs(format, bytes, file);
  checkSamples(d, file);
  const out: DecodedAudio = { channels: d.channels, sampleRate: d.sampleRate, format: d.format, trimmedSamples: d.trimmedSamples };
  if (!d.shortfall) return out;
  if (!opts.allowTruncated) throw shortfallError(file, d.shortfall);
  return { ...out, truncation: { ...d.shortfall, decodedSeconds: d.channels[0]!.length / d.sampleRate } };
}

async function decodeAs(format: AudioFormat, bytes: Uint8Array, file: string): Promise<Decoded> {
  const plain = (r: CodecResult, declared: number | null, emptyIsDamage: boolean, shortfall: Shortfall | null): Decoded => ({
    ...r,
    format,
    trimmedSamples: 0,
    declared,
    emptyIsDamage,
    shortfall,
  });
  switch (format) {
    case 'wav': {
      const layout = readWavLayout(bytes, file);
      if (isDelegatedWav(layout)) {
        const r = await runCodec('wav', bytes, file, 'WAV');
        return plain(r, null, false, wavShortfall(layout, r.channels[0]?.length ?? 0));
      }
      const shortfall = wavShortfall(layout);
      if (shortfall && layout.frames === 0) throw shortfallError(file, shortfall, true);
      const channels = decodeWavSamples(bytes, layout);
      return {
        channels,
        sampleRate: layout.sampleRate,
        format,
        trimmedSamples: 0,
        declared: 0,
        emptyIsDamage: false,
        messages: [],
        shortfall,
      };
    }
    case 'flac': {
      const { declared, shortfall } = checkFlac(bytes);
      return plain(await runCodec('flac', bytes, file, 'FLAC'), declared, declared !== null, shortfall);
    }
    case 'ogg': {
      // Even an empty Ogg stream ends on a page with a granule position; none means damage.
      const { declared, shortfall } = checkOgg(bytes);
      return plain(await runCodec('oga', bytes, file, 'Ogg Vorbis'), declared, declared !== 0, shortfall);
    }
    case 'mp3':
      return decodeMp3(bytes, file, checkMp3(bytes));
  }
}

async function decodeMp3(bytes: Uint8Array, file: string, shortfall: Shortfall | null): Promise<Decoded> {
  const gapless = readMp3Gapless(bytes, findFirstMp3Frame(bytes));
  const decoded = await runCodec('mp3', bytes, file, 'MP3');
  // mpg123 resyncs on junk and can "find" frames at other rates inside damaged data.
  if (gapless && decoded.channels.length > 0 && decoded.sampleRate !== gapless.frame.sampleRate) {
    throw new AudioError(
      'DECODE_FAILED',
      file,
      `is damaged: the MP3 starts at ${gapless.frame.sampleRate} Hz but later frames decode at ${decoded.sampleRate} Hz`,
      FIX_DAMAGED,
    );
  }
  const trimmed = trimMp3(decoded.channels, gapless);
  let channels = trimmed.channels;
  // @audio/decode folds identical stereo channels into one; report the file's real layout.
  if (gapless?.frame.channels === 2 && channels.length === 1) channels = [channels[0]!, channels[0]!];
  const tag = gapless?.tag;
  const declared = tag && gapless ? tag.frames * gapless.frame.samplesPerFrame - tag.encoderDelay - tag.padding : null;
  return {
    channels,
    sampleRate: decoded.sampleRate || (gapless?.frame.sampleRate ?? 0),
    format: 'mp3',
    trimmedSamples: trimmed.trimmedSamples,
    declared,
    // Detection found real frames, so nothing decoded is damage unless the tag says "empty".
    emptyIsDamage: declared === null || declared > 0,
    messages: decoded.messages,
    shortfall,
  };
}

function checkSamples(d: Decoded, file: string): void {
  const frames = d.channels[0]?.length ?? 0;
  if (frames === 0) {
    if (d.shortfall?.code === 'TRUNCATED') throw shortfallError(file, d.shortfall, true);
    // An empty recording and a damaged one both decode to nothing; the header tells them apart.
    if (d.emptyIsDamage || d.messages.length > 0) {
      const said = d.messages.length > 0 ? ` (decoder said: ${firstLine(d.messages[0]!)})` : '';
      const promised = d.declared ? `, though its header promises ${d.declared} samples` : '';
      throw new AudioError('DECODE_FAILED', file, `decoded to no audio${promised}: the data is damaged${said}`, FIX_DAMAGED);
    }
    throw new AudioError(
      'NO_SAMPLES',
      file,
      `contains no audio (0 sample frames in the ${d.format.toUpperCase()} data)`,
      'Check that the recording is not empty and export it again',
    );
  }
  let bad = 0;
  let first = -1;
  for (const ch of d.channels) {
    for (let i = 0; i < ch.length; i++) {
      if (!Number.isFinite(ch[i]!)) {
        bad++;
        if (first < 0 || i < first) first = i;
      }
    }
  }
  if (bad > 0) throw nonFiniteError(file, bad, first, d.sampleRate);
}

/** `bad` NaN/∞ samples, the first in sample frame `first`. */
export function nonFiniteError(file: string, bad: number, first: number, sampleRate: number): AudioError {
  return new AudioError(
    'NON_FINITE',
    file,
    `contains ${bad} NaN or infinite sample${bad === 1 ? '' : 's'}, the first at ${(first / sampleRate).toFixed(3)} s`,
    'Re-export the file as 16-bit PCM WAV (integer samples cannot be NaN), or repair the float render that produced it',
  );
}
