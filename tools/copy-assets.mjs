#!/usr/bin/env node
// Copies a package's assets from the repository's sources (templates/, models/, samples/) into the
// package's own assets/ folder, so the package works once installed elsewhere (docs/architecture.md,
// "Where assets live"). Run by a package's "build" script from the package folder:
//   node ../../tools/copy-assets.mjs templates/bindings templates/paths
// Each argument is a file or folder relative to the repository root, copied to assets/<its name>.
// assets/ is emptied first, so a source that was removed does not linger in the package. Generator
// scripts that sit beside their outputs (make-*) are not assets and are left out of folders.
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const sources = process.argv.slice(2);
const dest = path.resolve('assets');

if (sources.length === 0) {
  console.error('copy-assets: name the assets to copy, e.g. node ../../tools/copy-assets.mjs templates/bindings');
  process.exit(2);
}
const missing = sources.filter((s) => !existsSync(path.join(ROOT, s)));
if (missing.length > 0) {
  console.error(
    `copy-assets (${path.basename(process.cwd())}): ${missing.map((s) => path.join(ROOT, s)).join(', ')} not found. ` +
      'Restore it from git, or remove it from this package\'s "build" script in package.json.',
  );
  process.exit(1);
}

/** Copies a file, or a folder's files and subfolders less the generators. */
function copy(from, to) {
  if (!statSync(from).isDirectory()) {
    copyFileSync(from, to);
    return;
  }
  mkdirSync(to, { recursive: true });
  for (const entry of readdirSync(from)) {
    if (!entry.startsWith('make-')) copy(path.join(from, entry), path.join(to, entry));
  }
}

rmSync(dest, { recursive: true, force: true });
mkdirSync(dest, { recursive: true });
for (const source of sources) copy(path.join(ROOT, source), path.join(dest, path.basename(source)));
