import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Whether `actual` (full hex) matches a known hash, full or prefix. A prefix of 8 hex digits only
 * rules out accidental corruption (1 in 4·10⁹); it proves nothing against a deliberately crafted file.
 */
export function hashMatches(actual: string, known: string): boolean {
  return actual.toLowerCase().startsWith(known.toLowerCase());
}
