// The animation controls a user picks per run: which channels are written (glob filters), how the
// jaw is driven, and which channels carry blinks. Rules and their reasons: docs/animation-controls.md.
import { A2fError } from '@a2f/base';
import { matchKey } from './binding.js';

/**
 * Which of the two jaw drivers is written: the jaw joint's rotation, the jaw blendshapes
 * (jawOpen and its sideways/forward siblings), or both. 'auto' picks per character.
 */
export type JawMode = 'joint' | 'blendshape' | 'both';
export const JAW_MODES: readonly (JawMode | 'auto')[] = ['auto', 'joint', 'blendshape', 'both'];

/** Blendshape channels that move the jaw itself; the jaw joint carries the same motion. */
export const JAW_BLENDSHAPES: readonly string[] = ['jawOpen', 'jawForward', 'jawLeft', 'jawRight'];
const JAW_KEYS = new Set(JAW_BLENDSHAPES.map(matchKey));
export const isJawBlendshape = (channel: string): boolean => JAW_KEYS.has(matchKey(channel));

/** Channels a blink closes (eyeBlinkLeft/Right, in any spelling a pack uses). */
export const isBlinkChannel = (channel: string): boolean => matchKey(channel).startsWith('eyeblink');

/** Our joint channel that the jaw mode governs. */
export const JAW_JOINT_CHANNEL = 'jaw';

export interface ChannelFilter {
  /** glob patterns; a channel is kept only if it matches one (absent: every channel) */
  readonly include?: readonly string[];
  /** glob patterns; a channel matching one is dropped */
  readonly exclude?: readonly string[];
}

/**
 * Splits a comma-separated list of globs (`jaw*,mouth*`). Only `*` (any run of characters) and
 * `?` (one character) are special. Throws a message saying what is wrong (the caller names the option).
 */
export function parseChannelGlobs(text: string): string[] {
  const globs = text
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  if (globs.length === 0) throw new Error('has no patterns');
  const bad = globs.find((g) => !/^[A-Za-z0-9_*?.:-]+$/.test(g));
  if (bad !== undefined)
    throw new Error(`pattern "${bad}" has characters no channel name has (names use letters, digits and _; wildcards are * and ?)`);
  return globs;
}

/** A glob as a whole-name, case-insensitive test (binding already matches names ignoring case). */
export function globTest(glob: string): (name: string) => boolean {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const re = new RegExp(`^${body}$`, 'i');
  return (name) => re.test(name);
}

const CHANNEL_FIX = 'Correct the pattern; `a2f inspect <character> --model <model>` lists the channel names (case is ignored).';

/**
 * A filter pattern that matches none of a model's channels: a typo, never silently ignored. The
 * option (`--channels`, `--exclude-channels`) stands where the file would: it is what to correct.
 */
export class ChannelFilterError extends A2fError<'UNKNOWN_CHANNEL'> {
  constructor(
    readonly option: string,
    readonly pattern: string,
    problem: string,
  ) {
    super('UNKNOWN_CHANNEL', option, problem, CHANNEL_FIX);
  }
}

export interface FilteredChannels {
  readonly kept: readonly string[];
  readonly excluded: readonly string[];
}

/**
 * Applies the filter to every channel name a model produces (blendshapes and joints together).
 * A pattern that matches none of them is an error naming it: a typo must not silently write all
 * (include) or nothing less (exclude).
 */
export function filterChannels(channels: readonly string[], filter: ChannelFilter, modelName = 'this model'): FilteredChannels {
  const check = (globs: readonly string[] | undefined, option: string): ((n: string) => boolean)[] =>
    (globs ?? []).map((g) => {
      const test = globTest(g);
      if (!channels.some(test)) {
        throw new ChannelFilterError(
          option,
          g,
          `pattern "${g}" matches none of the ${channels.length} channels of ${modelName} (${channels.join(', ')})`,
        );
      }
      return test;
    });
  const include = check(filter.include, '--channels');
  const exclude = check(filter.exclude, '--exclude-channels');
  const kept: string[] = [];
  const excluded: string[] = [];
  for (const c of channels) {
    const keep = (include.length === 0 || include.some((t) => t(c))) && !exclude.some((t) => t(c));
    (keep ? kept : excluded).push(c);
  }
  return { kept, excluded };
}
