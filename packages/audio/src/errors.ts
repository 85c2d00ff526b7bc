import { A2fError } from '@a2f/base';

export type AudioErrorCode =
  | 'NOT_FOUND'
  | 'IS_DIRECTORY'
  | 'EMPTY'
  | 'TRUNCATED'
  | 'CORRUPT'
  | 'UNKNOWN_FORMAT'
  | 'NOT_AUDIO'
  | 'NO_SAMPLES'
  | 'NON_FINITE'
  | 'DECODE_FAILED';

/**
 * Every failure to read audio surfaces as this, never as a decoder's own exception, so the CLI
 * can print one line: `message` is `<file>: <problem>. <fix>`. The decoder's error, if any,
 * is kept as `cause` for --verbose output.
 */
export class AudioError extends A2fError<AudioErrorCode> {
  /** TRUNCATED / CORRUPT found by the integrity checks: how far the file got, for callers to show or record */
  readonly shortfall?: Shortfall;

  constructor(code: AudioErrorCode, file: string, problem: string, fix: string, options?: { cause?: unknown; shortfall?: Shortfall }) {
    super(code, file, problem, fix, options);
    if (options?.shortfall) this.shortfall = options.shortfall;
  }
}

/**
 * What the integrity checks found wrong with a file whose header promises more, or whose data
 * fails its checksums (docs/audio-input.md). `goodSeconds` is how far the intact data reaches.
 */
export interface Shortfall {
  readonly code: 'TRUNCATED' | 'CORRUPT';
  /** one sentence: what is wrong and where */
  readonly reason: string;
  /** the length the headers announce, when they do */
  readonly declaredSeconds?: number;
  /** the audio up to the first missing or damaged byte */
  readonly goodSeconds: number;
}

export const FIX_REEXPORT_WAV = 'Re-export the file as 16-bit PCM WAV';
export const FIX_CONVERT = 'Convert it to WAV, FLAC, MP3 or Ogg Vorbis, e.g. `sox in.ext out.wav` or `ffmpeg -i in.ext out.wav`';
