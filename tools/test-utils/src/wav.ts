import { speech } from './signals.js';

/**
 * A 16-bit PCM WAV file in memory with the plain 44-byte header, written here rather than by
 * @a2f/audio (test-utils depends on no @a2f package): the bytes are what @a2f/audio's
 * encodeWav(channels, rate, 'pcm16') writes, and a reader test gets a writer it does not share.
 */
export function pcm16Wav(channels: readonly Float32Array[], rate: number): Uint8Array {
  const n = channels.length;
  const frames = channels[0]?.length ?? 0;
  const dataSize = 2 * n * frames;
  const out = new Uint8Array(44 + dataSize);
  const dv = new DataView(out.buffer);
  const ascii = (at: number, s: string): void =>
    out.set(
      Array.from(s, (c) => c.charCodeAt(0)),
      at,
    );
  ascii(0, 'RIFF');
  dv.setUint32(4, 36 + dataSize, true);
  ascii(8, 'WAVEfmt ');
  dv.setUint32(16, 16, true);
  dv.setUint16(20, 1, true);
  dv.setUint16(22, n, true);
  dv.setUint32(24, rate, true);
  dv.setUint32(28, rate * 2 * n, true);
  dv.setUint16(32, 2 * n, true);
  dv.setUint16(34, 16, true);
  ascii(36, 'data');
  dv.setUint32(40, dataSize, true);
  for (let i = 0, at = 44; i < frames; i++) {
    for (let c = 0; c < n; c++, at += 2) {
      const v = Math.round(channels[c]![i]! * 32768);
      dv.setInt16(at, Number.isNaN(v) ? 0 : Math.max(-32768, Math.min(32767, v)), true);
    }
  }
  return out;
}

/** A short speech-like line (signals.ts `speech`) as a mono 16-bit WAV file. */
export const speechWav = (f0: number, seconds = 0.4, rate = 16000): Uint8Array => pcm16Wav([speech(f0, seconds, rate)], rate);
