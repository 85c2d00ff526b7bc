// Typed wrapper around make-composed-characters.cjs, which runs real USD in child processes (the wasm's
// browser shims stay out of the test process). One call writes every form into `dir` (~5 s).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Which character: the sample as it is, (a) split over files, (b) with a "face" variant set. */
export type CharacterName = 'single' | 'split' | 'variants';
/**
 * How it is stored: text, crate as .usdc or as .usd, a .usdz package; `usda-files` is (b) in the many-file
 * layout of its crate forms, in text. The composed characters' crate forms keep their asset layer (arcs only)
 * in text: the USD build the tests run writes crate only by flattening, which drops arcs.
 */
export type Encoding = 'usda' | 'usda-files' | 'usdc' | 'usd' | 'usdz';

export interface CharacterForm {
  readonly id: string;
  readonly character: CharacterName;
  readonly encoding: Encoding;
  /** The file to pass as --character. */
  readonly root: string;
  /** Every file of this form (the root among them): what real USD needs to compose it. */
  readonly files: readonly string[];
  /** A package's entries, the root layer first. */
  readonly entries?: readonly string[];
  /** Real USD opened it with no error and flattened it to the sample's stage (the full face by default). */
  readonly sameStageAsSample: boolean;
}

export type BadCase =
  | 'badMagic'
  | 'badVersion'
  | 'truncated'
  | 'notZip'
  | 'unaligned'
  | 'missingPayload'
  | 'cycle'
  | 'instanced'
  | 'noSkeleton';

export interface ComposedCharacters {
  readonly sample: string;
  /** The crate versions real USD wrote (USD 0.22 writes 0.8.0). */
  readonly crateVersions: readonly string[];
  readonly forms: readonly CharacterForm[];
  /** Characters the toolkit must refuse: the root file of each case. */
  readonly bad: Readonly<Record<BadCase, string>>;
}

/** Writes the test characters into `dir` and returns what it wrote. */
export function makeComposedCharacters(dir: string): Promise<ComposedCharacters> {
  const script = fileURLToPath(new URL('./make-composed-characters.cjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(stdout) as ComposedCharacters)
        : reject(new Error(`make-composed-characters.cjs exited with ${code}: ${stderr.trim()}`)),
    );
  });
}
