import { A2fError } from '@a2f/base';

/**
 * What can stop a preview or a playblast: the layer has nothing to show (NO_ANIMATION), the audio it
 * was made from cannot be found or is another file (AUDIO_NOT_FOUND, AUDIO_MISMATCH), a tool is
 * missing or failed (CHROMIUM_NOT_FOUND, FFMPEG_NOT_FOUND, BROWSER_FAILED, FFMPEG_FAILED), or an
 * option is wrong (BAD_OPTION).
 */
export type PreviewErrorCode =
  | 'NO_ANIMATION'
  | 'AUDIO_NOT_FOUND'
  | 'AUDIO_MISMATCH'
  | 'CHROMIUM_NOT_FOUND'
  | 'FFMPEG_NOT_FOUND'
  | 'BROWSER_FAILED'
  | 'FFMPEG_FAILED'
  | 'BAD_OPTION';

export class PreviewError extends A2fError<PreviewErrorCode> {}
