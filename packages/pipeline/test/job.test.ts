import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@a2f/audio';
import { tempDir, voicedLine } from '@a2f/test-utils';
import { parseUsda } from '@a2f/usd';
import { JobContext, processLines, type LineSuccess } from '../src/index.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');

const CHARACTER = path.join(SAMPLES_DIR, 'character', 'face.usda');
const work = tempDir('job');

/** A speech-like test line: silence, a voiced vowel-ish harmonic tone, silence. */
function vowelLine(file: string, rate = 44100): string {
  const partials = [
    [140, 0.3],
    [700, 0.25],
    [1200, 0.15],
    [2600, 0.05],
  ] as const;
  writeFileSync(file, encodeWav([voicedLine({ rate, seconds: 1.2, from: 0.3, to: 0.9, partials })], rate, 'pcm16'));
  return file;
}

describe('JobContext', () => {
  let ctx: JobContext;
  const out = path.join(work, 'out');
  beforeAll(async () => {
    ctx = await JobContext.create({ character: CHARACTER, outDir: out, fps: '24', exportJson: true });
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('writes a layer, a report and the a2f_export JSON for a line, with provenance', async () => {
    const r = await ctx.process(vowelLine(path.join(work, 'vowel take.wav')));
    expect(r.ok).toBe(true);
    const ok = r as LineSuccess;
    expect(ok.name).toBe('vowel take');
    expect(ok.frames).toBe(Math.ceil(1.2 * 24));
    expect(ok.files.map((f) => path.basename(f))).toEqual(['vowel take.usda', 'vowel take.a2f.json', 'vowel take.report.json']);
    const layer = parseUsda(readFileSync(ok.layers[0], 'utf8'), ok.layers[0]);
    expect(layer.metadata.map((m) => m.key)).toEqual(expect.arrayContaining(['timeCodesPerSecond', 'customLayerData', 'subLayers']));
    const report = JSON.parse(readFileSync(ok.report, 'utf8'));
    expect(report.frames).toBe(ok.frames);
    expect(report.provenance.audio.file).toBe('vowel take.wav');
    expect(report.provenance.audio.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.origin.audioSha256).toBe(report.provenance.audio.sha256);
    expect(report.origin.settingsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(report.provenance.model.id).toBe('a2f-default-articulators');
    const json = JSON.parse(readFileSync(path.join(out, 'vowel take.a2f.json'), 'utf8'));
    const jaw = json.facsNames.indexOf('jawOpen');
    const open = json.weightMat.map((row: number[]) => row[jaw]);
    // The embedded model hears no voice in a harmonic tone: the face rests through it.
    expect(Math.max(...open)).toBeLessThan(0.05);
  });

  it('opens the jaw for real speech and rests before it (a committed sample line)', async () => {
    const line = path.join(work, 'papa.wav');
    writeFileSync(line, readFileSync(path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav')));
    const r = (await ctx.process(line)) as LineSuccess;
    expect(r.ok).toBe(true);
    const json = JSON.parse(readFileSync(path.join(out, 'papa.a2f.json'), 'utf8'));
    const open = json.weightMat.map((row: number[]) => row[json.facsNames.indexOf('jawOpen')]);
    expect(Math.max(...open.slice(0, 3))).toBeLessThan(0.05);
    expect(Math.max(...open)).toBeGreaterThan(0.2);
  });

  it('returns a failure naming the file and the fix, without throwing or writing', async () => {
    const bad = path.join(work, 'notes.wav');
    writeFileSync(bad, 'not audio\n'.repeat(50));
    const r = await ctx.process(bad);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('NOT_AUDIO');
    expect(r.error.message).toContain('notes.wav');
    expect(r.error.fix).toBeTruthy();
    expect(existsSync(path.join(out, 'notes.usda'))).toBe(false);
  });
});

describe('processLines', () => {
  it('keeps going after a failed line and keeps earlier outputs', async () => {
    const out = path.join(work, 'batch');
    const a = vowelLine(path.join(work, 'a.wav'), 16000);
    const missing = path.join(work, 'missing.wav');
    const b = vowelLine(path.join(work, 'b.wav'), 48000);
    const seen: string[] = [];
    const results = await processLines(
      [a, missing, b],
      { character: CHARACTER, outDir: out },
      {
        onLineDone: (r) => seen.push(`${path.basename(r.audio)}:${r.ok}`),
      },
    );
    expect(seen).toEqual(['a.wav:true', 'missing.wav:false', 'b.wav:true']);
    expect(results[1].ok ? '' : results[1].error.code).toBe('NOT_FOUND');
    expect(readdirSync(out).sort()).toEqual(['a.report.json', 'a.usda', 'b.report.json', 'b.usda']);
  });

  it('stops at the first failure with failFast', async () => {
    const out = path.join(work, 'fast');
    const results = await processLines(
      [path.join(work, 'nope.wav'), vowelLine(path.join(work, 'c.wav'))],
      { character: CHARACTER, outDir: out },
      { failFast: true },
    );
    expect(results).toHaveLength(1);
    expect(results[0].ok).toBe(false);
  });

  it('refuses a bad character before any line runs', async () => {
    await expect(
      processLines([path.join(work, 'a.wav')], { character: path.join(work, 'nope.usda'), outDir: path.join(work, 'x') }),
    ).rejects.toThrow(/nope\.usda.*--character/);
  });
});
