// NVIDIA Audio2Face-3D v2.3 packs end to end: generated mini packs in NVIDIA's exact layout, the
// real CLI (`a2f run --model <pack>`, `a2f models …`), layers opened with real Pixar USD over the
// sample character, every sample read back equal to what was computed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quatMultiply, quatNormalize, type Quat } from '@a2f/animation';
import { inspectCharacter } from '@a2f/usd';
import { usdReadbackMany, type ReadbackResult, type UsdValue } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, ROOT, readJson, runCli, tempDir, type A2fExport, skelAnimationPath } from './helpers.js';

interface Line {
  ok: boolean;
  audio: string;
  name: string;
  layers: string[];
  report: string;
  files: string[];
  frames: number;
  sidecar?: string;
  error?: { message: string };
}
interface Summary {
  ok: boolean;
  lines: Line[];
}
type Params = Record<string, unknown>;

const f32 = Math.fround;
const EMOTION_KEYS = [
  { time: 0, joy: 0.9 },
  { time: 0.8, joy: 0.1, anger: 0.8 },
  { time: 1.4, sadness: 0.6 },
];

function makePack(dir: string, variant: 'mark' | 'claire'): string {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia/make-mini-pack.mjs'), dir, '--variant', variant], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return dir;
}

async function run(args: string[]): Promise<Summary> {
  // Both jaw drivers, so the jaw joint's transforms are read back too (the default is animation-controls.test.ts's).
  const r = await runCli(['run', ...args, '--character', CHARACTER, '--jaw', 'both', '--export-json', '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

const exported = (line: Line): A2fExport & { provenance: { parameters: Params } } =>
  readJson(line.files.find((f) => f.endsWith('.a2f.json'))!);

describe('a2f run --model <NVIDIA mini pack> on the sample dialogue', () => {
  const work = tempDir('nvidia');
  const mark = path.join(work, 'packs', 'mark');
  const claire = path.join(work, 'packs', 'claire');
  const takes = path.join(work, 'takes');
  const lines = ['line01_hello.wav', 'line03_who_knew.flac'].map((f) => path.join(DIALOGUE, f));
  let plain: Summary, emotional: Summary, claireRun: Summary;
  let emoTake: Line, control: Line;
  const layers: Line[] = [];
  let readback: ReadbackResult[];

  beforeAll(async () => {
    makePack(mark, 'mark');
    makePack(claire, 'claire');
    // The emotion line and its control: the same audio, one with a sidecar of timed keys.
    mkdirSync(takes, { recursive: true });
    copyFileSync(lines[0], path.join(takes, 'emo_take.wav'));
    copyFileSync(lines[0], path.join(takes, 'control_take.wav'));
    writeFileSync(
      path.join(takes, 'emo_take.a2f.json'),
      JSON.stringify({ $comment: 'joy turning to anger, then sadness', emotions: EMOTION_KEYS }, null, 2),
    );

    [plain, emotional, claireRun] = await Promise.all([
      run([...lines, '--model', mark, '--out', path.join(work, 'out-plain')]),
      run([
        path.join(takes, 'emo_take.wav'),
        path.join(takes, 'control_take.wav'),
        '--model',
        mark,
        '--param',
        'lower_face_strength=1.2',
        '--out',
        path.join(work, 'out-emotion'),
      ]),
      run([
        lines[0],
        '--model',
        claire,
        '--emotion',
        'joy=0.6,anger=0.2',
        '--solver',
        'mesh',
        '--fps',
        '24',
        '--out',
        path.join(work, 'out-claire'),
      ]),
    ]);
    [emoTake, control] = emotional.lines;
    layers.push(...plain.lines, ...emotional.lines, ...claireRun.lines);
    readback = await usdReadbackMany(
      layers.map((l) => {
        const anim = skelAnimationPath(l.layers[0]);
        return {
          root: l.layers[0],
          others: [CHARACTER],
          attrs: ['blendShapes', 'blendShapeWeights', 'joints', 'rotations', 'translations'].map((a) => `${anim}.${a}`),
        };
      }),
    );
  });

  it('writes every line whole, with the 68 A2F channels and the jaw and eye joints', () => {
    for (const s of [plain, emotional, claireRun]) expect(s.ok).toBe(true);
    expect(layers).toHaveLength(5);
    for (const line of layers) {
      const json = exported(line);
      expect(json.facsNames).toHaveLength(68);
      expect(json.facsNames.slice(0, 2)).toEqual(['eyeBlinkLeft', 'eyeLookDownLeft']);
      expect(json.facsNames.at(-1)).toBe('tongueNarrow');
      expect(json.joints).toEqual(['jaw', 'eye_L', 'eye_R']);
      expect(json.numFrames).toBe(line.frames);
    }
    expect(claireRun.lines[0].frames).toBe(exported(claireRun.lines[0]).numFrames);
    expect(exported(claireRun.lines[0]).exportFps).toBe(24);
  });

  it('composes over the sample character in real Pixar USD, weights and joint transforms read back equal (float32)', () => {
    const character = inspectCharacter(readFileSync(CHARACTER, 'utf8'), CHARACTER);
    let weightSamples = 0;
    layers.forEach((line, i) => {
      const r = readback[i];
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.missing).toEqual([]);
      const json = exported(line);
      const anim = skelAnimationPath(line.layers[0]);
      expect(r.endTimeCode).toBe(json.numFrames - 1);

      const report = readJson<{ binding: { blendShapes: { matches: { source: string; target: string }[] } } }>(line.report);
      const sourceOf = new Map(report.binding.blendShapes.matches.map((m) => [m.target, m.source]));
      const tokens = r.defaults[`${anim}.blendShapes`] as string[];
      const columns = tokens.map((t) => json.facsNames.indexOf(sourceOf.get(t)!));
      expect(columns.length).toBeGreaterThanOrEqual(52);
      expect(columns.every((c) => c >= 0)).toBe(true);
      const weights = r.samples[`${anim}.blendShapeWeights`];
      expect(weights).toHaveLength(json.numFrames);
      for (const [t, row] of weights) {
        const values = row as number[];
        columns.forEach((c, j) => {
          if (f32(values[j]) !== f32(json.weightMat[t][c])) expect([t, j, values[j]]).toEqual([t, j, f32(json.weightMat[t][c])]);
        });
        weightSamples += values.length;
      }

      // Joints: rest·delta (sign kept continuous, as the writer does) and rest + offset (cm, character in cm).
      const joints = r.defaults[`${anim}.joints`] as string[];
      const channelOf = joints.map((token) => json.joints.findIndex((n) => token.split('/').pop()!.toLowerCase() === n.toLowerCase()));
      expect(channelOf.filter((c) => c >= 0).sort()).toEqual([0, 1, 2]);
      const rest = joints.map((token) => character.skeleton.rest[character.skeleton.joints.indexOf(token)]);
      const previous: (Quat | undefined)[] = joints.map(() => undefined);
      const rotations = r.samples[`${anim}.rotations`];
      expect(rotations).toHaveLength(json.numFrames);
      for (const [t, value] of rotations) {
        (value as number[][]).forEach((q, j) => {
          const c = channelOf[j];
          const delta = (c >= 0 ? json.rotations[t][c] : [1, 0, 0, 0]) as Quat;
          let expected = quatNormalize(quatMultiply(rest[j].rotation as Quat, delta));
          const prev = previous[j];
          const dot = prev ? expected.reduce((s, v, k) => s + v * prev[k], 0) : expected[0];
          if (dot < 0) expected = expected.map((v) => -v) as unknown as Quat;
          previous[j] = expected;
          expect(q.map(f32)).toEqual(expected.map(f32));
        });
      }
      const translations = r.samples[`${anim}.translations`];
      expect(translations).toHaveLength(json.numFrames);
      for (const [t, value] of translations) {
        (value as number[][]).forEach((v, j) => {
          const c = channelOf[j];
          const offset = c >= 0 ? json.translations[t][c] : [0, 0, 0];
          expect(v.map(f32)).toEqual(rest[j].translation.map((x, k) => f32(x + offset[k])));
        });
      }
    });
    expect(weightSamples).toBeGreaterThan(5 * 30 * 52);
  });

  it("the jaw moves with speech and the eyes carry the pack's gaze offsets", () => {
    const json = exported(plain.lines[0]);
    const jaw = json.joints.indexOf('jaw');
    const angles = json.rotations.map((frame) => 2 * Math.acos(Math.min(1, Math.abs(frame[jaw][0]))));
    expect(Math.max(...angles) - Math.min(...angles)).toBeGreaterThan(1e-4);
    // right_eye_rot_y_offset −2°, left +2° (model_config.json): the eyes turn opposite ways at rest.
    const yaw = (q: number[]) => 2 * Math.atan2(q[2], q[0]) * (180 / Math.PI);
    const l = json.rotations[0][json.joints.indexOf('eye_L')];
    const r = json.rotations[0][json.joints.indexOf('eye_R')];
    expect(Math.sign(yaw(l))).not.toBe(Math.sign(yaw(r)));
  });

  it("records the pack, effective parameters, solver path, emotion keys and overrides in the layer's provenance", () => {
    const a2f = (i: number) => (readback[i].metadata.customLayerData as Record<string, UsdValue>).a2f as Record<string, UsdValue>;
    const params = (i: number) => a2f(i).parameters as Record<string, UsdValue>;
    expect(a2f(0).model).toMatchObject({ id: 'nvidia-a2f-mark-v2.3', kind: 'a2f-v2.3', version: '2.3' });
    expect(params(0)).toMatchObject({
      lower_face_strength: 1.4,
      skin_strength: 1.1,
      solvePath: 'coefficients',
      emotion: 'default',
      source_shot: 'g2a_neutral',
      source_frame: 33,
    });
    expect(params(0).blinks).toMatchObject({ seed: 0, intervalSeconds: 3 });

    const emo = params(2);
    expect(emo).toMatchObject({ lower_face_strength: 1.2, overrides: { lower_face_strength: 1.2 } });
    // The sidecar as the layer sees it (relative to the layer's folder), so the path stays true beside the layer.
    expect(emo.emotion).toEqual({
      source: '../takes/emo_take.a2f.json',
      times: [0, 0.8, 1.4],
      anger: [0, 0.8, 0],
      joy: [0.9, 0.1, 0],
      sadness: [0, 0, 0.6],
    });
    expect(emoTake.sidecar).toBe(path.join(takes, 'emo_take.a2f.json'));
    expect(params(3)).toMatchObject({ lower_face_strength: 1.2, emotion: 'default' });

    expect(a2f(4).model).toMatchObject({ id: 'nvidia-a2f-claire-v2.3.1', version: '2.3.1' });
    expect(params(4)).toMatchObject({
      solvePath: 'mesh',
      fps: '24',
      emotion: { source: '--emotion', times: [0], joy: [0.6], anger: [0.2] },
    });
  });

  it('emotion changes the weights against the same line without it; --param changes them too', () => {
    const diff = (a: A2fExport, b: A2fExport) =>
      a.weightMat.reduce((m, row, t) => Math.max(m, ...row.map((v, c) => Math.abs(v - b.weightMat[t][c]))), 0);
    const withEmotion = exported(emoTake);
    const without = exported(control);
    expect(withEmotion.numFrames).toBe(without.numFrames);
    expect(diff(withEmotion, without)).toBeGreaterThan(1e-3);
    // control_take is line01 with lower_face_strength 1.2 instead of the pack's 1.4.
    expect(diff(without, exported(plain.lines[0]))).toBeGreaterThan(1e-4);
    // The rotations do not depend on lower_face_strength (jaw and eyes have their own parameters).
    expect(without.rotations).toEqual(exported(plain.lines[0]).rotations);
  });
});

describe('a2f run refuses what a model cannot take', () => {
  it('--emotion with the default model, and a bad --param, exit 2 naming the problem', async () => {
    const out = tempDir('nvidia-refuse');
    const line = path.join(DIALOGUE, 'line01_hello.wav');
    const emotion = await runCli(['run', line, '--character', CHARACTER, '--out', out, '--emotion', 'joy=0.5']);
    expect(emotion.code).toBe(2);
    expect(emotion.stderr).toMatch(/--emotion: the model "default" has no emotion input/);
    const pack = makePack(path.join(out, 'mark'), 'mark');
    const param = await runCli(['run', line, '--character', CHARACTER, '--out', out, '--model', pack, '--param', 'lower_face_strength=7']);
    expect(param.code).toBe(2);
    expect(param.stderr).toMatch(/"lower_face_strength" is number 7, expected a number in \[0, 2\]/);
  });
});

describe('a2f models', () => {
  const work = tempDir('nvidia-models');
  const pack = path.join(work, 'minimark');
  const repo = 'test/Mini-Mark';
  const revision = 'feedfacefeedfacefeedfacefeedfacefeedface';
  let server: http.Server;
  let endpoint = '';
  let known = '';
  let fileCount = 0;

  beforeAll(async () => {
    makePack(pack, 'mark');
    const files = readdirSync(pack)
      .filter((f) => f !== 'config.json')
      .sort()
      .map((f) => {
        const bytes = readFileSync(path.join(pack, f));
        return { path: f, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
      });
    fileCount = files.length;
    known = path.join(work, 'known-packs.json');
    writeFileSync(
      known,
      JSON.stringify({
        format: 'a2f-known-packs/1',
        packs: [
          {
            name: 'minimark',
            title: 'Mini Mark (test)',
            actor: 'mark',
            version: '2.3',
            repo,
            revision,
            license: 'test',
            skinShapes: 12,
            files,
          },
        ],
      }),
    );
    // A loopback stand-in for huggingface.co: /<repo>/resolve/<revision>/<file>, nothing else.
    server = http.createServer((req, res) => {
      const prefix = `/${repo}/resolve/${revision}/`;
      const name = req.url?.startsWith(prefix) ? decodeURIComponent(req.url.slice(prefix.length)) : '';
      const file = path.join(pack, name);
      if (!name || name.includes('/') || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
        res.writeHead(404).end();
        return;
      }
      const bytes = readFileSync(file);
      res.writeHead(200, { 'content-length': bytes.length, 'content-type': 'application/octet-stream' }).end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('pull installs a pack from a (loopback) Hugging Face with every file checked by SHA-256; list shows it verified', async () => {
    const packsDir = path.join(work, 'installed');
    const pull = await runCli([
      'models',
      'pull',
      'minimark',
      '--packs-dir',
      packsDir,
      '--known-packs',
      known,
      '--endpoint',
      endpoint,
      '--json',
    ]);
    expect(pull.code, pull.stderr).toBe(0);
    const result = JSON.parse(pull.stdout) as { ok: boolean; dir: string; files: { path: string; checkedBy: string }[] };
    expect(result.ok).toBe(true);
    expect(result.dir).toBe(path.join(packsDir, 'minimark'));
    expect(result.files).toHaveLength(fileCount);
    expect(result.files.every((f) => f.checkedBy === 'sha256')).toBe(true);
    expect(pull.stderr).not.toMatch(/\r/); // no progress bar off a TTY

    const list = await runCli(['models', 'list', '--packs-dir', packsDir, '--known-packs', known, '--json']);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).packs).toEqual([expect.objectContaining({ name: 'minimark', installed: true, status: 'verified' })]);
    const human = await runCli(['models', 'list', '--packs-dir', packsDir, '--known-packs', known]);
    expect(human.stdout).toMatch(/minimark\s+Mini Mark \(test\)\s+verified\s+test\/Mini-Mark@feedface/);

    const unknown = await runCli(['models', 'pull', 'nosuchpack', '--packs-dir', packsDir, '--known-packs', known]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/nosuchpack.*is not a known pack.*minimark/);
  });

  it('verify checks the network and every hash; inspect shows the contract', async () => {
    const verify = await runCli(['models', 'verify', pack, '--known-packs', known, '--json']);
    expect(verify.code, verify.stderr).toBe(0);
    const report = JSON.parse(verify.stdout) as {
      ok: boolean;
      known: string;
      files: { status: string }[];
      network: { inputNames: string[] };
    };
    expect(report).toMatchObject({ ok: true, known: 'minimark' });
    expect(report.files.every((f) => f.status === 'ok' || f.status === 'unknown')).toBe(true);
    expect(report.network.inputNames.sort()).toEqual(['emotion', 'input']);

    // Against the real Mark's sizes and hashes, a generated pack is flagged (exit 1), not silently accepted.
    const real = await runCli(['models', 'verify', pack]);
    expect(real.code).toBe(1);
    expect(real.stdout).toMatch(/warning: .*not one of the known packs|warning: .*bytes/);

    const inspect = await runCli(['models', 'inspect', pack, '--json']);
    expect(inspect.code, inspect.stderr).toBe(0);
    const info = JSON.parse(inspect.stdout) as {
      id: { actor: string };
      sizes: { skinShapes: number };
      emotion: { explicit: string[] };
      params: Params;
      tensors: { network?: unknown };
    };
    expect(info.id.actor).toBe('mark');
    expect(info.sizes.skinShapes).toBe(12);
    expect(info.emotion.explicit).toHaveLength(10);
    expect(info.params.lower_face_strength).toBe(1.4);
    expect(info.tensors.network).toBeDefined();
    const human = await runCli(['models', 'inspect', pack, '--no-network']);
    expect(human.stdout).toMatch(/explicit: amazement, anger, cheekiness/);
    expect(human.stdout).toMatch(/lower_face_strength\s+1\.4/);
  });
});
