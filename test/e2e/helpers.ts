import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parseUsda, type UsdaPrim } from '@a2f/usd';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CLI = path.join(ROOT, 'packages/cli/dist/bin.js');
export const CHARACTER = path.join(ROOT, 'samples/character/face.usda');
export const DIALOGUE = path.join(ROOT, 'samples/dialogue');

// The shared temp-folder maker, here too so every e2e file takes its helpers from one place.
export { tempDir } from '@a2f/test-utils';

export const sampleLines = (): string[] =>
  readdirSync(DIALOGUE)
    .filter((f) => /\.(wav|flac|mp3|ogg)$/i.test(f))
    .sort()
    .map((f) => path.join(DIALOGUE, f));

/**
 * The environment of someone at a shell: none of the npm/turbo variables the tests run under, and
 * no node_modules/.bin of this repo on PATH (outside npm it is not there). `extra` is added on top.
 */
export function shellEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!/^(npm_|INIT_CWD$|TURBO_|VITEST|NODE_ENV$)/i.test(k)) env[k] = v;
  }
  env.PATH = (env.PATH ?? '')
    .split(path.delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(path.delimiter);
  return { ...env, ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real, built CLI as a child process (no TTY, as in CI). */
export function runCli(args: string[], opts: { cwd?: string } = {}): Promise<CliResult> {
  return runProcess(process.execPath, [CLI, ...args], { cwd: opts.cwd ?? ROOT });
}

/** Runs a command to its end, collecting what it prints. */
export function runProcess(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface A2fExport {
  exportFps: number;
  numFrames: number;
  facsNames: string[];
  weightMat: number[][];
  joints: string[];
  rotations: number[][][];
  translations: number[][][];
}

export const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Files a crash or failure could have left behind: our temporary names start with a dot and end in .tmp. */
export const leftovers = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.tmp') || f.startsWith('.'));

/** The SkelAnimation a layer defines, found with our own parser (only to know which prim to ask USD about). */
export function skelAnimationPath(layer: string): string {
  const parsed = parseUsda(readFileSync(layer, 'utf8'), layer, { keepValue: () => false });
  const found: string[] = [];
  const walk = (prims: readonly UsdaPrim[]) =>
    prims.forEach((p) => {
      if (p.typeName === 'SkelAnimation') found.push(p.path);
      walk(p.children);
    });
  walk(parsed.prims);
  expect(found).toHaveLength(1);
  return found[0];
}
