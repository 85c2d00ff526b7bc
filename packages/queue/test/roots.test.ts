import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir, thrown } from '@a2f/test-utils';
import { describe, expect, it } from 'vitest';
import { mapPath, parsePathMap } from '../src/index.js';
import { resolveRoots, underRoots } from '../src/roots.js';

describe('--path-map', () => {
  it('rewrites the longest matching mount point, whole folder names only', () => {
    const map = parsePathMap(['/Volumes/dialogue=/mnt/dialogue', '/Volumes/dialogue/final/=/mnt/final']);
    expect(mapPath('/Volumes/dialogue/sc01/a.wav', map)).toBe('/mnt/dialogue/sc01/a.wav');
    expect(mapPath('/Volumes/dialogue/final/a.wav', map)).toBe('/mnt/final/a.wav');
    expect(mapPath('/Volumes/dialogue2/a.wav', map)).toBe('/Volumes/dialogue2/a.wav');
    expect(mapPath('/Volumes/dialogue', map)).toBe('/mnt/dialogue');
  });

  it('refuses anything but two absolute folders', () => {
    for (const bad of ['/a', 'a=/b', '/a=', '=/b'])
      expect(thrown(() => parsePathMap([bad]))).toMatchObject({ code: 'BAD_SETTING', file: '--path-map' });
  });
});

describe('roots', () => {
  it('are required, and must exist', () => {
    expect(thrown(() => resolveRoots([]))).toMatchObject({ code: 'BAD_SETTING', file: '--allow-root' });
    expect(thrown(() => resolveRoots([path.join(tempDir('r'), 'nope')]))).toMatchObject({ code: 'BAD_SETTING' });
  });

  it('take paths under them, links followed, and refuse the rest by name', () => {
    const root = tempDir('root');
    const other = tempDir('other');
    const roots = resolveRoots([root]);
    writeFileSync(path.join(root, 'a.wav'), 'x');
    writeFileSync(path.join(other, 'b.wav'), 'x');
    symlinkSync(path.join(other, 'b.wav'), path.join(root, 'b.wav'));
    mkdirSync(path.join(root, 'layers'));
    expect(underRoots(path.join(root, 'a.wav'), roots, 'audio file')).toBe(path.join(roots[0], 'a.wav'));
    // An output folder not made yet is judged by the folder it would be made in.
    expect(underRoots(path.join(root, 'layers', 'sc01', 'hero'), roots, 'output folder')).toBe(
      path.join(roots[0], 'layers', 'sc01', 'hero'),
    );
    const viaLink = thrown(() => underRoots(path.join(root, 'b.wav'), roots, 'audio file'));
    expect(viaLink).toMatchObject({ code: 'ROOT_REFUSED', file: path.join(root, 'b.wav') });
    expect(viaLink.problem).toContain('resolves to');
    expect(thrown(() => underRoots(path.join(root, '..', path.basename(other), 'b.wav'), roots, 'audio file'))).toMatchObject({
      code: 'ROOT_REFUSED',
    });
    expect(thrown(() => underRoots('relative/a.wav', roots, 'audio file'))).toMatchObject({ code: 'ROOT_REFUSED' });
  });
});
