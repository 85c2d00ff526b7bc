import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { channelCurve, rational, validateFaceAnimation } from '@a2f/animation';
import { animateAudio, createInferenceEngine, loadModelPack, modelChannels } from '@a2f/inference';
import { exactTarget, rejection, removeTempDirs, tempDir, writePack } from '@a2f/test-utils';
import { GraphBuilder } from '../../../models/lib/onnx.mjs';
import { ARTICULATORS, articulatorsToFace, parseArticulatorTable } from '../src/index.js';

const SHIPPED = fileURLToPath(new URL('../../../templates/articulators/articulators-to-arkit.json', import.meta.url));
const root = tempDir('articulators-kind');
afterAll(removeTempDirs);
const A = ARTICULATORS.length;
/** The manifest lists the columns in this order, to show the kind reads them by name. */
const ORDER = [...ARTICULATORS].reverse();

/**
 * input [B,1,8320] → articulators [B,1,11]: the 11 samples from the window centre on, so a test writes each frame's values
 * into the audio.
 */
function centreNetwork(width: number = A): Uint8Array {
  const g = new GraphBuilder('articulator-shaped');
  const x = g.input('input', ['batch', 1, 8320]);
  g.node('Slice', [x, g.ints('starts', [4160]), g.ints('ends', [4160 + width]), g.ints('axes', [2])], 'articulators');
  g.output('articulators', ['batch', 1, width]);
  return g.toBytes();
}

let counter = 0;
/** An articulators pack with the shipped table; `edit` changes the manifest. */
function pack(edit: (m: Record<string, any>) => void = () => {}, width: number = A): string {
  const dir = writePack(
    root,
    `a${counter++}`,
    (m) => {
      m.outputs = [{ name: 'articulators', type: 'float32', shape: ['batch', 1, width] }];
      m.postprocess = { kind: 'articulators', table: 'table.json', channels: ORDER };
      edit(m);
    },
    centreNetwork(width),
  );
  copyFileSync(SHIPPED, path.join(dir, 'table.json'));
  return dir;
}

async function loadError(dir: string): Promise<Error & { code: string }> {
  const err = await rejection(loadModelPack(dir));
  expect(err.message.startsWith(`${path.join(dir, 'pack.json')}: `)).toBe(true);
  return err;
}

