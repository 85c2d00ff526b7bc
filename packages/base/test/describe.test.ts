import { describe as group, expect, it } from 'vitest';
import { describe, isRecord } from '../src/index.js';

group('describe', () => {
  it('names each kind of value short and typed', () => {
    expect(describe(undefined)).toBe('nothing');
    expect(describe(null)).toBe('null');
    expect(describe([1, 2])).toBe('an array of 2 [1,2]');
    expect(describe('joy')).toBe('the string "joy"');
    expect(describe({ a: 1 })).toBe('an object');
    expect(describe(1.5)).toBe('number 1.5');
    expect(describe(true)).toBe('boolean true');
  });

  it('clips long values to 60 characters, never a wall of JSON', () => {
    const text = describe('x'.repeat(200));
    expect(text).toBe(`the string "${'x'.repeat(56)}…`);
    expect(text.length).toBe('the string '.length + 58);
  });
});

group('isRecord', () => {
  it('is true for plain objects only', () => {
    expect(isRecord({})).toBe(true);
    expect(isRecord([])).toBe(false);
    expect(isRecord(null)).toBe(false);
    expect(isRecord('{}')).toBe(false);
  });
});
