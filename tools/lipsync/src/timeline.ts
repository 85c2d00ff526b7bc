// The phoneme timeline a synthesizer run leaves beside its WAV ("lipsync-eval.timeline/1",
// docs/lipsync-eval.md#timelines): what was said, from when to when, in seconds of the WAV.
import { readFileSync } from 'node:fs';
import { A2fError, isRecord } from '@a2f/base';

export interface TimelinePhoneme {
  readonly i: number;
  /** the synthesizer's mnemonic: espeak-ng's (`a`, `A:`, `tS`, `_:`), festival's mapped onto them */
  readonly ph: string;
  readonly start: number;
  readonly end: number;
  /** the raw event time (a stop's release), before its closure was given to it */
  readonly event?: number;
  readonly word?: number;
  /** 1: primary stress, 2: secondary, 0 or absent: none (vowels only) */
  readonly stress?: number;
  /** festival's own phone name when the line came from festival */
  readonly festival?: string;
}

export interface Timeline {
  readonly format: string;
  readonly source: string;
  readonly text: string;
  readonly voice: string;
  readonly rate_wpm?: number;
  readonly pitch?: number;
  readonly sample_rate: number;
  /** the WAV's file name, beside the timeline */
  readonly wav: string;
  readonly num_samples: number;
  readonly duration: number;
  readonly speech_start?: number;
  readonly speech_end?: number;
  readonly lead_ms?: number;
  readonly tail_ms?: number;
  readonly phoneme_string?: string;
  readonly words?: readonly { readonly i: number; readonly start: number; readonly text: string }[];
  readonly phonemes: readonly TimelinePhoneme[];
  /** espeak-ng language of the voice when it is not English (the foreign set) */
  readonly language?: string;
}

export const TIMELINE_FORMAT = 'lipsync-eval.timeline/1';

/** Audio length in seconds: `duration`, else samples ÷ rate. */
export function timelineDuration(t: Pick<Timeline, 'duration' | 'num_samples' | 'sample_rate'>): number {
  return Number.isFinite(t.duration) ? t.duration : t.num_samples / t.sample_rate;
}

export function readTimeline(file: string): Timeline {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new A2fError('TIMELINE', file, `cannot be read as JSON (${(err as Error).message})`, 'Make it again with phonemize.', {
      cause: err,
    });
  }
  checkTimeline(json, file);
  return json;
}

export function checkTimeline(json: unknown, file: string): asserts json is Timeline {
  const fix = 'Make timelines with tools/lipsync (synthesize) or the phonemize program.';
  if (!isRecord(json) || !Array.isArray(json.phonemes)) throw new A2fError('TIMELINE', file, 'has no "phonemes" list', fix);
  if (!(Number(json.sample_rate) > 0)) throw new A2fError('TIMELINE', file, '"sample_rate" must be a positive number', fix);
  for (const p of json.phonemes as unknown[]) {
    if (!isRecord(p) || typeof p.ph !== 'string' || !Number.isFinite(p.start) || !Number.isFinite(p.end)) {
      throw new A2fError('TIMELINE', file, `phoneme ${JSON.stringify(p)} needs "ph", "start" and "end"`, fix);
    }
  }
}
