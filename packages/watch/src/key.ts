import { sha256Text } from './hash.js';

/**
 * The idempotency key of a line: the same audio bytes, with the same sidecar bytes, under the same
 * settings, always write the same files, so a key that is already done is not computed again.
 *   audio      SHA-256 of the audio file's bytes (its name is not part of it: a copy under another
 *              name has the same key and is recorded as a duplicate)
 *   sidecar    SHA-256 of the sidecar's bytes, or "none"
 *   character  SHA-256 of the character asset the line binds to (the sidecar may name another)
 *   model      the model's signature (hash.ts: modelSignature)
 *   settings   everything else that decides the output: fps, layering, preset (and its bytes),
 *              sublayering, seed, JSON export, the path template and shot pattern
 * The output folder is not part of it: the state folder lives in the output folder, so one state
 * folder always describes one output tree.
 */
export interface KeyParts {
  readonly audioSha256: string;
  readonly sidecarSha256: string | null;
  readonly characterSha256: string;
  readonly modelSignature: string;
  readonly settingsFingerprint: string;
}

export function lineKey(p: KeyParts): string {
  return sha256Text(
    ['a2f-watch-key/1', p.audioSha256, p.sidecarSha256 ?? 'none', p.characterSha256, p.modelSignature, p.settingsFingerprint].join('\n'),
  );
}

/** A stable hash of plain JSON data: object keys sorted, so field order never changes a key. */
export function fingerprint(value: unknown): string {
  return sha256Text(stableJson(value));
}

export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const o = value as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}
