import { existsSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { quatMultiply, type Quat } from '@a2f/animation';
import { inspectCharacter } from '@a2f/usd';
import { tinyusdzCheckMany, usdReadbackMany, type UsdValue } from '../usd/validate.js';
import { CHARACTER, leftovers, readJson, runCli, sampleLines, tempDir, type A2fExport, skelAnimationPath } from './helpers.js';

interface Summary {
  ok: boolean;
  lines: {
    ok: boolean;
    audio: string;
    name: string;
    layers: string[];
    report: string;
    files: string[];
    frames: number;
    error?: { message: string; fix?: string };
  }[];
}

const f32 = Math.fround;

describe('a2f run on the sample dialogue (override layering)', () => {
  const out = tempDir('override');
  let summary: Summary;
  let code: number;

  beforeAll(async () => {
    const r = await runCli(['run', ...sampleLines(), '--character', CHARACTER, '--out', out, '--export-json', '--json']);
    code = r.code;
    expect(r.stderr).not.toMatch(/FAIL/);
    summary = JSON.parse(r.stdout) as Summary;
  });

  it('writes one layer, one report and one JSON per line, whole', () => {
    expect(code).toBe(0);
    expect(summary.ok).toBe(true);
    expect(summary.lines.map((l) => path.basename(l.audio))).toEqual(sampleLines().map((l) => path.basename(l)));
    for (const line of summary.lines) {
      expect(line.layers).toHaveLength(1);
      for (const f of line.files) expect(existsSync(f)).toBe(true);
      expect(readFileSync(line.layers[0], 'utf8').startsWith('#usda 1.0')).toBe(true);
    }
    expect(leftovers(out)).toEqual([]);
  });

  it('composes over the character in real Pixar USD, and the samples read back equal to what was computed', async () => {
    const character = inspectCharacter(readFileSync(CHARACTER, 'utf8'), CHARACTER);
    const results = await usdReadbackMany(
      summary.lines.map((l) => {
        const anim = skelAnimationPath(l.layers[0]);
        return {
          root: l.layers[0],
          others: [CHARACTER],
          attrs: ['blendShapes', 'blendShapeWeights', 'joints', 'rotations', 'translations', 'scales']
            .map((a) => `${anim}.${a}`)
            .concat(['/Character/Skel.skel:animationSource']),
        };
      }),
    );
    summary.lines.forEach((line, i) => {
      const r = results[i];
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      const computed = readJson<A2fExport>(line.files.find((f) => f.endsWith('.a2f.json'))!);
      expect(r.timeCodesPerSecond).toBe(30);
      expect(r.startTimeCode).toBe(0);
      expect(r.endTimeCode).toBe(computed.numFrames - 1);
      expect(computed.numFrames).toBe(line.frames);

      // Blendshape weights: every sample of every bound channel equals the computed float32.
      const report = readJson<{ binding: { blendShapes: { matches: { source: string; target: string }[] } } }>(line.report);
      const anim = skelAnimationPath(line.layers[0]);
      const tokens = r.defaults[`${anim}.blendShapes`] as string[];
      expect(tokens.length).toBeGreaterThanOrEqual(52);
      const sourceOf = new Map(report.binding.blendShapes.matches.map((m) => [m.target, m.source]));
      const columns = tokens.map((t) => computed.facsNames.indexOf(sourceOf.get(t)!));
      expect(columns.every((c) => c >= 0)).toBe(true);
      const weights = r.samples[`${anim}.blendShapeWeights`];
      expect(weights.map(([t]) => t)).toEqual(Array.from({ length: computed.numFrames }, (_, k) => k));
      for (const [t, row] of weights) {
        const values = row as number[];
        columns.forEach((c, j) => {
          expect(f32(values[j])).toBe(f32(computed.weightMat[t][c]));
        });
      }

      // Joints: rest rotation · computed delta, read back as written.
      const joints = r.defaults[`${anim}.joints`] as string[];
      // --jaw auto: the sample's Face carries jawOpen and is skinned to the jaw joint, so the shape alone opens it.
      expect(joints).toEqual(['root/head/eye_L', 'root/head/eye_R']);
      // Eyes at rest all line long are written once, as the default: every computed frame must equal it.
      const rotations =
        r.samples[`${anim}.rotations`] ?? computed.rotations.map((_, t): [number, UsdValue] => [t, r.defaults[`${anim}.rotations`]]);
      expect(rotations).toHaveLength(computed.numFrames);
      for (const [t, value] of rotations) {
        (value as number[][]).forEach((q, j) => {
          const token = joints[j];
          const channel = computed.joints.findIndex((name) => token.split('/').pop()!.toLowerCase() === name.toLowerCase());
          expect(channel).toBeGreaterThanOrEqual(0);
          const rest = character.skeleton.rest[character.skeleton.joints.indexOf(token)].rotation as Quat;
          const expected = quatMultiply(rest, computed.rotations[t][channel] as Quat);
          q.forEach((v, k) => {
            expect(v).toBeCloseTo(expected[k], 6);
          });
        });
      }
      expect(r.targets['/Character/Skel.skel:animationSource']).toEqual([anim]);
      expect(r.prims[anim]).toEqual({ specifier: 'def', type: 'SkelAnimation' });
    });
  });

  it('moves the mouth with the speech: closed in the silent lead-in and tail, open in the vowels, lips pressed on p/b/m', () => {
    for (const line of summary.lines) {
      const computed = readJson<A2fExport>(line.files.find((f) => f.endsWith('.a2f.json'))!);
      const curve = (name: string) => computed.weightMat.map((row) => row[computed.facsNames.indexOf(name)]);
      const jaw = curve('jawOpen');
      // Every sample line starts and ends with 0.3 s of digital silence; the first and last frames' windows hold only that.
      expect(jaw[0]).toBeLessThan(0.02);
      expect(jaw.at(-1)!).toBeLessThan(0.02);
      expect(Math.max(...jaw)).toBeGreaterThan(0.25);
    }
    const papa = summary.lines.find((l) => l.name === 'line02_papa')!;
    const computed = readJson<A2fExport>(papa.files.find((f) => f.endsWith('.a2f.json'))!);
    const press = computed.weightMat.map((row) => row[computed.facsNames.indexOf('mouthPressLeft')]);
    expect(Math.max(...press)).toBeGreaterThan(0.2);
  });

  it('passes TinyUSDZ as a layer and as a typed stage', async () => {
    const checks = await tinyusdzCheckMany(summary.lines.map((l) => l.layers[0]));
    for (const c of checks) {
      expect(c.layerOk, c.layerError).toBe(true);
      expect(c.stageParsed, c.stageError).toBe(true);
    }
  });

  it('records provenance in customLayerData', async () => {
    const [r] = await usdReadbackMany([{ root: summary.lines[0].layers[0], others: [CHARACTER] }]);
    const a2f = (r.metadata.customLayerData as Record<string, UsdValue>).a2f as Record<string, UsdValue>;
    expect(JSON.stringify(a2f)).toContain(path.basename(summary.lines[0].audio));
    expect(JSON.stringify(a2f)).toMatch(/[0-9a-f]{64}/);
    expect(JSON.stringify(a2f)).toContain('a2f-default-articulators');
  });
});

describe('a2f run with reference layering at 29.97 fps', () => {
  it('writes an animation asset and a shot layer that compose in real USD', async () => {
    const out = tempDir('reference');
    const line = sampleLines()[0];
    const r = await runCli(['run', line, '--character', CHARACTER, '--out', out, '--layering', 'reference', '--fps', '29.97', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as Summary;
    const layers = s.lines[0].layers;
    expect(layers.map((l) => path.basename(l)).sort()).toEqual([`${s.lines[0].name}.anim.usda`, `${s.lines[0].name}.shot.usda`]);
    const shot = layers.find((l) => l.endsWith('.shot.usda'))!;
    const anim = layers.find((l) => l.endsWith('.anim.usda'))!;
    const [res] = await usdReadbackMany([{ root: shot, others: [anim, CHARACTER], attrs: ['blendShapeWeights', 'skel:animationSource'] }]);
    expect(res.errors).toEqual([]);
    expect(res.timeCodesPerSecond).toBeCloseTo(30000 / 1001, 10);
    expect(res.samples.blendShapeWeights).toHaveLength(s.lines[0].frames);
    expect(res.targets['skel:animationSource']).toHaveLength(1);
  });
});

describe('failures', () => {
  it('a bad line among good ones: exit 1, the bad one named with a fix, the good ones kept whole', async () => {
    const out = tempDir('mixed');
    const work = tempDir('mixed-in');
    const [a, b] = sampleLines();
    const bad = path.join(work, 'broken_take.wav');
    writeFileSync(bad, 'this is not audio at all, just text in a .wav file\n'.repeat(20));
    const good1 = path.join(work, path.basename(a));
    const good2 = path.join(work, path.basename(b));
    copyFileSync(a, good1);
    copyFileSync(b, good2);
    const r = await runCli(['run', good1, bad, good2, '--character', CHARACTER, '--out', out, '--json']);
    expect(r.code).toBe(1);
    const s = JSON.parse(r.stdout) as Summary;
    expect(s.ok).toBe(false);
    expect(s.lines.map((l) => l.ok)).toEqual([true, false, true]);
    expect(s.lines[1].error!.message).toContain('broken_take.wav');
    expect(s.lines[1].error!.fix ?? s.lines[1].error!.message).toMatch(/\w/);
    expect(r.stderr).toContain('broken_take.wav');
    for (const l of [s.lines[0], s.lines[2]]) expect(existsSync(l.layers[0])).toBe(true);
    expect(existsSync(path.join(out, 'broken_take.usda'))).toBe(false);
    expect(leftovers(out)).toEqual([]);
  });

  it('bad settings exit 2 with a message naming the problem', async () => {
    const out = tempDir('usage');
    const line = sampleLines()[0];
    const missing = await runCli(['run', line, '--out', out]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/character/);
    const noChar = await runCli(['run', line, '--character', path.join(out, 'nope.usda'), '--out', out]);
    expect(noChar.code).toBe(2);
    expect(noChar.stderr).toContain('nope.usda');
    const preset = await runCli(['run', line, '--character', CHARACTER, '--out', out, '--preset', 'no-such-preset']);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toMatch(/no-such-preset.*arkit/s);
  });
});
