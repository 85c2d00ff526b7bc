import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/** Recorded in every layer's provenance. */
export const TOOL = Object.freeze({ name: 'a2f', version: pkg.version });

/**
 * The package's own assets (binding presets, path templates), copied in by its build from the
 * repository's templates/ so that an installed package carries them (docs/architecture.md). This
 * module lies at the top of src/ and of dist/, one level below the package folder.
 */
export const ASSETS_DIR = fileURLToPath(new URL('../assets/', import.meta.url));
