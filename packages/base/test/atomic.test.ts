import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { writeFileAtomic } from '../src/index.js';

const dir = () => tempDir('atomic');

describe('writeFileAtomic', () => {
  it('writes strings, bytes and chunked text whole', () => {
    const d = dir();
    writeFileAtomic(path.join(d, 'a.txt'), 'héllo');
    writeFileAtomic(path.join(d, 'b.bin'), Uint8Array.of(0, 1, 2, 255));
    const big = Array.from({ length: 5000 }, (_, i) => `line ${i} ${'x'.repeat(300)}\n`);
    writeFileAtomic(path.join(d, 'c.usda'), (sink) =>
      big.forEach((l) => {
        sink(l);
      }),
    );
    expect(readFileSync(path.join(d, 'a.txt'), 'utf8')).toBe('héllo');
    expect(Array.from(readFileSync(path.join(d, 'b.bin')))).toEqual([0, 1, 2, 255]);
    expect(readFileSync(path.join(d, 'c.usda'), 'utf8')).toBe(big.join(''));
    expect(readdirSync(d).sort()).toEqual(['a.txt', 'b.bin', 'c.usda']);
  });

  it('leaves the previous file and no temporary file when writing fails midway', () => {
    const d = dir();
    const target = path.join(d, 'layer.usda');
    writeFileSync(target, 'previous');
    expect(() =>
      writeFileAtomic(target, (sink) => {
        sink('x'.repeat(2 << 20)); // past the flush threshold, so bytes really reached the temp file
        throw new Error('writer broke');
      }),
    ).toThrow('writer broke');
    expect(readFileSync(target, 'utf8')).toBe('previous');
    expect(readdirSync(d)).toEqual(['layer.usda']);
  });

  it('fails clearly when the folder does not exist', () => {
    expect(() => writeFileAtomic(path.join(dir(), 'missing', 'x.usda'), 'x')).toThrow(/ENOENT/);
  });
});
