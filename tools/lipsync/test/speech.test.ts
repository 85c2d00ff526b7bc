// Our phonemizer and the corpora: timelines that line up with the audio, stress, closures, caching.
import { readFileSync, statSync } from 'node:fs';
import { tempDir, removeTempDirs } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildCorpus,
  classify,
  corpusFile,
  ensurePhonemizer,
  readCorpusLines,
  readWav,
  synthesize,
  synthesizeFestival,
} from '../src/index.js';

afterAll(removeTempDirs);

/** Mean level in dB of the audio between two times. */
function level(samples: Float32Array, rate: number, a: number, b: number): number {
  let e = 0;
  const from = Math.round(a * rate);
  const to = Math.round(b * rate);
  for (let i = from; i < to; i++) e += samples[i]! ** 2;
  return 10 * Math.log10(e / Math.max(1, to - from) + 1e-12);
}

describe('phonemize', () => {
  it('is compiled once and reused while phonemize.c is unchanged', () => {
    const bin = ensurePhonemizer();
    const built = statSync(bin).mtimeMs;
    expect(ensurePhonemizer()).toBe(bin);
    expect(statSync(bin).mtimeMs).toBe(built);
  });

  it('writes a 22050 Hz WAV and a gap-free timeline inside its speech, with lead and tail silence', async () => {
    const dir = tempDir('lipsync');
    const { wav, timeline } = await synthesize({
      text: 'The baby bumped a big brown box.',
      voice: 'en-us',
      wpm: 160,
      leadMs: 500,
      tailMs: 400,
      outDir: dir,
      id: 'd01',
    });
    const sound = readWav(wav);
    expect(sound.rate).toBe(22050);
    expect(timeline.sample_rate).toBe(22050);
    expect(sound.samples.length).toBe(timeline.num_samples);
    expect(timeline.duration).toBeCloseTo(timeline.num_samples / 22050, 5);
    expect(timeline.speech_start).toBeCloseTo(0.5, 6);
    expect(timeline.speech_end! + 0.4).toBeCloseTo(timeline.duration, 3);
    const ph = timeline.phonemes;
    for (let i = 1; i < ph.length; i++) expect(ph[i]!.start).toBeCloseTo(ph[i - 1]!.end, 6);
    expect(ph[0]!.start).toBeGreaterThanOrEqual(0.5);
    expect(ph.at(-1)!.end).toBeCloseTo(timeline.speech_end!, 6);
    // espeak-ng says "D@2 b'eIbi b'Vmpt a# b'Ig br'aUn b'0ks"
    expect(ph.map((p) => p.ph).join(' ')).toBe('D @2 b eI b i b V m p t a# b I g b r aU n b 0 k s _: _');
    expect(ph.filter((p) => p.stress === 1).map((p) => p.ph)).toEqual(['eI', 'V', 'I', 'aU', '0']);
    // the lead and tail are digital silence; the open vowels are loud
    expect(level(sound.samples, 22050, 0, 0.5)).toBeLessThan(-100);
    const open = ph.filter((p) => classify(p.ph).includes('OPEN'));
    for (const v of open) expect(level(sound.samples, 22050, v.start, v.end)).toBeGreaterThan(-30);
  });

  it('gives a voiceless stop the silent closure before its release', async () => {
    const { timeline, wav } = await synthesize({
      text: 'Mop the top step.',
      voice: 'en',
      wpm: 145,
      leadMs: 300,
      tailMs: 300,
      outDir: tempDir('lipsync'),
      id: 'mop',
    });
    const sound = readWav(wav);
    const stops = timeline.phonemes.filter((p) => p.ph === 'p' || p.ph === 't');
    const moved = stops.filter((p) => p.event! - p.start > 0.009);
    expect(moved.length).toBeGreaterThan(0);
    // what the stop took over is quiet: ≥ 25 dB under the line's vowels
    const vowel = Math.max(
      ...timeline.phonemes.filter((p) => classify(p.ph).includes('OPEN')).map((p) => level(sound.samples, 22050, p.start, p.end)),
    );
    for (const p of moved) expect(level(sound.samples, 22050, p.start, p.event!)).toBeLessThan(vowel - 25);
  });

  it('refuses a rate whose events would not match the audio, and an unknown voice', async () => {
    const o = { text: 'Hello.', leadMs: 0, tailMs: 0, outDir: tempDir('lipsync'), id: 'x' };
    await expect(synthesize({ ...o, voice: 'en-us', wpm: 500 })).rejects.toThrow(/500 wpm is outside 80\.\.450/);
    await expect(synthesize({ ...o, voice: 'xx-nope', wpm: 150 })).rejects.toThrow(/no voice 'xx-nope'/);
  });

  // festival and its voice are installed by .ci/run like espeak-ng: a missing one fails here, never skips.
  it('festival lines come in the same format, its phones named as espeak-ng names them', async () => {
    const { timeline, wav } = await synthesizeFestival({
      text: 'Who threw the ball?',
      outDir: tempDir('lipsync'),
      id: 'f',
      leadMs: 200,
      tailMs: 200,
    });
    expect(readWav(wav).samples.length).toBe(timeline.num_samples);
    const spoken = timeline.phonemes.filter((p) => p.ph !== '_');
    expect(spoken.map((p) => p.ph).join(' ')).toBe('h u: T r u: D @ b O: l');
    expect(spoken.map((p) => p.festival).join(' ')).toBe('hh uw th r uw dh ax b ao l');
    expect(spoken.filter((p) => p.stress).map((p) => p.ph)).toEqual(['u:', 'u:', 'O:']);
    expect(timeline.phonemes[0]!.start).toBeCloseTo(0.2, 6);
  });
});

