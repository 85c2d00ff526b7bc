// What the live tests share: client audio made in the test, the line `a2f run` makes of it, and a
// stream fed in chosen pieces.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeWav } from '@a2f/audio';
import { speech, voicedLine } from '@a2f/test-utils';
import { JobContext, openLiveStream, type LiveEmotionKey, type LiveFrame, type LiveSettingsInput, type LiveStream } from '../src/index.js';

export const CHARACTER = path.resolve(import.meta.dirname, '../../../samples/character/face.usda');

/** Speech-like 16-bit mono PCM at `rate`: a vowel, a pause, syllables; deterministic. */
export function clientPcm(rate: number, seconds: number): Int16Array {
  const vowel = voicedLine({
    rate,
    seconds,
    from: 0.15,
    to: Math.min(seconds, 0.75),
    partials: [
      [140, 0.3],
      [700, 0.25],
      [1200, 0.15],
      [2600, 0.05],
    ],
  });
  const syllables = speech(180, Math.max(0, seconds - 0.9), rate);
  const at = Math.round(0.9 * rate);
  const out = new Int16Array(vowel.length);
  for (let i = 0; i < out.length; i++) {
    const v = vowel[i] + (i >= at && i - at < syllables.length ? syllables[i - at] : 0);
    out[i] = Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
  }
  return out;
}

/**
 * The PCM as the 16-bit WAV a recording writes (the plain 44-byte header): encodeWav scales by 2^15,
 * so each sample comes back as the same 16-bit code.
 */
export function wavOf(pcm: Int16Array, rate: number): Uint8Array {
  return encodeWav([Float32Array.from(pcm, (v) => v / 32768)], rate, 'pcm16');
}

export interface LineFrames {
  readonly names: readonly string[];
  readonly weights: readonly (readonly number[])[];
}

/** `a2f run` on the PCM: JobContext with the a2f_export JSON, as the CLI runs a line. */
export async function runLine(
  dir: string,
  settings: LiveSettingsInput,
  pcm: Int16Array,
  rate: number,
  name: string,
  sidecar?: unknown,
): Promise<LineFrames> {
  const audio = path.join(dir, `${name}.wav`);
  writeFileSync(audio, wavOf(pcm, rate));
  // The line's sidecar, <stem>.a2f.json beside the audio, as a recording writes the applied emotion keys.
  if (sidecar !== undefined) writeFileSync(path.join(dir, `${name}.a2f.json`), JSON.stringify(sidecar));
  const out = path.join(dir, 'out');
  const ctx = await JobContext.create({ ...settings, character: CHARACTER, outDir: out, exportJson: true });
  try {
    const r = await ctx.process(audio);
    if (!r.ok) throw new Error(`a2f run failed: ${r.error.message}`);
    const json = JSON.parse(readFileSync(path.join(out, `${name}.a2f.json`), 'utf8')) as { facsNames: string[]; weightMat: number[][] };
    return { names: json.facsNames, weights: json.weightMat };
  } finally {
    await ctx.close();
  }
}

/** Feeds the PCM in pieces of `size(i)` samples (the i-th piece), with `keys(i)` on each; returns every frame. */
export async function streamPcm(
  stream: LiveStream,
  pcm: Int16Array,
  size: (i: number) => number,
  keys?: (from: number, to: number) => LiveEmotionKey[] | undefined,
): Promise<LiveFrame[]> {
  const frames: LiveFrame[] = [];
  for (let at = 0, i = 0; at < pcm.length; i++) {
    const n = Math.max(1, Math.min(size(i), pcm.length - at));
    const k = keys?.(at, at + n);
    for (const f of await stream.push(pcm.subarray(at, at + n), k)) frames.push(f);
    at += n;
  }
  for (const f of await stream.end()) frames.push(f);
  return frames;
}

/** A stream of its own model, fed as streamPcm feeds it. */
export async function liveFrames(
  settings: LiveSettingsInput,
  pcm: Int16Array,
  rate: number,
  size: (i: number) => number,
): Promise<LiveFrame[]> {
  const stream = await openLiveStream({ settings, sampleRate: rate });
  try {
    return await streamPcm(stream, pcm, size);
  } finally {
    stream.close();
  }
}

/** Largest |live − line| over every frame and channel; throws when the frame counts or names differ. */
export function maxDifference(live: readonly LiveFrame[], line: LineFrames, names: readonly string[]): number {
  if (live.length !== line.weights.length) throw new Error(`the stream gave ${live.length} frames, a2f run ${line.weights.length}`);
  if (names.join() !== line.names.join()) throw new Error('the stream names other blendshapes than a2f run');
  let max = 0;
  live.forEach((f, k) => {
    const row = line.weights[k];
    for (let c = 0; c < row.length; c++) max = Math.max(max, Math.abs(f.weights[c] - row[c]));
  });
  return max;
}

/** Seeded piece sizes from 1 to `max` samples. */
export function randomSizes(seed: number, max: number): (i: number) => number {
  let s = seed >>> 0;
  const sizes: number[] = [];
  return (i) => {
    while (sizes.length <= i) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      sizes.push(1 + (s % max));
    }
    return sizes[i];
  };
}
