import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, speechWav, tempDir } from '@a2f/test-utils';
import {
  JobContext,
  outputSettings,
  provenanceSettings,
  resolveSettings,
  settingsFingerprint,
  type LineFailure,
  type LineSuccess,
} from '../src/index.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const CHARACTER = path.resolve(import.meta.dirname, '../../../samples/character/face.usda');

afterAll(removeTempDirs);

const report = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

describe('the preview setting', () => {
  it('writes <name>.preview.html after the layer, lists it, and leaves the layer provenance as it was', async () => {
    const work = tempDir('preview-job');
    const audio = path.join(work, 'take 1.wav');
    writeFileSync(audio, speechWav(140, 0.5));
    const plain = await JobContext.create({ character: CHARACTER, outDir: path.join(work, 'plain') });
    const withPage = await JobContext.create({ character: CHARACTER, outDir: path.join(work, 'page'), preview: true });
    try {
      const a = (await plain.process(audio)) as LineSuccess;
      const b = (await withPage.process(audio)) as LineSuccess;
      expect(a.ok && b.ok).toBe(true);
      expect(a.preview).toBeUndefined();
      expect(existsSync(path.join(work, 'plain', 'take 1.preview.html'))).toBe(false);
      expect(b.files.map((f) => path.basename(f))).toEqual(['take 1.usda', 'take 1.preview.html', 'take 1.report.json']);
      expect(b.preview).toBe(path.join(work, 'page', 'take 1.preview.html'));
      const html = readFileSync(b.preview!, 'utf8');
      expect(html).toContain('id="a2f-data"');
      expect(html).toContain('<title>take 1');
      expect(report(b.report).preview).toBe('take 1.preview.html');
      // The same layer with a page or without: the same origin, so neither run calls the other's layer replaced.
      expect(report(b.report).origin).toEqual(report(a.report).origin);
    } finally {
      await plain.close();
      await withPage.close();
    }
  });

  it('fails the line when the page cannot be written, keeping the layer and its report', async () => {
    const work = tempDir('preview-fail');
    const out = path.join(work, 'out');
    const audio = path.join(work, 'take.wav');
    writeFileSync(audio, speechWav(140, 0.5));
    // A folder where the page must go: the write fails as a full or read-only disk would.
    mkdirSync(path.join(out, 'take.preview.html'), { recursive: true });
    const ctx = await JobContext.create({ character: CHARACTER, outDir: out, preview: true });
    try {
      const r = (await ctx.process(audio)) as LineFailure;
      expect(r.ok).toBe(false);
      expect(r.error.message).toContain(path.join(out, 'take.preview.html'));
      expect(r.error.message).toContain('the preview page was not written');
      expect(r.error.message).toContain('the layer take.usda and its report were');
      expect(r.error.fix).toContain(`a2f preview "${path.join(out, 'take.usda')}"`);
      expect(r.kept?.map((f) => path.basename(f))).toEqual(['take.usda', 'take.report.json']);
      expect(existsSync(path.join(out, 'take.usda'))).toBe(true);
      const rep = report(path.join(out, 'take.report.json'));
      expect(rep.preview).toBeUndefined();
      expect(rep.previewError.code).toBe(r.error.code);
    } finally {
      await ctx.close();
    }
  });

  it('is refused with --no-sublayer, whose override layer has no face to show', () => {
    const given = { character: CHARACTER, outDir: '/tmp/out', preview: true, sublayerCharacter: false };
    expect(() => resolveSettings(given)).toThrow(/--preview: is given with --no-sublayer/);
    expect(resolveSettings({ ...given, layering: 'reference' }).preview).toBe(true);
  });

  it('is in the watch key only when on, and never in the report hash', () => {
    const base = { character: CHARACTER, outDir: '/tmp/out' };
    const off = resolveSettings(base);
    const on = resolveSettings({ ...base, preview: true });
    expect(off.preview).toBe(false);
    expect(provenanceSettings(on)).toEqual(provenanceSettings(off));
    expect(outputSettings(on).preview).toBe(true);
    const extras = { presetSha256: 'p', template: '{name}.usda', tool: '0' };
    const { preview: _p, ...before } = outputSettings(off);
    // A folder watched before the setting existed keeps its keys; turning it on makes new ones.
    expect(settingsFingerprint(outputSettings(off), extras)).toBe(settingsFingerprint(before, extras));
    expect(settingsFingerprint(outputSettings(on), extras)).not.toBe(settingsFingerprint(outputSettings(off), extras));
  });
});
