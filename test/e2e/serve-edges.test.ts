// `a2f serve` refusing what it must, and going on: messages out of order, a missing header, a bad
// sample rate, an oversize chunk, a clip over --max-seconds, a client gone mid-stream, one stream
// over --max-streams, streams at once, TLS and the bearer token. Each refusal is a gRPC status with
// a message; after each, the same server still serves a good stream.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamClip } from '@a2f/serve';
import { makeTestCertificates, removeTempDirs } from '@a2f/test-utils';
import { tempDir } from './helpers.js';
import { answerParts, audioMsg, headerMsg, killServers, rawCall, speechPcm, startServe, type ServeProc } from './serve-helpers.js';

afterAll(() => {
  killServers();
  removeTempDirs();
});

const INVALID_ARGUMENT = 3;
const OUT_OF_RANGE = 11;
const RESOURCE_EXHAUSTED = 8;
const UNAUTHENTICATED = 16;
const UNAVAILABLE = 14;

/** A good stream through the same server: it goes on after whatever came before. */
async function expectServes(server: ServeProc, opts: Parameters<ServeProc['connect']>[0] = {}, host?: string): Promise<void> {
  const conn = server.connect(opts, host);
  const r = await streamClip(conn, { pcm: speechPcm(150, 0.6, 16000), sampleRate: 16000 });
  conn.close();
  expect(r.code, r.details).toBe(0);
  expect(answerParts(r).status?.code).toBe('SUCCESS');
}

