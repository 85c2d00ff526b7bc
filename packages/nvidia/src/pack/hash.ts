/**
 * Whether `actual` (full hex) matches a known hash, full or prefix. A prefix of 8 hex digits only
 * rules out accidental corruption (1 in 4·10⁹); it proves nothing against a deliberately crafted file.
 */
export function hashMatches(actual: string, known: string): boolean {
  return actual.toLowerCase().startsWith(known.toLowerCase());
}
