export type WavSampleFormat = 'pcm16' | 'pcm24' | 'pcm32' | 'float32' | 'float64' | 'pcm8';

const LAYOUT: Readonly<Record<WavSampleFormat, { bytes: number; float: boolean }>> = {
  pcm8: { bytes: 1, float: false },
  pcm16: { bytes: 2, float: false },
  pcm24: { bytes: 3, float: false },
  pcm32: { bytes: 4, float: false },
  float32: { bytes: 4, float: true },
  float64: { bytes: 8, float: true },
};

/** Speaker positions for the channel mask: FL FR for stereo, FC for mono, first n bits otherwise. */
const channelMask = (n: number): number => (n === 1 ? 0x4 : n === 2 ? 0x3 : n <= 18 ? 2 ** n - 1 : 0);

/**
 * Writes a complete WAV file in memory. Integer formats scale by 2^(bits-1), round, and clamp to
 * the format's range (so +1.0 becomes the largest positive code); NaN and ±Infinity survive only
 * in the float formats, which is what tests of non-finite input need. `extensible` writes a
 * 40-byte WAVE_FORMAT_EXTENSIBLE fmt chunk, as sox and DAWs do for 24-bit and multichannel.
 */
export function encodeWav(
  channels: readonly Float32Array[],
  sampleRate: number,
  format: WavSampleFormat = 'pcm16',
  opts: { extensible?: boolean } = {},
): Uint8Array {
  const n = channels.length;
  if (n === 0 || n > 65535) throw new RangeError(`encodeWav: need 1..65535 channels, got ${n}`);
  const frames = channels[0]!.length;
  if (channels.some((c) => c.length !== frames)) throw new RangeError('encodeWav: channels differ in length');
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`encodeWav: bad sample rate ${sampleRate}`);
  const { bytes, float } = LAYOUT[format];
  const extensible = opts.extensible ?? false;
  const tag = extensible ? 0xfffe : float ? 3 : 1;
  const fmtSize = extensible ? 40 : float ? 18 : 16;
  const factSize = float || extensible ? 12 : 0; // the spec asks for a fact chunk on non-PCM tags
  const blockAlign = bytes * n;
  const dataSize = blockAlign * frames;
  const pad = dataSize & 1;
  const total = 12 + 8 + fmtSize + factSize + 8 + dataSize + pad;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const str = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };

  str(0, 'RIFF');
  dv.setUint32(4, total - 8, true);
  str(8, 'WAVE');
  str(12, 'fmt ');
  dv.setUint32(16, fmtSize, true);
  dv.setUint16(20, tag, true);
  dv.setUint16(22, n, true);
  dv.setUint32(24, sampleRate, true);
  dv.setUint32(28, sampleRate * blockAlign, true);
  dv.setUint16(32, blockAlign, true);
  dv.setUint16(34, bytes * 8, true);
  if (fmtSize > 16) dv.setUint16(36, fmtSize - 18, true);
  if (extensible) {
    dv.setUint16(38, bytes * 8, true);
    dv.setUint32(40, channelMask(n), true);
    dv.setUint16(44, float ? 3 : 1, true);
    out.set([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71], 46);
  }
  let at = 20 + fmtSize;
  if (factSize) {
    str(at, 'fact');
    dv.setUint32(at + 4, 4, true);
    dv.setUint32(at + 8, frames, true);
    at += factSize;
  }
  str(at, 'data');
  dv.setUint32(at + 4, dataSize, true);
  at += 8;

  const write = writer(dv, format);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < n; c++, at += bytes) write(at, channels[c]![i]!);
  }
  return out;
}

function writer(dv: DataView, format: WavSampleFormat): (at: number, x: number) => void {
  const q = (x: number, bits: number): number => {
    const full = 2 ** (bits - 1);
    const v = Math.round(x * full);
    return Number.isNaN(v) ? 0 : Math.max(-full, Math.min(full - 1, v));
  };
  switch (format) {
    case 'pcm8':
      return (at, x) => dv.setUint8(at, q(x, 8) + 128);
    case 'pcm16':
      return (at, x) => dv.setInt16(at, q(x, 16), true);
    case 'pcm24':
      return (at, x) => {
        const v = q(x, 24);
        dv.setUint8(at, v & 0xff);
        dv.setUint8(at + 1, (v >> 8) & 0xff);
        dv.setInt8(at + 2, v >> 16);
      };
    case 'pcm32':
      return (at, x) => dv.setInt32(at, q(x, 32), true);
    case 'float32':
      return (at, x) => dv.setFloat32(at, x, true);
    case 'float64':
      return (at, x) => dv.setFloat64(at, x, true);
  }
}
