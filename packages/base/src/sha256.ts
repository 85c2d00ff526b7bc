import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/**
 * SHA-256 of a file's bytes, streamed in 1 MiB chunks: network weights and long dialogue are
 * never held whole in memory, and hashing never blocks the event loop.
 */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export const sha256Text = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');
