// Typed wrappers around the USD validators. Each runs in a child process so the wasm builds'
// browser shims (window, location, XMLHttpRequest, a patched Worker) never touch the test process.
// Real USD costs ~3 s per process: batch stages with usdReadbackMany and attributes per call.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A value as USD's text reads back: numbers, tokens/strings/paths, tuples and arrays, dictionaries. */
export type UsdValue = number | string | null | UsdValue[] | { [key: string]: UsdValue };

export interface ReadbackRequest {
  /** The layer to open as the stage's root layer. */
  readonly root: string;
  /** Every other file the stage may load (sublayers, references), at their real relative paths. */
  readonly others?: readonly string[];
  /** `/Prim/Path.attr`, or a bare `attr` that exists on exactly one prim of the composed stage. */
  readonly attrs?: readonly string[];
  /** Also return the whole flattened stage text. */
  readonly flatten?: boolean;
}

export interface ReadbackResult {
  /** The stage opened and USD reported no error or warning. */
  readonly ok: boolean;
  readonly errors: readonly string[];
  readonly timeCodesPerSecond: number;
  readonly startTimeCode: number;
  readonly endTimeCode: number;
  /** The flattened root layer's metadata (customLayerData as nested objects). */
  readonly metadata: Readonly<Record<string, UsdValue>>;
  /** Every prim of the flattened stage: composed specifier and type name. */
  readonly prims: Readonly<Record<string, { readonly specifier: string; readonly type: string }>>;
  /** Time samples per requested attribute, in time order, as numbers/arrays. */
  readonly samples: Readonly<Record<string, [number, UsdValue][]>>;
  /** The same samples as USD's own writer spelled them (compare with formatFloat output). */
  readonly sampleText: Readonly<Record<string, [number, string][]>>;
  readonly defaults: Readonly<Record<string, UsdValue>>;
  readonly defaultText: Readonly<Record<string, string>>;
  /** Relationship targets per requested relationship. */
  readonly targets: Readonly<Record<string, string[]>>;
  /** Requested attributes that the composed stage does not have. */
  readonly missing: readonly string[];
  readonly flattened?: string;
}

export interface TinyusdzResult {
  readonly file: string;
  readonly layerOk: boolean;
  readonly layerError: string;
  /** The typed stage parse succeeded (a later "tydra/" render-conversion error does not count). */
  readonly stageParsed: boolean;
  readonly stageOk: boolean;
  readonly stageError: string;
  readonly layerText?: string;
}

const script = (name: string): string => fileURLToPath(new URL(name, import.meta.url));

// A validator that hangs must not outlive the test that started it (the wasm spins a core).
const CHILD_TIMEOUT_MS = 5 * 60_000;

/** Runs a harness script in its own Node process (USD's wasm and shims stay out of the test's), feeding `stdin`. */
export function runNode(
  args: string[],
  stdin: string,
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const EMPTY = {
  timeCodesPerSecond: NaN,
  startTimeCode: NaN,
  endTimeCode: NaN,
  metadata: {},
  prims: {},
  samples: {},
  sampleText: {},
  defaults: {},
  defaultText: {},
  targets: {},
  missing: [],
};

/** Opens several stages in one real-USD process (one ~3 s start-up for all of them). */
export async function usdReadbackMany(requests: readonly ReadbackRequest[]): Promise<ReadbackResult[]> {
  if (requests.length === 0) return [];
  const { code, stdout, stderr } = await runNode([script('./readback.cjs'), '--stdin'], JSON.stringify({ stages: requests }));
  if (code !== 0 && code !== 1) throw new Error(`readback.cjs exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  const { results } = JSON.parse(stdout) as { results: Partial<ReadbackResult>[] };
  return results.map((r) => ({ ...EMPTY, ...r }) as ReadbackResult);
}

/** Opens `root` (with `others` available to it) in real Pixar USD and reads `attrs` back. */
export async function usdReadback(
  root: string,
  others: readonly string[] = [],
  attrs: readonly string[] = [],
  opts: { flatten?: boolean } = {},
): Promise<ReadbackResult> {
  const [result] = await usdReadbackMany([{ root, others, attrs, flatten: opts.flatten }]);
  return result;
}

/** Parses each file with TinyUSDZ as a layer and as a typed stage, in one process. */
export async function tinyusdzCheckMany(files: readonly string[], opts: { print?: boolean } = {}): Promise<TinyusdzResult[]> {
  if (files.length === 0) return [];
  const { code, stdout, stderr } = await runNode([script('./tinyusdz-check.mjs'), ...files], '', opts.print ? { TINY_PRINT: '1' } : {});
  if (code !== 0 && code !== 1) throw new Error(`tinyusdz-check.mjs exited with ${code}: ${stderr.trim() || stdout.trim()}`);
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TinyusdzResult);
}

export async function tinyusdzCheck(file: string, opts: { print?: boolean } = {}): Promise<TinyusdzResult> {
  const [result] = await tinyusdzCheckMany([file], opts);
  return result;
}
