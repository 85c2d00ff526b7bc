import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { sha256File, sha256Text } from '../src/index.js';

afterAll(removeTempDirs);

// node:crypto over the whole buffer at once is the reference the streamed hash must equal.
const reference = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

describe('sha256File', () => {
  it('streams a file across several 1 MiB chunks to the hash of its whole bytes', async () => {
    const bytes = Uint8Array.from({ length: 2.5 * (1 << 20) }, (_, i) => (i * 7919) & 0xff);
    const file = path.join(tempDir('sha256'), 'big.bin');
    writeFileSync(file, bytes);
    expect(await sha256File(file)).toBe(reference(bytes));
  });

  it('hashes an empty file to the SHA-256 of nothing', async () => {
    const file = path.join(tempDir('sha256'), 'empty');
    writeFileSync(file, '');
    expect(await sha256File(file)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('rejects with the file system error for a missing file', async () => {
    await expect(sha256File(path.join(tempDir('sha256'), 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('sha256Text', () => {
  it('hashes text as UTF-8 and bytes as they are', () => {
    expect(sha256Text('héllo')).toBe(reference(Buffer.from('héllo', 'utf8')));
    expect(sha256Text(Uint8Array.of(0, 255))).toBe(reference(Uint8Array.of(0, 255)));
  });
});
