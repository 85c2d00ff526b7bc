import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_STEM_BYTES, outputName, relativeAssetPath, safeFileName, uniqueNames } from '../src/index.js';

describe('output names', () => {
  it('keeps the audio file stem as given: UTF-8, spaces, quotes, hyphens, leading digits', () => {
    expect(outputName('/takes/Scene 12 – take 3.wav')).toBe('Scene 12 – take 3');
    expect(outputName('/takes/01-bob-boot.wav')).toBe('01-bob-boot');
    expect(outputName('/takes/中国.wav')).toBe('中国');
    expect(outputName('/takes/日本.wav')).toBe('日本');
    expect(outputName("/takes/it's Zoë's.flac")).toBe("it's Zoë's");
    expect(outputName('/takes/line.01.flac')).toBe('line.01');
    expect(outputName('/takes/-dash.wav')).toBe('-dash');
  });

  it('replaces only what a file system forbids (Linux, macOS, Windows)', () => {
    expect(outputName('/takes/.hidden.wav')).toBe('_hidden');
    expect(outputName('/takes/???.wav')).toBe('___');
    expect(safeFileName('a<b>c:d"e|f?g*h\\i/j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(safeFileName('tab\there\u0000nul\u007f')).toBe('tab_here_nul_');
    expect(safeFileName('ends with dots..')).toBe('ends with dots__');
    expect(safeFileName('ends with space ')).toBe('ends with space_');
    expect(safeFileName('CON')).toBe('CON_');
    expect(safeFileName('lpt1.take')).toBe('lpt1_.take');
    expect(safeFileName('console')).toBe('console');
    expect(safeFileName('')).toBe('line');
  });

  it('cuts an over-long stem on a character boundary', () => {
    const long = safeFileName('語'.repeat(100));
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(MAX_STEM_BYTES);
    expect(long).toBe('語'.repeat(Math.floor(MAX_STEM_BYTES / 3)));
  });

  it('keeps outputs of colliding names apart: the first keeps its stem, later ones get their file name, then (n)', () => {
    expect(uniqueNames(['a/take.wav', 'b/take.mp3', 'c/take.wav', 'd/TAKE.ogg', 'e/other.wav', 'f/Take.MP3'])).toEqual([
      'take',
      'take.mp3',
      'take.wav',
      'TAKE.ogg',
      'other',
      'Take (2)',
    ]);
    // é as one code point and as e + combining accent are one name on macOS.
    expect(uniqueNames(['caf\u00e9.wav', 'cafe\u0301.wav'])).toEqual(['caf\u00e9', 'cafe\u0301.wav']);
  });

  it('writes the character path relative to the layer, with forward slashes', () => {
    expect(relativeAssetPath('/shot/layers', '/shot/assets/hero.usda')).toBe('../assets/hero.usda');
    expect(relativeAssetPath('/shot', '/shot/hero.usda')).toBe('./hero.usda');
    expect(relativeAssetPath(path.join('/a', 'b'), path.join('/a', 'b', 'c', 'd.usda'))).toBe('./c/d.usda');
  });
});
