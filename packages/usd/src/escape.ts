// Text-format quoting and naming rules (pxr/usd/sdf/fileIO_Common.cpp, pxr/base/tf/stringUtils.cpp).

const HEX = '0123456789abcdef';

/**
 * A string or token literal. Always `"…"`: `\` `"` LF CR TAB are escaped, other C0 controls and
 * DEL become `\xHH` (TfEscapeString has no `\u`), everything else (UTF-8) passes through.
 */
export function quoteString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${HEX[c >> 4]}${HEX[c & 15]}`;
    else out += s[i];
  }
  return out + '"';
}

/** Tokens use the same quoting as strings. */
export const quoteToken = quoteString;

/**
 * An asset path literal: `@path@`, with no escape processing inside. A path containing `@` is
 * written `@@@path@@@` with any `@@@` inside it as `\@@@` (Sdf's _StringFromAssetPath).
 */
export function assetPath(path: string): string {
  if (/[\n\r]/.test(path)) throw new Error(`asset path ${JSON.stringify(path)} contains a line break, which USD cannot represent`);
  if (!path.includes('@')) return `@${path}@`;
  return `@@@${path.replaceAll('@@@', '\\@@@')}@@@`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** TfIsValidIdentifier: `[A-Za-z_][A-Za-z0-9_]*` (ASCII only, as USD 0.22 and older DCCs require). */
export const isIdentifier = (s: string): boolean => IDENTIFIER.test(s);

/** A dictionary key (customLayerData, customData): bare if an identifier, quoted otherwise. */
export const dictionaryKey = (key: string): string => (isIdentifier(key) ? key : quoteString(key));

/**
 * A valid ASCII prim identifier from any text (a file name, a take name). Any directory part and a
 * file extension (a dot and 1–8 letters/digits starting with a letter) are dropped, accents are
 * folded, other letters and digits (日, Ж) become their code point (`u65E5`) so names in other
 * scripts stay distinct, runs of other characters become `_` (dropped at either end), a leading
 * digit gets a `_` prefix, and an empty result becomes `_`. A valid identifier without a dot comes
 * back unchanged.
 */
export function toIdentifier(text: string): string {
  const base = text.replace(/^.*[\\/]/, '').replace(/(.)\.[A-Za-z][A-Za-z0-9]{0,7}$/, '$1');
  const folded = base
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/(?![A-Za-z0-9])[\p{L}\p{N}]/gu, (ch) => ` u${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} `);
  const id = folded.replace(/^[^A-Za-z0-9_]+|[^A-Za-z0-9_]+$/g, '').replace(/[^A-Za-z0-9_]+/g, '_');
  if (id === '') return '_';
  return /^[0-9]/.test(id) ? `_${id}` : id;
}

/**
 * Makes `name` unique among `taken` (USD rejects duplicate sibling prims) by appending `_1`, `_2`…
 * and records the result in `taken`.
 */
export function uniqueIdentifier(name: string, taken: Set<string>): string {
  const base = toIdentifier(name);
  let candidate = base;
  for (let k = 1; taken.has(candidate); k++) candidate = `${base}_${k}`;
  taken.add(candidate);
  return candidate;
}

/** Unique identifiers for a list of sibling names, in order. */
export function uniqueIdentifiers(names: readonly string[], reserved: Iterable<string> = []): string[] {
  const taken = new Set(reserved);
  return names.map((n) => uniqueIdentifier(n, taken));
}
