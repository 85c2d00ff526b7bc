/*
 * MP3 gapless trimming, so the mouth moves when the voice starts rather than 25 ms early.
 *
 * An MP3 decodes to more samples than were encoded: the encoder prepends `encoderDelay` samples
 * (LAME: 576) and the standard hybrid filterbank adds 529 more on decode (mpg123, ffmpeg and
 * sox's libmad all agree). At the end the encoder pads to whole frames. LAME records delay and
 * padding in its tag inside the first (silent) frame; ffmpeg writes the same tag.
 *
 * Measured with @audio/decode 3.16.2 (mpg123-decoder, gapless on) against the source WAVs in
 * test/fixtures/make-fixtures.sh:
 *   - LAME tag present: the decoder already drops delay + 529 at the start and the padding at
 *     the end; output length equals the source length and the onset is exact.
 *   - no LAME tag (sox's MP3 writer): all frames come out whole, onset 1105 = 576 + 529
 *     samples late.
 * So with a tag we only check the decoder did its part (and trim ourselves if a future decoder
 * does not); without one we assume LAME's 576, because nearly every MP3 without a tag comes from
 * libmp3lame (sox, Audacity, older ffmpeg). Other encoders differ by a few ms at most. The end
 * padding is left in: it is silence, and guessing it wrong would cut speech.
 * Layer I/II files are decoded but not trimmed; their delays differ and they are rare for speech.
 */
import { asciiAt, parseMpegFrame, xingOffset, type MpegFrame } from './mp3-frame.js';

export const MP3_DECODER_DELAY = 529;
export const LAME_ENCODER_DELAY = 576;

export interface Mp3Gapless {
  frame: MpegFrame;
  /** from the LAME tag, or null if the first frame carries none */
  tag: { encoder: string; encoderDelay: number; padding: number; frames: number } | null;
}

/** Reads the Xing/Info header and its LAME extension from the first frame, if present. */
export function readMp3Gapless(b: Uint8Array, firstFrame: number): Mp3Gapless | null {
  const frame = parseMpegFrame(b, firstFrame);
  if (!frame) return null;
  const x = xingOffset(b, frame);
  if (x >= 0) {
    if (x + 8 > b.length) return { frame, tag: null };
    const flags = ((b[x + 4]! << 24) | (b[x + 5]! << 16) | (b[x + 6]! << 8) | b[x + 7]!) >>> 0;
    let p = x + 8;
    let frames = -1;
    if (flags & 1) {
      frames = ((b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!) >>> 0;
      p += 4;
    }
    if (flags & 2) p += 4;
    if (flags & 4) p += 100;
    if (flags & 8) p += 4;
    if (p + 24 > Math.min(b.length, firstFrame + frame.bytes) || frames < 0) return { frame, tag: null };
    const encoder = asciiAt(b, p, 9).replace(/\0+$/, '');
    // The LAME extension has no magic of its own; an encoder string is the only sign it is there.
    if (!/^(LAME|L3\.99|Lavc|Lavf|GOGO)/.test(encoder)) return { frame, tag: null };
    const encoderDelay = (b[p + 21]! << 4) | (b[p + 22]! >> 4);
    const padding = ((b[p + 22]! & 0x0f) << 8) | b[p + 23]!;
    return { frame, tag: { encoder, encoderDelay, padding, frames } };
  }
  return { frame, tag: null };
}

/**
 * Removes the delay from decoded MP3 output (see the file comment). `trimmedSamples` counts
 * leading samples dropped by us or by the decoder, so callers can report the correction.
 */
export function trimMp3(channels: Float32Array[], gapless: Mp3Gapless | null): { channels: Float32Array[]; trimmedSamples: number } {
  const decoded = channels[0]?.length ?? 0;
  if (gapless?.frame.layer !== 3 || decoded === 0) return { channels, trimmedSamples: 0 };
  const { tag, frame } = gapless;
  if (!tag) {
    const cut = Math.min(LAME_ENCODER_DELAY + MP3_DECODER_DELAY, decoded);
    return { channels: channels.map((c) => c.subarray(cut)), trimmedSamples: cut };
  }
  const lead = tag.encoderDelay + MP3_DECODER_DELAY;
  const expected = tag.frames * frame.samplesPerFrame - tag.encoderDelay - tag.padding;
  // A decoder that honoured the tag returns at most `expected` samples (fewer if the file is
  // cut short); more means it kept the delay and padding, so we trim them here.
  if (decoded <= expected || expected <= 0) return { channels, trimmedSamples: lead };
  const end = Math.min(decoded, lead + expected);
  return { channels: channels.map((c) => c.subarray(lead, end)), trimmedSamples: lead };
}
