import { describe, expect, it } from 'vitest';
import { ignoreReason, isIgnoredPath, isSidecar } from '../src/index.js';

describe('names taken while a file is still being written', () => {
  it('skips the names editors, copy tools and browsers write under', () => {
    for (const name of [
      '.line01.wav.Xa1b2c', // rsync
      '.line01.usda.1234.0a1b2c3d.tmp', // our own atomic writes
      '._line01.wav', // macOS resource fork on shares
      'line01.wav~', // editor backup
      'line01.wav.part',
      'line01.wav.PART',
      'line01.partial',
      'line01.wav.crdownload',
      'line01.wav.download',
      'line01.wav.tmp',
      'line01.temp',
      'line01.wav.swp',
      'line01.wav.filepart',
      '~$script.docx',
      'Thumbs.db',
      '.DS_Store',
    ])
      expect(ignoreReason(name), name).not.toBeNull();
  });

  it('takes ordinary audio names, including ones with dots, dashes and spaces', () => {
    for (const name of ['line01.wav', 'sh010_take-3.flac', 'Hello World.mp3', 'v2.1.final.ogg', 'partial_take.wav', 'tmp_take.wav']) {
      expect(ignoreReason(name), name).toBeNull();
    }
  });

  it('ignores a path when any folder on it is ignored (the state folder, hidden folders)', () => {
    expect(isIgnoredPath('sh010/line01.wav')).toBe(false);
    expect(isIgnoredPath('.a2f-watch/journal/x.jsonl')).toBe(true);
    expect(isIgnoredPath('sh010/.cache/line01.wav')).toBe(true);
    expect(isIgnoredPath('sh010/line01.wav.part')).toBe(true);
    // Backslashes are part of a name (Linux): taken, and refused later by the output path guard.
    expect(isIgnoredPath('take\\..\\escape.wav')).toBe(false);
  });

  it('tells sidecars from lines', () => {
    expect(isSidecar('sh010/line01.a2f.json')).toBe(true);
    expect(isSidecar('line01.A2F.JSON')).toBe(true);
    expect(isSidecar('line01.json')).toBe(false);
    expect(isSidecar('line01.wav')).toBe(false);
  });
});
