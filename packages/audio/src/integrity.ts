/*
 * Is the whole file there? Each format's own evidence, compared with what it announces:
 * the WAV data chunk's size, FLAC's STREAMINFO total and frame CRC-16s, the MP3 Xing/Info/VBRI
 * frame count and the last frame's size, Ogg's page CRC-32s, sequence numbers and end-of-stream
 * page. The rules, and why each holds, are in docs/audio-input.md.
 */
import { AudioError, type Shortfall } from './errors.js';
import { walkFlac } from './flac-frames.js';
import { readMp3Gapless } from './mp3-delay.js';
import { declaredMp3Frames, findFirstMp3Frame, walkMp3 } from './mp3-frame.js';
import { walkOgg } from './ogg-pages.js';
import { isDelegatedWav, type WavLayout } from './wav.js';

/** A shortfall that `allowTruncated` let through, with the length that was decoded and processed. */
export interface Truncation extends Shortfall {
  readonly decodedSeconds: number;
}

/** What the integrity checks found in a compressed file: the announced length and any shortfall. */
export interface CompressedCheck {
  /** sample frames the headers announce, when they do (FLAC STREAMINFO, Ogg end-of-stream page) */
  declared: number | null;
  shortfall: Shortfall | null;
}

const s = (frames: number, rate: number): number => (rate > 0 ? frames / rate : 0);
const at = (byte: number): string => `byte ${byte.toLocaleString('en-US')}`;

export function checkFlac(b: Uint8Array): CompressedCheck {
  const w = walkFlac(b);
  const declaredSeconds = w.declared === null ? undefined : s(w.declared, w.sampleRate);
  const short = (code: Shortfall['code'], reason: string): CompressedCheck => ({
    declared: w.declared,
    shortfall: { code, reason, goodSeconds: s(w.good, w.sampleRate), ...(declaredSeconds === undefined ? {} : { declaredSeconds }) },
  });
  if (w.problem?.kind === 'crc')
    return short('CORRUPT', `is damaged: FLAC frame ${w.problem.frame} (at ${at(w.problem.at)}) fails its CRC check`);
  if (w.problem?.kind === 'junk')
    return short(
      'CORRUPT',
      `is damaged: the bytes at ${at(w.problem.at)} are not a FLAC ` +
        `${w.problem.frame === 0 && w.good === 0 ? 'metadata block or frame' : 'frame'}`,
    );
  if (w.problem?.kind === 'cut')
    return short('TRUNCATED', `is cut short: it ends inside FLAC frame ${w.problem.frame} (at ${at(w.problem.at)})`);
  if (w.declared !== null && w.good < w.declared) {
    return short('TRUNCATED', `is cut short: its frames hold ${w.good} of the ${w.declared} samples STREAMINFO announces`);
  }
  return { declared: w.declared, shortfall: null };
}

export function checkOgg(b: Uint8Array): CompressedCheck {
  const w = walkOgg(b);
  const p = w.problem;
  if (!p) return { declared: w.declared, shortfall: null };
  const page = `Ogg page ${p.page} (at ${at(p.at)})`;
  const [code, reason]: [Shortfall['code'], string] =
    p.kind === 'crc'
      ? ['CORRUPT', `is damaged: ${page} fails its CRC check`]
      : p.kind === 'gap'
        ? ['CORRUPT', `is damaged: pages are missing before ${page}`]
        : p.kind === 'junk'
          ? ['CORRUPT', `is damaged: the bytes at ${at(p.at)} are not an Ogg page`]
          : p.kind === 'cut'
            ? ['TRUNCATED', `is cut short: it ends inside ${page}`]
            : ['TRUNCATED', 'is cut short: the stream ends without its end-of-stream page'];
  return { declared: w.declared, shortfall: { code, reason, goodSeconds: s(w.good, w.sampleRate) } };
}

/** The MP3 checks: fewer frames than the Xing/Info/VBRI header counts, or a last frame cut short. */
export function checkMp3(b: Uint8Array): Shortfall | null {
  const first = findFirstMp3Frame(b);
  const gapless = first < 0 ? null : readMp3Gapless(b, first);
  if (!gapless) return null;
  const { frame, tag } = gapless;
  const count = declaredMp3Frames(b, frame);
  const declared = count?.frames ?? null;
  const walk = walkMp3(b, frame);
  // A Xing/VBRI frame is silent and not counted; without one, the first frame is audio too.
  const frames = declared === null ? walk.frames + 1 : walk.frames;
  const trim = tag ? tag.encoderDelay : 0;
  const seconds = (n: number, pad: number): number => Math.max(0, n * frame.samplesPerFrame - trim - pad) / frame.sampleRate;
  const goodSeconds = seconds(frames, 0);
  const declaredSeconds = declared === null ? undefined : seconds(declared, tag?.padding ?? 0);
  const fields = { goodSeconds, ...(declaredSeconds === undefined ? {} : { declaredSeconds }) };
  if (walk.junkAt >= 0) {
    const before = declared === null ? walk.framesBeforeJunk + 1 : walk.framesBeforeJunk;
    return {
      code: 'CORRUPT',
      reason: `is damaged: the bytes at ${at(walk.junkAt)} are not an MP3 frame`,
      ...fields,
      goodSeconds: seconds(before, 0),
    };
  }
  if (walk.cutAt >= 0) {
    return { code: 'TRUNCATED', reason: `is cut short: its last MP3 frame (at ${at(walk.cutAt)}) is incomplete`, ...fields };
  }
  if (declared !== null && frames + count!.slack < declared) {
    return { code: 'TRUNCATED', reason: `is cut short: it holds ${frames} of the ${declared} MP3 frames its header counts`, ...fields };
  }
  return null;
}

/**
 * WAV: a data chunk that declares more bytes than the file holds (streaming placeholders were
 * resolved by readWavLayout). `decoded`: frames @audio/decode returned for a codec we hand it,
 * whose bytes per frame vary (ADPCM), so its length is known only by decoding.
 */
export function wavShortfall(layout: WavLayout, decoded?: number): Shortfall | null {
  if (!layout.dataCutShort) return null;
  const { declaredBytes, availableBytes, sampleRate } = layout;
  const frame = layout.container * layout.channels;
  const delegated = isDelegatedWav(layout);
  return {
    code: 'TRUNCATED',
    reason:
      `is cut short: its WAV data chunk declares ${declaredBytes.toLocaleString('en-US')} ` +
      `bytes but the file holds ${availableBytes.toLocaleString('en-US')}`,
    goodSeconds: (delegated ? (decoded ?? 0) : layout.frames) / sampleRate,
    ...(delegated ? {} : { declaredSeconds: Math.floor(declaredBytes / frame) / sampleRate }),
  };
}

/** The error for a file that fails the checks; `nothing`: not one sample is there to process. */
export function shortfallError(file: string, shortfall: Shortfall, nothing = false): AudioError {
  const good = shortfall.goodSeconds.toFixed(3);
  const declared = shortfall.declaredSeconds === undefined ? '' : ` of the ${shortfall.declaredSeconds.toFixed(3)} s its header announces`;
  const fix = nothing
    ? 'Copy or export the file again; it holds no audio to process'
    : `Copy or export the file again, or run with --allow-truncated (loadAudio: allowTruncated) to process the ${good} s that are intact`;
  return new AudioError(shortfall.code, file, `${shortfall.reason}; the intact audio ends at ${good} s${declared}`, fix, { shortfall });
}
