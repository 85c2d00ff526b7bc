// Tokens of the .usda text format, pulled one at a time with line numbers for error messages.
import { UsdaSyntaxError } from './errors.js';

export type TokenKind = 'ident' | 'number' | 'string' | 'asset' | 'path' | 'punct' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  /** Identifier/punctuation text, decoded string contents, asset or path text, number literal. */
  readonly text: string;
  readonly line: number;
  /** Offset just after the token in the source (for raw skipping). */
  readonly end: number;
}

const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', a: '\x07', b: '\b', f: '\f', v: '\v' };
const isIdentStart = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isIdentChar = (c: number): boolean => isIdentStart(c) || (c >= 48 && c <= 57);
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

export class UsdaLexer {
  private pos = 0;
  private line = 1;
  private peeked: Token | undefined;

  constructor(
    private readonly text: string,
    readonly file: string,
  ) {}

  error(message: string, line = this.peek().line): never {
    throw new UsdaSyntaxError(this.file, line, message);
  }

  /** Skips the `#usda 1.0` header line (validated by the caller). */
  skipLine(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
    this.line++;
  }

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  /** Consumes the next token if it is the punctuation or identifier `text`. */
  accept(text: string): boolean {
    const t = this.peek();
    if ((t.kind === 'punct' || t.kind === 'ident') && t.text === text) {
      this.next();
      return true;
    }
    return false;
  }

  expect(text: string, what: string): Token {
    const t = this.next();
    if ((t.kind !== 'punct' && t.kind !== 'ident') || t.text !== text) {
      this.error(`expected "${text}" ${what}, found ${describe(t)}`, t.line);
    }
    return t;
  }

  /**
   * After an opening bracket was consumed, jumps past its matching close at character level
   * (strings, asset paths and comments respected) without building tokens: big arrays such as
   * points and offsets are skipped this way when the caller does not need them.
   */
  skipRawAfterOpen(open: Token): void {
    if (this.peeked) throw new Error('skipRawAfterOpen needs an unpeeked lexer');
    const s = this.text;
    let depth = 1;
    let i = open.end;
    while (i < s.length && depth > 0) {
      const c = s.charCodeAt(i);
      if (c === 10) this.line++;
      if (c === 40 || c === 91 || c === 123) depth++;
      else if (c === 41 || c === 93 || c === 125) depth--;
      else if (c === 34 || c === 39 || c === 64 || c === 35) {
        this.pos = i;
        if (c === 35) this.skipComment();
        else this.scan();
        i = this.pos;
        continue;
      }
      i++;
    }
    if (depth > 0) this.error(`unbalanced "${open.text}" opened on line ${open.line}`, open.line);
    this.pos = i;
  }

  private skipComment(): void {
    const nl = this.text.indexOf('\n', this.pos);
    this.pos = nl < 0 ? this.text.length : nl;
  }

  private scan(): Token {
    const s = this.text;
    for (;;) {
      if (this.pos >= s.length) return { kind: 'eof', text: '', line: this.line, end: this.pos };
      const c = s.charCodeAt(this.pos);
      if (c === 10) {
        this.line++;
        this.pos++;
      } else if (c === 32 || c === 9 || c === 13) this.pos++;
      else if (c === 35) this.skipComment();
      else break;
    }
    const start = this.pos;
    const line = this.line;
    const c = s.charCodeAt(start);
    const tok = (kind: TokenKind, text: string): Token => ({ kind, text, line, end: this.pos });
    if (isIdentStart(c)) {
      // Namespaced property names (`skel:blendShapes`) and suffixes (`points.timeSamples`) are one token.
      let i = start + 1;
      for (;;) {
        while (i < s.length && isIdentChar(s.charCodeAt(i))) i++;
        const d = s.charCodeAt(i);
        if ((d === 58 || d === 46) && isIdentStart(s.charCodeAt(i + 1))) i += 2;
        else break;
      }
      this.pos = i;
      return tok('ident', s.slice(start, i));
    }
    if (isDigit(c) || c === 45 || c === 43 || (c === 46 && isDigit(s.charCodeAt(start + 1)))) {
      const m = /[-+]?(?:inf\b|nan\b|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/y;
      m.lastIndex = start;
      const r = m.exec(s);
      if (!r) this.error(`malformed number at "${s.slice(start, start + 12)}"`, line);
      this.pos = start + r[0].length;
      return tok('number', r[0]);
    }
    if (c === 34 || c === 39) return this.scanString(c, line);
    if (c === 64) {
      const triple = s.startsWith('@@@', start);
      const close = triple ? '@@@' : '@';
      let i = start + close.length;
      for (;;) {
        const j = s.indexOf(close, i);
        if (j < 0 || s.slice(i, j).includes('\n')) this.error('unterminated asset path', line);
        if (triple && s[j - 1] === '\\') {
          i = j + 3; // `\@@@` inside a triple-delimited path
          continue;
        }
        this.pos = j + close.length;
        const raw = s.slice(start + close.length, j);
        return tok('asset', triple ? raw.replaceAll('\\@@@', '@@@') : raw);
      }
    }
    if (c === 60) {
      const j = s.indexOf('>', start);
      if (j < 0 || s.slice(start, j).includes('\n')) this.error('unterminated path (missing ">")', line);
      this.pos = j + 1;
      return tok('path', s.slice(start + 1, j));
    }
    if ('()[]{}=,;:&'.includes(s[start])) {
      this.pos++;
      return tok('punct', s[start]);
    }
    return this.error(`unexpected character ${JSON.stringify(s[start])}`, line);
  }

  private scanString(quote: number, line: number): Token {
    const s = this.text;
    const q = String.fromCharCode(quote);
    const triple = s.startsWith(q.repeat(3), this.pos);
    const close = triple ? q.repeat(3) : q;
    let i = this.pos + close.length;
    let out = '';
    for (;;) {
      if (i >= s.length) this.error('unterminated string', line);
      if (s.startsWith(close, i)) break;
      const ch = s[i];
      if (ch === '\n') {
        if (!triple) this.error('line break inside a single-quoted string', line);
        this.line++;
      }
      if (ch !== '\\') {
        out += ch;
        i++;
        continue;
      }
      const e = s[i + 1];
      if (e in SIMPLE_ESCAPES) {
        out += SIMPLE_ESCAPES[e];
        i += 2;
      } else if (e === 'x' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 2, i + 4))) {
        out += String.fromCharCode(parseInt(s.slice(i + 2, i + 4), 16));
        i += 4;
      } else if (e >= '0' && e <= '7') {
        let j = i + 1;
        while (j < i + 4 && s[j] >= '0' && s[j] <= '7') j++;
        out += String.fromCharCode(parseInt(s.slice(i + 1, j), 8));
        i = j;
      } else {
        // TfEscapeString keeps the character after an unknown escape (`\u00e9` → `u00e9`).
        if (e === '\n') this.line++;
        out += e ?? '';
        i += 2;
      }
    }
    this.pos = i + close.length;
    return { kind: 'string', text: out, line, end: this.pos };
  }
}

export function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the file';
  if (t.kind === 'string') return `the string ${JSON.stringify(t.text)}`;
  if (t.kind === 'path') return `<${t.text}>`;
  if (t.kind === 'asset') return `@${t.text}@`;
  return `"${t.text}"`;
}
