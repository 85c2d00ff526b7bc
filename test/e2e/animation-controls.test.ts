// The animation controls end to end (docs/animation-controls.md): the real CLI with --blinks,
// --blink-interval, --jaw and the channel filters, on the embedded model and an NVIDIA mini pack;
// every layer opened with real Pixar USD over its character and its values read back. The run
// report's motion figures are checked against those values, and `a2f inspect` against the report.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quatMultiply, type Quat } from '@a2f/animation';
import { inspectCharacter } from '@a2f/usd';
import { usdReadbackMany, type ReadbackResult, type UsdValue } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, ROOT, readJson, runCli, tempDir, skelAnimationPath } from './helpers.js';

interface Channel {
  channel: string;
  kind: 'blendShape' | 'joint';
  boundTo: string | null;
  min: number;
  max: number;
  animated: boolean;
  why?: string;
}
interface Binding {
  channels: number;
  bound: number;
  animated: number;
}
interface Line {
  ok: boolean;
  layers: string[];
  report: string;
  binding: Binding;
}
interface Report {
  controls: { blinks: unknown; jaw: { requested: string; mode: string; reason: string } };
  binding: {
    channels: Channel[];
    jaw: { requested: string; mode: string; reason: string };
    blendShapes: { matches: { source: string; target: string }[]; unmatchedTarget: string[] };
    joints: { matches: { source: string; target: string }[]; unmatchedTarget: string[] };
  };
}

const f32 = Math.fround;
const HELLO = path.join(DIALOGUE, 'line01_hello.wav');
const PAPA = path.join(DIALOGUE, 'line02_papa.wav');
const ATTRS = ['blendShapes', 'blendShapeWeights', 'joints', 'rotations'];

/**
 * The sample character with its Face skinned rigidly to the head (every jaw influence moved onto
 * the head joint, weights kept): jawOpen is then on a mesh the jaw joint does not move.
 */
function rigidFaceCharacter(dir: string): string {
  const text = readFileSync(CHARACTER, 'utf8');
  const face = text.indexOf('def Mesh "Face"');
  const head = 'int[] primvars:skel:jointIndices = [';
  const from = text.indexOf(head, face) + head.length;
  const to = text.indexOf(']', from);
  expect(face).toBeGreaterThan(0);
  expect(from).toBeLessThan(text.indexOf('def Mesh "Tongue"'));
  const file = path.join(dir, 'rigid-face.usda');
  writeFileSync(file, text.slice(0, from) + text.slice(from, to).replace(/\b2\b/g, '1') + text.slice(to));
  return file;
}

interface Take {
  line: Line;
  report: Report;
  read: ReadbackResult;
  anim: string;
  character: string;
}

