import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as v from 'valibot';
import { describe as group, expect, it } from 'vitest';
import { checkJson, expects, jsonObject, jsonPath, jsonRecord, readJsonFile, type JsonIssue } from '../src/index.js';

const strength = expects(
  v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1)),
  'a number from 0 to 1',
  'Strengths run from 0 to 1.',
);
const schema = jsonObject(
  {
    name: expects(v.pipe(v.string(), v.nonEmpty()), 'a non-empty string'),
    emotions: expects(v.array(jsonObject({ time: expects(v.number(), 'seconds'), joy: v.optional(strength) })), 'an array of keys'),
    extra: v.optional(jsonRecord(expects(v.string(), 'a string'))),
  },
  'an object like {"name": …}',
);

/** The issue checkJson reports for `json`, or null when it passes. */
function issueOf(json: unknown): JsonIssue | null {
  try {
    checkJson(schema, json, (issue) => Object.assign(new Error(issue.path), { issue }), 'Fix the file.');
    return null;
  } catch (err) {
    return (err as { issue: JsonIssue }).issue;
  }
}

group('checkJson', () => {
  it('returns the parsed value when the schema passes', () => {
    const good = { name: 'a', emotions: [{ time: 0, joy: 0.5 }], extra: { k: 'v' } };
    expect(checkJson(schema, good, () => new Error('unexpected'))).toEqual(good);
    expect(issueOf(good)).toBeNull();
  });

  it('names the JSON path, what was expected, what was found and the field fix', () => {
    expect(issueOf({ name: 'a', emotions: [{ time: 0 }, { time: 1, joy: 2 }] })).toMatchObject({
      path: '$.emotions[1].joy',
      field: 'emotions[1].joy',
      expected: 'a number from 0 to 1',
      found: 2,
      foundText: 'number 2',
      fix: 'Strengths run from 0 to 1.',
      unknownKey: false,
      missing: false,
    });
  });

  it("falls back to the caller's fix, given as text or per issue", () => {
    expect(issueOf({ name: 7, emotions: [] })).toMatchObject({ path: '$.name', expected: 'a non-empty string', fix: 'Fix the file.' });
    expect(() =>
      checkJson(
        schema,
        { name: '', emotions: [] },
        (i) => new Error(`${i.path}: ${i.fix}`),
        (i) => `Correct "${i.field}".`,
      ),
    ).toThrow('$.name: Correct "name".');
  });

  it("reports a missing key with the field's own expectation, found nothing", () => {
    expect(issueOf({ emotions: [] })).toMatchObject({
      path: '$.name',
      expected: 'a non-empty string',
      missing: true,
      foundText: 'nothing',
    });
    expect(issueOf({ name: 'a', emotions: [{ joy: 1 }] })).toMatchObject({
      path: '$.emotions[0].time',
      expected: 'seconds',
      missing: true,
    });
  });

  it('reports an unknown key before any bad value, with the known keys in the fix', () => {
    expect(issueOf({ name: 3, emotions: [], nmae: 'x' })).toMatchObject({
      path: '$.nmae',
      unknownKey: true,
      found: 'x',
      fix: 'Remove "nmae" or fix its spelling; known fields: name, emotions, extra.',
    });
  });

  it('refuses an array where an object belongs (valibot object schemas alone accept one)', () => {
    expect(issueOf([1, 2])).toMatchObject({
      path: '$',
      field: '',
      expected: 'an object like {"name": …}',
      foundText: 'an array of 2 [1,2]',
    });
    expect(issueOf({ name: 'a', emotions: [], extra: ['v'] })).toMatchObject({ path: '$.extra', expected: 'an object' });
    expect(issueOf({ name: 'a', emotions: [], extra: { k: 1 } })).toMatchObject({ path: '$.extra.k', expected: 'a string', found: 1 });
  });

  it("runs an object's own check after its unknown keys and before its values", () => {
    const oneOf = jsonObject({ a: v.optional(v.number()), b: v.optional(v.number()) }, 'an object', {
      check: (o) =>
        Object.hasOwn(o, 'a') === Object.hasOwn(o, 'b') ? { expected: 'exactly one of "a" or "b"', fix: 'Keep one.' } : undefined,
    });
    const issue = (json: unknown): Partial<JsonIssue> => {
      try {
        checkJson(oneOf, json, (i) => Object.assign(new Error(), { i }));
        return {};
      } catch (err) {
        return (err as { i: JsonIssue }).i;
      }
    };
    expect(issue({ a: 'x', b: 'y' })).toMatchObject({ path: '$', expected: 'exactly one of "a" or "b"', fix: 'Keep one.' });
    expect(issue({ a: 1, c: 2 })).toMatchObject({ path: '$.c', unknownKey: true });
    expect(issue({ a: 'x' })).toMatchObject({ path: '$.a', found: 'x' });
    expect(issue({ b: 2 })).toEqual({});
  });

  it("falls back to valibot's expectation where a schema has no message of ours", () => {
    expect(() => checkJson(jsonObject({ n: v.number() }), { n: 'x' }, (i) => new Error(`${i.path} ${i.expected} ${i.foundText}`))).toThrow(
      '$.n number the string "x"',
    );
  });

  it('writes paths as $ with .key and [index] steps', () => {
    expect(jsonPath([])).toBe('$');
    expect(jsonPath(['emotions', 2, 'joy'])).toBe('$.emotions[2].joy');
  });
});

group('readJsonFile', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'a2f-json-'));
  const fail = (f: { reason: string; problem: string }) => new Error(`${f.reason}: ${f.problem}`);

  it('parses a file with a byte-order mark and returns its text', () => {
    const file = path.join(dir, 'bom.json');
    writeFileSync(file, '\uFEFF{"a": 1}');
    expect(readJsonFile(file, fail)).toEqual({ json: { a: 1 }, text: '\uFEFF{"a": 1}' });
  });

  it('says whether the file is missing or not JSON, through the caller’s error', () => {
    expect(() => readJsonFile(path.join(dir, 'none.json'), fail)).toThrow('missing: does not exist');
    const bad = path.join(dir, 'bad.json');
    writeFileSync(bad, '{"a": 1,}');
    expect(() => readJsonFile(bad, fail)).toThrow(/^syntax: is not valid JSON \(.+\)$/);
  });
});