describe('a2f serve: bad input gets a status with a message, and the server goes on', () => {
  let server: ServeProc;
  beforeAll(async () => {
    // One stream at a time: a slot a failed or abandoned stream kept would refuse the next good one.
    server = await startServe(['--max-seconds', '2', '--max-chunk-seconds', '1', '--max-streams', '1']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const cases: [string, (rate: number) => object[], number, string][] = [
    [
      'audio before the header',
      (r) => [audioMsg(speechPcm(100, 0.2, r))],
      INVALID_ARGUMENT,
      'audio_with_emotion arrived before audio_stream_header',
    ],
    ['end of audio with no header', () => [{ end_of_audio: {} }], INVALID_ARGUMENT, 'end_of_audio arrived before audio_stream_header'],
    ['a second header', (r) => [headerMsg(r), headerMsg(r)], INVALID_ARGUMENT, 'a second audio_stream_header'],
    ['a sample rate of 8 kHz', () => [headerMsg(8000)], INVALID_ARGUMENT, 'samples_per_second is 8000'],
    [
      'stereo',
      (r) => [{ audio_stream_header: { audio_header: { channel_count: 2, samples_per_second: r, bits_per_sample: 16 } } }],
      INVALID_ARGUMENT,
      'channel_count is 2',
    ],
    [
      'a chunk over --max-chunk-seconds',
      (r) => [headerMsg(r), audioMsg(speechPcm(100, 1.5, r))],
      INVALID_ARGUMENT,
      'over the 1 s a chunk may hold',
    ],
    [
      'a clip over --max-seconds',
      (r) => [headerMsg(r), ...[0, 1, 2].map(() => audioMsg(speechPcm(100, 0.9, r)))],
      OUT_OF_RANGE,
      'longer than the 2 s this server takes',
    ],
  ];
  for (const [what, messages, code, text] of cases) {
    it(`${what}: ${code === OUT_OF_RANGE ? 'OUT_OF_RANGE' : 'INVALID_ARGUMENT'}`, async () => {
      const conn = server.connect();
      const call = rawCall(conn);
      for (const m of messages(16000)) call.write(m);
      const r = await call.done;
      conn.close();
      expect(r.code).toBe(code);
      expect(r.details).toContain(text);
      // Once the answer's header went out, an in-stream ERROR status with the same message came first.
      const status = r.messages.find((m) => m.stream_part === 'status')?.status as { code: string; message: string } | undefined;
      if (r.messages.length) expect(status).toEqual({ code: 'ERROR', message: r.details });
      await expectServes(server);
    });
  }

  it('a client gone mid-stream frees its slot: with --max-streams 1, two such clients later, a stream still runs', async () => {
    const count = (name: string) => server.events.filter((e) => e.event === name).length;
    const errorsBefore = count('stream-error');
    for (let i = 0; i < 2; i++) {
      const opens = count('stream-open');
      const conn = server.connect();
      const call = rawCall(conn);
      call.write(headerMsg(16000));
      call.write(audioMsg(speechPcm(100, 0.5, 16000)));
      await server.waitEvent(() => count('stream-open') > opens, 'the stream to open');
      call.cancel();
      await call.done;
      conn.close();
    }
    // grpc-js may report the cancel only after the call's reading side ends: either way the stream is dropped.
    await server.waitEvent(() => count('stream-gone') + count('stream-error') - errorsBefore >= 2, 'the server to drop both streams');
    await expectServes(server);
  });
});

describe('a2f serve: streams at once, and --max-streams', () => {
  let server: ServeProc;
  beforeAll(async () => {
    server = await startServe(['--max-streams', '3']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('three streams at once each get the answer they get alone; a fourth meanwhile gets RESOURCE_EXHAUSTED', async () => {
    const rate = 16000;
    const clips = [110, 160, 210].map((f0) => speechPcm(f0, 1.2, rate));
    const alone: ReturnType<typeof answerParts>[] = [];
    for (const pcm of clips) {
      const conn = server.connect();
      alone.push(answerParts(await streamClip(conn, { pcm, sampleRate: rate })));
      conn.close();
    }
    // Hold three streams open (header sent, no end yet), then try a fourth.
    const conns = clips.map(() => server.connect());
    const held = conns.map((c) => rawCall(c));
    const opens = () => server.events.filter((e) => e.event === 'stream-open').length;
    const before = opens();
    for (const h of held) h.write(headerMsg(rate));
    await server.waitEvent(() => opens() === before + 3, 'three streams to open');
    const fourth = server.connect();
    const refused = await streamClip(fourth, { pcm: clips[0], sampleRate: rate });
    fourth.close();
    expect(refused.code).toBe(RESOURCE_EXHAUSTED);
    expect(refused.details).toContain('--max-streams');
    held.forEach((h, i) => {
      h.write(audioMsg(clips[i]));
      h.write({ end_of_audio: {} });
    });
    const together = await Promise.all(held.map((h) => h.done));
    for (const c of conns) c.close();
    together.forEach((r, i) => {
      expect(r.code, r.details).toBe(0);
      const parts = answerParts(r);
      expect(parts.frames.length).toBe(alone[i].frames.length);
      expect(parts.frames.map((f) => f.skel_animation.blend_shape_weights[0].values)).toEqual(
        alone[i].frames.map((f) => f.skel_animation.blend_shape_weights[0].values),
      );
      expect(parts.echo.equals(Buffer.from(clips[i].buffer))).toBe(true);
    });
  });
});

describe('a2f serve --tls-cert/--tls-key and --token', () => {
  const dir = tempDir('serve-tls');
  const certs = makeTestCertificates(dir);
  let server: ServeProc;
  beforeAll(async () => {
    server = await startServe(['--tls-cert', certs.cert, '--tls-key', certs.key], { A2F_SERVE_TOKEN: 'studio-secret' });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('serves over TLS with the token from A2F_SERVE_TOKEN; no or wrong token: UNAUTHENTICATED; plaintext: no connection', async () => {
    const ca = readFileSync(certs.ca);
    expect(server.events[0]).toMatchObject({ event: 'listening', tls: true, token: true });
    await expectServes(server, { ca, token: 'studio-secret' }, 'localhost');
    for (const token of [undefined, 'guess']) {
      const conn = server.connect({ ca, ...(token ? { token } : {}) }, 'localhost');
      const r = await streamClip(conn, { pcm: speechPcm(100, 0.3, 16000), sampleRate: 16000 });
      conn.close();
      expect(r.code).toBe(UNAUTHENTICATED);
      expect(r.details).toContain(token ? 'not this server' : 'no bearer token');
    }
    const plain = server.connect();
    const r = await streamClip(plain, { pcm: speechPcm(100, 0.3, 16000), sampleRate: 16000 });
    plain.close();
    expect(r.code).toBe(UNAVAILABLE);
  });
});
