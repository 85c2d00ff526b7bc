export type AudioErrorCode =
  | 'NOT_FOUND'
  | 'IS_DIRECTORY'
  | 'EMPTY'
  | 'TRUNCATED'
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
export class AudioError extends Error {
  override readonly name = 'AudioError';
  readonly code: AudioErrorCode;
  readonly file: string;
  readonly problem: string;
  readonly fix: string;

  constructor(code: AudioErrorCode, file: string, problem: string, fix: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}. ${fix}`, options);
    this.code = code;
    this.file = file;
    this.problem = problem;
    this.fix = fix;
  }
}

export const FIX_REEXPORT_WAV = 'Re-export the file as 16-bit PCM WAV';
export const FIX_CONVERT =
  'Convert it to WAV, FLAC, MP3 or Ogg Vorbis, e.g. `sox in.ext out.wav` or `ffmpeg -i in.ext out.wav`';
