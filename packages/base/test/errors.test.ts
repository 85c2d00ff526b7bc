import { describe as group, expect, it } from 'vitest';
import { A2fError, isA2fError } from '../src/index.js';

class PackError extends A2fError<'PACK_BAD'> {}

group('A2fError', () => {
  it('words its message from the file, the problem and the fix, and keeps each field', () => {
    const cause = new Error('ENOENT');
    const err = new PackError('PACK_BAD', 'packs/mark/pack.json', 'is missing', 'Run "a2f models pull mark".', { cause });
    expect(err.message).toBe('packs/mark/pack.json: is missing. Run "a2f models pull mark".');
    expect(err).toMatchObject({
      code: 'PACK_BAD',
      file: 'packs/mark/pack.json',
      problem: 'is missing',
      fix: 'Run "a2f models pull mark".',
    });
    expect(err.cause).toBe(cause);
    // The subclass's own name, so logs and the CLI's fallback code say which package threw it.
    expect(err.name).toBe('PackError');
    expect(err).toBeInstanceOf(Error);
  });

  it('has no cause property unless one is given', () => {
    expect(Object.hasOwn(new A2fError('X', 'f', 'p', 'f'), 'cause')).toBe(false);
  });
});

group('isA2fError', () => {
  it('knows the shape from another copy of the package, and nothing that lacks a field', () => {
    const foreign = Object.assign(new Error('a: b. c'), { code: 'X', file: 'a', problem: 'b', fix: 'c' });
    expect(isA2fError(new A2fError('X', 'a', 'b', 'c'))).toBe(true);
    expect(isA2fError(foreign)).toBe(true);
    expect(isA2fError(Object.assign(new Error('a'), { code: 'X', file: 'a', problem: 'b' }))).toBe(false);
    expect(isA2fError({ code: 'X', file: 'a', problem: 'b', fix: 'c', message: 'not an Error' })).toBe(false);
    expect(isA2fError(null)).toBe(false);
  });
});
