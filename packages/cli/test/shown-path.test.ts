import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { shownPath } from '../src/shown-path.js';

describe('shownPath', () => {
  it('is relative under the working folder and absolute outside it, never ../../', () => {
    expect(shownPath('/work/repo/out/a.usda', '/work/repo')).toBe(path.join('out', 'a.usda'));
    expect(shownPath('/tmp/x/a.usda', '/work/repo')).toBe('/tmp/x/a.usda');
    expect(shownPath('/work/repo', '/work/repo')).toBe('.');
    expect(shownPath('/work/repo/..take.usda', '/work/repo')).toBe('..take.usda');
    expect(shownPath('/work/repo-2/a.usda', '/work/repo')).toBe('/work/repo-2/a.usda');
  });
});
