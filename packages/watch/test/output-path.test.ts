import { mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import {
  checkPathTemplate,
  ensureOutputDir,
  lineVariables,
  loadPathTemplate,
  OutputPathError,
  pathTemplateNames,
  renderOutputPath,
  type OutputPathVars,
} from '@a2f/pipeline';

const root = () => tempDir('paths');

const VARS: OutputPathVars = {
  name: 'line01',
  stem: 'line01',
  ext: 'wav',
  dir: 'sh010',
  shot: 'sh010',
  character: 'hero',
  model: 'default',
  fps: '24',
  date: '2026-11-25',
};

describe("path templates (the watch folder renders each line's output location with them)", () => {
  it('ships named templates: default mirrors the inbox tree, by-shot, flat', () => {
    expect(pathTemplateNames()).toEqual(expect.arrayContaining(['by-shot', 'default', 'flat']));
    expect(loadPathTemplate('default')).toBe('{dir}/{name}.usda');
    expect(loadPathTemplate('by-shot')).toBe('{shot}/{character}/{name}.usda');
    expect(loadPathTemplate('{shot}/{name}')).toBe('{shot}/{name}');
    expect(() => loadPathTemplate('no-such-template')).toThrow(/no path template "no-such-template".*by-shot/);
  });

  it('derives the variables of a line from its place in the watch folder', () => {
    const inbox = root();
    const v = lineVariables({
      audio: path.join(inbox, 'sq01/sh010/Take 3.final.WAV'),
      inputRoot: inbox,
      character: '/a/hero_v2.usda',
      model: '/packs/mark-v2.3',
      fps: { num: 30000, den: 1001 },
      date: new Date(2026, 0, 5),
    });
    expect(v).toEqual({
      name: 'Take 3.final',
      stem: 'Take 3.final',
      ext: 'wav',
      dir: 'sq01/sh010',
      shot: 'sq01',
      character: 'hero_v2',
      model: 'mark-v2.3',
      fps: '29.97',
      date: '2026-01-05',
    });
    // {name} keeps the user's name; only what a file system forbids is replaced (docs/output-names.md).
    const odd = lineVariables({
      audio: path.join(inbox, '01-bob "boot": 中国?.wav'),
      inputRoot: inbox,
      character: 'c.usda',
      model: 'default',
      fps: { num: 24, den: 1 },
    });
    expect([odd.name, odd.stem]).toEqual(['01-bob _boot__ 中国_', '01-bob "boot": 中国?']);
    expect(renderOutputPath('{dir}/{name}.usda', odd, inbox).base).toBe('01-bob _boot__ 中国_');
    const custom = lineVariables({
      audio: path.join(inbox, 'sq01/sh010_l01.wav'),
      inputRoot: inbox,
      character: 'c.usda',
      model: 'default',
      fps: { num: 24, den: 1 },
      shotPattern: '(?<shot>sh\\d+)_',
    });
    expect(custom.shot).toBe('sh010');
    const top = lineVariables({
      audio: path.join(inbox, 'l01.wav'),
      inputRoot: inbox,
      character: 'c.usda',
      model: 'default',
      fps: { num: 24, den: 1 },
    });
    expect([top.dir, top.shot]).toEqual(['', 'unsorted']);
  });

  it('renders inside the root, normalising empty and "." segments and a trailing .usda', () => {
    const r = root();
    expect(renderOutputPath('{shot}/{character}/{name}.usda', VARS, r)).toEqual({
      relative: 'sh010/hero/line01',
      dir: path.join(r, 'sh010/hero'),
      base: 'line01',
    });
    expect(renderOutputPath('{dir}/{name}.usda', { ...VARS, dir: '' }, r)).toEqual({ relative: 'line01', dir: r, base: 'line01' });
    expect(renderOutputPath('./takes//{date}/{name}', VARS, r).relative).toBe('takes/2026-11-25/line01');
    expect(renderOutputPath('{dir}/{name}', { ...VARS, dir: 'sq01/sh010' }, r).relative).toBe('sq01/sh010/line01');
  });

  const refused: [string, string, Partial<OutputPathVars>, RegExp][] = [
    ['parent segment', '../{name}', {}, /".." would leave the output folder/],
    ['parent segment after a variable', '{dir}/../../etc/{name}', {}, /".."/],
    ['parent via a value', '{dir}/{name}', { dir: 'sh010/../../..' }, /".."/],
    ['stem of a file named ".."', '{stem}.usda', { stem: '..' }, /".."/],
    ['absolute template', '/etc/{name}', {}, /is absolute/],
    ['UNC/absolute with backslashes', '\\\\server\\share\\{name}', {}, /is absolute/],
    ['drive letter', 'C:\\temp\\{name}', {}, /drive letter/],
    ['drive-relative', 'C:{name}', {}, /drive letter/],
    ['colon in a value (drive, stream)', '{stem}', { stem: 'D:evil' }, /":"/],
    ['separator inside a one-segment value', '{stem}.usda', { stem: '..\\..\\evil' }, /path separator/],
    ['slash inside the shot', '{shot}/{name}', { shot: '../x' }, /path separator/],
    ['NUL in a value', '{stem}', { stem: 'a\u0000b' }, /NUL or control/],
    ['NUL in the template', 'x\u0000/{name}', {}, /NUL or control/],
    ['newline in a value', '{stem}', { stem: 'a\nb' }, /NUL or control/],
    ['absolute dir value', '{dir}/{name}', { dir: '/etc' }, /absolute/],
    ['unknown variable', '{user}/{name}', {}, /unknown variable \{user\}/],
    ['stray brace', '{name', {}, /unmatched brace/],
    ['empty', '   ', {}, /empty/],
    ['only dots', '././.', {}, /empty path|names no file/],
  ];
  for (const [what, template, vars, message] of refused) {
    it(`refuses ${what}: ${JSON.stringify(template)}`, () => {
      const r = root();
      let err: unknown;
      try {
        renderOutputPath(template, { ...VARS, ...vars }, r, 'sidecar /inbox/l01.a2f.json');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OutputPathError);
      expect((err as OutputPathError).code).toBe('OUTPUT_PATH');
      expect((err as Error).message).toMatch(message);
      // The message names where the template came from and how to fix it.
      expect((err as Error).message).toMatch(/^sidecar \/inbox\/l01\.a2f\.json: /);
      expect((err as Error).message).toMatch(/relative template/);
    });
  }

  it("checks a template's syntax without values (so --paths fails at start, not per line)", () => {
    expect(() => checkPathTemplate('{shot}/{name}.usda')).not.toThrow();
    expect(() => checkPathTemplate('{nope}')).toThrow(/unknown variable/);
    expect(() => checkPathTemplate('/abs/{name}')).toThrow(/absolute/);
  });

  it('refuses a symlinked folder in the output tree that leads outside it, and allows one that stays inside', () => {
    const r = root();
    const outside = root();
    symlinkSync(outside, path.join(r, 'escape'));
    const loc = renderOutputPath('escape/{name}', VARS, r);
    expect(() => ensureOutputDir(loc, r)).toThrow(/symbolic link to .* outside the output folder/);
    mkdirSync(path.join(r, 'real'));
    symlinkSync(path.join(r, 'real'), path.join(r, 'alias'));
    const inside = renderOutputPath('alias/{shot}/{name}', VARS, r);
    ensureOutputDir(inside, r);
    expect(realpathSync(inside.dir)).toBe(path.join(r, 'real/sh010'));
  });
});
