// A Node client for the live server (and for NVIDIA's service: the protocol is the same), used by
// the tests and the bench: open a channel, stream one clip, collect the answer.
import * as grpc from '@grpc/grpc-js';
import { loadProtocol } from './proto-load.js';

export interface ConnectOptions {
  /** PEM of the CA (or self-signed certificate) to trust: TLS; absent: plaintext */
  readonly ca?: Buffer;
  /** sent as `authorization: Bearer <token>` */
  readonly token?: string;
}

export interface A2fConnection {
  /** the raw grpc-js clients, for calls this module does not wrap */
  readonly controller: grpc.Client;
  readonly health: grpc.Client;
  readonly metadata: grpc.Metadata;
  /** grpc.health.v1 Check: "SERVING", "NOT_SERVING", … */
  check(service?: string): Promise<string>;
  close(): void;
}

export function connect(address: string, opts: ConnectOptions = {}): A2fConnection {
  const protocol = loadProtocol({ json: true });
  const creds = opts.ca ? grpc.credentials.createSsl(opts.ca) : grpc.credentials.createInsecure();
  const controller = new protocol.controller(address, creds);
  const health = new protocol.health(address, creds);
  const metadata = new grpc.Metadata();
  if (opts.token !== undefined) metadata.set('authorization', `Bearer ${opts.token}`);
  return {
    controller,
    health,
    metadata,
    check: (service = '') =>
      new Promise((resolve, reject) => {
        const h = health as unknown as {
          Check(req: object, md: grpc.Metadata, cb: (err: grpc.ServiceError | null, res?: { status: string }) => void): void;
        };
        h.Check({ service }, metadata, (err, res) => (err ? reject(err) : resolve(res?.status ?? 'UNKNOWN')));
      }),
    close() {
      controller.close();
      health.close();
    },
  };
}

export interface ClipOptions {
  readonly pcm: Int16Array;
  readonly sampleRate: number;
  /** samples per audio_with_emotion (default: one second, as NVIDIA's sample client sends) */
  readonly chunkSamples?: number;
  /** more audio_stream_header fields (face_params, blendshape_params, …) */
  readonly header?: Readonly<Record<string, unknown>>;
  /** emotion keys sent with the first chunk */
  readonly emotions?: readonly { time_code: number; emotion: Record<string, number> }[];
  /** emotion keys sent with every chunk, given the chunk's start in seconds (Maya-ACE sends one per chunk) */
  readonly chunkEmotions?: (startSeconds: number) => { time_code: number; emotion: Record<string, number> }[];
  /** close the sending side after end_of_audio (Maya-ACE does; NVIDIA's sample client does not) */
  readonly halfClose?: boolean;
  /** send each chunk once its last sample would have been recorded (a live microphone) instead of at once */
  readonly realTime?: boolean;
  /** read nothing until everything is sent (as Maya-ACE does) */
  readonly readAfterSend?: boolean;
  /** called with each message as it arrives, with its arrival time (ms) */
  readonly onMessage?: (msg: AnswerMessage, at: number) => void;
}

/** One message of the answer, as the json loader decodes it (oneof case in `stream_part`). */
export type AnswerMessage = Readonly<Record<string, unknown>> & { readonly stream_part?: string };

export interface ClipResult {
  readonly messages: AnswerMessage[];
  /** the call's gRPC status */
  readonly code: grpc.status;
  readonly details: string;
  /** when the stream's first sample was (with realTime: would have been) recorded, and when the first frame arrived (ms, Date.now()) */
  readonly audioStartAt?: number;
  readonly firstFrameAt?: number;
}

/** A ProcessAudioStream call with the connection's metadata: write AudioStream messages, read the answer. */
export function openStream(conn: A2fConnection): grpc.ClientDuplexStream<object, AnswerMessage> {
  const ctl = conn.controller as unknown as { ProcessAudioStream(md: grpc.Metadata): grpc.ClientDuplexStream<object, AnswerMessage> };
  return ctl.ProcessAudioStream(conn.metadata);
}

/** Streams one clip (header, chunks, end_of_audio; no half-close, as NVIDIA's clients) and collects the answer. */
export function streamClip(conn: A2fConnection, clip: ClipOptions): Promise<ClipResult> {
  const call = openStream(conn);
  const messages: AnswerMessage[] = [];
  let audioStartAt: number | undefined;
  let firstFrameAt: number | undefined;
  let reading = !clip.readAfterSend;
  const held: AnswerMessage[] = [];
  const take = (m: AnswerMessage) => {
    const at = Date.now();
    if (m.stream_part === 'animation_data') firstFrameAt ??= at;
    messages.push(m);
    clip.onMessage?.(m, at);
  };
  call.on('data', (m: AnswerMessage) => (reading ? take(m) : held.push(m)));
  const done = new Promise<ClipResult>((resolve) => {
    call.on('status', (s: grpc.StatusObject) => resolve({ messages, code: s.code, details: s.details, audioStartAt, firstFrameAt }));
    // A failed call emits 'error' before 'status'; the status carries the same code.
    call.on('error', () => {});
  });
  if (clip.readAfterSend) call.pause();
  void (async () => {
    const { pcm, sampleRate } = clip;
    const step = clip.chunkSamples ?? sampleRate;
    await write(call, { audio_stream_header: { audio_header: pcmHeader(sampleRate), ...clip.header } });
    const start = Date.now();
    audioStartAt = start;
    for (let at = 0, n = 0; at < pcm.length; at += step, n++) {
      const part = pcm.subarray(at, Math.min(pcm.length, at + step));
      if (clip.realTime) await sleepUntil(start + ((at + part.length) / sampleRate) * 1000);
      const emotions = [...(n === 0 && clip.emotions ? clip.emotions : []), ...(clip.chunkEmotions?.(at / sampleRate) ?? [])];
      const ok = await write(call, {
        audio_with_emotion: {
          audio_buffer: Buffer.from(part.buffer, part.byteOffset, part.byteLength),
          ...(emotions.length ? { emotions } : {}),
        },
      });
      if (!ok) break;
    }
    await write(call, { end_of_audio: {} });
    if (clip.halfClose) call.end();
    if (clip.readAfterSend) {
      reading = true;
      for (const m of held.splice(0)) take(m);
      call.resume();
    }
  })();
  return done;
}

export const pcmHeader = (sampleRate: number) => ({
  audio_format: 'AUDIO_FORMAT_PCM',
  channel_count: 1,
  samples_per_second: sampleRate,
  bits_per_sample: 16,
});

/** Writes one message; false once the call has ended (the server refused the stream). */
function write(call: grpc.ClientDuplexStream<object, unknown>, msg: object): Promise<boolean> {
  return new Promise((resolve) => {
    if (call.writableEnded || call.destroyed) return resolve(false);
    call.write(msg, (err: Error | null | undefined) => resolve(!err));
  });
}

const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
