import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { outputName, relativeAssetPath, uniqueNames } from '../src/index.js';

describe('output names', () => {
  it('derives a file-system-safe stem from the audio name', () => {
    expect(outputName('/takes/Scene 12 – take 3.wav')).toBe('Scene_12_take_3');
    expect(outputName('/takes/.hidden.wav')).toBe('hidden');
    expect(outputName('/takes/line.01.flac')).toBe('line.01');
    expect(outputName('/takes/???.wav')).toBe('line');
  });

  it('keeps outputs of colliding names apart', () => {
    expect(uniqueNames(['a/take.wav', 'b/take.mp3', 'c/take.wav', 'd/TAKE.ogg', 'e/other.wav']))
      .toEqual(['take', 'take_mp3', 'take_wav', 'TAKE_ogg', 'other']);
  });

  it('writes the character path relative to the layer, with forward slashes', () => {
    expect(relativeAssetPath('/shot/layers', '/shot/assets/hero.usda')).toBe('../assets/hero.usda');
    expect(relativeAssetPath('/shot', '/shot/hero.usda')).toBe('./hero.usda');
    expect(relativeAssetPath(path.join('/a', 'b'), path.join('/a', 'b', 'c', 'd.usda'))).toBe('./c/d.usda');
  });
});
