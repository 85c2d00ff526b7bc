import { open, readFile, type FileHandle } from 'node:fs/promises';
import { InferenceError } from '@a2f/inference';
import { npyError, parseNpy, type NpyArray } from './npy.js';
import { readCentralDirectory, readEntry, type ZipEntry } from './zip.js';

/**
 * A NumPy .npz archive opened for lazy reads: opening reads only the central directory; each
 * `read(key)` reads and inflates that one array. Keys are the array names without ".npy", as
 * numpy.load shows them. Close it when done (or use `readNpz`).
 */
export class NpzFile {
  private constructor(
    readonly file: string,
    private readonly fh: FileHandle,
    private readonly entries: ReadonlyMap<string, ZipEntry>,
  ) {}

  static async open(file: string): Promise<NpzFile> {
    let fh: FileHandle;
    try {
      fh = await open(file, 'r');
    } catch (err) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        file,
        `cannot be opened (${(err as Error).message})`,
        'Check that the file exists and is readable.',
      );
    }
    try {
      const entries = new Map<string, ZipEntry>();
      for (const e of await readCentralDirectory(fh, file)) {
        if (e.name.endsWith('/')) continue; // folder entries hold nothing
        entries.set(e.name.replace(/\.npy$/, ''), e);
      }
      return new NpzFile(file, fh, entries);
    } catch (err) {
      await fh.close();
      throw err;
    }
  }

  /** Array names in archive order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Uncompressed size of an entry in bytes (the .npy image: header + data). */
  byteSize(key: string): number {
    return this.entry(key).size;
  }

  async read(key: string): Promise<NpyArray> {
    const e = this.entry(key);
    const bytes = await readEntry(this.fh, e, this.file, key);
    return parseNpy(bytes, { file: this.file, entry: key });
  }

  async close(): Promise<void> {
    await this.fh.close();
  }

  private entry(key: string): ZipEntry {
    const e = this.entries.get(key);
    if (!e) {
      throw npyError(
        { file: this.file, entry: key },
        `missing: the archive holds ${
          this.keys()
            .map((k) => `"${k}"`)
            .join(', ') || 'no arrays'
        }`,
        'Use the file as shipped with the model; it may be from another model or version.',
      );
    }
    return e;
  }
}

/** Opens, reads the named arrays (all when omitted) and closes. */
export async function readNpz(file: string, keys?: readonly string[]): Promise<Map<string, NpyArray>> {
  const npz = await NpzFile.open(file);
  try {
    const out = new Map<string, NpyArray>();
    for (const k of keys ?? npz.keys()) out.set(k, await npz.read(k));
    return out;
  } finally {
    await npz.close();
  }
}

/** Reads one standalone .npy file. */
export async function readNpy(file: string): Promise<NpyArray> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (err) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      file,
      `cannot be read (${(err as Error).message})`,
      'Check that the file exists and is readable.',
    );
  }
  // readFile may hand back a pooled, unaligned buffer for small files; parseNpy copies then.
  return parseNpy(bytes, { file });
}
