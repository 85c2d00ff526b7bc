// What a queued line carries: plain JSON, so any producer (the CLI, a watcher, a studio's script)
// can add one and any worker can check it before doing anything (docs/queue.md, "Job data").
import { hostname } from 'node:os';
import path from 'node:path';
import { isRecord } from '@a2f/base';
import { namesOf, presetFile, safeFileName, SETTINGS, type JobSettingsInput, type SettingSpec } from '@a2f/pipeline';
import { QueueError } from './errors.js';
import { mapPath, type PathMapping } from './roots.js';

/** The keys a job's settings may have: the run settings at the top, the inference group under "inference". */
const JOB_KEYS = new Set([...namesOf('job').filter((n) => (SETTINGS[n] as SettingSpec).group === undefined), 'inference']);

export interface LineJobData {
  readonly v: 1;
  /** the audio file, absolute, as the producer saw it */
  readonly audio: string;
  /** the output stem: `<outDir>/<name>.usda`, `<name>.report.json`… (docs/output-names.md) */
  readonly name: string;
  /** the run settings (`a2f run`'s, as given, with their paths made absolute); outDir is where this line's files go */
  readonly settings: Readonly<Record<string, unknown>>;
  /** SHA-256 of the audio when it was added: a worker refuses a file that changed since */
  readonly audioSha256: string;
  readonly submitted: { readonly at: string; readonly host: string; readonly pid: number; readonly nonce: string };
}

/** Settings that name files, made absolute against the producer's working folder and then mapped. */
export function absoluteSettings(input: JobSettingsInput, map: readonly PathMapping[] = []): Record<string, unknown> {
  const s: Record<string, unknown> = { ...input };
  const abs = (p: unknown) => mapPath(path.resolve(String(p)), map);
  if (s.character !== undefined) s.character = abs(s.character);
  if (s.outDir !== undefined) s.outDir = abs(s.outDir);
  if (typeof s.model === 'string' && s.model !== 'default') s.model = abs(s.model);
  if (typeof s.preset === 'string' && presetFile(s.preset) === path.resolve(s.preset)) s.preset = abs(s.preset);
  return s;
}

/** The job's data with this machine's mount points (--path-map) applied to every path it names. */
export function mapJobData(d: LineJobData, map: readonly PathMapping[]): LineJobData {
  if (map.length === 0) return d;
  return { ...d, audio: mapPath(d.audio, map), settings: absoluteSettings(d.settings as JobSettingsInput, map) };
}

export const submitter = (nonce: string): LineJobData['submitted'] => ({
  at: new Date().toISOString(),
  host: hostname(),
  pid: process.pid,
  nonce,
});

/** Checks the shape of a job's data; the settings inside are checked by the settings table (resolveSettings) after this. */
export function parseJobData(data: unknown, id: string): LineJobData {
  const bad = (problem: string): never => {
    throw new QueueError(
      'INVALID_JOB',
      `job ${id}`,
      problem,
      'Add lines with `a2f queue add` (or enqueueLines from @a2f/queue), which writes the data a worker expects.',
    );
  };
  if (!isRecord(data)) return bad('its data is not an object');
  if (data.v !== 1) return bad(`its data has version ${JSON.stringify(data.v)}; this worker reads version 1`);
  if (typeof data.audio !== 'string' || !path.isAbsolute(data.audio)) return bad('its "audio" is not an absolute path');
  const name = data.name;
  if (typeof name !== 'string' || name === '' || safeFileName(name) !== name || Buffer.byteLength(name) > 200) {
    return bad(`its output name ${JSON.stringify(name)} is not a plain file name (it may not hold a path or start with a dot)`);
  }
  if (!isRecord(data.settings)) return bad('its "settings" is not an object');
  // Only run settings: a key the settings table does not know is a producer's mistake, not something to ignore.
  const unknown = Object.keys(data.settings).filter((k) => !JOB_KEYS.has(k));
  if (unknown.length) return bad(`its settings hold ${unknown.map((k) => JSON.stringify(k)).join(', ')}, which no run setting is called`);
  if (typeof data.settings.outDir !== 'string' || !path.isAbsolute(data.settings.outDir)) {
    return bad('its settings name no absolute output folder (outDir)');
  }
  if (typeof data.audioSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(data.audioSha256)) return bad('its "audioSha256" is not a SHA-256');
  const sub = isRecord(data.submitted) ? data.submitted : {};
  return {
    v: 1,
    audio: data.audio,
    name,
    settings: data.settings,
    audioSha256: data.audioSha256,
    submitted: {
      at: String(sub.at ?? ''),
      host: String(sub.host ?? ''),
      pid: Number(sub.pid ?? 0),
      nonce: String(sub.nonce ?? ''),
    },
  };
}
