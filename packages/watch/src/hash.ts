import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File, sha256Text } from '@a2f/base';

/**
 * SHA-256 of files that many lines share (character assets), recomputed only when size, mtime or
 * inode change: editing a character in place changes every line's key, without hashing it per line.
 */
export class FileHashCache {
  private readonly cache = new Map<string, { sig: string; sha: Promise<string> }>();

  get(file: string): Promise<string> {
    const st = statSync(file);
    const sig = `${st.size}:${st.mtimeMs}:${st.ino}`;
    const hit = this.cache.get(file);
    if (hit && hit.sig === sig) return hit.sha;
    const sha = sha256File(file);
    sha.catch(() => this.cache.delete(file));
    this.cache.set(file, { sig, sha });
    return sha;
  }
}

/**
 * A model's identity without reading its weights: "default" is the embedded model of this tool
 * version; a pack folder is named by its files' names, sizes and mtimes (a re-downloaded or edited
 * pack changes it). Missing folders give a signature too; loading reports them.
 */
export function modelSignature(model: string, toolVersion: string): string {
  if (model === 'default') return `default@${toolVersion}`;
  try {
    const entries = readdirSync(model)
      .sort()
      .map((f) => {
        const st = statSync(path.join(model, f));
        return `${f}\t${st.isFile() ? st.size : 'dir'}\t${st.mtimeMs}`;
      });
    return sha256Text(`${path.resolve(model)}\n${entries.join('\n')}`);
  } catch {
    return `missing:${path.resolve(model)}`;
  }
}
