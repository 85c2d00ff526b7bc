// The checks the model is held to can pass and can fail: an ideal face built from each timeline meets
// every one of them; a still face and a random one miss the ones they must.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildCorpus,
  checksFor,
  failures,
  scoreCorpus,
  syntheticAnimation,
  type Animation,
  type Corpus,
  type SetReport,
  type SyntheticKind,
  type SyntheticOptions,
} from '../src/index.js';

const run = promisify(execFile);
/** the runner as users start it: it reads the built package (turbo builds before it tests) */
const EVALUATE = fileURLToPath(new URL('../evaluate.mjs', import.meta.url));

afterAll(removeTempDirs);

let corpora: Corpus[];
beforeAll(async () => {
  // the timelines are what matters here: a degraded copy has the clean one's
  corpora = await Promise.all([
    buildCorpus('dev'),
    buildCorpus('heldout'),
    buildCorpus('foreign'),
    buildCorpus('dev', { degrade: 'quiet' }),
  ]);
});

function score(kind: SyntheticKind, o: SyntheticOptions = {}): SetReport[] {
  return corpora.map((c) => {
    const anims = new Map<string, Animation>(c.items.map((it) => [it.id, syntheticAnimation(it.timeline, kind, o)]));
    return scoreCorpus(c, anims, kind);
  });
}

describe('synthetic faces', () => {
  it('an ideal face, with coarticulation-like 30 ms smoothing, meets every check', () => {
    const reports = score('ideal', { smoothMs: 30 });
    expect(reports.flatMap((r) => failures(checksFor(r)))).toEqual([]);
    const dev = reports[0]!;
    // d13 has no p/b/m, so no jaw ratio: 15 sentences are judged on all of jaw, rest and lag
    expect(dev.all).toEqual({ judged: 15, passed: 15 });
  });

  it('an ideal face 150 ms late misses the lag window', () => {
    const dev = score('ideal', { smoothMs: 30, shiftMs: 150 })[0]!;
    const missed = failures(checksFor(dev));
    expect(missed.some((f) => f.startsWith('dev/clean lag_ms:'))).toBe(true);
    expect(dev.summary.lag_ms!.passed).toBe(0);
  });

  it('a still face misses jaw, lag, closure and every face drive, though it rests in silence', () => {
    const [dev, , foreign] = score('still');
    const names = failures(checksFor(dev!)).map((f) => f.split(':')[0]);
    for (const n of [
      'jaw_open_ratio',
      'bilabial_closure',
      'lag_ms',
      'jaw+rest+lag',
      'tongue tip on t/d/n/l ≥ 0.1',
      'brows move',
      'eyes move',
    ]) {
      expect(names).toContain(`dev/clean ${n}`);
    }
    expect(names).not.toContain('dev/clean silence_rest');
    expect(failures(checksFor(foreign!)).map((f) => f.split(':')[0])).toContain('foreign/clean lag_ms');
  });

  it('random weights flap in silence and follow no phoneme', () => {
    const reports = score('noise', { seed: 7 });
    for (const r of reports) {
      const names = failures(checksFor(r)).map((f) => f.split(':')[0]);
      expect(names.some((n) => n.includes('silence_rest'))).toBe(true);
    }
    expect(reports[0]!.all.passed).toBe(0);
  });
});

describe('evaluate.mjs', () => {
  it('scores a folder of ANIMATION.json as it scores a model, and writes the scores as JSON', async () => {
    const dir = tempDir('lipsync-anims');
    const dev = corpora[0]!;
    for (const it of dev.items)
      writeFileSync(path.join(dir, `${it.id}.json`), JSON.stringify(syntheticAnimation(it.timeline, 'ideal', { smoothMs: 30 })));
    const json = path.join(dir, 'scores.json');
    const { stdout } = await run(process.execPath, [EVALUATE, '--model', dir, '--set', 'dev', '--json', json]);
    const name = path.basename(dir);
    expect(stdout).toContain(`| ${name}, dev | 15/15 (mean `);
    expect(stdout).toContain('| **15/15** |');
    expect(stdout).toMatch(/^\| d01-baby-bump \| en-us \| 160 \| /m);
    expect(stdout).toMatch(/^(\d+)\/\1 met$/m);
    const scores = JSON.parse(readFileSync(json, 'utf8')) as SetReport[];
    expect(scores.map((r) => [r.set, r.variant, r.sentences.length])).toEqual([['dev', 'clean', 16]]);
  });

  it('names what it cannot use', async () => {
    const err = await run(process.execPath, [EVALUATE, '--degrade', 'rain']).catch((e: { code: number; stderr: string }) => e);
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toContain(
      '--degrade: rain is not a degradation (use noise10, music, loud, quiet, phone8k, breaths or all)',
    );
    // an animation the metrics cannot read is named by its file
    const dir = tempDir('lipsync-anims');
    const file = path.join(dir, 'd01-baby-bump.json');
    writeFileSync(file, JSON.stringify({ fps: 30, names: ['mouthPucker'], frames: [[0], [0]] }));
    const noJaw = await run(process.execPath, [EVALUATE, '--model', dir, '--set', 'dev']).catch((e: { stderr: string }) => e);
    expect((noJaw as { stderr: string }).stderr).toContain(`${file}: has no jawOpen channel among its 1`);
  });
});
