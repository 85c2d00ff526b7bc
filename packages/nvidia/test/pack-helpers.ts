// Shared by the pack/npz/emotion/models tests: generated mini packs in temp folders.
import { cpSync } from 'node:fs';
import path from 'node:path';
import { makeMiniPack, type MiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { writeNpz, type NpySpec } from '../../../models/nvidia/npz-writer.mjs';
import { tempDir } from '@a2f/test-utils';
import { readNpz, type NpyArray } from '../src/index.js';

const cache = new Map<string, MiniPack>();

/** A fresh copy of a generated pack (generated once per variant and seed, then copied). */
export function packCopy(variant: 'mark' | 'claire' = 'mark', seed = 1): MiniPack {
  const key = `${variant}:${seed}`;
  let made = cache.get(key);
  if (!made) {
    made = makeMiniPack(path.join(tempDir('pack'), variant), { variant, seed });
    cache.set(key, made);
  }
  const dir = path.join(tempDir('pack'), variant);
  cpSync(made.dir, dir, { recursive: true });
  return { ...made, dir };
}

/** Reads an .npz with our reader, lets `mutate` edit the arrays, writes it back with the generator's writer. */
export async function rewriteNpz(file: string, mutate: (arrays: Map<string, NpySpec>) => void): Promise<void> {
  const read = await readNpz(file);
  const arrays = new Map<string, NpySpec>([...read].map(([k, a]: [string, NpyArray]) => [k, { data: a.data, shape: a.shape }]));
  mutate(arrays);
  writeNpz(file, Object.fromEntries(arrays));
}
