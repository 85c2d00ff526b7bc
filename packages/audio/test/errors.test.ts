import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { AudioError, type AudioErrorCode, encodeWav, loadAudio } from '../src/index.js';
import { sine } from '@a2f/test-utils';
import { DIALOGUE, FIXTURES, scratch } from './helpers.js';

const tmp = scratch();
afterAll(() => tmp.done());

async function failure(path: string): Promise<AudioError> {
  const err = await loadAudio(path).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AudioError);
  return err as AudioError;
}

async function expectCode(path: string, code: AudioErrorCode, problem?: RegExp): Promise<AudioError> {
  const err = await failure(path);
  expect(err.code).toBe(code);
  expect(err.file).toBe(path);
  expect(err.fix.length).toBeGreaterThan(10);
  expect(err.message).toBe(`${path}: ${err.problem}. ${err.fix}`);
  expect(err.message.startsWith(path)).toBe(true);
  if (problem) expect(err.problem).toMatch(problem);
  return err;
}

/** A real 1×1 PNG, so the test is about a genuine image with the wrong name. */
function png(): Uint8Array {
  const chunk = (type: string, body: Uint8Array): Buffer => {
    const tb = Buffer.concat([Buffer.from(type, 'latin1'), body]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(body.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(tb));
    return Buffer.concat([len, tb, crc]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** Deterministic noise (a fixed LCG), so the case can never flake into a valid header. */
function noise(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

describe('bad input raises AudioError with a code, the path and a fix', () => {
  it('missing file → NOT_FOUND', async () => {
    await expectCode(join(tmp.dir, 'nope.wav'), 'NOT_FOUND', /does not exist/);
  });

  it('directory → IS_DIRECTORY', async () => {
    await expectCode(tmp.dir, 'IS_DIRECTORY');
  });

  it('empty file → EMPTY', async () => {
    await expectCode(tmp.put('empty.wav', new Uint8Array(0)), 'EMPTY');
  });

  it('truncated RIFF header → TRUNCATED', async () => {
    const wav = encodeWav([sine(100, 16000, 440, 0.5)], 16000);
    await expectCode(tmp.put('riff8.wav', wav.subarray(0, 8)), 'TRUNCATED');
    await expectCode(tmp.put('riff2.wav', wav.subarray(0, 2)), 'TRUNCATED');
    await expectCode(tmp.put('fmtcut.wav', wav.subarray(0, 30)), 'TRUNCATED', /fmt/);
    await expectCode(tmp.put('nodata.wav', wav.subarray(0, 36)), 'TRUNCATED', /data chunk/);
  });

  it('random bytes named .wav → UNKNOWN_FORMAT', async () => {
    await expectCode(tmp.put('noise.wav', noise(4096)), 'UNKNOWN_FORMAT');
  });

  it('a PNG renamed .mp3 → NOT_AUDIO, saying it is a PNG', async () => {
    await expectCode(tmp.put('picture.mp3', png()), 'NOT_AUDIO', /PNG image/);
  });

  it('text and Git LFS pointers with audio names → NOT_AUDIO', async () => {
    await expectCode(tmp.put('notes.wav', 'These are my notes about the take.\n'), 'NOT_AUDIO', /text/);
    await expectCode(tmp.put('page.mp3', '<!doctype html><title>Téléchargement – 音声</title>\n'), 'NOT_AUDIO', /text/);
    const lfs = 'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n';
    const err = await expectCode(tmp.put('pointer.flac', lfs), 'NOT_AUDIO', /Git LFS/);
    expect(err.fix).toMatch(/git lfs pull/);
  });

  it('WAV with 0 data frames → NO_SAMPLES', async () => {
    const wav = encodeWav([new Float32Array(0), new Float32Array(0)], 48000, 'pcm24', { extensible: true });
    await expectCode(tmp.put('silent-nothing.wav', wav), 'NO_SAMPLES');
  });

  it('float WAV containing NaN and Inf → NON_FINITE, with count and position', async () => {
    const x = sine(16000, 16000, 440, 0.5);
    x[8000] = Number.NaN;
    x[12000] = Number.POSITIVE_INFINITY;
    x[12001] = Number.NEGATIVE_INFINITY;
    for (const format of ['float32', 'float64'] as const) {
      await expectCode(
        tmp.put(`bad-${format}.wav`, encodeWav([x], 16000, format)),
        'NON_FINITE',
        /3 NaN or infinite samples, the first at 0\.500 s/,
      );
    }
  });

  it('known but unsupported containers → UNKNOWN_FORMAT naming them', async () => {
    const m4a = Uint8Array.from([0, 0, 0, 0x20, ...Buffer.from('ftypM4A \0\0\0\0M4A mp42isom'), ...noise(64)]);
    await expectCode(tmp.put('voice.m4a.wav', m4a), 'UNKNOWN_FORMAT', /MP4\/M4A/);
    const opus = Uint8Array.from([
      ...Buffer.from('OggS'),
      0,
      2,
      ...new Array<number>(20).fill(0),
      1,
      19,
      ...Buffer.from('OpusHead'),
      ...noise(11),
    ]);
    await expectCode(tmp.put('voice.ogg', opus), 'UNKNOWN_FORMAT', /Opus/);
  });

  it('a FLAC cut inside its header → TRUNCATED', async () => {
    const flac = new Uint8Array(readFileSync(join(DIALOGUE, 'line03_who_knew.flac')));
    await expectCode(tmp.put('cut.flac', flac.subarray(0, 20)), 'TRUNCATED');
  });

  it('compressed files whose data is noise → DECODE_FAILED (the decoders skip it silently)', async () => {
    const keep = async (name: string, head: number): Promise<Uint8Array> =>
      Uint8Array.from([...readFileSync(join(DIALOGUE, name)).subarray(0, head), ...noise(20000)]);
    await expectCode(tmp.put('broken.flac', await keep('line03_who_knew.flac', 42)), 'DECODE_FAILED', /promises 103390 samples/);
    await expectCode(tmp.put('broken.ogg', await keep('line05_ogg.ogg', 200)), 'DECODE_FAILED', /damaged/);
    await expectCode(tmp.put('broken.mp3', await keep('line04_mp3.mp3', 1000)), 'DECODE_FAILED', /44100 Hz but later frames/);
  });

  it('valid compressed files holding 0 samples → NO_SAMPLES, not DECODE_FAILED', async () => {
    for (const name of ['empty.flac', 'empty.ogg', 'empty.mp3']) {
      const copy = tmp.put(name, readFileSync(join(FIXTURES, name)));
      await expectCode(copy, 'NO_SAMPLES');
    }
  });

  it('keeps decoder chatter off the console', async () => {
    const spy = vi.spyOn(console, 'error');
    const broken = Uint8Array.from([...readFileSync(join(DIALOGUE, 'line04_mp3.mp3')).subarray(0, 1000), ...noise(20000)]);
    await failure(tmp.put('chatty.mp3', broken));
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });
});
