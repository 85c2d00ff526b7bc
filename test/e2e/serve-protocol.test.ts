// `a2f serve` end to end: the real CLI on a free loopback port, driven by a gRPC client built from
// our .proto files. The answer's order (header, frames, event, status), frame count and time codes
// at 16, 44.1 and 48 kHz, the echoed audio equal to the input, and every frame's weights equal to
// `a2f run` on the same audio and settings; a client that reads only once it has sent everything.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EMOTION_AGGREGATE_TYPE, streamClip, type ClipResult } from '@a2f/serve';
import { removeTempDirs } from '@a2f/test-utils';
import { ROOT, tempDir, type A2fExport } from './helpers.js';
import {
  answerParts,
  expectSameAnimation,
  killServers,
  runExport,
  speechPcm,
  startServe,
  writeWav,
  type ServeProc,
} from './serve-helpers.js';

afterAll(() => {
  killServers();
  removeTempDirs();
});

describe('a2f serve: the protocol as clients use it (default model)', () => {
  const work = tempDir('serve-protocol');
  let server: ServeProc;

  beforeAll(async () => {
    server = await startServe([]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const rate of [16000, 44100, 48000]) {
    it(`at ${rate} Hz: header, frames at 30 fps, event, status; the audio echoed once; weights equal a2f run`, async () => {
      const pcm = speechPcm(140, 1.7, rate);
      const wav = writeWav(path.join(work, `clip${rate}.wav`), pcm, rate);
      const conn = server.connect();
      // Chunks of an odd byte-friendly size (0.37 s) and emotion keys (one undocumented name) with the first.
      const r = await streamClip(conn, {
        pcm,
        sampleRate: rate,
        chunkSamples: Math.round(rate * 0.37),
        emotions: [{ time_code: 0, emotion: { joy: 0.5, out_of_breath: 0.2 } }],
      });
      conn.close();
      expect(r.code, r.details).toBe(0);
      const { kinds, frames, header, status, echo } = answerParts(r);
      expect(kinds[0]).toBe('animation_data_stream_header');
      expect(kinds.slice(1, 1 + frames.length).every((k) => k === 'animation_data')).toBe(true);
      expect(kinds.slice(1 + frames.length)).toEqual(['event', 'status']);
      expect(header!.audio_header).toMatchObject({ samples_per_second: rate, channel_count: 1, bits_per_sample: 16 });
      expect(frames.map((f) => f.skel_animation.blend_shape_weights[0].time_code)).toEqual(frames.map((_, i) => i / 30));
      expect(echo.equals(Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength))).toBe(true);
      // Each frame's audio starts where the previous one ended.
      let at = 0;
      for (const f of frames.filter((x) => x.audio)) {
        expect(f.audio!.time_code).toBeCloseTo(at / rate, 9);
        at += f.audio!.audio_buffer.length / 2;
      }
      // The client's keys come back once, in input_emotions; the unknown name is a warning, not an error.
      const aggregates = frames.map((f) => f.metadata?.emotion_aggregate).filter(Boolean) as Record<string, unknown>[];
      expect(aggregates[0]['@type']).toBe(EMOTION_AGGREGATE_TYPE);
      expect(aggregates.flatMap((a) => (a.input_emotions as unknown[]) ?? [])).toEqual([{ time_code: 0, emotion: { joy: 0.5 } }]);
      expect(status!.code).toBe('WARNING');
      expect(status!.message).toContain('emotion "out_of_breath" is not one the protocol documents');
      expectSameAnimation(r, await runExport(wav, path.join(work, `run${rate}`)));
    });
  }

  it('a client streaming as Maya-ACE does (1-s chunks each with emotion keys, end, close, then read) gets the whole answer', async () => {
    const rate = 16000;
    const pcm = speechPcm(180, 2.3, rate);
    const wav = writeWav(path.join(work, 'maya.wav'), pcm, rate);
    const conn = server.connect();
    const r = await streamClip(conn, {
      pcm,
      sampleRate: rate,
      readAfterSend: true,
      halfClose: true,
      // Maya-ACE's emotion state with every chunk, under its own name for one of them (out_of_breath).
      chunkEmotions: (t) => [{ time_code: t, emotion: { joy: 0, anger: 0, out_of_breath: 0 } }],
    });
    conn.close();
    expect(r.code, r.details).toBe(0);
    const { kinds, status, echo } = answerParts(r);
    expect(kinds.at(-1)).toBe('status');
    // The unknown name is reported once, however many chunks carried it.
    expect(status!.code).toBe('WARNING');
    expect(status!.message.split('out_of_breath').length).toBe(2);
    expect(echo.equals(Buffer.from(pcm.buffer))).toBe(true);
    expectSameAnimation(r, await runExport(wav, path.join(work, 'run-maya')));
  });

  it('answers the gRPC health check: SERVING for the server and the controller service, NOT_FOUND for others', async () => {
    const conn = server.connect();
    expect(await conn.check()).toBe('SERVING');
    expect(await conn.check('nvidia_ace.services.a2f_controller.v1.A2FControllerService')).toBe('SERVING');
    await expect(conn.check('no.such.Service')).rejects.toMatchObject({ code: 5 });
    conn.close();
  });
});

describe('a2f serve --model <NVIDIA mini pack>: face parameters map onto the model', () => {
  const work = tempDir('serve-nvidia');
  const pack = path.join(work, 'mark');
  let server: ServeProc;

  beforeAll(async () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia/make-mini-pack.mjs'), pack, '--variant', 'mark'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    server = await startServe(['--model', pack]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('lowerFaceStrength streams what a2f run --param lower_face_strength gives; unknown names are warnings', async () => {
    const rate = 22050;
    const pcm = speechPcm(120, 1.4, rate);
    const wav = writeWav(path.join(work, 'face.wav'), pcm, rate);
    const conn = server.connect();
    const r = await streamClip(conn, {
      pcm,
      sampleRate: rate,
      header: { face_params: { float_params: { lowerFaceStrength: 0.6, skinStrength: 1.2, noSuchKnob: 1 } } },
    });
    conn.close();
    expect(r.code, r.details).toBe(0);
    const { status } = answerParts(r);
    expect(status!.code).toBe('WARNING');
    expect(status!.message).toContain('face parameter "noSuchKnob" is not one the protocol documents');
    const ref = await runExport(wav, path.join(work, 'run'), [
      '--model',
      pack,
      '--param',
      'lower_face_strength=0.6',
      '--param',
      'skin_strength=1.2',
    ]);
    expectSameAnimation(r, ref);
  });

  it('beginning_emotion is an emotion key at 0 s: the same frames as that key sent with the first chunk', async () => {
    const rate = 16000;
    const pcm = speechPcm(130, 1.2, rate);
    const conn = server.connect();
    const begun = await streamClip(conn, { pcm, sampleRate: rate, header: { emotion_params: { beginning_emotion: { joy: 0.8 } } } });
    const keyed = await streamClip(conn, { pcm, sampleRate: rate, emotions: [{ time_code: 0, emotion: { joy: 0.8 } }] });
    const neutral = await streamClip(conn, { pcm, sampleRate: rate });
    conn.close();
    const weights = (r: ClipResult) => answerParts(r).frames.map((f) => f.skel_animation.blend_shape_weights[0].values);
    expect(weights(begun)).toEqual(weights(keyed));
    expect(weights(begun)).not.toEqual(weights(neutral));
    // The emotion that drove each frame comes back in a2f_smoothed_output (this model has an emotion input).
    type Smoothed = { emotion: Record<string, number> }[];
    const smoothed = answerParts(begun).frames.map(
      (f) => (f.metadata?.emotion_aggregate?.a2f_smoothed_output as Smoothed | undefined)?.[0],
    );
    expect(smoothed.every((e) => e !== undefined && Math.abs(e.emotion.joy - 0.8) < 1e-6)).toBe(true);
  });

  it('a face parameter outside the model range refuses the stream with INVALID_ARGUMENT naming it', async () => {
    const rate = 16000;
    const conn = server.connect();
    const r = await streamClip(conn, {
      pcm: speechPcm(120, 0.5, rate),
      sampleRate: rate,
      header: { face_params: { float_params: { skinStrength: 7 } } },
    });
    conn.close();
    expect(r.code).toBe(3);
    expect(r.details).toContain('skin_strength');
  });
});
