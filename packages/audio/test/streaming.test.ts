// loadAudio streams PCM/float WAV files (read, mix down and resample block by block). These
// tests hold it to the whole-file path it replaced — decodeAudioBytes → mixdown → resample — bit
// for bit, on every branch of the resampler (same rate, one simple() call, the library's chunked
// full() calls, the odd-rate fallback) and across read-block boundaries.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { AudioError, decodeAudioBytes, encodeWav, loadAudio, mixdown, resample, type WavSampleFormat } from '../src/index.js';
import { MonoResampler, streamingMode } from '../src/resample.js';
import { scratch } from './helpers.js';

const dir = scratch();
afterAll(() => dir.done());

/** Speech-band noise plus two partials, different per channel; deterministic. */
function signal(frames: number, rate: number, channels: number, seed: number): Float32Array[] {
  let s = seed >>> 0;
  const rand = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
  return Array.from({ length: channels }, (_, c) => {
    const x = new Float32Array(frames);
    let lp = 0;
    for (let i = 0; i < frames; i++) {
      lp += 0.3 * (rand() - lp);
      const t = i / rate;
      x[i] =
        0.5 * lp +
        0.3 * Math.sin(2 * Math.PI * (180 + 40 * c) * t) * Math.sin(2 * Math.PI * 3 * t) +
        0.1 * Math.sin(2 * Math.PI * 2300 * t);
    }
    return x;
  });
}

/** What loadAudio returned before it streamed. */
async function wholeFile(file: string, rate: number) {
  const bytes = new Uint8Array(readFileSync(file));
  const decoded = await decodeAudioBytes(bytes, file);
  return {
    samples: await resample(mixdown(decoded.channels), decoded.sampleRate, rate),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    frames: decoded.channels[0]!.length,
  };
}

function expectSameBits(a: Float32Array, b: Float32Array): void {
  expect(a.length).toBe(b.length);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let firstDiff = -1;
  for (let i = 0; i < x.length && firstDiff < 0; i++) if (x[i] !== y[i]) firstDiff = i;
  expect(firstDiff).toBe(-1);
}

const cases: {
  name: string;
  rate: number;
  channels: number;
  seconds: number;
  format: WavSampleFormat;
  extensible?: boolean;
  mode: string;
}[] = [
  // 22 s at 48 kHz: 1.06 M samples, past the library's one-call limit → its chunked full() calls; 2 read blocks
  { name: '48 kHz stereo pcm16, 22 s', rate: 48000, channels: 2, seconds: 22, format: 'pcm16', mode: 'chunked' },
  {
    name: '44.1 kHz mono pcm24 EXTENSIBLE, 24 s',
    rate: 44100,
    channels: 1,
    seconds: 24,
    format: 'pcm24',
    extensible: true,
    mode: 'chunked',
  },
  // just under the limit: one simple() call
  { name: '48 kHz mono float32, 20.9 s', rate: 48000, channels: 1, seconds: 20.9, format: 'float32', mode: 'gather' },
  // 9-byte frames: read blocks that end mid-frame would break here
  { name: '32 kHz 3-channel pcm24, 16 s', rate: 32000, channels: 3, seconds: 16, format: 'pcm24', mode: 'gather' },
  { name: '22.05 kHz stereo pcm32, 2 s', rate: 22050, channels: 2, seconds: 2, format: 'pcm32', mode: 'gather' },
  { name: '8 kHz stereo pcm8, 3 s', rate: 8000, channels: 2, seconds: 3, format: 'pcm8', mode: 'gather' },
  { name: '96 kHz stereo float64, 1 s', rate: 96000, channels: 2, seconds: 1, format: 'float64', mode: 'gather' },
  { name: '16 kHz stereo pcm16 (no resampling), 5 s', rate: 16000, channels: 2, seconds: 5, format: 'pcm16', mode: 'copy' },
];