describe('the articulators kind', () => {
  it('loads a pack, carries 68 shapes and jaw/eye joints, and animates what the network says, column by name', async () => {
    const dir = pack();
    const p = await loadModelPack(dir);
    expect(p.postprocess).toEqual({
      kind: 'articulators',
      config: { table: path.join(dir, 'table.json'), tableRef: 'table.json', output: 'articulators', channels: ORDER },
    });
    expect(modelChannels(p).blendShapes).toHaveLength(68);
    expect(modelChannels(p).joints).toEqual(['jaw', 'eye_L', 'eye_R']);

    // 30 frames: silence with a loud network for 5 frames, then speech with a closure and a tongue tip.
    const fps = rational(30);
    const frames = 30;
    const want = (k: number): Record<string, number> =>
      k < 5
        ? { jawOpen: 0.9, lipRound: 1, voice: 0 }
        : {
            voice: 1,
            jawOpen: k % 6 < 3 ? 0.6 : 0.1,
            lipClose: k % 6 === 4 ? 1 : 0,
            tongueTip: k % 6 === 5 ? 1 : 0,
            accent: k === 12 ? 1 : 0,
          };
    const samples = new Float32Array(exactTarget(frames, 30, 1) + 600);
    const values = new Float32Array(frames * A);
    for (let k = 0; k < frames; k++) {
      ORDER.forEach((name, j) => {
        samples[exactTarget(k, 30, 1) + j] = want(k)[name] ?? 0;
        values[k * A + j] = want(k)[name] ?? 0;
      });
    }
    const anim = await animateAudio(samples, p, { fps, seed: 9, tool: { name: 'test', version: '0' } });
    validateFaceAnimation(anim);
    const table = parseArticulatorTable((await import(SHIPPED, { with: { type: 'json' } })).default, SHIPPED);
    const direct = articulatorsToFace(values, frames, ORDER, { fps, table, provenance: anim.provenance, seed: 9 });
    expect(Array.from(anim.weights.subarray(0, frames * 68))).toEqual(Array.from(direct.weights));
    expect(Math.max(...channelCurve(anim, 'jawOpen').subarray(0, 5))).toBe(0);
    expect(Math.max(...channelCurve(anim, 'mouthPressLeft').subarray(8, 12))).toBeGreaterThan(0.15);
    expect(Math.max(...channelCurve(anim, 'tongueTipUp').subarray(9, 13))).toBeGreaterThan(0.2);
    expect(anim.provenance.parameters).toMatchObject({
      postprocess: 'articulators',
      articulatorTable: expect.stringMatching(/^test-a0\/table\.json@[0-9a-f]{12}$/),
      articulatorTableSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      articulators: { seed: 9, jawOpenDegrees: 20 },
    });
  });

  it('runs live: a frame stream fed the audio in pieces gives the frames animate gives', async () => {
    const engine = await createInferenceEngine(await loadModelPack(pack()), { workers: 1, threads: 1 });
    try {
      const fps = rational(30);
      const frames = 90;
      const samples = new Float32Array(exactTarget(frames, 30, 1));
      for (let k = 0; k < frames; k++) {
        const on = k % 30 >= 5 && k % 30 < 25;
        ORDER.forEach((name, j) => {
          const v = {
            voice: on ? 1 : 0,
            jawOpen: on ? 0.3 + 0.3 * Math.sin(k) : 0,
            lipClose: k % 7 === 0 ? 1 : 0,
            accent: k % 30 === 8 ? 1 : 0,
          }[name as string];
          samples[exactTarget(k, 30, 1) + j] = v ?? 0;
        });
      }
      const whole = await engine.animate(samples, { fps, seed: 4 });
      const stream = await engine.openStream({ fps, seed: 4 });
      const weights: number[] = [];
      const drain = async () => {
        for (let chunk = await stream.next(); chunk; chunk = await stream.next()) weights.push(...chunk.anim.weights);
      };
      for (let at = 0; at < samples.length; at += 777) {
        stream.append(samples.subarray(at, at + 777));
        await drain();
      }
      stream.end();
      await drain();
      stream.close();
      expect(weights.length).toBe(whole.weights.length);
      expect(weights).toEqual(Array.from(whole.weights));
    } finally {
      await engine.close();
    }
  });

  const cases: [string, (m: Record<string, any>) => void, RegExp, number?][] = [
    [
      'channels that are not a list',
      (m) => (m.postprocess.channels = 'jawOpen'),
      new RegExp(
        '"postprocess\\.channels" must be the articulator names of the output\'s columns, in order, ' +
          'found the string "jawOpen"\\. List the output\'s columns',
      ),
    ],
    [
      'a misspelt channel',
      (m) => (m.postprocess.channels = ORDER.map((c) => (c === 'lipRound' ? 'lipRond' : c))),
      /"postprocess\.channels\[8\]" is the string "lipRond", not an articulator\. List .*jawOpen, lipClose/,
    ],
    [
      'a channel named twice',
      (m) => (m.postprocess.channels = [...ORDER.slice(0, 10), 'voice']),
      /"postprocess\.channels" names "voice" twice \(at 0 and 10\)/,
    ],
    ['a channel left out', (m) => (m.postprocess.channels = ORDER.slice(1)), /"postprocess\.channels" lacks "voice"/, 10],
    [
      'an output of the wrong width',
      (m) => (m.outputs[0].shape = ['batch', 1, 15]),
      /output "articulators" has 15 values per frame .* but the articulators post-processing needs 11 \(voice accent burst/,
    ],
    ['a missing table', (m) => (m.postprocess.table = 'nope.json'), /"postprocess\.table" names "nope\.json", which does not exist/],
    [
      'an unknown field',
      (m) => (m.postprocess.smoothing = 1),
      /"postprocess\.smoothing" is not a field of the articulators post-processing/,
    ],
    ['no channels', (m) => delete m.postprocess.channels, /"postprocess\.channels" must be the articulator names .*found nothing/],
    [
      'two outputs and none chosen',
      (m) => m.outputs.push({ name: 'extra', type: 'float32', shape: ['batch', 1, 11] }),
      /"postprocess\.output" is needed because the network has several outputs\. Set it to the output holding the 11 articulators/,
    ],
  ];
  for (const [what, edit, message, width] of cases) {
    it(`names the file and the field for ${what}`, async () => {
      const err = await loadError(pack(edit, width));
      expect(err.code).toBe('PACK_FIELD');
      expect(err.message).toMatch(message);
    });
  }

  it('reports a table that is not an articulator table when the first line runs, naming the table', async () => {
    const dir = pack();
    const line = async () => animateAudio(new Float32Array(1600), await loadModelPack(dir), { fps: rational(30) });
    writeFileSync(path.join(dir, 'table.json'), JSON.stringify({ jawOpenDegrees: 20, smoothingHalfLife: 0, articulators: {} }));
    const err = await rejection(line());
    expect(err.message).toMatch(
      new RegExp(
        `^${path.join(dir, 'table.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ` +
          'invalid articulator table: "articulators\\.jawOpen" is missing',
      ),
    );
    writeFileSync(path.join(dir, 'table.json'), '{ "jawOpenDegrees": ');
    expect((await rejection(line())).code).toBe('PACK_JSON');
  });
});
