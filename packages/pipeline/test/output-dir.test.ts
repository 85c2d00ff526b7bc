import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir, thrown } from '@a2f/test-utils';
import { checkOutputDir, JobError, makeDirs } from '../src/index.js';

const work = tempDir('outdir');

const refusal = (fn: () => unknown): JobError => {
  const err = thrown(fn);
  expect(err).toBeInstanceOf(JobError);
  expect(err.code).toBe('OUTPUT_DIR');
  return err as JobError;
};

describe('checkOutputDir', () => {
  it('accepts an existing folder, a missing one under a writable folder, and a link to a folder; writes nothing', () => {
    const real = path.join(work, 'real');
    mkdirSync(real);
    symlinkSync(real, path.join(work, 'link'));
    expect(checkOutputDir(real)).toBe(real);
    expect(checkOutputDir(path.join(work, 'new', 'deeper'))).toBe(path.join(work, 'new', 'deeper'));
    expect(checkOutputDir(path.join(work, 'link', 'sub'))).toBe(path.join(work, 'link', 'sub'));
    expect(readdirSync(work).sort()).toEqual(['link', 'real']);
    expect(readdirSync(real)).toEqual([]);
  });

  it('refuses a file, a file above, a dangling link and pseudo file systems, naming the folder and the fix', () => {
    writeFileSync(path.join(work, 'afile'), 'x');
    symlinkSync(path.join(work, 'nowhere'), path.join(work, 'dangling'));
    const file = refusal(() => checkOutputDir(path.join(work, 'afile'), { label: 'output folder' }));
    expect(file.problem).toBe('the output folder is a file, so no layer can be written into it');
    expect(file.file).toBe(path.join(work, 'afile'));
    expect(refusal(() => checkOutputDir(path.join(work, 'afile', 'a', 'b'))).problem).toMatch(/afile, a folder above it, is a file/);
    expect(refusal(() => checkOutputDir(path.join(work, 'dangling'))).problem).toMatch(/symbolic link to .*nowhere, which does not exist/);
    expect(refusal(() => checkOutputDir(path.join(work, 'dangling', 'sub'))).fix).toMatch(/Create .*nowhere/);
    expect(refusal(() => checkOutputDir('/proc/a2f-x/y')).problem).toMatch(/proc pseudo file system/);
    expect(refusal(() => checkOutputDir('/sys/kernel')).problem).toMatch(/sysfs pseudo file system/);
  });
});

describe('makeDirs', () => {
  it('creates every missing folder, and stops with an error where recursive mkdir loops forever (/proc)', () => {
    makeDirs(path.join(work, 'm', 'n', 'o'));
    expect(readdirSync(path.join(work, 'm', 'n'))).toEqual(['o']);
    makeDirs(path.join(work, 'm', 'n', 'o'));
    expect(refusal(() => makeDirs('/proc/a2f-x/y')).problem).toMatch(/cannot be created/);
    expect(refusal(() => makeDirs(path.join(work, 'afile', 'x'))).problem).toMatch(/is a file/);
  });
});