describe('animation controls: blinks, jaw, channel filters, reports that say what moves', () => {
  const work = tempDir('controls');
  const pack = path.join(work, 'mark');
  let rigid: string;
  const takes: Record<string, Take> = {};
  const stderr: Record<string, string> = {};

  beforeAll(async () => {
    const made = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia/make-mini-pack.mjs'), pack, '--variant', 'mark'], {
      encoding: 'utf8',
    });
    expect(made.status, made.stderr).toBe(0);
    rigid = rigidFaceCharacter(work);
    const runs: Record<string, { audio: string; args: string[]; character?: string }> = {
      auto: { audio: HELLO, args: [] },
      joint: { audio: HELLO, args: ['--jaw', 'joint'] },
      both: { audio: HELLO, args: ['--jaw', 'both'] },
      rigid: { audio: HELLO, args: [], character: rigid },
      filtered: { audio: HELLO, args: ['--channels', 'jaw*,mouth*,eye_?', '--exclude-channels', 'mouthSmile*'] },
      blinks: { audio: PAPA, args: [] },
      noBlinks: { audio: PAPA, args: ['--no-blinks'] },
      often: { audio: PAPA, args: ['--blink-interval', '1'] },
      seldom: { audio: PAPA, args: ['--blink-interval', '6'] },
      nvidia: { audio: HELLO, args: ['--model', pack] },
      nvidiaNoBlinks: { audio: HELLO, args: ['--model', pack, '--no-blinks'] },
    };
    // Two at a time: the machine has two cores and every run starts its own workers.
    const names = Object.keys(runs);
    const lines: Record<string, { line: Line; character: string }> = {};
    for (let i = 0; i < names.length; i += 2) {
      await Promise.all(
        names.slice(i, i + 2).map(async (name) => {
          const { audio, args, character = CHARACTER } = runs[name];
          const r = await runCli(['run', audio, '--character', character, '--out', path.join(work, name), '--json', ...args]);
          expect(r.code, r.stderr).toBe(0);
          stderr[name] = r.stderr;
          lines[name] = { line: (JSON.parse(r.stdout) as { lines: Line[] }).lines[0], character };
        }),
      );
    }
    const reads = await usdReadbackMany(
      names.map((name) => {
        const { line, character } = lines[name];
        const anim = skelAnimationPath(line.layers[0]);
        return { root: line.layers[0], others: [character], attrs: ATTRS.map((a) => `${anim}.${a}`) };
      }),
    );
    names.forEach((name, i) => {
      const { line, character } = lines[name];
      expect(reads[i].errors).toEqual([]);
      takes[name] = { line, report: readJson<Report>(line.report), read: reads[i], anim: skelAnimationPath(line.layers[0]), character };
    });
  }, 600_000);

  const tokens = (t: Take) => t.read.defaults[`${t.anim}.blendShapes`] as string[];
  const joints = (t: Take) => t.read.defaults[`${t.anim}.joints`] as string[];
  /** One blendshape's weights over the line, as USD reads them back. */
  const curve = (t: Take, token: string): number[] => {
    const c = tokens(t).indexOf(token);
    expect(c).toBeGreaterThanOrEqual(0);
    return t.read.samples[`${t.anim}.blendShapeWeights`].map(([, row]) => (row as number[])[c]);
  };
  const a2f = (t: Take) => (t.read.metadata.customLayerData as Record<string, UsdValue>).a2f as Record<string, Record<string, UsdValue>>;
  /** Closings of the eye: frames where eyeBlinkLeft crosses 0.5 upwards. */
  const blinkCount = (t: Take) => curve(t, 'eyeBlinkLeft').filter((v, f, all) => v >= 0.5 && (f === 0 || all[f - 1] < 0.5)).length;

  it('--no-blinks: eyeBlink curves all zero in the layer, on the embedded model and on an NVIDIA pack', () => {
    for (const name of ['noBlinks', 'nvidiaNoBlinks']) {
      const t = takes[name];
      for (const side of ['eyeBlinkLeft', 'eyeBlinkRight']) {
        const values = curve(t, side);
        expect(values.length).toBe(t.read.endTimeCode + 1);
        expect(values.every((v) => v === 0)).toBe(true);
      }
      expect(a2f(t).parameters.blinks).toBe('off');
      expect(t.report.controls.blinks).toBe('off');
    }
    // The same lines with blinks on do close the eyes.
    expect(Math.max(...curve(takes.blinks, 'eyeBlinkLeft'))).toBeGreaterThan(0.9);
    expect(Math.max(...curve(takes.nvidia, 'eyeBlinkLeft'))).toBeGreaterThan(0);
  });

  it('--blink-interval changes how often the eyes close, and is recorded', () => {
    const often = blinkCount(takes.often);
    const usual = blinkCount(takes.blinks);
    const seldom = blinkCount(takes.seldom);
    expect(often).toBeGreaterThan(usual);
    expect(usual).toBeGreaterThanOrEqual(seldom);
    expect(often).toBeGreaterThanOrEqual(4);
    expect(a2f(takes.often).parameters.blinks).toEqual({ seed: 0, intervalSeconds: 1 });
    expect(a2f(takes.blinks).parameters.blinks).toEqual({ seed: 0, intervalSeconds: 3.5 });
  });

  it('--jaw: joint writes the jaw rotation and no jaw shape, blendshape the reverse, both writes both', () => {
    const jawShapes = (t: Take) =>
      tokens(t)
        .filter((s) => /^jaw/.test(s))
        .sort();
    const hasJawJoint = (t: Take) => joints(t).includes('root/head/jaw');
    expect([hasJawJoint(takes.joint), jawShapes(takes.joint)]).toEqual([true, []]);
    expect([hasJawJoint(takes.both), jawShapes(takes.both)]).toEqual([true, ['jawForward', 'jawLeft', 'jawOpen', 'jawRight']]);
    expect([hasJawJoint(takes.auto), jawShapes(takes.auto)]).toEqual([false, ['jawForward', 'jawLeft', 'jawOpen', 'jawRight']]);
    // The written jaw joint really turns with speech (rest · delta differs between frames).
    const j = joints(takes.joint).indexOf('root/head/jaw');
    const rotations = takes.joint.read.samples[`${takes.joint.anim}.rotations`].map(([, v]) => (v as number[][])[j]);
    expect(new Set(rotations.map((q) => q.join(','))).size).toBeGreaterThan(10);
    expect(Math.max(...curve(takes.both, 'jawOpen'))).toBeGreaterThan(0.25);
  });

  it(
    '--jaw auto fits the character: blendshape on the sample (Face ' + 'skinned to the jaw), both on a Face skinned rigidly to the head',
    () => {
      expect(inspectCharacter(readFileSync(CHARACTER, 'utf8'), CHARACTER).meshes[0].skinnedJoints).toContain('root/head/jaw');
      expect(inspectCharacter(readFileSync(rigid, 'utf8'), rigid).meshes[0].skinnedJoints).toEqual(['root/head']);
      const auto = a2f(takes.auto).binding.jaw as Record<string, string>;
      expect(auto).toMatchObject({
        requested: 'auto',
        mode: 'blendshape',
        reason: expect.stringMatching(/<\/Character\/Face> carries "jawOpen" and is skinned to the jaw joint/),
      });
      expect(takes.auto.report.controls.jaw).toEqual(auto);
      const other = a2f(takes.rigid).binding.jaw as Record<string, string>;
      expect(other).toMatchObject({ requested: 'auto', mode: 'both', reason: expect.stringMatching(/no jaw joint influence moves/) });
      expect(joints(takes.rigid)).toContain('root/head/jaw');
      expect(tokens(takes.rigid)).toContain('jawOpen');
      expect(a2f(takes.joint).binding.jaw).toMatchObject({ requested: 'joint', mode: 'joint' });
    },
  );

  it('channel filters: only the included channels, less the excluded ones, are written', () => {
    const t = takes.filtered;
    const expected = takes.both.report.binding.channels
      .filter((c) => c.kind === 'blendShape' && /^(jaw|mouth)/.test(c.channel) && !/^mouthSmile/.test(c.channel))
      .map((c) => c.channel);
    // auto on the sample: the jaw shapes are the jaw's driver, and the eye joints pass the filter.
    expect(tokens(t)).toEqual(expected);
    expect(joints(t)).toEqual(['root/head/eye_L', 'root/head/eye_R']);
    expect(a2f(t).binding).toMatchObject({ channels: ['jaw*', 'mouth*', 'eye_?'], excludeChannels: ['mouthSmile*'] });
    const dropped = t.report.binding.channels.filter((c) => c.boundTo === null).map((c) => c.channel);
    expect(dropped).toEqual(expect.arrayContaining(['eyeBlinkLeft', 'mouthSmileLeft', 'tongueOut', 'jaw']));
  });

  it('refuses a channel pattern that matches nothing, naming it, before any line runs', async () => {
    const out = path.join(work, 'typo');
    const r = await runCli(['run', HELLO, '--character', CHARACTER, '--out', out, '--exclude-channels', 'eyeLook*,eyeLid*']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--exclude-channels: pattern "eyeLid\*" matches none of the 71 channels of the model "default"/);
    expect(() => readFileSync(path.join(out, 'line01_hello.usda'))).toThrow();
  });

  it("the report's per-channel min/max/animated equal the values read back from the layer, and the summary counts them", () => {
    for (const name of ['auto', 'both', 'nvidia', 'filtered']) {
      const t = takes[name];
      const character = inspectCharacter(readFileSync(t.character, 'utf8'), t.character);
      let animated = 0;
      for (const c of t.report.binding.channels.filter((ch) => ch.boundTo !== null)) {
        if (c.kind === 'blendShape') {
          const values = curve(t, c.boundTo!).map(f32);
          expect([c.channel, f32(c.min), f32(c.max), c.animated]).toEqual([
            c.channel,
            Math.min(...values),
            Math.max(...values),
            Math.min(...values) !== Math.max(...values),
          ]);
        } else {
          // Degrees away from rest: the angle of rest⁻¹ · (what the layer holds).
          const j = joints(t).indexOf(c.boundTo!);
          const rest = character.skeleton.rest[character.skeleton.joints.indexOf(c.boundTo!)].rotation;
          const inverse: Quat = [rest[0], -rest[1], -rest[2], -rest[3]];
          const read = t.read.samples[`${t.anim}.rotations`] ?? [];
          const angles = (
            read.length ? read.map(([, v]) => (v as number[][])[j]) : [(t.read.defaults[`${t.anim}.rotations`] as number[][])[j]]
          ).map((q) => {
            const d = quatMultiply(inverse, q as Quat);
            return 2 * Math.acos(Math.min(1, Math.abs(d[0]))) * (180 / Math.PI);
          });
          expect(Math.abs(Math.min(...angles) - c.min)).toBeLessThan(0.05);
          expect(Math.abs(Math.max(...angles) - c.max)).toBeLessThan(0.05);
          expect(c.animated).toBe(read.length > 0 && new Set(read.map(([, v]) => JSON.stringify((v as number[][])[j]))).size > 1);
        }
        if (c.animated) animated++;
      }
      const bound = t.report.binding.channels.filter((c) => c.boundTo !== null).length;
      expect(bound).toBe(tokens(t).length + joints(t).length);
      expect(t.line.binding).toEqual(expect.objectContaining({ channels: t.report.binding.channels.length, bound, animated }));
      expect(stderr[name]).toContain(`bound ${bound} of ${t.report.binding.channels.length}, ${animated} animated by this model`);
    }
    // The embedded model moves part of what it binds (models/README.md, "What the default model drives"): the tongue tip
    // rises, but it never curls sideways.
    const auto = takes.auto.line.binding;
    expect(auto.animated).toBeLessThan(auto.bound);
    const channel = (name: string) => takes.auto.report.binding.channels.find((c) => c.channel === name);
    expect(channel('tongueTipUp')).toMatchObject({ animated: true });
    expect(channel('tongueTipLeft')).toMatchObject({ min: 0, max: 0, animated: false });
  });

  it('a2f inspect binds what a run binds: the same matches, jaw choice and undriven joints (the tongue joint among them)', async () => {
    for (const [name, args] of [
      ['auto', []],
      ['nvidia', ['--model', pack]],
      ['filtered', ['--channels', 'jaw*,mouth*,eye_?', '--exclude-channels', 'mouthSmile*']],
    ] as const) {
      const r = await runCli(['inspect', CHARACTER, '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      const inspected = (JSON.parse(r.stdout) as { binding: Report['binding'] }).binding;
      const run = takes[name].report.binding;
      expect(inspected.blendShapes.matches).toEqual(run.blendShapes.matches);
      expect(inspected.joints.matches).toEqual(run.joints.matches);
      expect(inspected.joints.unmatchedTarget).toEqual(run.joints.unmatchedTarget);
      expect(inspected.jaw).toEqual(run.jaw);
    }
    // Neither model has a tongue joint channel: both say the tongue joint is not driven.
    expect(takes.auto.report.binding.joints.unmatchedTarget).toContain('root/head/jaw/tongue');
    const text = await runCli(['inspect', CHARACTER]);
    expect(text.stdout).toMatch(/asset joints nothing drives: .*root\/head\/jaw\/tongue/);
    expect(text.stdout).toMatch(/jaw: blendshape \(auto\)/);
  });

  it('provenance paths are portable: stable names, or paths relative to the layer; nothing relative to the repo or cwd', () => {
    for (const t of Object.values(takes)) {
      const strings: string[] = [];
      const collect = (v: UsdValue) => {
        if (typeof v === 'string') strings.push(v);
        else if (Array.isArray(v)) v.forEach(collect);
        else if (v && typeof v === 'object') Object.values(v).forEach(collect);
      };
      const { binding, ...rest } = a2f(t);
      collect(rest as UsdValue);
      for (const s of strings) {
        expect(s.includes('..'), s).toBe(false);
        expect(s.startsWith('/'), s).toBe(false);
        expect(s.includes(ROOT.replace(/\/$/, '')), s).toBe(false);
      }
      // The character is the one path: relative to the layer's folder, where it resolves.
      const layerDir = path.dirname(t.line.layers[0]);
      expect(path.isAbsolute(binding.character as string)).toBe(false);
      expect(path.resolve(layerDir, binding.character as string)).toBe(t.character);
    }
    expect(a2f(takes.auto).parameters.articulatorTable).toMatch(/^a2f-default-articulators\/articulators-to-arkit\.json@[0-9a-f]{12}$/);
  });
});
