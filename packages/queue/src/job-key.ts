import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256File, sha256Text } from '@a2f/base';
import {
  characterFiles,
  FileHashCache,
  lineKey,
  modelSignature,
  outputName,
  outputSettings,
  presetFile,
  readSidecar,
  resolveSettings,
  settingsFingerprint,
  sidecarPath,
  TOOL,
  type JobSettings,
  type JobSettingsInput,
  type LineSidecar,
} from '@a2f/pipeline';
import { QueueError } from './errors.js';

/** One line to queue: its audio, and the output stem when the caller chose one (default: from the file name). */
export interface QueueLine {
  readonly audio: string;
  readonly name?: string;
}

/** A line's key and what was read to make it. */
export interface KeyedLine {
  readonly key: string;
  readonly audioSha256: string;
  readonly sidecar: LineSidecar | null;
}

/**
 * The line's idempotency key, used as its BullMQ job id: the watch folder's recipe (pipeline's
 * lineKey: audio bytes, sidecar bytes, the character's files, the model's signature, every setting
 * that changes the output, the preset's bytes, the tool version), with the line's destination
 * (`<outDir>/<name>`) where the watch key has its path template: a line sent to two output folders is
 * two jobs, the same line added twice to one is one.
 */
export async function jobKey(line: QueueLine, settings: JobSettingsInput | JobSettings, hashes?: FileHashCache): Promise<string> {
  return (await keyLine(line, resolveSettings(settings as JobSettingsInput), hashes ?? characterHashes(settings as JobSettings))).key;
}

/** A character hash cache whose characters are composed with these settings' variants. */
export const characterHashes = (s: Pick<JobSettings, 'variants' | 'skelRoot' | 'skeleton'>): FileHashCache =>
  new FileHashCache((file) => characterFiles(file, s));

export async function keyLine(line: QueueLine, s: JobSettings, hashes: FileHashCache): Promise<KeyedLine> {
  const audio = path.resolve(line.audio);
  const audioSha256 = await sha256File(audio).catch((err: NodeJS.ErrnoException) => {
    throw new QueueError(
      'AUDIO_NOT_FOUND',
      audio,
      `cannot be read (${err.code ?? err.message})`,
      'Check the path; a producer reads each file once to make its job id.',
    );
  });
  const scFile = sidecarPath(audio);
  let sidecarSha: string | null = null;
  let sidecar: LineSidecar | null = null;
  if (existsSync(scFile)) {
    sidecarSha = sha256Text(readFileSync(scFile));
    try {
      sidecar = readSidecar(audio);
    } catch {
      // A bad sidecar is the line's permanent failure, reported by the worker with its fix.
    }
  }
  const character = sidecar?.character ?? s.character;
  let characterSha: string;
  try {
    characterSha = await hashes.character(character);
  } catch {
    characterSha = 'missing';
  }
  const model = sidecar?.model ?? s.model;
  const key = lineKey({
    audioSha256,
    sidecarSha256: sidecarSha,
    characterSha256: characterSha,
    modelSignature: modelSignature(model === 'default' ? model : path.resolve(model), TOOL.version),
    settingsFingerprint: settingsFingerprint(outputSettings(s), {
      presetSha256: fileSha(presetFile(s.preset)),
      template: path.join(s.outDir, line.name ?? outputName(audio)),
      tool: TOOL.version,
    }),
  });
  return { key, audioSha256, sidecar };
}

function fileSha(file: string): string {
  try {
    return sha256Text(readFileSync(file));
  } catch {
    return 'missing';
  }
}
