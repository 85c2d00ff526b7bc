import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { crc16Step, crc8, oggCrc32 } from '../src/crc.js';
import { walkFlac } from '../src/flac-frames.js';
import { findFirstMp3Frame, parseMpegFrame } from '../src/mp3-frame.js';
import { AudioError, decodeAudioBytes, loadAudio, type AudioErrorCode } from '../src/index.js';
import { maxAbsDiff } from '@a2f/test-utils';
import { DIALOGUE, scratch } from './helpers.js';

const tmp = scratch();
afterAll(() => tmp.done());

const SAMPLES = {
  wav: 'line01_hello.wav',
  flac: 'line03_who_knew.flac',
  mp3: 'line04_mp3.mp3',
  ogg: 'line05_ogg.ogg',
} as const;
type Kind = keyof typeof SAMPLES;
const original = (kind: Kind): Uint8Array => new Uint8Array(readFileSync(join(DIALOGUE, SAMPLES[kind])));
/** Full lengths of the committed samples (samples.test.ts checks them against sox). */
const SECONDS: Record<Kind, number> = { wav: 70543 / 22050, flac: 103390 / 44100, mp3: 127494 / 44100, ogg: 107831 / 48000 };

async function refused(path: string, code: AudioErrorCode): Promise<AudioError> {
  const err = await loadAudio(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err, path).toBeInstanceOf(AudioError);
  const e = err as AudioError;
  expect(e.code, e.message).toBe(code);
  expect(e.file).toBe(path);
  expect(e.message).toBe(`${path}: ${e.problem}. ${e.fix}`);
  expect(e.shortfall?.code).toBe(code);
  // How far it got, in the message and in the fields.
  expect(e.problem).toContain(`the intact audio ends at ${e.shortfall!.goodSeconds.toFixed(3)} s`);
  return e;
}

/** Refused without the option; with it, loads what is there and says what is missing. */
async function refusedThenAccepted(path: string, code: AudioErrorCode): Promise<{ err: AudioError; seconds: number }> {
  const err = await refused(path, code);
  expect(err.fix).toMatch(/--allow-truncated/);
  expect(err.fix).toMatch(/Copy or export the file again/);
  const { info, samples } = await loadAudio(path, { allowTruncated: true });
  expect(info.truncation).toMatchObject({ code, reason: err.shortfall!.reason, goodSeconds: err.shortfall!.goodSeconds });
  expect(info.truncation!.decodedSeconds).toBeCloseTo(info.durationSeconds, 9);
  expect(Math.abs(samples.length - info.durationSeconds * 16000)).toBeLessThanOrEqual(1);
  return { err, seconds: info.durationSeconds };
}

