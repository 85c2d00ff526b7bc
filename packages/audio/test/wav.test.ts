import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AudioError, decodeAudioBytes, encodeWav, loadAudio, type WavSampleFormat } from '../src/index.js';
import { maxAbsDiff, pcm16Wav, sine } from '@a2f/test-utils';
import { FIXTURES, onsetSource, scratch } from './helpers.js';

/** Worst-case decode error for each format, given in-range input. */
const TOLERANCE: Record<WavSampleFormat, number> = {
  pcm8: 1 / 128,
  pcm16: 1 / 32768,
  pcm24: 1 / 2 ** 23,
  pcm32: 1e-7, // the int is exact; dividing back to float32 rounds at 2^-24 relative
  float32: 0,
  float64: 0,
};
const FORMATS = Object.keys(TOLERANCE) as WavSampleFormat[];
const RATES = [8000, 22050, 44100, 48000, 96000];

function source(rate: number, channels: number): Float32Array[] {
  // Odd length, so mono 8/24-bit data chunks are odd-sized and need a pad byte.
  const n = Math.round(rate / 50) + 1;
  return [sine(n, rate, 440, 0.9), sine(n, rate, 1000, -0.7, 0.3)].slice(0, channels);
}

describe('WAV round trip through encodeWav and our reader', () => {
  for (const format of FORMATS) {
    for (const extensible of [false, true]) {
      it(`${format}${extensible ? ' EXTENSIBLE' : ''}, mono and stereo, ${RATES.join('/')} Hz`, async () => {
        for (const rate of RATES) {
          for (const channels of [1, 2]) {
            const src = source(rate, channels);
            const bytes = encodeWav(src, rate, format, { extensible });
            const tag = new DataView(bytes.buffer).getUint16(20, true);
            expect(tag).toBe(extensible ? 0xfffe : format.startsWith('float') ? 3 : 1);
            const out = await decodeAudioBytes(bytes, `mem.${format}.wav`);
            expect(out).toMatchObject({ sampleRate: rate, format: 'wav', trimmedSamples: 0 });
            expect(out.channels).toHaveLength(channels);
            for (let c = 0; c < channels; c++) {
              expect(out.channels[c]!.length).toBe(src[c]!.length);
              expect(maxAbsDiff(out.channels[c]!, src[c]!)).toBeLessThanOrEqual(TOLERANCE[format]);
            }
          }
        }
      });
    }
  }

  it('maps full scale as x·2^(bits-1), clamping +1.0 to the top code', async () => {
    const x = Float32Array.from([-1, -0.5, 0, 0.5, 1]);
    const out = await decodeAudioBytes(encodeWav([x], 8000, 'pcm16'), 'f.wav');
    expect(Array.from(out.channels[0]!)).toEqual([-1, -0.5, 0, 0.5, 32767 / 32768]);
    const u8 = await decodeAudioBytes(encodeWav([x], 8000, 'pcm8'), 'f.wav');
    expect(Array.from(u8.channels[0]!)).toEqual([-1, -0.5, 0, 0.5, 127 / 128]);
  });

  it('writes 16-bit PCM byte for byte as the plain-header writer in test-utils does, clipping and all', async () => {
    const src = [sine(1000, 16000, 440, 1.2), sine(1000, 16000, 300, 0.5)];
    const wav = encodeWav(src, 16000, 'pcm16');
    expect(Buffer.from(wav).equals(Buffer.from(pcm16Wav(src, 16000)))).toBe(true);
    const out = await decodeAudioBytes(pcm16Wav(src, 16000), 'plain.wav');
    expect(out.channels.map((c) => c.length)).toEqual([1000, 1000]);
    expect(Math.max(...out.channels[0]!)).toBe(32767 / 32768);
  });

  it('reads from a view at an odd byte offset (e.g. a pooled Buffer)', async () => {
    const src = source(44100, 2);
    const wav = encodeWav(src, 44100, 'float32');
    const big = new Uint8Array(wav.length + 7);
    big.set(wav, 3);
    const out = await decodeAudioBytes(big.subarray(3, 3 + wav.length), 'view.wav');
    expect(out.channels[1]).toEqual(src[1]);
  });

  it('loads a 6-channel 96 kHz file to 16 kHz mono, with sha256 and info filled in', async () => {
    const tmp = scratch();
    try {
      const n = 9600;
      const chans = Array.from({ length: 6 }, (_, c) => sine(n, 96000, 1000, 0.1 * (c + 1)));
      const path = tmp.put('six.wav', encodeWav(chans, 96000, 'pcm24', { extensible: true }));
      const { samples, info } = await loadAudio(path);
      expect(info).toMatchObject({ format: 'wav', sampleRate: 96000, channels: 6, frames: n, trimmedSamples: 0 });
      expect(info.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(samples.length).toBe(1600);
      // The mean of amplitudes 0.1..0.6 is 0.35; compare away from the edges.
      expect(maxAbsDiff(samples.subarray(200, 1400), sine(1600, 16000, 1000, 0.35).subarray(200, 1400))).toBeLessThan(1e-4);
    } finally {
      tmp.done();
    }
  });
});

// Builders for hand-made files that exercise what real tools write.
const bytesOf = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const u32 = (v: number): number[] => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const chunk = (id: string, body: ArrayLike<number>, size = body.length, pad = true): number[] => [
  ...bytesOf(id),
  ...u32(size),
  ...Array.from(body),
  ...(pad && body.length & 1 ? [0] : []),
];
function pieces(x: Float32Array): { fmt: number[]; data: number[] } {
  const wav = encodeWav([x], 16000, 'pcm16');
  return { fmt: Array.from(wav.subarray(20, 36)), data: Array.from(wav.subarray(44)) };
}
const riff = (body: number[], size = body.length + 4, magic = 'RIFF'): Uint8Array =>
  Uint8Array.from([...bytesOf(magic), ...u32(size), ...bytesOf('WAVE'), ...body]);

describe('WAV reader tolerance', () => {
  const x = sine(801, 16000, 500, 0.5);
  const q = (v: Float32Array): Float32Array => Float32Array.from(v, (s) => Math.round(s * 32768) / 32768);
  const expectX = async (bytes: Uint8Array, frames = x.length, allowTruncated = false): Promise<void> => {
    const out = await decodeAudioBytes(bytes, 'made.wav', { allowTruncated });
    expect(out.channels[0]!.length).toBe(frames);
    expect(maxAbsDiff(out.channels[0]!, q(x).subarray(0, frames))).toBe(0);
  };

  it('reads streaming placeholders (0xFFFFFFFF or unpatched 0 sizes) to the end of the file', async () => {
    const { fmt, data } = pieces(x);
    await expectX(riff([...chunk('fmt ', fmt), ...chunk('data', data, 0xffffffff)], 0xffffffff));
    await expectX(riff([...chunk('fmt ', fmt), ...chunk('data', data, 0)], 0));
  });

  it('uses the ds64 size of an RF64 file and ignores chunks after the data', async () => {
    const { fmt, data } = pieces(x);
    const ds64 = [...u32(0xffffffff), 0, 0, 0, 0, ...u32(data.length), 0, 0, 0, 0, ...u32(x.length), 0, 0, 0, 0, 0, 0, 0, 0];
    const after = chunk('LIST', bytesOf('INFOjunk'));
    const body = [...chunk('ds64', ds64), ...chunk('fmt ', fmt), ...chunk('data', data, 0xffffffff), ...after];
    await expectX(riff(body, 0xffffffff, 'RF64'));
  });

  it('skips odd-sized chunks with or without their pad byte, and finds fmt after data', async () => {
    const { fmt, data } = pieces(x);
    const odd = bytesOf('abc');
    await expectX(riff([...chunk('LIST', odd), ...chunk('fmt ', fmt), ...chunk('data', data)]));
    await expectX(riff([...chunk('LIST', odd, 3, false), ...chunk('fmt ', fmt), ...chunk('data', data)]));
    await expectX(riff([...chunk('data', data), ...chunk('fmt ', fmt)]));
  });

  it('refuses a data chunk cut short by a copy, and decodes its whole frames with allowTruncated', async () => {
    const { fmt, data } = pieces(x);
    const full = riff([...chunk('fmt ', fmt), ...chunk('data', data)]);
    const cut = full.subarray(0, full.length - 101);
    await expect(decodeAudioBytes(cut, 'made.wav')).rejects.toMatchObject({ code: 'TRUNCATED', file: 'made.wav' });
    await expectX(cut, x.length - 51, true);
  });

  it('reads an RF64 whose ds64 still says 0 (a recorder that has not finished) to the end of the file', async () => {
    const { fmt, data } = pieces(x);
    const ds64 = [...new Array<number>(28).fill(0)];
    await expectX(riff([...chunk('ds64', ds64), ...chunk('fmt ', fmt), ...chunk('data', data, 0xffffffff)], 0xffffffff, 'RF64'));
  });

  it('reads a data size of 0 followed by samples to the end of the file, even where the RIFF size was written', async () => {
    const { fmt, data } = pieces(x);
    await expectX(riff([...chunk('fmt ', fmt), ...chunk('data', data, 0)], 36));
  });

  it('reads 20-bit samples in a 24-bit container at full scale', async () => {
    const bytes = encodeWav([x], 16000, 'pcm24');
    new DataView(bytes.buffer).setUint16(34, 20, true);
    const out = await decodeAudioBytes(bytes, 'twenty.wav');
    expect(maxAbsDiff(out.channels[0]!, x)).toBeLessThanOrEqual(TOLERANCE.pcm24);
  });

  it('names an unsupported codec instead of decoding noise', async () => {
    const bytes = encodeWav([x], 16000, 'pcm16');
    new DataView(bytes.buffer).setUint16(20, 0x55, true);
    const err = await decodeAudioBytes(bytes, 'mp3inside.wav').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AudioError);
    expect(err).toMatchObject({ code: 'UNKNOWN_FORMAT', message: expect.stringContaining('MPEG Layer 3') });
  });

  it('hands A-law and IMA ADPCM (sox-made fixtures) to @audio/decode', async () => {
    const src = onsetSource(8000);
    for (const [name, tolerance] of [
      ['tone_alaw_8k.wav', 0.02], // G.711 step near 0.5 is 1/32
      ['tone_ima_8k.wav', 0.1], // 4-bit ADPCM lags at the onset
    ] as const) {
      const out = await decodeAudioBytes(readFileSync(join(FIXTURES, name)), name);
      expect(out.sampleRate).toBe(8000);
      expect(out.channels).toHaveLength(1);
      expect(out.channels[0]!.length).toBeGreaterThanOrEqual(src.length);
      // Compare away from the onset and offset, where ADPCM needs a few samples to adapt.
      const mid = (a: Float32Array): Float32Array => a.subarray(2100, 3900);
      expect(maxAbsDiff(mid(out.channels[0]!), mid(src))).toBeLessThan(tolerance);
    }
  });
});