describe('corpora', () => {
  it('dev starts with the judge development lines, and no held-out text or voice is in dev', () => {
    const dev = readCorpusLines(corpusFile('dev'));
    const held = readCorpusLines(corpusFile('heldout'));
    expect(dev.slice(0, 10).map((l) => l.id)).toEqual([
      'd01-baby-bump',
      'd02-mop-top',
      'd03-blue-shoes',
      'd04-calm-palm',
      'd05-bubble-pipe',
      'd06-cool-pool',
      'd07-map-lamp',
      'd08-heart-spark',
      'd09-ok-goodbye',
      'd10-mumble',
    ]);
    expect(dev[2]).toEqual({ id: 'd03-blue-shoes', voice: 'en-us+f2', wpm: 170, text: 'Lou wore blue shoes to the zoo at noon.' });
    expect(held.length).toBeGreaterThanOrEqual(10);
    const devVoices = new Set(dev.map((l) => l.voice));
    const devTexts = new Set(dev.map((l) => l.text));
    for (const h of held) {
      expect(devVoices.has(h.voice)).toBe(false);
      expect(devTexts.has(h.text)).toBe(false);
      expect(h.wpm).toBeGreaterThanOrEqual(120);
      expect(h.wpm).toBeLessThanOrEqual(260);
    }
    expect(new Set(held.map((l) => l.voice)).size).toBe(held.length);
  });

  it('is spoken once: a second build reuses the folder, and degraded copies keep the timeline', async () => {
    const cacheDir = tempDir('lipsync-cache');
    const a = await buildCorpus('foreign', { cacheDir });
    const first = statSync(a.items[0]!.wav).mtimeMs;
    const b = await buildCorpus('foreign', { cacheDir });
    expect(b.dir).toBe(a.dir);
    expect(statSync(b.items[0]!.wav).mtimeMs).toBe(first);
    const q = await buildCorpus('foreign', { cacheDir, degrade: 'quiet' });
    expect(q.dir).not.toBe(a.dir);
    // the same phonemes at the same times; the audio is at 16 kHz, as long as the clean line's
    const clean = a.items[3]!.timeline;
    const quiet = q.items[3]!.timeline;
    expect(quiet.phonemes).toEqual(clean.phonemes);
    expect(quiet.duration).toBe(clean.duration);
    expect(quiet.sample_rate).toBe(16000);
    expect(readWav(q.items[3]!.wav).samples.length).toBe(quiet.num_samples);
    expect(quiet.num_samples / 16000).toBeCloseTo(clean.duration, 3);
    expect(JSON.parse(readFileSync(q.items[3]!.json, 'utf8')).degradation).toBe('quiet');
  });

  it('classes every phoneme the foreign lines speak', async () => {
    const corpus = await buildCorpus('foreign');
    const unknown = corpus.items.flatMap((it) =>
      it.timeline.phonemes.filter((p) => classify(p.ph)[0] === 'OTHER' && /[aeiouyAEIOUY@03W]/.test(p.ph)),
    );
    expect(unknown.map((p) => p.ph)).toEqual([]);
    for (const it of corpus.items) {
      const open = it.timeline.phonemes.filter((p) => classify(p.ph).includes('OPEN'));
      const closures = it.timeline.phonemes.filter((p) => classify(p.ph).includes('BILABIAL'));
      expect(open.length, it.id).toBeGreaterThan(0);
      expect(closures.length, it.id).toBeGreaterThan(0);
    }
  });
});
