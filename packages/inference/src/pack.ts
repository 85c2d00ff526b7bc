import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { readJsonFile } from '@a2f/base';
import { InferenceError } from './errors.js';
import { MANIFEST_FILE, parseManifest } from './manifest.js';
import type { LoadModelPackOptions, ModelPack } from './pack-types.js';
import { namedPack, namedPacks, packFormats } from './registry.js';
import { verifyHashes } from './sha256.js';

/**
 * Loads a model by registered name (`'default'`, once @a2f/default-model is imported), a folder in
 * a registered family's format (NVIDIA's model.json folders, once @a2f/nvidia is imported), or a
 * folder holding a generic pack.json (or that file), and validates every field.
 */
export async function loadModelPack(nameOrDir: string, opts: LoadModelPackOptions = {}): Promise<ModelPack> {
  const named = namedPack(nameOrDir);
  if (named === undefined) {
    const format = packFormats().find((f) => f.detect(nameOrDir));
    if (format) return format.load(nameOrDir, opts);
  }
  const dir = named ?? resolvePackDir(nameOrDir);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    const names = namedPacks();
    const markers = [...new Set([MANIFEST_FILE, ...packFormats().map((f) => f.marker)])].join(' or ');
    const formatNames = packFormats().map((f) => f.name);
    const formats = formatNames.length ? `, or a folder in one of these formats: ${formatNames.join(', ')}` : '';
    throw new InferenceError(
      'PACK_NOT_FOUND',
      manifestPath,
      `no ${markers} here (expected a model pack folder${named ? `: the model "${nameOrDir}" is missing from its package` : ''})`,
      named
        ? 'Reinstall the package that provides it, or pass a pack folder.'
        : `Pass ${names.map((n) => `'${n}', `).join('')}a folder holding ${MANIFEST_FILE} and the files it names${formats}.`,
    );
  }
  const { json } = readJsonFile(manifestPath, (f) =>
    f.reason === 'syntax'
      ? new InferenceError('PACK_JSON', manifestPath, f.problem, 'Fix the JSON syntax of the manifest.')
      : new InferenceError('PACK_NOT_FOUND', manifestPath, f.problem, 'Check the file permissions.'),
  );
  const pack = parseManifest(json, manifestPath);
  const verified = await verifyHashes(pack, opts.verify ?? 'auto');
  return { ...pack, verified };
}

function resolvePackDir(nameOrDir: string): string {
  const abs = path.resolve(nameOrDir);
  // Accept the manifest itself too: people tab-complete to the file.
  if (path.basename(abs) === MANIFEST_FILE && existsSync(abs) && statSync(abs).isFile()) return path.dirname(abs);
  return abs;
}
