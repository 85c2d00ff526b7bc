// `a2f serve --record`: a stream that ends well becomes a WAV of what was received and the layer
// `a2f run` makes of it, on --character, composing in real Pixar USD; a stream that fails or whose
// client leaves leaves nothing behind.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamClip } from '@a2f/serve';
import { removeTempDirs } from '@a2f/test-utils';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, ROOT, leftovers, tempDir } from './helpers.js';
import {
  answerParts,
  audioMsg,
  expectSameAnimation,
  headerMsg,
  killServers,
  rawCall,
  runExport,
  speechPcm,
  startServe,
  type ServeProc,
} from './serve-helpers.js';

afterAll(() => {
  killServers();
  removeTempDirs();
});

describe('a2f serve --record <dir> --character <asset>', () => {
  const dir = tempDir('serve-record');
  let server: ServeProc;
  beforeAll(async () => {
    server = await startServe(['--record', dir, '--character', CHARACTER]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('writes the received audio as WAV and its layer, which composes in USD with one sample per streamed frame', async () => {
    const rate = 44100;
    const pcm = speechPcm(130, 1.6, rate);
    const conn = server.connect();
    const r = await streamClip(conn, { pcm, sampleRate: rate, chunkSamples: 10_000 });
    conn.close();
    expect(r.code, r.details).toBe(0);
    const frames = answerParts(r).frames.length;
    const rec = await server.waitEvent((e) => e.event === 'recorded' || e.event === 'record-failed', 'the recording');
    expect(rec.event, String(rec.message)).toBe('recorded');
    const wav = readFileSync(rec.wav as string);
    expect(wav.readUInt32LE(24)).toBe(rate);
    expect(wav.readUInt16LE(34)).toBe(16);
    expect(wav.subarray(44).equals(Buffer.from(pcm.buffer))).toBe(true);
    const layers = rec.layers as string[];
    expect(layers.map((l) => path.dirname(l))).toEqual([dir]);
    const [stage] = await usdReadbackMany([{ root: layers[0], others: [CHARACTER] }]);
    expect(stage.errors).toEqual([]);
    expect(stage.ok).toBe(true);
    expect(stage.timeCodesPerSecond).toBe(30);
    expect(stage.endTimeCode - stage.startTimeCode + 1).toBe(frames);
    expect(Object.values(stage.prims).some((p) => p.type === 'SkelAnimation')).toBe(true);
  });

  it('a refused stream and a client gone mid-stream leave no file behind', async () => {
    const before = readdirSync(dir).sort();
    const conn = server.connect();
    const bad = rawCall(conn);
    bad.write(headerMsg(16000));
    bad.write(audioMsg(speechPcm(100, 11, 16000)));
    expect((await bad.done).code).toBe(3);
    const gone = rawCall(conn);
    gone.write(headerMsg(16000));
    gone.write(audioMsg(speechPcm(100, 0.5, 16000)));
    const opens = () => server.events.filter((e) => e.event === 'stream-open').length;
    const n = opens();
    await server.waitEvent(() => opens() > n, 'the stream to open');
    gone.cancel();
    await gone.done;
    const dropped = () => server.events.filter((e) => e.event === 'stream-gone' || e.event === 'stream-error').length;
    await server.waitEvent(() => dropped() >= 2, 'the server to drop the stream');
    conn.close();
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(leftovers(dir)).toEqual([]);
  });
});

describe('a2f serve --record with an NVIDIA pack, face parameters and emotion keys', () => {
  const work = tempDir('serve-record-nv');
  const pack = path.join(work, 'mark');
  const dir = path.join(work, 'takes');
  let server: ServeProc;
  beforeAll(async () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia/make-mini-pack.mjs'), pack, '--variant', 'mark'], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    server = await startServe(['--model', pack, '--record', dir, '--character', CHARACTER]);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('the recorded WAV and its emotion sidecar make a2f run give the streamed frames: several keys, early, on time, late', async () => {
    const rate = 32000;
    const pcm = speechPcm(125, 2.6, rate);
    // Two keys with the first second (the frames between interpolate), one with the second that lies in it,
    // and one with the third for 1.5 s, whose frames are out by then (it applies from the next frame).
    const keysByChunk: Record<number, { time_code: number; emotion: Record<string, number> }[]> = {
      0: [
        { time_code: 0, emotion: { joy: 0.6, anger: 0.2 } },
        { time_code: 1, emotion: { fear: 1 } },
      ],
      1: [{ time_code: 1.4, emotion: { sadness: 0.7 } }],
      2: [{ time_code: 1.5, emotion: { joy: 1 } }],
    };
    const conn = server.connect();
    const r = await streamClip(conn, {
      pcm,
      sampleRate: rate,
      // One-second chunks, as NVIDIA's sample client sends them: each push runs many frames at once.
      chunkSamples: rate,
      header: { face_params: { float_params: { lowerFaceStrength: 0.8 } } },
      chunkEmotions: (t) => keysByChunk[t] ?? [],
    });
    conn.close();
    expect(r.code, r.details).toBe(0);
    const rec = await server.waitEvent((e) => e.event === 'recorded' || e.event === 'record-failed', 'the recording');
    expect(rec.event, String(rec.message)).toBe('recorded');
    const wav = rec.wav as string;
    const sidecar = wav.replace(/\.wav$/, '.a2f.json');
    expect(existsSync(sidecar)).toBe(true);
    // The client's keys at 0, 1 and 1.4 s as sent, the late one after the frames out when it came (near 1.74 s).
    const times = (JSON.parse(readFileSync(sidecar, 'utf8')) as { emotions: { time: number }[] }).emotions.map((k) => k.time);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times).toEqual(expect.arrayContaining([0, 1, 1.4]));
    expect(times[times.length - 1]).toBeGreaterThan(1.7);
    // a2f run reads the sidecar beside the WAV, as for any line; the face parameter is given as the server applied it.
    const ref = await runExport(wav, path.join(work, 'rerun'), ['--model', pack, '--param', 'lower_face_strength=0.8']);
    expectSameAnimation(r, ref);
  });
});
