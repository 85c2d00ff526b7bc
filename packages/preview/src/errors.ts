import { A2fError } from '@a2f/base';

/**
 * What can stop a preview or a playblast: the layer has nothing to show (NO_ANIMATION), the audio it
 * was made from cannot be found or is another file (AUDIO_NOT_FOUND, AUDIO_MISMATCH), a tool is
 * missing or failed (CHROMIUM_NOT_FOUND, FFMPEG_NOT_FOUND, BROWSER_FAILED, FFMPEG_FAILED), or an
 * option is wrong (BAD_OPTION), or the package was not built (VIEWER_MISSING: its bundled page script is absent).
 */
export type PreviewErrorCode =
  | 'NO_ANIMATION'
  | 'AUDIO_NOT_FOUND'
  | 'AUDIO_MISMATCH'
  | 'CHROMIUM_NOT_FOUND'
  | 'FFMPEG_NOT_FOUND'
  | 'BROWSER_FAILED'
  | 'FFMPEG_FAILED'
  | 'BAD_OPTION'
  | 'VIEWER_MISSING';

export class PreviewError extends A2fError<PreviewErrorCode> {}
