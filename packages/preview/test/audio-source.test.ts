// Finding the audio a layer was made from (the run's report, then the provenance beside the layer,
// or --audio), the errors when it is missing or another file, and what goes into the page: a WAV
// that decodes to the same samples, the waveform's peaks and each frame's loudness.
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeAudioBytes, encodeWav } from '@a2f/audio';
import { rejection, removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { frameRms, peaks } from '../src/audio-source.js';
import { buildPreview } from '../src/index.js';
import { dialogueWav, FRAMES, makeLayer } from './fixtures.js';

afterAll(removeTempDirs);

const other = (): Uint8Array => encodeWav([new Float32Array(4800).fill(0.25)], 48000, 'pcm16');

describe('where the audio is found', () => {
  it("through the run's report beside the layer (a path relative to the layer's folder)", async () => {
    const made = makeLayer(tempDir('audio-report'), { jaw: 'blendshape' });
    const { header } = await buildPreview(made.layer);
    expect(header.audio).toMatchObject({ name: 'line.wav', sha256: made.sha256, sampleRate: 48000, channels: 2, durationSeconds: 1.5 });
    expect(header.notes).toEqual([]);
  });

  it("through the run's report for a reference-pattern shot (line.shot.usda beside line.report.json)", async () => {
    const made = makeLayer(tempDir('audio-shot'), { jaw: 'blendshape', layering: 'reference' });
    const { header } = await buildPreview(made.layer);
    expect(header.layer.name).toBe('line.shot.usda');
    expect(header.audio?.sha256).toBe(made.sha256);
    expect(header.binding).toMatchObject({ preset: 'arkit' });
  });

  it("through the layer's provenance when there is no report: the recorded name, beside the layer", async () => {
    const made = makeLayer(tempDir('audio-provenance'), { jaw: 'blendshape', report: false });
    copyFileSync(made.audio, path.join(made.dir, 'line.wav'));
    const { header } = await buildPreview(made.layer);
    expect(header.audio?.sha256).toBe(made.sha256);
  });

  it('from --audio, any file, with a note when it is not the one the layer recorded', async () => {
    const made = makeLayer(tempDir('audio-given'), { jaw: 'blendshape', report: false });
    const given = path.join(made.dir, 'take2.wav');
    writeFileSync(given, other());
    const { header } = await buildPreview(made.layer, { audio: given });
    expect(header.audio).toMatchObject({ name: 'take2.wav', channels: 1, durationSeconds: 0.1 });
    expect(header.notes.some((n) => n.includes('take2.wav') && n.includes('sha256 differs'))).toBe(true);
  });

  it('not at all with audio: false, and the page says it plays on a timer', async () => {
    const made = makeLayer(tempDir('audio-none'), { jaw: 'blendshape', report: false });
    const { header, wav } = await buildPreview(made.layer, { audio: false });
    expect(header.audio).toBeUndefined();
    expect(wav).toBeUndefined();
    expect(header.notes).toContain('no audio: the page plays on a timer');
  });
});

describe('when it cannot be used', () => {
  it('AUDIO_MISMATCH when the file the layer names has changed, naming it and the layer, fix --audio', async () => {
    const made = makeLayer(tempDir('audio-mismatch'), { jaw: 'blendshape', report: false });
    const beside = path.join(made.dir, 'line.wav');
    writeFileSync(beside, other());
    const e = await rejection(buildPreview(made.layer));
    expect(e.code).toBe('AUDIO_MISMATCH');
    expect(e.file).toBe(beside);
    expect(e.problem).toContain('line.usda');
    expect(e.problem).toContain(made.sha256.slice(0, 12));
    expect(e.fix).toContain('--audio <file>');
  });

  it('AUDIO_NOT_FOUND listing every place it looked, fix --audio or --no-audio', async () => {
    const made = makeLayer(tempDir('audio-missing'), { jaw: 'blendshape' });
    rmSync(made.audio);
    const e = await rejection(buildPreview(made.layer));
    expect(e.code).toBe('AUDIO_NOT_FOUND');
    expect(e.problem).toContain(made.audio);
    expect(e.problem).toContain(path.join(made.dir, 'line.wav'));
    expect(e.problem).toContain("the run's report");
    expect(e.fix).toContain('--audio <file>');
    expect(e.fix).toContain('--no-audio');
  });

  it('AUDIO_NOT_FOUND for an --audio file that does not exist', async () => {
    const made = makeLayer(tempDir('audio-given-missing'), { jaw: 'blendshape' });
    const e = await rejection(buildPreview(made.layer, { audio: path.join(made.dir, 'nope.wav') }));
    expect(e.code).toBe('AUDIO_NOT_FOUND');
    expect(e.file).toBe(path.join(made.dir, 'nope.wav'));
  });
});

describe('what goes into the page', () => {
  it('a 16-bit WAV that decodes to the original samples, rate and channels', async () => {
    const made = makeLayer(tempDir('audio-wav'), { jaw: 'blendshape' });
    const { wav } = await buildPreview(made.layer);
    const back = await decodeAudioBytes(wav!, 'page.wav');
    const original = await decodeAudioBytes(dialogueWav(), 'line.wav');
    expect(back.sampleRate).toBe(48000);
    expect(back.channels.length).toBe(2);
    expect(back.channels[0]!.length).toBe(72000);
    for (let i = 0; i < 72000; i += 997) expect(Math.abs(back.channels[1]![i]! - original.channels[1]![i]!)).toBeLessThanOrEqual(1 / 32768);
  });

  it("each frame's RMS: zero in the silent half second, the tone's 0.8/√2 after it", () => {
    const rate = 48000;
    const mono = new Float32Array(rate * 1.5);
    for (let i = rate / 2; i < mono.length; i++) mono[i] = 0.8 * Math.sin((2 * Math.PI * 220 * i) / rate);
    const rms = frameRms(mono, rate, 30, FRAMES + 2);
    expect(rms.length).toBe(FRAMES + 2);
    for (let f = 0; f < 15; f++) expect(rms[f]).toBe(0);
    // A 1/30 s frame holds 7.33 periods of 220 Hz: the RMS is within 2 % of the steady value.
    for (let f = 15; f < FRAMES; f++) expect(rms[f]).toBeCloseTo(0.8 / Math.SQRT2, 1);
    expect(rms[FRAMES]).toBe(0);
  });

  it('peaks: the min and max of each bucket', () => {
    const p = peaks(Float32Array.from([0, 0.5, -0.25, 1, -1, 0.1, 0.2]), 3);
    expect(Array.from(p)).toEqual([-0.25, 0.5, -1, 1, 0.2, 0.2].map(Math.fround));
  });
});
