import { describe, expect, it } from 'vitest';
import { assetPath, dictionaryKey, isIdentifier, quoteString, toIdentifier, uniqueIdentifier, uniqueIdentifiers } from '../src/index.js';
// The lexer is internal; reading literals back through it checks quoteString against the parser's rules.
import { UsdaLexer } from '../src/usda-lexer.js';

/** Reads a quoted literal back with our own lexer (which follows TfEscapeString's rules). */
const readBack = (literal: string): string => new UsdaLexer(literal, 'x').next().text;

describe('quoteString', () => {
  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['two\nlines\r\n', '"two\\nlines\\r\\n"'],
    ['tab\there', '"tab\\there"'],
    ['bell\x07 del\x7f nul\x00', '"bell\\x07 del\\x7f nul\\x00"'],
    ['café 日本 😀', '"café 日本 😀"'],
    ["it's", '"it\'s"'],
  ])('%j → %s', (s, literal) => {
    expect(quoteString(s)).toBe(literal);
    expect(readBack(literal)).toBe(s);
  });

  it('round-trips arbitrary strings through the escape rules', () => {
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    for (let n = 0; n < 500; n++) {
      const s = Array.from({ length: Math.floor(rnd() * 20) }, () => String.fromCharCode(Math.floor(rnd() * 0x250))).join('');
      expect(readBack(quoteString(s))).toBe(s);
    }
  });
});

describe('assetPath', () => {
  it('writes @…@ without escapes, and @@@…@@@ when the path holds @', () => {
    expect(assetPath('../character/face.usda')).toBe('@../character/face.usda@');
    expect(assetPath('C:\\assets\\my face.usda')).toBe('@C:\\assets\\my face.usda@');
    expect(assetPath('user@host/face.usda')).toBe('@@@user@host/face.usda@@@');
    expect(assetPath('a@@@b')).toBe('@@@a\\@@@b@@@');
    expect(readBack(assetPath('a@@@b'))).toBe('a@@@b');
    expect(() => assetPath('a\nb')).toThrow(/line break/);
  });
});

describe('identifiers', () => {
  it('keys are bare identifiers or quoted', () => {
    expect(dictionaryKey('sampleRate')).toBe('sampleRate');
    expect(dictionaryKey('a2f:gen')).toBe('"a2f:gen"');
    expect(dictionaryKey('9lives')).toBe('"9lives"');
  });

  it.each([
    ['hello.wav', 'hello'],
    ['/takes/Line 042 (take 2).wav', 'Line_042_take_2'],
    ['42_intro.flac', '_42_intro'],
    ['Café Ünïcode.mp3', 'Cafe_Unicode'],
    ['日本語.wav', 'u65E5_u672C_u8A9E'],
    ['中国', 'u4E2D_u56FD'],
    ['01-bob-boot', '_01_bob_boot'],
    ['', '_'],
    ['take 1.5', 'take_1_5'],
    ['C:\\dialogue\\scene-3.WAV', 'scene_3'],
    ['valid_Name9', 'valid_Name9'],
    ['_private', '_private'],
  ])('toIdentifier(%j) → %s', (text, id) => expect(toIdentifier(text)).toBe(id));

  it('turns any string into a valid identifier and leaves valid ones alone (fuzz)', () => {
    let seed = 42;
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const alphabet = 'aZ_09 -./\\@:é日😀\n\t"\'';
    for (let n = 0; n < 3000; n++) {
      const s = Array.from({ length: Math.floor(rnd() * 16) }, () => [...alphabet][Math.floor(rnd() * [...alphabet].length)]).join('');
      const id = toIdentifier(s);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(id)) throw new Error(`${JSON.stringify(s)} → ${JSON.stringify(id)}`);
      if (isIdentifier(s) && toIdentifier(s) !== s) throw new Error(`${s} changed`);
    }
  });

  it('makes sibling names unique', () => {
    const taken = new Set(['Skel', 'Face']);
    expect(uniqueIdentifier('Skel', taken)).toBe('Skel_1');
    expect(uniqueIdentifier('Skel', taken)).toBe('Skel_2');
    expect(uniqueIdentifiers(['a b', 'a-b', 'a_b', '1'])).toEqual(['a_b', 'a_b_1', 'a_b_2', '_1']);
  });
});
