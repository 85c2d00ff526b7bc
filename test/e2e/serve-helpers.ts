// Helpers for the live server's end-to-end tests: the real built CLI (`a2f serve`) as a child
// process on a free loopback port, driven by @a2f/serve's gRPC client (built from our .proto files).
// Every wait is bounded and says what it waited for; none depends on how fast the machine is.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { connect, openStream, pcmHeader, type A2fConnection, type AnswerMessage, type ClipResult, type ConnectOptions } from '@a2f/serve';
import { pcm16Wav, speech } from '@a2f/test-utils';
import { expect } from 'vitest';
import { CHARACTER, CLI, ROOT, readJson, runCli, type A2fExport } from './helpers.js';

/** The limit of every wait: it only turns a hang into a failure. */
export const HANG_MS = 5 * 60_000;

export type ServeLog = { event: string; [k: string]: unknown };

export interface ServeProc {
  readonly child: ChildProcess;
  readonly port: number;
  readonly address: string;
  readonly events: ServeLog[];
  stderr(): string;
  /** Resolves with the first event (past or future) that `pred` accepts. */
  waitEvent(pred: (e: ServeLog) => boolean, what: string): Promise<ServeLog>;
  /** A client; `host` defaults to the loopback address it listens on (TLS clients name `localhost`, the certificate's name). */
  connect(opts?: ConnectOptions, host?: string): A2fConnection;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills every server still running (afterAll). */
export function killServers(): void {
  for (const c of running) c.kill('SIGKILL');
  running.clear();
}

/** Starts `a2f serve --port 0 …` and resolves once it listens (rejects with its stderr if it exits first). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProc> {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const events: ServeLog[] = [];
  const waiters: { pred: (e: ServeLog) => boolean; resolve: (e: ServeLog) => void }[] = [];
  let err = '';
  let partial = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    partial += d;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines.filter(Boolean)) {
      const e = JSON.parse(line) as ServeLog;
      events.push(e);
      for (const w of waiters.filter((x) => x.pred(e))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const waitEvent = (pred: (e: ServeLog) => boolean, what: string): Promise<ServeLog> => {
    const seen = events.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`a2f serve: no ${what} within ${HANG_MS} ms; stderr:\n${err}`)), HANG_MS);
      waiters.push({
        pred,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      void exited.then((code) => reject(new Error(`a2f serve exited (${code}) before ${what}; stderr:\n${err}`)));
    });
  };
  return waitEvent((e) => e.event === 'listening', 'listening event').then((l) => {
    const port = l.port as number;
    const address = `127.0.0.1:${port}`;
    return {
      child,
      port,
      address,
      events,
      stderr: () => err,
      waitEvent,
      connect: (opts, host) => connect(host ? `${host}:${port}` : address, opts),
      stop: () => {
        child.kill('SIGTERM');
        return exited;
      },
    };
  });
}

/** A speech-like clip as the 16-bit samples a client streams (the same rounding as test-utils' WAV writer). */
export function speechPcm(f0: number, seconds: number, rate: number): Int16Array {
  const x = speech(f0, seconds, rate);
  return Int16Array.from(x, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));
}

/** Writes `pcm` as a 16-bit mono WAV (the bytes `a2f run` reads for the comparison). */
export function writeWav(file: string, pcm: Int16Array, rate: number): string {
  writeFileSync(file, pcm16Wav([Float32Array.from(pcm, (v) => v / 32768)], rate));
  return file;
}

/** `a2f run` on a WAV with --export-json: the frames every stream of the same audio and settings must equal. */
export async function runExport(wav: string, out: string, extra: string[] = []): Promise<A2fExport> {
  const r = await runCli(['run', wav, '--character', CHARACTER, '--out', out, '--export-json', '--json', ...extra]);
  if (r.code !== 0) throw new Error(`a2f run failed (${r.code}): ${r.stderr}`);
  return readJson<A2fExport>(path.join(out, `${path.basename(wav, '.wav')}.a2f.json`));
}

/** The parts of an answer, by kind, in arrival order. */
export function answerParts(r: ClipResult) {
  const kinds = r.messages.map((m) => m.stream_part);
  const frames = r.messages.filter((m) => m.stream_part === 'animation_data').map((m) => m.animation_data as AnimationData);
  const header = r.messages.find((m) => m.stream_part === 'animation_data_stream_header')?.animation_data_stream_header as
    | { audio_header: Record<string, unknown>; skel_animation_header: { blend_shapes: string[] }; start_time_code_since_epoch: number }
    | undefined;
  const status = r.messages.find((m) => m.stream_part === 'status')?.status as { code: string; message: string } | undefined;
  const echo = Buffer.concat(frames.map((f) => (f.audio ? Buffer.from(f.audio.audio_buffer) : Buffer.alloc(0))));
  return { kinds, frames, header, status, echo };
}

export interface AnimationData {
  skel_animation: { blend_shape_weights: { time_code: number; values: number[] }[] };
  audio?: { time_code: number; audio_buffer: Uint8Array };
  metadata?: Record<string, Record<string, unknown>>;
}

/** A raw call for the bad-input tests: write what you like, collect the answer and the status. */
export function rawCall(conn: A2fConnection): {
  write(msg: object): void;
  cancel(): void;
  done: Promise<{ messages: AnswerMessage[]; code: number; details: string }>;
} {
  const call = openStream(conn);
  const messages: AnswerMessage[] = [];
  call.on('data', (m: AnswerMessage) => messages.push(m));
  call.on('error', () => {});
  const done = new Promise<{ messages: AnswerMessage[]; code: number; details: string }>((resolve) =>
    call.on('status', (s: { code: number; details: string }) => resolve({ messages, code: s.code, details: s.details })),
  );
  return {
    write: (msg) => {
      if (!call.writableEnded && !call.destroyed) call.write(msg, () => {});
    },
    cancel: () => call.cancel(),
    done,
  };
}

export const headerMsg = (rate: number, extra: Record<string, unknown> = {}) => ({
  audio_stream_header: { audio_header: pcmHeader(rate), ...extra },
});
export const audioMsg = (pcm: Int16Array) => ({
  audio_with_emotion: { audio_buffer: Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength) },
});

/** Streamed weights against `a2f run`'s export: same frames, same channel values (float32 on the wire). */
export function expectSameAnimation(r: ClipResult, ref: A2fExport): void {
  const { frames, header } = answerParts(r);
  const names = header!.skel_animation_header.blend_shapes;
  expect(frames.length).toBe(ref.numFrames);
  // The stream spells ARKit names as NVIDIA does (EyeBlinkLeft), the model as ARKit (eyeBlinkLeft).
  const column = new Map(ref.facsNames.map((n, i) => [n.toLowerCase(), i]));
  expect(names.filter((n) => !column.has(n.toLowerCase()))).toEqual([]);
  expect(names.length).toBe(ref.facsNames.length);
  let worst = 0;
  frames.forEach((f, i) => {
    const values = f.skel_animation.blend_shape_weights[0].values;
    names.forEach((n, c) => {
      worst = Math.max(worst, Math.abs(values[c] - ref.weightMat[i][column.get(n.toLowerCase())!]));
    });
  });
  expect(worst).toBeLessThan(1e-5);
}
