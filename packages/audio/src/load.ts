import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { decodeAudioBytes } from './decode.js';
import { AUDIO_EXTENSIONS, type AudioFormat } from './detect.js';
import { AudioError } from './errors.js';
import { mixdown, resample } from './resample.js';

export interface AudioInfo {
  /** the path as given to loadAudio */
  file: string;
  format: AudioFormat;
  /** of the file, before resampling */
  sampleRate: number;
  channels: number;
  /** sample frames in the file after MP3 delay trimming, at `sampleRate` */
  frames: number;
  durationSeconds: number;
  /** hex SHA-256 of the file's bytes, for caching and provenance */
  sha256: string;
  /** samples trimmed from the start (MP3 encoder delay) */
  trimmedSamples: number;
}

export interface LoadedAudio {
  /** mono, at `sampleRate` */
  samples: Float32Array;
  sampleRate: number;
  info: AudioInfo;
}

export const DEFAULT_SAMPLE_RATE = 16000;

/**
 * Reads, decodes, mixes to mono and resamples (default 16 kHz, what Audio2Face expects).
 * Every failure is an AudioError whose message names the file, the problem and a fix.
 */
export async function loadAudio(file: string, opts: { sampleRate?: number } = {}): Promise<LoadedAudio> {
  const rate = opts.sampleRate ?? DEFAULT_SAMPLE_RATE;
  if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`loadAudio: sampleRate must be a positive integer, got ${rate}`);
  const bytes = await readAudioFile(file);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const decoded = await decodeAudioBytes(bytes, file);
  const frames = decoded.channels[0]!.length;
  let samples: Float32Array;
  try {
    samples = await resample(mixdown(decoded.channels), decoded.sampleRate, rate);
  } catch (e) {
    throw new AudioError(
      'DECODE_FAILED',
      file,
      `cannot be resampled from ${decoded.sampleRate} Hz to ${rate} Hz`,
      'Re-export the file at a standard rate such as 16000, 44100 or 48000 Hz',
      { cause: e },
    );
  }
  return {
    samples,
    sampleRate: rate,
    info: {
      file,
      format: decoded.format,
      sampleRate: decoded.sampleRate,
      channels: decoded.channels.length,
      frames,
      durationSeconds: frames / decoded.sampleRate,
      sha256,
      trimmedSamples: decoded.trimmedSamples,
    },
  };
}

async function readAudioFile(file: string): Promise<Uint8Array> {
  try {
    const st = await stat(file);
    if (st.isDirectory()) {
      throw new AudioError(
        'IS_DIRECTORY',
        file,
        'is a directory, not an audio file',
        `Pass one audio file from it (${AUDIO_EXTENSIONS.join(', ')})`,
      );
    }
    if (st.size === 0) throw new AudioError('EMPTY', file, 'is empty (0 bytes)', 'Export or copy the audio again');
    return new Uint8Array(await readFile(file));
  } catch (e) {
    if (e instanceof AudioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const missing = code === 'ENOENT' || code === 'ENOTDIR';
    throw new AudioError(
      'NOT_FOUND',
      file,
      missing ? 'does not exist' : `cannot be read (${code ?? String(e)})`,
      missing
        ? `Check the path; relative paths start from ${process.cwd()}`
        : 'Check that the file is readable by the current user',
      { cause: e },
    );
  }
}
