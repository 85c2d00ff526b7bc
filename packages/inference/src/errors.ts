/**
 * An inference failure a user can act on. Same shape as the pipeline's JobError (code, file,
 * problem, fix) so reports flatten it without knowing this package.
 */
export class InferenceError extends Error {
  constructor(
    readonly code: InferenceErrorCode,
    /** the file the problem is in or about (manifest, network, table) */
    readonly file: string,
    readonly problem: string,
    readonly fix: string,
  ) {
    super(`${file}: ${problem}. ${fix}`);
    this.name = 'InferenceError';
  }
}

export type InferenceErrorCode =
  | 'PACK_NOT_FOUND'
  | 'PACK_JSON'
  | 'PACK_FIELD'
  | 'PACK_HASH'
  | 'NETWORK_LOAD'
  | 'NETWORK_MISMATCH'
  | 'CUDA_UNAVAILABLE'
  | 'WORKER_CRASHED'
  | 'INFERENCE_RUN'
  | 'ENGINE_CLOSED'
  | 'BAD_OPTION';

/** How a value looks in an error: short, typed, never a wall of JSON. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `the array ${clip(JSON.stringify(value))}`;
  if (typeof value === 'string') return `the string ${clip(JSON.stringify(value))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

const clip = (text: string): string => (text.length > 60 ? `${text.slice(0, 57)}…` : text);
