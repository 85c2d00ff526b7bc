// Typed wrapper of export-crate.cjs: real Pixar USD (0.22) writes .usdc files for tests. See that
// script for what an export keeps (it flattens the stage) and README.md here for the harness.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

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
export function exportCrateMany(requests: readonly CrateExport[]): Promise<CrateExportResult[]> {
  const script = fileURLToPath(new URL('./export-crate.cjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, '--stdin'], {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 5 * 60_000,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) reject(new Error(`export-crate.cjs exited with ${code}: ${stderr.trim() || stdout.trim()}`));
      else
        resolve(
          (JSON.parse(stdout) as { results: Partial<CrateExportResult>[] }).results.map((r) => ({
            ok: false,
            errors: [],
            text: '',
            version: '',
            ...r,
          })),
        );
    });
    child.stdin.end(JSON.stringify({ exports: requests }));
  });
}
