import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const made = new Set<string>();

/**
 * A new empty folder `a2f-<label>-XXXXXX` in the OS temp folder, by its real path: code under test
 * resolves real paths, and a symlinked temp root (macOS /var) must not make equal paths differ.
 * A test file that wants them gone calls `afterAll(removeTempDirs)`.
 */
export function tempDir(label = 'test'): string {
  const dir = realpathSync(mkdtempSync(path.join(tmpdir(), `a2f-${label}-`)));
  made.add(dir);
  return dir;
}

/** Removes every folder tempDir made so far (in this test file's module instance). */
export function removeTempDirs(): void {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
  made.clear();
}
