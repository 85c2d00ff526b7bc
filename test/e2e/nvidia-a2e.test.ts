// Emotion from the voice end to end: the real CLI runs a generated Audio2Face-3D mini pack with a
// generated Audio2Emotion mini pack (`a2f run --model <pack> --a2e <pack>`); the emotion curves read
// back through real Pixar USD equal the export JSON, which equals an independent reimplementation of
// the SDK's A2E executor; sidecar keys override the emotions they name; misplaced packs fail clearly.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAudio } from '@a2f/audio';
import { removeTempDirs } from '@a2f/test-utils';
import { A2E_CONFIG } from '../../models/nvidia/make-mini-a2e.mjs';
import { referenceA2e, type RefConfig } from '../../packages/nvidia/test/a2e-reference.js';
import { usdReadbackMany, type ReadbackResult } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, ROOT, readJson, runCli, skelAnimationPath, tempDir, type A2fExport } from './helpers.js';

afterAll(removeTempDirs);

interface Line {
  ok: boolean;
  layers: string[];
  files: string[];
  report: string;
  frames: number;
  error?: { message: string };
}
type Exported = A2fExport & { emotionNames?: string[]; emotionMat?: number[][]; provenance: { parameters: Record<string, any> } };
const EMOTIONS = ['amazement', 'anger', 'cheekiness', 'disgust', 'fear', 'grief', 'joy', 'outofbreath', 'pain', 'sadness'];

const make = (script: string, dir: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia', script), dir, ...args], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return dir;
};
type Packs = { mark: string; a2e: string; v3: string };
const exported = (line: Line): Exported => readJson(line.files.find((f) => f.endsWith('.a2f.json'))!);

