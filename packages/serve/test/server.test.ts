// The server in-process with the embedded model, driven by the package's own client: what the
// end-to-end tests (test/e2e/serve-*.test.ts) do not reach through the CLI.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { rejection, removeTempDirs, speech, tempDir } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connect, openStream, startServer, streamClip, type AnswerMessage, type ClipResult, type LiveServer } from '../src/index.js';

const pcmOf = (f0: number, seconds: number, rate: number): Int16Array =>
  Int16Array.from(speech(f0, seconds, rate), (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32768))));

const frames = (r: ClipResult) =>
  r.messages
    .filter((m) => m.stream_part === 'animation_data')
    .map(
      (m) => m.animation_data as { skel_animation: { blend_shape_weights: { values: number[] }[] }; audio?: { audio_buffer: Uint8Array } },
    );
const values = (r: ClipResult) => frames(r).map((f) => f.skel_animation.blend_shape_weights[0].values);
const names = (r: ClipResult) =>
  (r.messages[0].animation_data_stream_header as { skel_animation_header: { blend_shapes: string[] } }).skel_animation_header.blend_shapes;
const statusOf = (r: ClipResult) => r.messages.find((m) => m.stream_part === 'status')?.status as { code: string; message: string };

afterAll(removeTempDirs);

describe('startServer (embedded model)', () => {
  let server: LiveServer;
  const events: { event: string }[] = [];
  beforeAll(async () => {
    server = await startServer({ port: 0, settings: {}, limits: { idleSeconds: 1 }, log: (e) => events.push(e) });
  });
  afterAll(async () => {
    await server?.close();
  });
  const address = () => `127.0.0.1:${server.port}`;

  it('chunks of odd byte lengths: the echo is the input, and the frames are those of whole-sample chunks', async () => {
    const pcm = pcmOf(150, 1.1, 24000);
    const bytes = Buffer.from(pcm.buffer);
    const conn = connect(address());
    const plain = await streamClip(conn, { pcm, sampleRate: 24000 });
    const call = openStream(conn);
    const got: AnswerMessage[] = [];
    call.on('data', (m: AnswerMessage) => got.push(m));
    const done = new Promise<number>((resolve) => call.on('status', (s: { code: number }) => resolve(s.code)));
    call.write({ audio_stream_header: { audio_header: { channel_count: 1, samples_per_second: 24000, bits_per_sample: 16 } } });
    for (let at = 0; at < bytes.length; at += 777) call.write({ audio_with_emotion: { audio_buffer: bytes.subarray(at, at + 777) } });
    call.write({ end_of_audio: {} });
    expect(await done).toBe(0);
    conn.close();
    const odd = { messages: got, code: 0, details: '' };
    expect(Buffer.concat(frames(odd).map((f) => Buffer.from(f.audio?.audio_buffer ?? []))).equals(bytes)).toBe(true);
    expect(values(odd)).toEqual(values(plain));
  });

  it('multipliers and offsets by name (any case), then clamping to [0, 1]; unknown names are a warning', async () => {
    const pcm = pcmOf(120, 0.9, 16000);
    const conn = connect(address());
    const plain = await streamClip(conn, { pcm, sampleRate: 16000 });
    const [a, b] = names(plain);
    const adjusted = await streamClip(conn, {
      pcm,
      sampleRate: 16000,
      header: {
        blendshape_params: {
          bs_weight_multipliers: { [a.toLowerCase()]: 3, NoSuchShape: 2 },
          bs_weight_offsets: { [b]: -0.25 },
          enable_clamping_bs_weight: true,
        },
      },
    });
    conn.close();
    const clamp = (v: number) => Math.min(1, Math.max(0, v));
    const f32 = Math.fround;
    const want = values(plain).map((row) => row.map((v, c) => f32(clamp(c === 0 ? v * 3 : c === 1 ? v - 0.25 : v))));
    expect(values(adjusted)).toEqual(want);
    expect(
      values(adjusted)
        .flat()
        .every((v) => v >= 0 && v <= 1),
    ).toBe(true);
    expect(statusOf(adjusted).code).toBe('WARNING');
    expect(statusOf(adjusted).message).toContain('bs_weight_multipliers names 1 blendshapes the model does not output (NoSuchShape)');
  });

  it('a stream silent past the idle limit ends with DEADLINE_EXCEEDED', async () => {
    const conn = connect(address());
    const call = openStream(conn);
    call.on('error', () => {});
    const status = new Promise<{ code: number; details: string }>((resolve) => call.on('status', resolve));
    call.write({ audio_stream_header: { audio_header: { channel_count: 1, samples_per_second: 16000, bits_per_sample: 16 } } });
    const s = await status;
    conn.close();
    expect(s.code).toBe(4);
    expect(s.details).toContain('no message arrived for 1 s');
  });
});

describe('startServer refuses to start', () => {
  it('with --record and no character, TLS files that do not read, a bad port, and settings a stream refuses', async () => {
    const dir = tempDir('serve-start');
    const e1 = await rejection(startServer({ port: 0, settings: {}, record: dir }));
    expect(e1.message).toContain('--record: recording needs the character');
    const missing = path.join(dir, 'none.pem');
    const e2 = await rejection(startServer({ port: 0, settings: {}, tls: { cert: missing, key: missing } }));
    expect(e2.file).toBe(missing);
    writeFileSync(path.join(dir, 'bad.pem'), 'not a certificate');
    const bad = path.join(dir, 'bad.pem');
    const e3 = await rejection(startServer({ port: 0, settings: {}, tls: { cert: bad, key: bad } }));
    expect(e3.message).toMatch(/certificate|key|listen/);
    const e5 = await rejection(startServer({ port: 0, settings: {}, maxStreams: 0 }));
    expect(e5.message).toContain('--max-streams: 0 is not a whole number, 1 or more');
    const e6 = await rejection(startServer({ port: 99999, settings: {} }));
    expect(e6.message).toContain('--port: 99999 is not a port number from 0 to 65535');
    const e4 = await rejection(startServer({ port: 0, settings: { model: path.join(dir, 'no-such-pack') } }));
    expect(e4.message).toContain('no-such-pack');
  });
});
