// ffmpeg for playblasts: finding it, the arguments that turn a pipe of PNG frames plus a WAV into an
// H.264/AAC MP4, and running it with what it said when it fails (docs/playblast.md, "ffmpeg").
import { spawn } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';
import { PreviewError } from './errors.js';

const INSTALL_FIX = 'Install it (Debian/Ubuntu: sudo apt-get install ffmpeg), or name one with --ffmpeg <path> or $A2F_FFMPEG';

/** The ffmpeg to run: the one given, else $A2F_FFMPEG, else `ffmpeg` on PATH. */
export function findFfmpeg(given?: string): string {
  const named = given ?? process.env.A2F_FFMPEG;
  if (named) {
    const found = named.includes(path.sep) ? (executable(named) ? named : undefined) : onPath(named);
    if (found) return found;
    throw new PreviewError(
      'FFMPEG_NOT_FOUND',
      named,
      'is not an executable ffmpeg',
      `Give the path of an ffmpeg binary, or ${INSTALL_FIX}`,
    );
  }
  const found = onPath('ffmpeg');
  if (found) return found;
  throw new PreviewError('FFMPEG_NOT_FOUND', 'ffmpeg', 'no ffmpeg was found on PATH (a playblast encodes its video with it)', INSTALL_FIX);
}

/**
 * A frame rate as ffmpeg's rational "num/den". NTSC rates are stored in layers as 29.97 or
 * 30000/1001 ≈ 29.97003; both are 30000/1001, and writing 2997/100 would drift from the audio by
 * about a frame every 9 minutes.
 */
export function frameRateRational(fps: number): { num: number; den: number; text: string } {
  if (!(fps > 0) || !Number.isFinite(fps)) throw new RangeError(`frame rate ${fps} is not a positive number`);
  const make = (num: number, den: number) => ({ num, den, text: `${num}/${den}` });
  if (Math.abs(fps - Math.round(fps)) < 1e-9) return make(Math.round(fps), 1);
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs(fps - (ntsc * 1000) / 1001) < 0.005) return make(ntsc * 1000, 1001);
  // Anything else: the closest fraction with a denominator up to 1000 (continued fractions).
  let [h0, h1, k0, k1, x] = [0, 1, 1, 0, fps];
  for (let i = 0; i < 20; i++) {
    const a = Math.floor(x);
    const [h2, k2] = [a * h1 + h0, a * k1 + k0];
    if (k2 > 1000) break;
    [h0, h1, k0, k1] = [h1, h2, k1, k2];
    if (Math.abs(x - a) < 1e-12 || Math.abs(h1 / k1 - fps) < 1e-9) break;
    x = 1 / (x - a);
  }
  return make(h1, k1);
}

export interface EncodeArgsOptions {
  /** The frames' rate, as frameRateRational gives it. */
  readonly frameRate: string;
  /** The WAV to mux as AAC; absent: a video with no sound. */
  readonly audio?: string;
  /** The output's duration in seconds (the audio's): both streams end there. */
  readonly seconds: number;
  /** Where ffmpeg writes the MP4 (a temporary name; the caller renames it). */
  readonly out: string;
}

/**
 * ffmpeg's arguments: PNGs on stdin at the layer's rate, H.264 in yuv420p (what every player
 * decodes), AAC, the index at the front so a browser can start playing before the whole file is read.
 */
export function encodeArgs(o: EncodeArgsOptions): string[] {
  if (!(o.seconds > 0)) throw new RangeError(`duration ${o.seconds} s is not positive`);
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'error',
    '-y',
    ...['-f', 'image2pipe', '-framerate', o.frameRate, '-c:v', 'png', '-i', '-'],
    ...(o.audio ? ['-i', o.audio] : []),
    ...['-map', '0:v:0', ...(o.audio ? ['-map', '1:a:0'] : [])],
    ...['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-pix_fmt', 'yuv420p'],
    ...(o.audio ? ['-c:a', 'aac', '-b:a', '192k'] : []),
    ...['-t', o.seconds.toFixed(6), '-movflags', '+faststart', '-f', 'mp4', o.out],
  ];
}

/** A running ffmpeg that reads frames on stdin. */
export interface FfmpegRun {
  /** Writes one encoded frame; resolves once the pipe can take more. */
  write(frame: Uint8Array): Promise<void>;
  /** Closes stdin and waits for ffmpeg to finish; FFMPEG_FAILED when it exits with an error. */
  finish(): Promise<void>;
  /** Stops it (on an error elsewhere); waits until it has exited. */
  kill(): Promise<void>;
}

/** The last lines of ffmpeg's stderr that an error quotes. */
const TAIL_LINES = 8;

export function startFfmpeg(bin: string, args: readonly string[], what: string): FfmpegRun {
  const child = spawn(bin, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr = (stderr + d).slice(-16_384);
  });
  let spawnError: Error | undefined;
  const exited = new Promise<number | null>((resolve) => {
    child.on('error', (err) => {
      spawnError = err;
      resolve(null);
    });
    child.on('close', (code) => resolve(code));
  });
  // A closed pipe (ffmpeg gave up) is reported by finish() with ffmpeg's own words, not as EPIPE.
  let pipeError: Error | undefined;
  child.stdin.on('error', (err) => {
    pipeError = err;
  });
  const failure = (code: number | null): PreviewError => {
    if (spawnError && (spawnError as NodeJS.ErrnoException).code === 'ENOENT')
      return new PreviewError('FFMPEG_NOT_FOUND', bin, 'could not be started', INSTALL_FIX, { cause: spawnError });
    const tail = stderr
      .trim()
      .split('\n')
      .slice(-TAIL_LINES)
      .map((l) => l.trim())
      .join(' | ');
    return new PreviewError(
      'FFMPEG_FAILED',
      what,
      `ffmpeg (${bin}) ${spawnError ? `did not run: ${spawnError.message}` : `exited with code ${code}`}` +
        (tail ? `; it said: ${tail}` : ''),
      'Check that this ffmpeg has libx264 and aac (ffmpeg -encoders), and that the output folder is writable',
      spawnError ? { cause: spawnError } : undefined,
    );
  };
  let closed = false;
  return {
    async write(frame) {
      if (closed || pipeError || spawnError || child.exitCode !== null) throw failure(await exited);
      if (!child.stdin.write(frame)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            child.stdin.off('drain', done);
            child.off('close', done);
            resolve();
          };
          child.stdin.on('drain', done);
          child.on('close', done);
        });
      }
    },
    async finish() {
      closed = true;
      child.stdin.end();
      const code = await exited;
      if (code !== 0) throw failure(code);
    },
    async kill() {
      closed = true;
      if (child.exitCode === null && child.signalCode === null && !spawnError) child.kill('SIGKILL');
      await exited;
    },
  };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    if (executable(file)) return file;
  }
  return undefined;
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}
