import { statSync } from 'node:fs';
import { sha256File } from '@a2f/base';
import path from 'node:path';
import { InferenceError } from './errors.js';
import type { ModelPack, VerifyMode } from './pack-types.js';

/** Files above this are not hashed in 'auto' mode: hashing is I/O-bound and would dominate loading. */
export const AUTO_VERIFY_MAX_BYTES = 64 * 1024 * 1024;

/** Checks the pack's declared hashes; returns the pack-relative paths it checked. */
export async function verifyHashes(pack: Pick<ModelPack, 'dir' | 'manifestPath' | 'sha256'>, mode: VerifyMode): Promise<string[]> {
  if (mode === 'never') return [];
  const checked: string[] = [];
  for (const [rel, expected] of Object.entries(pack.sha256)) {
    const file = path.resolve(pack.dir, rel);
    if (mode === 'auto' && statSync(file).size > AUTO_VERIFY_MAX_BYTES) continue;
    const actual = await sha256File(file);
    if (actual !== expected) {
      throw new InferenceError(
        'PACK_HASH',
        file,
        `SHA-256 is ${actual}, but ${pack.manifestPath} declares ${expected} (the file is corrupt, truncated or a different version)`,
        'Re-download or rebuild the pack; if the file was changed on purpose, update "sha256" in the manifest.',
      );
    }
    checked.push(rel);
  }
  return checked;
}