describe('files cut short are refused (TRUNCATED), and processed with allowTruncated', () => {
  // Cuts through the leading silence, the speech, and the very last bytes.
  const FRACTIONS = [0.35, 0.6, 0.85, 0.999];
  for (const kind of Object.keys(SAMPLES) as Kind[]) {
    it(`${SAMPLES[kind]} cut at ${FRACTIONS.join(', ')} of its size`, async () => {
      const bytes = original(kind);
      let previous = 0;
      for (const f of FRACTIONS) {
        const path = tmp.put(`cut${f}-${SAMPLES[kind]}`, bytes.subarray(0, Math.floor(bytes.length * f)));
        const { err, seconds } = await refusedThenAccepted(path, 'TRUNCATED');
        expect(err.problem).toMatch(/^is cut short: /);
        expect(seconds).toBeGreaterThan(previous);
        expect(seconds).toBeLessThan(SECONDS[kind]);
        expect(err.shortfall!.goodSeconds).toBeLessThan(SECONDS[kind]);
        // Ogg says its length only on the end-of-stream page, which a cut copy lacks.
        if (kind === 'ogg') expect(err.shortfall!.declaredSeconds).toBeUndefined();
        else {
          expect(err.shortfall!.declaredSeconds).toBeCloseTo(SECONDS[kind], 3);
          expect(err.problem).toContain(`of the ${SECONDS[kind].toFixed(3)} s its header announces`);
        }
        previous = seconds;
      }
    });
  }

  it('what allowTruncated decodes is the start of the full file, sample for sample (WAV, FLAC)', async () => {
    for (const kind of ['wav', 'flac'] as const) {
      const bytes = original(kind);
      const full = await decodeAudioBytes(bytes, SAMPLES[kind]);
      const cut = await decodeAudioBytes(bytes.subarray(0, Math.floor(bytes.length * 0.6)), 'cut', { allowTruncated: true });
      const n = cut.channels[0]!.length;
      expect(n).toBeGreaterThan(full.channels[0]!.length * 0.4);
      expect(cut.truncation!.decodedSeconds).toBeCloseTo(n / full.sampleRate, 9);
      expect(maxAbsDiff(cut.channels[0]!, full.channels[0]!.subarray(0, n))).toBe(0);
    }
  });

  it('a FLAC cut exactly between frames: fewer samples than STREAMINFO announces', async () => {
    const bytes = original('flac');
    const inside = walkFlac(bytes.subarray(0, bytes.length >> 1)).problem!;
    expect(inside.kind).toBe('cut');
    const path = tmp.put('between.flac', bytes.subarray(0, inside.at));
    const { err } = await refusedThenAccepted(path, 'TRUNCATED');
    expect(err.problem).toMatch(/its frames hold \d+ of the 103390 samples STREAMINFO announces/);
  });

  it('an MP3 cut exactly between frames: fewer frames than its Info header counts', async () => {
    const bytes = original('mp3');
    let at = findFirstMp3Frame(bytes);
    for (let i = 0; i < 40; i++) at += parseMpegFrame(bytes, at)!.bytes;
    const { err } = await refusedThenAccepted(tmp.put('between.mp3', bytes.subarray(0, at)), 'TRUNCATED');
    expect(err.problem).toMatch(/it holds 39 of the 112 MP3 frames its header counts/);
    expect(err.shortfall!.goodSeconds).toBeCloseTo((39 * 1152 - 576) / 44100, 9);
  });

  it('an Ogg cut exactly between pages: no end-of-stream page', async () => {
    const bytes = original('ogg');
    const pages = oggPages(bytes);
    const { err } = await refusedThenAccepted(tmp.put('between.ogg', bytes.subarray(0, pages[5]!.end)), 'TRUNCATED');
    expect(err.problem).toMatch(/ends without its end-of-stream page/);
  });

  it('a header-only WAV declaring samples is TRUNCATED even with allowTruncated (nothing to process)', async () => {
    const path = tmp.put('header-only.wav', original('wav').subarray(0, 44));
    for (const allowTruncated of [false, true]) {
      const err = await loadAudio(path, { allowTruncated }).catch((e: unknown) => e as AudioError);
      expect(err).toBeInstanceOf(AudioError);
      expect(err).toMatchObject({ code: 'TRUNCATED', file: path });
      expect((err as AudioError).problem).toMatch(
        /declares 141,086 bytes but the file holds 0; the intact audio ends at 0\.000 s of the 3\.199 s/,
      );
      expect((err as AudioError).fix).toMatch(/holds no audio/);
    }
  });

  it('an Ogg cut inside its Vorbis headers is TRUNCATED with nothing to process', async () => {
    const path = tmp.put('headers.ogg', original('ogg').subarray(0, 5000));
    for (const allowTruncated of [false, true]) {
      const err = await loadAudio(path, { allowTruncated }).catch((e: unknown) => e as AudioError);
      expect(err).toMatchObject({ code: 'TRUNCATED', file: path, fix: expect.stringMatching(/holds no audio/) });
    }
  });

  it('streaming WAV sizes (0 and 0xFFFFFFFF) are read to the end of the file, cut or not', async () => {
    const bytes = original('wav');
    for (const size of [0, 0xffffffff]) {
      const open = bytes.slice();
      const dv = new DataView(open.buffer);
      dv.setUint32(4, size, true);
      dv.setUint32(40, size, true);
      const whole = await loadAudio(tmp.put(`open${size}.wav`, open));
      expect(whole.info.frames).toBe(70543);
      expect(whole.info.truncation).toBeUndefined();
      // A recorder still writing: what is there is all there is.
      const half = await loadAudio(tmp.put(`open${size}-half.wav`, open.subarray(0, 44 + 2 * 30000)));
      expect(half.info.frames).toBe(30000);
      expect(half.info.truncation).toBeUndefined();
    }
  });
});

