import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { sha256Text } from '@a2f/base';
import { JobError } from './errors.js';

/**
 * A run never silently replaces a layer made from other audio or settings: before a line writes,
 * the files its name would take are looked at, and the report beside them (its `origin`) says
 * what they were made from. Rules: docs/output-names.md ("Existing layers").
 */

/** What a line's name already held in the output folder, and why it differs from this line. */
export interface ReplacedOutput {
  /** the existing files this line's outputs replace (layers and report) */
  readonly files: readonly string[];
  /** other audio; the same audio with other (or unrecorded) settings; files with no readable report */
  readonly reason: 'audio' | 'settings' | 'unknown';
  /** the audio the existing report names, when there is one */
  readonly previousAudio?: string;
}

/** What a report records so a later run can tell whether it would replace the same thing. */
export interface OutputOrigin {
  readonly audioSha256: string;
  readonly settingsSha256: string;
}

/** Layer and report file names a line named `name` may have written (either layering). */
const candidates = (name: string): string[] => [`${name}.usda`, `${name}.anim.usda`, `${name}.shot.usda`, `${name}.report.json`];

/** SHA-256 of settings as JSON; equal settings objects (same key order) give equal hashes. */
export const settingsSha256 = (settings: unknown): string => sha256Text(JSON.stringify(settings));

/**
 * What `name` already holds in `outDir` that did not come from this audio and these settings, or
 * null (nothing there, or the same audio and settings: rewriting gives the same layer).
 * `audioSha256` is the hash the audio loader took while reading the line, so the audio is read
 * once per line, never a second time (and never synchronously) just to compare.
 */
export function findReplaced(outDir: string, name: string, audioSha256: string, settingsSha: string): ReplacedOutput | null {
  const files = candidates(name)
    .map((f) => path.join(outDir, f))
    .filter((f) => existsSync(f));
  if (files.length === 0) return null;
  const report = readOrigin(path.join(outDir, `${name}.report.json`));
  if (!report) return { files, reason: 'unknown' };
  const previousAudio = report.audio;
  if (report.audioSha256 !== audioSha256) return { files, reason: 'audio', ...(previousAudio ? { previousAudio } : {}) };
  if (report.settingsSha256 !== settingsSha) return { files, reason: 'settings', ...(previousAudio ? { previousAudio } : {}) };
  return null;
}

/** The refusal of --no-clobber for one line. */
export function clobberError(replaced: ReplacedOutput): JobError {
  return new JobError(
    'OUTPUT_EXISTS',
    replaced.files[0]!,
    `already exists, ${describeReplaced(replaced)}, and --no-clobber keeps it`,
    'Write to another folder (--out), rename the audio file, or run without --no-clobber to replace it.',
  );
}

/** "made from other audio (old.wav)" and the like, for messages and summaries. */
export function describeReplaced(r: ReplacedOutput): string {
  const from = r.previousAudio ? ` (${path.basename(r.previousAudio)})` : '';
  if (r.reason === 'audio') return `made from other audio${from}`;
  if (r.reason === 'settings') return `made from the same audio with other settings${from}`;
  return 'not made by a2f from this audio (no readable report beside it)';
}

function readOrigin(reportFile: string): { audio?: string; audioSha256?: string; settingsSha256?: string } | null {
  try {
    const json = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      audio?: unknown;
      origin?: Partial<OutputOrigin>;
      provenance?: { audio?: { sha256?: unknown } };
    };
    const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      audio: str(json.audio),
      // Reports from before `origin` existed still name their audio's hash in the provenance.
      audioSha256: str(json.origin?.audioSha256) ?? str(json.provenance?.audio?.sha256),
      settingsSha256: str(json.origin?.settingsSha256),
    };
  } catch {
    return null;
  }
}
