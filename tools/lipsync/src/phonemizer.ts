// Our espeak-ng phonemizer (tools/lipsync/phonemize.c), compiled on first use into .tmp/lipsync and
// again whenever the source changes (docs/lipsync-eval.md#phonemizer).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { A2fError } from '@a2f/base';

/** The repository root: this module lies at the top of src/ and of dist/, two folders below it. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TOOL_DIR = path.join(REPO_ROOT, 'tools', 'lipsync');
/** Generated speech, corpora and the compiled phonemizer (git-ignored). */
export const CACHE_DIR = path.join(REPO_ROOT, '.tmp', 'lipsync');
export const PHONEMIZE_SOURCE = path.join(TOOL_DIR, 'phonemize.c');
const HEADER = '/usr/include/espeak-ng/speak_lib.h';

/**
 * The path of the compiled phonemizer, built with the system C compiler when missing or older than
 * phonemize.c (its sha256 is kept beside the binary). Test workers call it at once: one compiles
 * under a lock file while the others wait for its stamp, so the binary is built once per change.
 */
export function ensurePhonemizer(): string {
  const sha = createHash('sha256').update(readFileSync(PHONEMIZE_SOURCE)).digest('hex');
  const bin = path.join(CACHE_DIR, 'phonemize');
  const stamp = `${bin}.sha256`;
  const current = (): boolean => existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sha;
  if (current()) return bin;
  mkdirSync(CACHE_DIR, { recursive: true });
  const lock = `${bin}.lock`;
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (current()) return bin;
    // a lock older than a minute was left by a killed process
    const held = statSync(lock, { throwIfNoEntry: false });
    if (held && Date.now() - held.mtimeMs > 60_000) rmSync(lock, { force: true });
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  try {
    if (current()) return bin;
    compile(bin);
    writeFileSync(stamp, `${sha}\n`);
    return bin;
  } finally {
    rmSync(lock, { force: true });
  }
}

function compile(bin: string): void {
  const tmp = `${bin}.${process.pid}`;
  const cc = process.env.CC || 'cc';
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', tmp, PHONEMIZE_SOURCE, '-lespeak-ng'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw compileError(err as NodeJS.ErrnoException & { stderr?: Buffer }, cc);
  }
  renameSync(tmp, bin);
}

function compileError(err: NodeJS.ErrnoException & { stderr?: Buffer }, cc: string): A2fError {
  const apt = 'sudo apt-get install -y libespeak-ng-dev espeak-ng gcc';
  if (err.code === 'ENOENT') {
    return new A2fError('PHONEMIZER', PHONEMIZE_SOURCE, `cannot be compiled: no C compiler "${cc}" on the PATH`, `Install one (${apt}).`);
  }
  const log = err.stderr?.toString().trim() ?? err.message;
  if (!existsSync(HEADER) || /speak_lib\.h|lespeak-ng/.test(log)) {
    return new A2fError(
      'PHONEMIZER',
      PHONEMIZE_SOURCE,
      `cannot be compiled: espeak-ng's headers or library are missing (${HEADER}, -lespeak-ng)`,
      `Install the package libespeak-ng-dev (${apt}).`,
    );
  }
  return new A2fError('PHONEMIZER', PHONEMIZE_SOURCE, `does not compile:\n${log}`, 'Fix the source; the compiler said why.');
}
