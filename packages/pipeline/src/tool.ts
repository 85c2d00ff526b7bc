import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Recorded in every layer's provenance. */
export const TOOL = Object.freeze({ name: 'a2f', version: pkg.version });

/** The repository's top-level folders (same depth from src/ and dist/). */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TEMPLATES_DIR = path.join(REPO_ROOT, 'templates');
export const SAMPLES_DIR = path.join(REPO_ROOT, 'samples');
