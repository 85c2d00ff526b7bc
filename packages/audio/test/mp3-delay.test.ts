import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudioBytes, loadAudio, resample } from '../src/index.js';
import { readMp3Gapless, trimMp3, type Mp3Gapless } from '../src/mp3-delay.js';
import { findFirstMp3Frame } from '../src/mp3-frame.js';
import { db, firstAbove, rms } from '@a2f/test-utils';
import { FIXTURES, onsetSource } from './helpers.js';

// Made by test/fixtures/make-fixtures.sh from onsetSource(): the tone starts at exactly 0.25 s.
const FIXTURE = {
  lame44: { file: 'onset_lame_44k.mp3', rate: 44100, decoded: 33075 },
  lame22: { file: 'onset_lame_22k.mp3', rate: 22050, decoded: 16539 },
  // No tag: whole frames come out (30 × 1152) minus the 1105 we trim; the end padding stays.
  notag44: { file: 'onset_notag_44k.mp3', rate: 44100, decoded: 30 * 1152 - 1105 },
} as const;
const THRESHOLD = 0.25; // half the tone's amplitude: far above codec pre-echo

const bytes = (file: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, file)));

describe('MP3 encoder delay', () => {
  for (const [name, f] of Object.entries(FIXTURE)) {
    it(`${name}: onset matches the source within 1 ms, at the file rate and at 16 kHz`, async () => {
      const src = onsetSource(f.rate);
      const out = await decodeAudioBytes(bytes(f.file), f.file);
      expect(out).toMatchObject({ format: 'mp3', sampleRate: f.rate, trimmedSamples: 1105 });
      expect(out.channels).toHaveLength(1);
      const y = out.channels[0]!;
      expect(y.length).toBe(f.decoded);
      expect(Math.abs(firstAbove(y, THRESHOLD) - firstAbove(src, THRESHOLD))).toBeLessThanOrEqual(f.rate / 1000);
      // Sample-accurate: the match with the source peaks at lag 0 (~26 dB; ±1 sample is ≥ 9 dB worse).
      const snr = (lag: number): number => {
        const residual = Float32Array.from(src, (v, i) => v - (y[i + lag] ?? 0));
        return db(rms(src) / rms(residual));
      };
      expect(snr(0)).toBeGreaterThan(20);
      expect(snr(0) - Math.max(snr(-1), snr(1))).toBeGreaterThan(6);

      const loaded = await loadAudio(join(FIXTURES, f.file));
      const ref = await resample(src, f.rate, 16000);
      expect(Math.abs(firstAbove(loaded.samples, THRESHOLD) - firstAbove(ref, THRESHOLD))).toBeLessThanOrEqual(16);
    });
  }

  it('reads delay and padding from the LAME tag (MPEG-1 and MPEG-2)', () => {
    const g44 = readMp3Gapless(bytes(FIXTURE.lame44.file), 0);
    expect(g44?.frame).toMatchObject({ version: 1, layer: 3, sampleRate: 44100, channels: 1, samplesPerFrame: 1152 });
    expect(g44?.tag).toMatchObject({ encoder: 'LAME3.100', encoderDelay: 576 });
    const t44 = g44!.tag!;
    expect(t44.frames * 1152 - t44.encoderDelay - t44.padding).toBe(FIXTURE.lame44.decoded);

    const g22 = readMp3Gapless(bytes(FIXTURE.lame22.file), 0);
    expect(g22?.frame).toMatchObject({ version: 2, layer: 3, sampleRate: 22050, samplesPerFrame: 576 });
    const t22 = g22!.tag!;
    expect(t22.encoderDelay).toBe(576);
    expect(t22.frames * 576 - t22.encoderDelay - t22.padding).toBe(FIXTURE.lame22.decoded);
  });

  it('does not mistake the "LAME3.100" string in an untagged frame for a tag', () => {
    const b = bytes(FIXTURE.notag44.file);
    expect(String.fromCharCode(...b.subarray(0, 64))).toContain('LAME3.100');
    expect(readMp3Gapless(b, 0)).toMatchObject({ tag: null });
  });

  it('trims delay and padding itself when a decoder ignored the tag', () => {
    const frame = readMp3Gapless(bytes(FIXTURE.lame44.file), 0)!.frame;
    const gapless: Mp3Gapless = { frame, tag: { encoder: 'LAME3.100', encoderDelay: 576, padding: 1000, frames: 10 } };
    const raw = Float32Array.from({ length: 11520 }, (_, i) => i);
    const { channels, trimmedSamples } = trimMp3([raw], gapless);
    expect(trimmedSamples).toBe(1105);
    expect(channels[0]!.length).toBe(11520 - 576 - 1000);
    expect(channels[0]![0]).toBe(1105);
    // Already trimmed by the decoder: left alone.
    const done = trimMp3([raw.subarray(0, 9944)], gapless);
    expect(done.channels[0]!.length).toBe(9944);
    expect(done.channels[0]![0]).toBe(0);
  });

  it('finds the first frame and the tag behind an ID3v2 tag with padding', async () => {
    const mp3 = bytes(FIXTURE.lame44.file);
    const size = 300; // synchsafe: 2·128 + 44
    const id3 = Uint8Array.from([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 2, size - 256, ...new Array<number>(size).fill(0)]);
    const tagged = new Uint8Array(id3.length + mp3.length);
    tagged.set(id3);
    tagged.set(mp3, id3.length);
    expect(findFirstMp3Frame(tagged)).toBe(id3.length);
    const plain = await decodeAudioBytes(mp3, 'a.mp3');
    const withId3 = await decodeAudioBytes(tagged, 'b.mp3');
    expect(withId3.trimmedSamples).toBe(1105);
    expect(withId3.channels[0]).toEqual(plain.channels[0]);
  });
});
