// The embedded default model (models/default): its contract, that build.mjs's ONNX graph computes
// the math models/README.md documents (checked against a plain-JS forward pass on seeded weights),
// and that the shipped network answers the committed espeak-ng probes (samples/probes) as a mouth
// should. The judge's metrics on whole sentences are tools/lipsync's tests.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../models/lib/seeded.mjs';
import { ARTICULATORS, DEFAULT_PACK_DIR, parseArticulatorTable } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const modelDir = join(root, 'models/default');
const WINDOW = 8320;
const OFFSET = 4160;
const A = ARTICULATORS.length;
const col = (name: string): number => ARTICULATORS.indexOf(name as (typeof ARTICULATORS)[number]);

interface Layer {
  name: string;
  shape: [number, number, number];
  dilation: number;
  weight: string;
  bias: string;
}
interface Weights {
  meta: Record<string, number>;
  layers: Layer[];
}
interface BuildModule {
  buildGraph(w: Weights): { toBytes(o?: object): Uint8Array };
}

/** Minimal reader for the committed probes: RIFF/WAVE, PCM16, mono, 16 kHz (anything else is an error). */
function readProbe(name: string): Float32Array {
  const file = join(root, 'samples/probes', `${name}.wav`);
  const b = readFileSync(file);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a RIFF/WAVE file`);
  let pcm: Uint8Array | undefined;
  let ok = false;
  for (let pos = 12; pos + 8 <= b.length; ) {
    const id = b.toString('ascii', pos, pos + 4);
    const size = dv.getUint32(pos + 4, true);
    if (id === 'fmt ')
      ok = dv.getUint16(pos + 8, true) === 1 && dv.getUint16(pos + 10, true) === 1 && dv.getUint32(pos + 12, true) === 16000;
    if (id === 'data') pcm = b.subarray(pos + 8, pos + 8 + size);
    pos += 8 + size + (size & 1);
  }
  if (!ok || !pcm) throw new Error(`${file}: expected 16 kHz mono PCM16 (rerun samples/probes/make-probes.sh)`);
  const d = new DataView(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  return Float32Array.from({ length: pcm.length / 2 }, (_, i) => d.getInt16(2 * i, true) / 32768);
}

/** Windows centred on the given samples, zero-padded: the A2F window contract. */
function windows(x: Float32Array, centres: readonly number[]): Float32Array {
  const out = new Float32Array(centres.length * WINDOW);
  centres.forEach((t, b) => {
    const lo = t - OFFSET;
    const from = Math.max(0, lo);
    const to = Math.min(x.length, t + OFFSET);
    if (to > from) out.set(x.subarray(from, to), b * WINDOW + (from - lo));
  });
  return out;
}

const b64 = (a: Float32Array): string => Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64');
const f32 = (s: string): Float32Array => {
  const buf = Buffer.from(s, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

/** The documented forward pass in float64: log-mel frames (models/README.md), then the dilated convolutions. */
function reference(win: Float32Array, w: Weights): number[] {
  const { hop, frame: N, mels, context, eps, fmin, fmax, levelOffset, levelScale } = w.meta;
  const bins = N / 2 + 1;
  const hz2mel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const mel2hz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: mels + 2 }, (_, i) => mel2hz(hz2mel(fmin) + ((hz2mel(fmax) - hz2mel(fmin)) * i) / (mels + 1)));
  const T = 2 * context + 1;
  let h: number[][] = Array.from({ length: mels + 1 }, () => new Array<number>(T).fill(0));
  for (let m = 0; m < T; m++) {
    const start = OFFSET + (m - context) * hop - N / 2;
    const power = new Float64Array(bins);
    for (let k = 0; k < bins; k++) {
      let re = 0;
      let im = 0;
      for (let n = 0; n < N; n++) {
        const v = (win[start + n] * (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N))) / N;
        re += v * Math.cos((2 * Math.PI * k * n) / N);
        im -= v * Math.sin((2 * Math.PI * k * n) / N);
      }
      power[k] = re * re + im * im;
    }
    const logmel = Array.from({ length: mels }, (_, b) => {
      let s = 0;
      for (let k = 0; k < bins; k++) {
        const f = (k * 16000) / N;
        s +=
          power[k] * Math.max(0, Math.min((f - edges[b]) / (edges[b + 1] - edges[b]), (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1])));
      }
      return Math.log(s + eps);
    });
    const level = logmel.reduce((s, v) => s + v, 0) / mels;
    for (const [b, v] of logmel.entries()) h[b][m] = v - level;
    h[mels][m] = (level + levelOffset) / levelScale;
  }
  w.layers.forEach((layer, li) => {
    const [out, inp, k] = layer.shape;
    const wt = f32(layer.weight);
    const bias = f32(layer.bias);
    const len = h[0].length - (k - 1) * layer.dilation;
    h = Array.from({ length: out }, (_, o) =>
      Array.from({ length: len }, (_, t) => {
        let s = bias[o];
        for (let i = 0; i < inp; i++) for (let j = 0; j < k; j++) s += wt[(o * inp + i) * k + j] * h[i][t + j * layer.dilation];
        return li < w.layers.length - 1 ? Math.max(0, s) : s;
      }),
    );
  });
  return h.map((row) => 1 / (1 + Math.exp(-row[0])));
}

let session: ort.InferenceSession;
beforeAll(async () => {
  session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'));
});
afterAll(async () => {
  await session?.release();
});

describe('the default model', () => {
  it('has the contract the inference core and the articulators kind expect, under 2 MB, its hash in pack.json', () => {
    const bytes = readFileSync(join(modelDir, 'model.onnx'));
    const pack = JSON.parse(readFileSync(join(modelDir, 'pack.json'), 'utf8'));
    expect(bytes.length).toBeLessThan(2 * 1024 * 1024);
    expect(pack.sha256['model.onnx']).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(pack).toMatchObject({
      format: 'a2f-pack/1',
      license: 'MIT',
      network: 'model.onnx',
      audio: { sampleRate: 16000, bufferLength: WINDOW, bufferOffset: OFFSET, inputStrength: 1 },
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, WINDOW] }],
      outputs: [{ name: 'articulators', type: 'float32', shape: ['batch', 1, A] }],
      postprocess: { kind: 'articulators', table: 'articulators-to-arkit.json', channels: [...ARTICULATORS] },
    });
    // The provenance says how to rebuild it and what it scored.
    expect(pack.provenance.rebuild).toMatch(/^node models\/default\/rebuild\.mjs --seed \d+/);
    expect(pack.provenance.data.seed).toBe(pack.provenance.training.seed);
    expect(pack.provenance.parityMaxAbsDiff).toBeLessThan(1e-4);
    expect(pack.provenance.devScores.clean).toBeDefined();
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['articulators']);
    const tablePath = join(DEFAULT_PACK_DIR, pack.postprocess.table);
    parseArticulatorTable(JSON.parse(readFileSync(tablePath, 'utf8')), tablePath);
  });

  it("build.mjs's graph computes the documented front end and convolutions (seeded weights vs a float64 forward pass)", async () => {
    const build = (await import(pathToFileURL(join(modelDir, 'build.mjs')).href)) as BuildModule;
    const rand = mulberry32(7);
    const shapes: [string, [number, number, number], number][] = [
      ['c1', [6, 41, 5], 1],
      ['c2', [6, 6, 5], 2],
      ['c3', [6, 6, 5], 4],
      ['c4', [5, 6, 13], 1],
      ['c5', [A, 5, 1], 1],
    ];
    const weights: Weights = {
      meta: { hop: 160, frame: 400, mels: 40, context: 20, eps: 1e-6, fmin: 60, fmax: 7600, levelOffset: 8, levelScale: 4 },
      layers: shapes.map(([name, shape, dilation]) => ({
        name,
        shape,
        dilation,
        weight: b64(Float32Array.from({ length: shape[0] * shape[1] * shape[2] }, () => (rand() - 0.5) * 0.6)),
        bias: b64(Float32Array.from({ length: shape[0] }, () => (rand() - 0.5) * 0.2)),
      })),
    };
    const s = await ort.InferenceSession.create(build.buildGraph(weights).toBytes());
    const win = Float32Array.from({ length: WINDOW }, (_, i) => 0.3 * Math.sin(i * 0.07) * Math.sin(i * 0.0009) + 0.05 * (rand() - 0.5));
    const y = (await s.run({ input: new ort.Tensor('float32', win, [1, 1, WINDOW]) })).articulators;
    expect(y.dims).toEqual([1, 1, A]);
    const want = reference(win, weights);
    for (const [i, v] of Array.from(y.data as Float32Array).entries()) expect(v).toBeCloseTo(want[i], 4);
    await s.release();
  });
});

describe('response to speech (espeak-ng probes; the recordings are not in the training data)', () => {
  const probes = new Map<string, { y: Float32Array; silence: number[]; nucleus: number[]; gap: number[] }>();
  beforeAll(async () => {
    for (const name of ['ah', 'papa', 'mama', 'oo', 'who']) {
      const x = readProbe(name);
      const n = Math.ceil((x.length * 30) / 16000);
      const centres = Array.from({ length: n }, (_, k) => Math.floor((k * 16000) / 30));
      const y = (await session.run({ input: new ort.Tensor('float32', windows(x, centres), [n, 1, WINDOW]) })).articulators
        .data as Float32Array;
      // Segments from the audio alone: speech between stretches of digital silence.
      let first = -1;
      let last = -1;
      for (let i = 0; i < x.length; i++)
        if (Math.abs(x[i]) >= 10 ** (-50 / 20)) {
          if (first < 0) first = i;
          last = i;
        }
      const env = centres.map((t) => {
        let e = 0;
        for (let i = Math.max(0, t - 256); i < Math.min(x.length, t + 256); i++) e += x[i] * x[i];
        return 10 * Math.log10(e / 512 + 1e-12);
      });
      const peak = Math.max(...env);
      const ks = centres.map((_, k) => k);
      const silence = ks.filter((k) => centres[k] <= first - 1600 || centres[k] >= last + 1600);
      const nucleus = ks.filter((k) => env[k] >= peak - 12);
      const gap = ks.filter((k) => k > nucleus[0] && k < nucleus[nucleus.length - 1] && env[k] < peak - 12);
      probes.set(name, { y, silence, nucleus, gap });
    }
  });
  const series = (name: string, a: string, ks: number[]) => ks.map((k) => probes.get(name)!.y[k * A + col(a)]);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;

  it('hears no voice in silence and keeps the jaw shut there', () => {
    for (const name of probes.keys()) {
      const { silence } = probes.get(name)!;
      expect(silence.length).toBeGreaterThan(4);
      expect(Math.max(...series(name, 'voice', silence))).toBeLessThan(0.2);
      expect(Math.max(...series(name, 'jawOpen', silence))).toBeLessThan(0.1);
    }
  });

  it('opens the jaw on "ah" and "papa", hearing voice there', () => {
    for (const name of ['ah', 'papa']) {
      const { nucleus, silence } = probes.get(name)!;
      expect(mean(series(name, 'voice', nucleus))).toBeGreaterThan(0.8);
      expect(mean(series(name, 'jawOpen', nucleus)) - mean(series(name, 'jawOpen', silence))).toBeGreaterThan(0.15);
    }
  });

  it('rounds the lips on "oo" and "who", more than on "ah", with the jaw less open', () => {
    const ah = probes.get('ah')!.nucleus;
    for (const name of ['oo', 'who']) {
      const { nucleus } = probes.get(name)!;
      expect(mean(series(name, 'lipRound', nucleus))).toBeGreaterThan(mean(series('ah', 'lipRound', ah)) + 0.2);
      expect(mean(series(name, 'jawOpen', nucleus))).toBeLessThan(mean(series('ah', 'jawOpen', ah)));
    }
  });

  it('closes the lips for the p and m between the vowels of "papa" and "mama"', () => {
    for (const name of ['papa', 'mama']) {
      const { nucleus, gap } = probes.get(name)!;
      expect(gap.length).toBeGreaterThan(0);
      expect(Math.max(...series(name, 'lipClose', gap))).toBeGreaterThan(0.5);
      expect(Math.max(...series(name, 'lipClose', gap))).toBeGreaterThan(2 * mean(series(name, 'lipClose', nucleus)));
    }
  });
});
