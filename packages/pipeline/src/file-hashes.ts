import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File, sha256Text } from '@a2f/base';

/**
 * SHA-256 of files that many lines share (character assets), recomputed only when size, mtime or
 * inode change: editing a character in place changes every line's key, without hashing it per line.
 */
export class FileHashCache {
  private readonly cache = new Map<string, { sig: string; sha: Promise<string> }>();
  /** A composed character's files as last found, and their signatures then. */
  private readonly parts = new Map<string, { sig: string; files: readonly string[] }>();

  /** `filesOf` lists the files a character is composed of (pipeline's characterFiles); default: the file alone. */
  constructor(private readonly filesOf: (file: string) => readonly string[] = (file) => [file]) {}

  /**
   * SHA-256 of a character as a whole, its file and every layer it composes, so that editing any of
   * them changes every line's key. The files are listed again when one of them changed (an edited
   * layer may reference another); a one-file character hashes as that file.
   */
  async character(file: string): Promise<string> {
    const sigs = (files: readonly string[]): string => files.map(signature).join('\n');
    let known = this.parts.get(file);
    if (!known || sigs(known.files) !== known.sig) {
      const files = this.filesOf(file);
      known = { files, sig: sigs(files) };
      this.parts.set(file, known);
    }
    const shas = await Promise.all(known.files.map((f) => this.get(f)));
    return shas.length === 1 ? shas[0] : sha256Text(shas.join('\n'));
  }

  get(file: string): Promise<string> {
    const sig = signature(file);
    if (sig === 'missing') statSync(file);
    const hit = this.cache.get(file);
    if (hit && hit.sig === sig) return hit.sha;
    const sha = sha256File(file);
    sha.catch(() => this.cache.delete(file));
    this.cache.set(file, { sig, sha });
    return sha;
  }
}

function signature(file: string): string {
  try {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return 'missing';
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
