import path from 'node:path';
import { sha256Text } from '@a2f/base';
import { modelSignature } from './file-hashes.js';
import { fpsPathLabel } from './output-path.js';
import { DEFAULT_A2E_PACK, isAutoEmotion } from './voice-emotion.js';

/**
 * The idempotency key of a line: the same audio bytes, with the same sidecar bytes, under the same
 * settings, always write the same files, so a key that is already done is not computed again.
 *   audio      SHA-256 of the audio file's bytes (its name is not part of it: a copy under another
 *              name has the same key and is recorded as a duplicate)
 *   sidecar    SHA-256 of the sidecar's bytes, or "none"
 *   character  SHA-256 of the character asset the line binds to (the sidecar may name another)
 *   model      the model's signature (hash.ts: modelSignature)
 *   settings   everything else that decides the output (settingsFingerprint): the settings the
 *              table in pipeline's settings-schema.ts marks so, the preset's bytes and the path template's text
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

/** What the settings part of a key holds besides the resolved settings: what the watcher loaded from them. */
export interface KeyExtras {
  /** SHA-256 of the binding preset's file ("missing" when it is not there) */
  readonly presetSha256: string;
  /** the path template's text (the `paths` setting names it) */
  readonly template: string;
  readonly tool: string;
}

/**
 * The settings part of a key, from the resolved settings that change the output only (pipeline's
 * outputSettings); no default is applied here. Settings the key held before the settings table keep
 * their names and shapes, so journals written then still match; a setting added to the table later
 * enters under its own name. The model is its own part of the key (modelSignature), so it is left out.
 */
export function settingsFingerprint(output: Readonly<Record<string, unknown>>, x: KeyExtras): string {
  const {
    model: _model,
    paths: _paths,
    fps,
    sublayerCharacter,
    allowTruncated,
    emotion,
    solvePath,
    blinks,
    blinkIntervalSeconds,
    jaw,
    channels,
    excludeChannels,
    preview,
    a2e,
    ...rest
  } = output;
  // The Audio2Emotion pack enters as a model does (its files' names, sizes and times), so a pack
  // replaced in place redoes its lines; `--emotion auto` uses the installed one.
  const voicePack =
    typeof a2e === 'string' ? a2e : typeof emotion === 'string' && isAutoEmotion(emotion) ? path.resolve(DEFAULT_A2E_PACK) : undefined;
  return fingerprint({
    ...rest,
    // As the path template writes it ("29.97"), as before the table.
    fps: fpsPathLabel(fps as Parameters<typeof fpsPathLabel>[0]),
    presetSha256: x.presetSha256,
    sublayer: sublayerCharacter,
    // Only when on, so keys of folders watched before the option existed stay the same.
    ...(allowTruncated ? { allowTruncated: true } : {}),
    // Likewise: a folder watched without --preview keeps its keys; turning it on redoes its lines, with pages.
    ...(preview ? { preview: true } : {}),
    ...(voicePack === undefined ? {} : { a2e: modelSignature(voicePack, x.tool) }),
    emotion: emotion ?? null,
    solver: solvePath ?? null,
    // The animation controls change what a layer holds, so a changed choice is another key.
    controls: {
      blinks,
      blinkIntervalSeconds: blinkIntervalSeconds ?? 'model default',
      jaw,
      channels: channels ?? null,
      excludeChannels: excludeChannels ?? null,
    },
    template: x.template,
    tool: x.tool,
  });
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