describe('a2f run --model <A2F mini pack> --a2e <A2E mini pack>', () => {
  const work = tempDir('a2e-e2e');
  const mark = path.join(work, 'packs', 'mark');
  // Where `a2f models pull audio2emotion` installs it under the working folder, for --emotion auto.
  const a2e = path.join(work, 'models', 'packs', 'audio2emotion');
  const v3 = path.join(work, 'packs', 'v3');
  const audio = path.join(DIALOGUE, 'line01_hello.wav');
  const takes = path.join(work, 'takes');
  let voice: Line, keyed: Line, control: Line, auto: Line, fromSidecar: Line;
  let readback: ReadbackResult[];
  let samples: Float32Array;

  beforeAll(async () => {
    make('make-mini-pack.mjs', mark, '--variant', 'mark');
    make('make-mini-a2e.mjs', a2e);
    make('make-mini-v3.mjs', v3);
    mkdirSync(takes, { recursive: true });
    copyFileSync(audio, path.join(takes, 'side.wav'));
    writeFileSync(path.join(takes, 'side.a2f.json'), JSON.stringify({ a2e: path.relative(takes, a2e) }));
    copyFileSync(audio, path.join(takes, 'keyed.wav'));
    writeFileSync(
      path.join(takes, 'keyed.a2f.json'),
      JSON.stringify({
        emotions: [
          { time: 0, joy: 0.2 },
          { time: 1, joy: 0.8 },
        ],
      }),
    );
    const run = async (args: string[], cwd?: string) => {
      const r = await runCli(['run', ...args, '--character', CHARACTER, '--model', mark, '--export-json', '--json'], cwd ? { cwd } : {});
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { lines: Line[] }).lines[0];
    };
    [voice, keyed, control, auto, fromSidecar] = await Promise.all([
      run([audio, '--a2e', a2e, '--out', path.join(work, 'out-voice')]),
      run([
        path.join(takes, 'keyed.wav'),
        '--a2e',
        a2e,
        '--a2e-window',
        '16000',
        '--a2e-skip',
        '5',
        '--a2e-param',
        'max_emotions=3',
        '--a2e-param',
        'emotion_strength=0.9',
        '--fps',
        '24',
        '--out',
        path.join(work, 'out-keyed'),
      ]),
      run([audio, '--out', path.join(work, 'out-control')]),
      run([audio, '--emotion', 'auto', '--out', path.join(work, 'out-auto')], work),
      run([path.join(takes, 'side.wav'), '--out', path.join(work, 'out-sidecar')]),
    ]);
    samples = (await loadAudio(audio, { sampleRate: 16000 })).samples;
    readback = await usdReadbackMany(
      [voice, keyed].map((l) => {
        const anim = skelAnimationPath(l.layers[0]);
        return { root: l.layers[0], others: [CHARACTER], attrs: EMOTIONS.map((e) => `${anim}.a2f:emotion:${e}`) };
      }),
    );
  }, 120_000);

  it("feeds the SDK executor's emotion (window 60 000, skip 30) to the network, as the reimplementation computes it", () => {
    const json = exported(voice);
    expect(json.emotionNames).toEqual(EMOTIONS);
    const ref = referenceA2e(samples, { num: 30, den: 1 }, 60000, 30, A2E_CONFIG as unknown as RefConfig);
    expect(json.emotionMat).toHaveLength(voice.frames);
    let worst = 0;
    for (const [k, row] of ref.entries()) for (const [e, v] of row.entries()) worst = Math.max(worst, Math.abs(json.emotionMat![k][e] - v));
    expect(worst).toBeLessThan(2e-5);
    // The voice moved the face: the same line without --a2e animates differently.
    expect(json.weightMat).not.toEqual(exported(control).weightMat);
    expect(exported(control).emotionNames).toBeUndefined();
  });

  it('takes --emotion auto as emotion from the voice with the pack installed under the working folder', () => {
    expect(exported(auto).emotionMat).toEqual(exported(voice).emotionMat);
    expect(exported(auto).weightMat).toEqual(exported(voice).weightMat);
  });

  it('takes a line\'s pack from its sidecar ("a2e", relative to the sidecar)', () => {
    expect(exported(fromSidecar).emotionMat).toEqual(exported(voice).emotionMat);
    expect(exported(fromSidecar).provenance.parameters.emotion.voice.pack).toBe('audio2emotion');
  });

  it('says where --emotion auto looked when no pack is installed', async () => {
    const elsewhere = tempDir('a2e-none');
    const r = await runCli(['run', audio, '-c', CHARACTER, '--model', mark, '--emotion', 'auto', '--out', path.join(elsewhere, 'o')], {
      cwd: elsewhere,
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(path.join(elsewhere, 'models', 'packs', 'audio2emotion'));
    expect(r.stderr).toMatch(/a2f models pull audio2emotion/);
  });

  it('records what made the emotion in provenance', () => {
    const voiceProv = exported(voice).provenance.parameters.emotion.voice;
    expect(voiceProv).toMatchObject({ source: 'audio2emotion', pack: 'audio2emotion', window: 60000, skip: 30, max_emotions: 6 });
    expect(voiceProv.networkSha256).toMatch(/^[0-9a-f]{64}$/);
    const keyedProv = exported(keyed).provenance.parameters.emotion;
    expect(keyedProv.voice).toMatchObject({
      window: 16000,
      skip: 5,
      overrides: { max_emotions: 3, emotion_strength: 0.9 },
      keyedEmotions: ['joy'],
    });
    expect(keyedProv.keys.joy).toEqual([0.2, 0.8]);
  });

  it('lets sidecar keys hold the emotions they name while the voice drives the others', () => {
    const json = exported(keyed);
    const ref = referenceA2e(samples, { num: 24, den: 1 }, 16000, 5, {
      ...(A2E_CONFIG as unknown as RefConfig),
      max_emotions: 3,
      emotion_strength: 0.9,
    });
    const joy = EMOTIONS.indexOf('joy');
    for (const [k, row] of ref.entries()) {
      const t = Math.floor((k * 16000) / 24) / 16000;
      for (const [e, v] of row.entries()) {
        const want = e === joy ? Math.fround(0.2 + 0.6 * Math.min(t, 1)) : v;
        expect(Math.abs(json.emotionMat![k][e] - want)).toBeLessThan(2e-5);
      }
    }
  });

  it('writes one custom float curve per emotion on the SkelAnimation, read back by real USD equal to the export JSON', () => {
    for (const [i, line] of [voice, keyed].entries()) {
      const r = readback[i];
      expect(r.errors).toEqual([]);
      expect(r.missing).toEqual([]);
      const json = exported(line);
      const anim = skelAnimationPath(line.layers[0]);
      for (const [e, name] of EMOTIONS.entries()) {
        const s = r.samples[`${anim}.a2f:emotion:${name}`];
        expect(s).toHaveLength(line.frames);
        for (const [f, [time, value]] of s.entries()) {
          expect(time).toBe(f);
          expect(Math.fround(value as number)).toBe(Math.fround(json.emotionMat![f][e]));
        }
      }
    }
  });

  it('drives a v3.0 pack too: emotion from the voice reaches its network, and the layer carries the curves', async () => {
    const out = path.join(work, 'out-v3');
    const r = await runCli(['run', audio, '--character', CHARACTER, '--model', v3, '--a2e', a2e, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const layer = readFileSync(path.join(out, `${path.parse(audio).name}.usda`), 'utf8');
    expect(layer).toMatch(/float a2f:emotion:joy\.timeSamples = \{/);
    expect(layer).toMatch(/string source = "audio2emotion"/);
  });

  it.each([
    ['an Audio2Emotion pack as --model', (p: Packs) => ['--model', p.a2e], /is an Audio2Emotion pack/, /--a2e/],
    ['an Audio2Face-3D pack as --a2e', (p: Packs) => ['--model', p.mark, '--a2e', p.mark], /is an Audio2Face-3D pack/, /--model/],
    ['--a2e with the embedded model', (p: Packs) => ['--model', 'default', '--a2e', p.a2e], /has no emotion input/, /Leave out --a2e/],
  ])('refuses %s, naming the file and the fix', async (_what, args, problem, fix) => {
    const r = await runCli(['run', audio, '--character', CHARACTER, ...args({ mark, a2e, v3 }), '--out', path.join(work, 'out-bad')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(problem);
    expect(r.stderr).toMatch(fix);
  });
});
