// Typed wrapper of export-crate.cjs: real Pixar USD (0.22) writes .usdc files for tests. See that
// script for what an export keeps (it flattens the stage) and README.md here for the harness.
import { fileURLToPath } from 'node:url';
import { runNode } from './validate.js';

export interface CrateExport {
  /** The .usda (or other layer) to open as a stage. */
  readonly root: string;
  /** Where to write the .usdc. */
  readonly out: string;
  /** Other files the stage needs, at their real relative places. */
  readonly others?: readonly string[];
}

export interface CrateExportResult {
  readonly ok: boolean;
  readonly errors: string[];
  /** USD's own text of the written .usdc (reopened from the binary). */
  readonly text: string;
  /** The crate version USD wrote, e.g. "0.8.0". */
  readonly version: string;
}

/** Exports each request in one real-USD process (one ~3 s wasm start-up for all). */
export async function exportCrateMany(requests: readonly CrateExport[]): Promise<CrateExportResult[]> {
  const script = fileURLToPath(new URL('./export-crate.cjs', import.meta.url));
  const { code, stdout, stderr } = await runNode([script, '--stdin'], JSON.stringify({ exports: requests }));
  if (code !== 0 && code !== 1) throw new Error(`export-crate.cjs exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  const { results } = JSON.parse(stdout) as { results: Partial<CrateExportResult>[] };
  return results.map((r) => ({ ok: false, errors: [], text: '', version: '', ...r }));
}