describe('damaged files are refused (CORRUPT), and processed with allowTruncated', () => {
  it('a flipped byte inside a FLAC frame fails its CRC-16', async () => {
    const bytes = original('flac');
    for (const f of [0.3, 0.6]) {
      const bad = bytes.slice();
      bad[Math.floor(bad.length * f)]! ^= 0x10;
      const { err } = await refusedThenAccepted(tmp.put(`flip${f}.flac`, bad), 'CORRUPT');
      expect(err.problem).toMatch(/^is damaged: FLAC frame \d+ \(at byte [\d,]+\) fails its CRC check/);
      expect(err.shortfall!.declaredSeconds).toBeCloseTo(SECONDS.flac, 9);
    }
  });

  it('a flipped byte inside an Ogg page fails its CRC-32, though the decoder plays it', async () => {
    const bytes = original('ogg');
    const pages = oggPages(bytes);
    const bad = bytes.slice();
    bad[pages[4]!.start + 100]! ^= 0x10;
    const path = tmp.put('flip.ogg', bad);
    const { err, seconds } = await refusedThenAccepted(path, 'CORRUPT');
    expect(err.problem).toBe(
      `is damaged: Ogg page 4 (at byte ${pages[4]!.start.toLocaleString('en-US')}) fails ` +
        `its CRC check; the intact audio ends at ${err.shortfall!.goodSeconds.toFixed(3)} s`,
    );
    expect(seconds).toBeGreaterThan(err.shortfall!.goodSeconds);
  });

  it('an Ogg with a page missing from the middle', async () => {
    const bytes = original('ogg');
    const pages = oggPages(bytes);
    const gap = Uint8Array.from([...bytes.subarray(0, pages[4]!.start), ...bytes.subarray(pages[5]!.start)]);
    const { err } = await refusedThenAccepted(tmp.put('gap.ogg', gap), 'CORRUPT');
    expect(err.problem).toMatch(/^is damaged: pages are missing before Ogg page 4/);
  });

  it('an MP3 with bytes that are not frames between its frames', async () => {
    const bytes = original('mp3');
    const at = findFirstMp3Frame(bytes) + 20 * 417;
    const junk = Uint8Array.from([...bytes.subarray(0, at), ...new Array<number>(300).fill(0x55), ...bytes.subarray(at)]);
    const { err } = await refusedThenAccepted(tmp.put('junk.mp3', junk), 'CORRUPT');
    expect(err.problem).toMatch(/^is damaged: the bytes at byte [\d,]+ are not an MP3 frame/);
  });
});

describe('complete files', () => {
  it('load without a truncation record, with or without allowTruncated', async () => {
    for (const kind of Object.keys(SAMPLES) as Kind[]) {
      for (const allowTruncated of [false, true]) {
        const { info } = await loadAudio(join(DIALOGUE, SAMPLES[kind]), { allowTruncated });
        expect(info.truncation).toBeUndefined();
        expect(info.durationSeconds).toBeCloseTo(SECONDS[kind], 9);
      }
    }
  });

  it('checksums match the standard check values for "123456789"', () => {
    const b = new TextEncoder().encode('123456789');
    expect(crc8(b, 0, 9)).toBe(0xf4); // CRC-8/SMBUS
    expect(b.reduce(crc16Step, 0)).toBe(0xfee8); // CRC-16/UMTS
    expect(oggCrc32(b, 0, 9, 9)).toBe(0x89a1897f); // CRC-32/CKSUM before its final inversion
  });
});

/** Page spans of an Ogg file, read independently of the code under test. */
function oggPages(b: Uint8Array): { start: number; end: number }[] {
  const pages: { start: number; end: number }[] = [];
  for (let at = 0; at < b.length; ) {
    const n = b[at + 26]!;
    let end = at + 27 + n;
    for (let i = 0; i < n; i++) end += b[at + 27 + i]!;
    pages.push({ start: at, end });
    at = end;
  }
  return pages;
}
