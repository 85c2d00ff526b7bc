// The audio a layer was made from, found and put into the blob: the file given, else the one the
// run's report names, else the one the layer's provenance names beside the layer, each checked against
// the sha256 the layer recorded; then a 16-bit WAV the page plays, the waveform's peaks and the
// loudness of every animation frame (docs/preview.md, "Finding the audio").
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { decodeAudioBytes, encodeWav, mixdown } from '@a2f/audio';
import { isRecord, sha256Text } from '@a2f/base';
import type { BlobBuilder, PreviewAudio, PreviewTime } from './data.js';
import { PreviewError } from './errors.js';
import { reportFiles } from './scene.js';

/** Waveform resolution: enough to see syllables at any zoom the curves panel offers. */
const PEAKS_PER_SECOND = 200;

export interface AudioChoice {
  /** The layer, for messages and to resolve relative names. */
  readonly layer: string;
  /** `--audio <file>`, or false for a silent page; undefined to find it. */
  readonly given?: string | false;
  /** The layer's `customLayerData.a2f` (its `audio.file` and `audio.sha256`). */
  readonly provenance: Readonly<Record<string, unknown>>;
  /** The run's report beside the layer (its `audio`). */
  readonly report?: Readonly<Record<string, unknown>>;
}

export interface FoundAudio {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly sha256: string;
  /** What is worth telling: the file given is not the one the layer recorded, or no hash to check. */
  readonly notes: string[];
}

/** The audio file to play, or undefined when `given` is false. Throws AUDIO_NOT_FOUND / AUDIO_MISMATCH. */
export function findAudio(choice: AudioChoice): FoundAudio | undefined {
  const { layer, given } = choice;
  if (given === false) return undefined;
  const recorded = isRecord(choice.provenance.audio) ? choice.provenance.audio : {};
  const wantSha = typeof recorded.sha256 === 'string' ? recorded.sha256 : undefined;
  const dir = path.dirname(layer);
  if (given !== undefined) {
    if (!existsSync(given)) {
      throw new PreviewError(
        'AUDIO_NOT_FOUND',
        given,
        'the audio file given with --audio does not exist',
        'Pass --audio an existing file, or --no-audio',
      );
    }
    const bytes = readFileSync(given);
    const sha256 = sha256Text(bytes);
    const notes =
      wantSha && wantSha !== sha256
        ? [`the audio given (${path.basename(given)}) is not the file the layer was made from (its sha256 differs); it plays anyway`]
        : [];
    return { file: given, bytes, sha256, notes };
  }
  const candidates: { file: string; from: string }[] = [];
  if (typeof choice.report?.audio === 'string') {
    candidates.push({ file: path.resolve(dir, choice.report.audio), from: `the "audio" of the run's report beside the layer` });
  }
  if (typeof recorded.file === 'string') {
    candidates.push({ file: path.resolve(dir, recorded.file), from: "the layer's customLayerData.a2f.audio.file, beside the layer" });
  }
  let mismatch: { file: string; sha256: string } | undefined;
  for (const c of candidates) {
    if (!existsSync(c.file)) continue;
    const bytes = readFileSync(c.file);
    const sha256 = sha256Text(bytes);
    if (!wantSha)
      return { file: c.file, bytes, sha256, notes: [`the layer records no audio sha256, so ${path.basename(c.file)} was not checked`] };
    if (sha256 === wantSha) return { file: c.file, bytes, sha256, notes: [] };
    mismatch ??= { file: c.file, sha256 };
  }
  if (mismatch) {
    throw new PreviewError(
      'AUDIO_MISMATCH',
      mismatch.file,
      `this is not the audio ${path.basename(layer)} was made from: its sha256 is ${mismatch.sha256.slice(0, 12)}…, ` +
        `the layer recorded ${wantSha!.slice(0, 12)}… (the file changed after the run)`,
      `Pass the original recording with --audio <file>, run the line again, or preview without sound with --no-audio`,
    );
  }
  const looked = candidates.length
    ? candidates.map((c) => `${c.file} (${c.from})`).join('; ')
    : `nowhere: no run report (${reportFiles(layer)
        .map((f) => path.basename(f))
        .join(' or ')}) is beside the layer, ` + "and the layer's customLayerData.a2f.audio names no file";
  throw new PreviewError(
    'AUDIO_NOT_FOUND',
    layer,
    `the audio the layer was made from was not found; looked at ${looked}`,
    'Pass the audio with --audio <file>, or preview without sound with --no-audio',
  );
}

/** Decodes the audio and adds it to the blob: the WAV the page plays, peaks for the waveform, RMS per frame. */
export async function addAudio(found: FoundAudio, time: PreviewTime, blob: BlobBuilder): Promise<{ audio: PreviewAudio; wav: Uint8Array }> {
  const decoded = await decodeAudioBytes(found.bytes, found.file);
  const rate = decoded.sampleRate;
  const wav = encodeWav(decoded.channels, rate, 'pcm16');
  const mono = mixdown(decoded.channels);
  // Whole samples per bucket, so the page can place bucket i at exactly i / peaksPerSecond seconds.
  const bucket = Math.max(1, Math.round(rate / PEAKS_PER_SECOND));
  return {
    wav,
    audio: {
      name: path.basename(found.file),
      sha256: found.sha256,
      sampleRate: rate,
      channels: decoded.channels.length,
      durationSeconds: mono.length / rate,
      wav: blob.add('u8', wav),
      peaks: blob.add('f32', peaks(mono, bucket)),
      peaksPerSecond: rate / bucket,
      rms: blob.add('f32', frameRms(mono, rate, time.fps, time.frames)),
    },
  };
}

/** Min and max of each bucket of `size` samples. */
export function peaks(mono: Float32Array, size: number): Float32Array {
  const n = Math.ceil(mono.length / size);
  const out = new Float32Array(n * 2);
  for (let b = 0; b < n; b++) {
    let lo = Infinity;
    let hi = -Infinity;
    const end = Math.min(mono.length, (b + 1) * size);
    for (let i = b * size; i < end; i++) {
      const v = mono[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out[b * 2] = lo;
    out[b * 2 + 1] = hi;
  }
  return out;
}

/** RMS over each frame's span [f/fps, (f+1)/fps) of the audio (frame 0 starts with the audio); 0 past its end. */
export function frameRms(mono: Float32Array, rate: number, fps: number, frames: number): Float32Array {
  const out = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    const a = Math.round((f / fps) * rate);
    const b = Math.min(mono.length, Math.round(((f + 1) / fps) * rate));
    let sum = 0;
    for (let i = a; i < b; i++) sum += mono[i]! * mono[i]!;
    out[f] = b > a ? Math.sqrt(sum / (b - a)) : 0;
  }
  return out;
}