describe('streamed WAV loading equals the whole-file path', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const frames = Math.round(c.rate * c.seconds);
      const file = dir.put(
        `${c.rate}-${c.channels}-${c.format}.wav`,
        encodeWav(signal(frames, c.rate, c.channels, c.rate + c.channels), c.rate, c.format, { extensible: c.extensible ?? false }),
      );
      expect(streamingMode(frames, c.rate, 16000)).toBe(c.mode);
      const expected = await wholeFile(file, 16000);
      const got = await loadAudio(file);
      expectSameBits(got.samples, expected.samples);
      expect(got.info).toMatchObject({
        format: 'wav',
        sampleRate: c.rate,
        channels: c.channels,
        frames: expected.frames,
        sha256: expected.sha256,
        trimmedSamples: 0,
      });
      expect(got.info.durationSeconds).toBe(expected.frames / c.rate);
    });
  }

  it("a data chunk followed by other chunks, and a streaming writer's unpatched size", async () => {
    const rate = 44100;
    const pcm = encodeWav(signal(rate * 2 + 1, rate, 2, 7), rate, 'pcm16');
    // LIST after an odd-sized pad-byte-less chunk, after the data
    const list = Uint8Array.from([...'LIST'].map((ch) => ch.charCodeAt(0)).concat([5, 0, 0, 0, 73, 78, 70, 79, 33, 0]));
    const trailing = new Uint8Array(pcm.length + list.length);
    trailing.set(pcm);
    trailing.set(list, pcm.length);
    const unpatched = pcm.slice();
    new DataView(unpatched.buffer).setUint32(4, 0, true);
    new DataView(unpatched.buffer).setUint32(40, 0, true); // data size 0 with RIFF size 0: data runs to the end
    for (const [name, bytes] of [
      ['trailing.wav', trailing],
      ['unpatched.wav', unpatched],
    ] as const) {
      const file = dir.put(name, bytes);
      const expected = await wholeFile(file, 16000);
      const got = await loadAudio(file);
      expectSameBits(got.samples, expected.samples);
      expect(got.info.sha256).toBe(expected.sha256);
    }
  });

  it('an odd rate whose 100 ms slice is fractional takes the whole-file path, with its result', async () => {
    // 11 025 Hz past the one-call limit: the library slices at 1102.5 samples
    const rate = 11025;
    const frames = 1_000_000;
    expect(streamingMode(frames, rate, 16000)).toBeNull();
    const file = dir.put('odd-rate.wav', encodeWav(signal(frames, rate, 1, 3), rate, 'pcm8'));
    const expected = await wholeFile(file, 16000).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    const got = await loadAudio(file).then(
      (r) => ({ ok: true as const, r }),
      (e: unknown) => ({ ok: false as const, e }),
    );
    expect(got.ok).toBe(expected.ok);
    if (got.ok && expected.ok) expectSameBits(got.r.samples, expected.r.samples);
    if (!got.ok && !expected.ok) {
      // the whole-file path wraps the library's failure in an AudioError; loadAudio must too
      expect(got.e).toBeInstanceOf(AudioError);
      expect((got.e as AudioError).code).toBe('DECODE_FAILED');
    }
  });

  it('reports non-finite samples exactly as the whole-file check does', async () => {
    const rate = 48000;
    const [l, r] = signal(rate, rate, 2, 11);
    l![30000] = Number.NaN;
    r![12000] = Number.POSITIVE_INFINITY;
    r![40000] = Number.NaN;
    const file = dir.put('nan.wav', encodeWav([l!, r!], rate, 'float32'));
    const whole = await decodeAudioBytes(new Uint8Array(readFileSync(file)), file).catch((e: unknown) => e);
    const streamed = await loadAudio(file).catch((e: unknown) => e);
    expect(whole).toBeInstanceOf(AudioError);
    expect(streamed).toBeInstanceOf(AudioError);
    expect((streamed as AudioError).message).toBe((whole as AudioError).message);
    expect((streamed as AudioError).message).toMatch(/3 NaN or infinite samples, the first at 0\.250 s/);
  });
});

describe('MonoResampler', () => {
  it("gives resample()'s output whatever the push sizes", async () => {
    const rate = 48000;
    const frames = 21 * rate + 17; // chunked
    expect(streamingMode(frames, rate, 16000)).toBe('chunked');
    const [x] = signal(frames, rate, 1, 5);
    const expected = await resample(x!, rate, 16000);
    for (const piece of [4799, 4800, 65536]) {
      const r = (await MonoResampler.create(frames, rate, 16000))!;
      for (let at = 0; at < frames; at += piece) r.push(x!.subarray(at, Math.min(frames, at + piece)));
      expectSameBits(await r.finish(), expected);
    }
  });

  it('refuses more or fewer samples than announced', async () => {
    const r = (await MonoResampler.create(10, 48000, 16000))!;
    expect(() => r.push(new Float32Array(11))).toThrow(RangeError);
    r.push(new Float32Array(9));
    await expect(r.finish()).rejects.toThrow(RangeError);
  });
});
