import { open, readFile, stat, type FileHandle } from 'node:fs/promises';
import { sha256Text } from '@a2f/base';
import { decodeAudioBytes } from './decode.js';
import { AUDIO_EXTENSIONS, type AudioFormat } from './detect.js';
import { AudioError } from './errors.js';
import { shortfallError, wavShortfall, type Truncation } from './integrity.js';
import { mixdown, MonoResampler, resample } from './resample.js';
import { isDelegatedWav, readWavLayout } from './wav.js';
import { FileBytes, streamWavMono } from './wav-stream.js';

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
  /** only with `allowTruncated`: the file is cut short or damaged, and this is what is missing */
  truncation?: Truncation;
}

export interface LoadOptions {
  /** Hz of the returned samples (default 16000) */
  sampleRate?: number;
  /**
   * Process what is there of a file that is cut short or damaged instead of refusing it with
   * TRUNCATED / CORRUPT; `info.truncation` then says what is missing. Default false.
   */
  allowTruncated?: boolean;
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
 * PCM and float WAV files are streamed (read, mixed down and resampled block by block), so an
 * hour-long line costs its 16 kHz result in memory, not its decoded channels; the samples are
 * bit-identical to decoding the whole file (decodeAudioBytes → mixdown → resample).
 */
export async function loadAudio(file: string, opts: LoadOptions = {}): Promise<LoadedAudio> {
  const rate = opts.sampleRate ?? DEFAULT_SAMPLE_RATE;
  if (!Number.isInteger(rate) || rate <= 0) throw new RangeError(`loadAudio: sampleRate must be a positive integer, got ${rate}`);
  const allowTruncated = opts.allowTruncated === true;
  const streamed = await loadWavStreaming(file, rate, allowTruncated);
  if (streamed) return streamed;
  const bytes = await readAudioFile(file);
  const sha256 = sha256Text(bytes);
  const decoded = await decodeAudioBytes(bytes, file, { allowTruncated });
  const frames = decoded.channels[0]!.length;
  let samples: Float32Array;
  try {
    samples = await resample(mixdown(decoded.channels), decoded.sampleRate, rate);
  } catch (e) {
    throw resampleError(file, decoded.sampleRate, rate, e);
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
      ...(decoded.truncation ? { truncation: decoded.truncation } : {}),
    },
  };
}

/**
 * The streamed path for WAV files we decode ourselves, or null where the whole-file path must
 * run instead (not a WAV, a codec @audio/decode handles, no frames, a rate the resampler can
 * only reproduce whole): that path then reports every error exactly as before.
 */
async function loadWavStreaming(file: string, rate: number, allowTruncated: boolean): Promise<LoadedAudio | null> {
  let fh: FileHandle;
  let size: number;
  try {
    size = await checkedSize(file);
    fh = await open(file, 'r');
  } catch (e) {
    throw readFailure(file, e);
  }
  try {
    const bytes = await FileBytes.open(fh, size);
    // detectFormat decides 'wav' from these 12 bytes alone.
    const magic = (at: number) => String.fromCharCode(bytes.byte(at), bytes.byte(at + 1), bytes.byte(at + 2), bytes.byte(at + 3));
    if (size < 12 || !['RIFF', 'RF64', 'BW64'].includes(magic(0)) || magic(8) !== 'WAVE') return null;
    const layout = await bytes.walk((src) => readWavLayout(src, file));
    if (isDelegatedWav(layout) || layout.frames === 0) return null;
    const shortfall = wavShortfall(layout);
    if (shortfall && !allowTruncated) throw shortfallError(file, shortfall);
    let resampler: MonoResampler | null;
    try {
      resampler = await MonoResampler.create(layout.frames, layout.sampleRate, rate);
    } catch {
      return null;
    }
    if (!resampler) return null;
    const target = resampler;
    let streamed: Awaited<ReturnType<typeof streamWavMono>>;
    try {
      streamed = await streamWavMono(fh, size, layout, file, (mono) => target.push(mono));
    } catch (e) {
      throw e instanceof AudioError ? e : readFailure(file, e);
    }
    let samples: Float32Array;
    try {
      samples = await target.finish();
    } catch (e) {
      throw resampleError(file, layout.sampleRate, rate, e);
    }
    return {
      samples,
      sampleRate: rate,
      info: {
        file,
        format: 'wav',
        sampleRate: layout.sampleRate,
        channels: layout.channels,
        frames: layout.frames,
        durationSeconds: layout.frames / layout.sampleRate,
        sha256: streamed.sha256,
        trimmedSamples: 0,
        ...(shortfall ? { truncation: { ...shortfall, decodedSeconds: layout.frames / layout.sampleRate } } : {}),
      },
    };
  } finally {
    await fh.close();
  }
}

function resampleError(file: string, from: number, to: number, cause: unknown): AudioError {
  return new AudioError(
    'DECODE_FAILED',
    file,
    `cannot be resampled from ${from} Hz to ${to} Hz`,
    'Re-export the file at a standard rate such as 16000, 44100 or 48000 Hz',
    { cause },
  );
}

/** The file's size, after the checks every path makes first (a folder, an empty file). */
async function checkedSize(file: string): Promise<number> {
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
  return st.size;
}

async function readAudioFile(file: string): Promise<Uint8Array> {
  try {
    await checkedSize(file);
    return new Uint8Array(await readFile(file));
  } catch (e) {
    throw readFailure(file, e);
  }
}

function readFailure(file: string, e: unknown): AudioError {
  if (e instanceof AudioError) return e;
  const code = (e as NodeJS.ErrnoException).code;
  const missing = code === 'ENOENT' || code === 'ENOTDIR';
  return new AudioError(
    'NOT_FOUND',
    file,
    missing ? 'does not exist' : `cannot be read (${code ?? String(e)})`,
    missing ? `Check the path; relative paths start from ${process.cwd()}` : 'Check that the file is readable by the current user',
    { cause: e },
  );
}
