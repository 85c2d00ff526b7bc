import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeWav } from '@a2f/audio';
import { removeTempDirs, sine, tempDir } from '@a2f/test-utils';
import { JobContext, type LineResult, type LineSuccess } from '../src/index.js';

// Rules under test: docs/output-names.md ("Existing layers").
const CHARACTER = path.resolve(import.meta.dirname, '../../../samples/character/face.usda');
const work = tempDir('clobber');

/** A half-second tone at `hz`: distinct hz, distinct bytes, so a distinct audio SHA-256. */
function tone(file: string, hz: number): string {
  writeFileSync(file, encodeWav([sine(8000, 16000, hz, 0.3)], 16000, 'pcm16'));
  return file;
}

const success = (r: LineResult): LineSuccess => {
  if (!r.ok) throw new Error(`expected the line to succeed, it failed: ${r.error.message}`);
  return r;
};

describe('a line whose name already holds a layer', () => {
  const out = path.join(work, 'out');
  const takes = path.join(work, 'takes');
  let ctx: JobContext;
  beforeAll(async () => {
    mkdirSync(takes);
    ctx = await JobContext.create({ character: CHARACTER, outDir: out, fps: '24' });
  });
  afterAll(async () => {
    await ctx.close();
    removeTempDirs();
  });

  it('replaces nothing when the same audio and settings made it, and says so when other audio did', async () => {
    const take = tone(path.join(takes, 'take.wav'), 220);
    expect(success(await ctx.process(take)).replaced).toBeUndefined();
    expect(success(await ctx.process(take)).replaced).toBeUndefined();

    tone(take, 330);
    const again = success(await ctx.process(take));
    expect(again.replaced).toEqual({
      files: [path.join(out, 'take.usda'), path.join(out, 'take.report.json')],
      reason: 'audio',
      previousAudio: take,
    });
    // The report records what replaced what, and the new origin is the new audio's.
    const report = JSON.parse(readFileSync(again.report, 'utf8'));
    expect(report.replaced.reason).toBe('audio');
    expect(report.origin.audioSha256).toBe(report.provenance.audio.sha256);
  });

  it('with noClobber fails the line with OUTPUT_EXISTS and keeps the existing files', async () => {
    const take = tone(path.join(takes, 'kept.wav'), 440);
    success(await ctx.process(take));
    const layer = path.join(out, 'kept.usda');
    const before = readFileSync(layer);
    tone(take, 550);
    const refused = await ctx.process(take, { noClobber: true });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('OUTPUT_EXISTS');
    expect(refused.error.message).toContain(`${layer}: already exists, made from other audio (kept.wav), and --no-clobber keeps it`);
    expect(readFileSync(layer)).toEqual(before);
  });

  it('calls files with no readable report beside them unknown', async () => {
    writeFileSync(path.join(out, 'byhand.usda'), '#usda 1.0\n');
    const r = success(await ctx.process(tone(path.join(takes, 'byhand.wav'), 660)));
    expect(r.replaced).toEqual({ files: [path.join(out, 'byhand.usda')], reason: 'unknown' });
  });
});
