import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { expandAudioArgs } from '../src/index.js';

describe('expandAudioArgs', () => {
  it('expands a folder to its audio files, sorted, skipping hidden and non-audio files', () => {
    const d = tempDir('inputs');
    for (const f of ['b.wav', 'a.FLAC', '.partial.wav', 'notes.txt', 'c.mp3']) writeFileSync(path.join(d, f), '');
    mkdirSync(path.join(d, 'sub.wav'));
    expect(expandAudioArgs([d]).map((f) => path.basename(f))).toEqual(['a.FLAC', 'b.wav', 'c.mp3']);
  });

  it('passes files through as given, so a wrong one gets its own error', () => {
    expect(expandAudioArgs(['/nope/missing.wav', 'x.txt'])).toEqual(['/nope/missing.wav', 'x.txt']);
  });

  it('keeps an empty folder as is, so the user hears about it', () => {
    const d = tempDir('empty');
    expect(expandAudioArgs([d])).toEqual([d]);
  });
});
