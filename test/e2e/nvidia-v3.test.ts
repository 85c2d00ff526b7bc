// NVIDIA Audio2Face-3D v3.0 end to end: a generated mini v3.0 pack (models/nvidia/make-mini-v3.mjs)
// in NVIDIA's per-identity layout, the real CLI (`a2f run --model <pack> --identity James`), the
// layer opened with real Pixar USD over the sample character and read back equal to the export;
// the identity and noise recorded; a rate that does not divide 60 refused unless resampled.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { usdReadbackMany, type ReadbackResult } from '../usd/validate.js';
import { CHARACTER, DIALOGUE, ROOT, readJson, runCli, tempDir, type A2fExport, skelAnimationPath } from './helpers.js';

interface Line {
  ok: boolean;
  layers: string[];
  report: string;
  files: string[];
  frames: number;
}
interface Summary {
  ok: boolean;
  lines: Line[];
}

const f32 = Math.fround;
const HELLO = path.join(DIALOGUE, 'line01_hello.wav');

const exported = (line: Line): A2fExport & { provenance: { parameters: Record<string, unknown> } } =>
  readJson(line.files.find((f) => f.endsWith('.a2f.json'))!);

describe('a2f run --model <v3.0 mini pack>', () => {
  const work = tempDir('nvidia-v3');
  const pack = path.join(work, 'pack');
  let james: Summary;
  let resampled: Summary;
  let readback: ReadbackResult[];

  beforeAll(async () => {
    const made = spawnSync(process.execPath, [path.join(ROOT, 'models/nvidia/make-mini-v3.mjs'), pack], { encoding: 'utf8' });
    expect(made.status, made.stderr).toBe(0);
    const run = async (args: string[]): Promise<Summary> => {
      const r = await runCli(['run', HELLO, '--character', CHARACTER, '--model', pack, '--export-json', '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as Summary;
    };
    [james, resampled] = await Promise.all([
      run(['--identity', 'James', '--out', path.join(work, 'out-james')]),
      run(['--fps', '24', '--v3-resample', 'nearest', '--v3-noise', 'zeros', '--out', path.join(work, 'out-24')]),
    ]);
    readback = await usdReadbackMany(
      [...james.lines, ...resampled.lines].map((l) => {
        const anim = skelAnimationPath(l.layers[0]);
        return { root: l.layers[0], others: [CHARACTER], attrs: ['blendShapes', 'blendShapeWeights'].map((a) => `${anim}.${a}`) };
      }),
    );
  });

  it('writes the line with the identity, the noise and the 68 channels recorded', () => {
    expect(james.ok).toBe(true);
    const json = exported(james.lines[0]);
    expect(json.facsNames).toHaveLength(68);
    expect(json.joints).toEqual(['jaw', 'eye_L', 'eye_R']);
    expect(json.exportFps).toBe(30);
    expect(json.provenance.parameters.identity).toBe('James');
    expect(json.provenance.parameters.noise).toBe('philox');
    expect(exported(resampled.lines[0]).provenance.parameters).toMatchObject({ identity: 'Claire', noise: 'zeros', resample: 'nearest' });
    expect(exported(resampled.lines[0]).exportFps).toBe(24);
    const moving = json.weightMat.some((row, t) => t > 0 && row.some((w, c) => Math.abs(w - json.weightMat[0][c]) > 1e-3));
    expect(moving).toBe(true);
  });

  it('composes over the sample character in real Pixar USD, the weights read back equal (float32)', () => {
    [...james.lines, ...resampled.lines].forEach((line, i) => {
      const r = readback[i];
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      const json = exported(line);
      const anim = skelAnimationPath(line.layers[0]);
      expect(r.endTimeCode).toBe(json.numFrames - 1);
      const report = readJson<{ binding: { blendShapes: { matches: { source: string; target: string }[] } } }>(line.report);
      const sourceOf = new Map(report.binding.blendShapes.matches.map((m) => [m.target, m.source]));
      const columns = (r.defaults[`${anim}.blendShapes`] as string[]).map((t) => json.facsNames.indexOf(sourceOf.get(t)!));
      expect(columns.length).toBeGreaterThanOrEqual(52);
      const weights = r.samples[`${anim}.blendShapeWeights`];
      expect(weights).toHaveLength(json.numFrames);
      for (const [t, row] of weights) expect((row as number[]).map(f32)).toEqual(columns.map((c) => f32(json.weightMat[t][c])));
    });
  });

  it('refuses 25 fps without --v3-resample and an unknown identity, naming the fix', async () => {
    const r25 = await runCli(['run', HELLO, '--character', CHARACTER, '--model', pack, '--fps', '25', '--out', path.join(work, 'out-25')]);
    expect(r25.code).not.toBe(0);
    expect(r25.stdout + r25.stderr).toMatch(/25 fps does not divide.*--v3-resample nearest/s);
    const bob = await runCli([
      'run',
      HELLO,
      '--character',
      CHARACTER,
      '--model',
      pack,
      '--identity',
      'Bob',
      '--out',
      path.join(work, 'out-bob'),
    ]);
    expect(bob.code).not.toBe(0);
    expect(bob.stdout + bob.stderr).toMatch(/"Bob" is not in this pack.*Claire, James, Mark/s);
  });
});
