// Our espeak-ng phonemizer (tools/lipsync/phonemize.c), compiled on first use into .tmp/lipsync and
// again whenever the source changes (docs/lipsync-eval.md#phonemizer).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
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
 * phonemize.c (its sha256 is kept beside the binary). Safe when several test workers call it at
 * once: each compiles to its own name and renames into place.
 */
export function ensurePhonemizer(): string {
  const source = readFileSync(PHONEMIZE_SOURCE);
  const sha = createHash('sha256').update(source).digest('hex');
  const bin = path.join(CACHE_DIR, 'phonemize');
  const stamp = `${bin}.sha256`;
  if (existsSync(bin) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === sha) return bin;
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${bin}.${process.pid}.${Date.now()}`;
  const cc = process.env.CC || 'cc';
  try {
    execFileSync(cc, ['-O2', '-Wall', '-o', tmp, PHONEMIZE_SOURCE, '-lespeak-ng'], { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    rmSync(tmp, { force: true });
    throw compileError(err as NodeJS.ErrnoException & { stderr?: Buffer }, cc);
  }
  renameSync(tmp, bin);
  writeFileSync(`${stamp}.${process.pid}`, `${sha}\n`);
  renameSync(`${stamp}.${process.pid}`, stamp);
  return bin;
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
