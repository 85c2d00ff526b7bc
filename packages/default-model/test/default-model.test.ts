// The embedded default model (models/default): reproducible build, parity with HeadAudio's own
// feature extraction and classifier, and an honest check that it responds to speech on the
// committed espeak-ng probes (samples/probes, made by samples/probes/make-probes.sh).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channelCurve, parseFps, type FaceAnimation, type Provenance } from '@a2f/animation';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { DEFAULT_PACK_DIR, VISEMES, parseVisemeTable, visemesToFace } from '../src/index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const modelDir = join(root, 'models/default');
const buildScript = join(modelDir, 'build.mjs');
const WINDOW = 8320;
const OFFSET = 4160;
const V = VISEMES.length;
const SIL = VISEMES.indexOf('sil');

// --- the parts of models/default/build.mjs and HeadAudio 0.1.0 the tests use (both are plain JS) ---
interface Prototype {
  phoneme: string;
  viseme: string;
  mu: number[];
  lower: number[];
}
interface BuildModule {
  buildDefaultModel(opts?: { debug?: boolean }): { bytes: Uint8Array; prototypes: Prototype[]; manifest: unknown };
  headAudioModelPath(): string;
  frameStart(k: number): number;
  DESIGN: { frameOffsets: number[]; frameWeights: number[]; beta: number; gateCentreLog10: number; gateSlope: number };
  HEADAUDIO: { hop: number; silSensitivity: number; visemeIds: string[] };
}
interface FeatureEvent {
  event: string;
  vector?: Float32Array;
  le?: number;
  t?: number;
}
interface HeadAudioProcessor {
  process(samples: Float32Array): void;
}
interface HeadAudioRecord {
  viseme: number;
  mu: Float32Array;
  sigmaInvLower: Float32Array;
}
interface HeadAudio {
  Processor: new (options: object, worklet: { port: { postMessage(m: FeatureEvent): void } }) => HeadAudioProcessor;
  Training: new () => { decodeBinaryRecord(record: Float32Array): HeadAudioRecord };
  Classifier: new () => {
    import(data: { model: HeadAudioRecord[] }): void;
    distanceMahalanobis(v: Float32Array, mu: Float32Array, s: Float32Array): number;
  };
  RECORD_OFFSET: number;
  RECORD_LEN: number;
  MODEL_VISEME_SIL: number;
}

const importFile = (path: string): Promise<unknown> => import(pathToFileURL(path).href);

async function loadHeadAudio(): Promise<HeadAudio> {
  // HeadAudio's "main" points at a file it does not ship; its modules are importable directly.
  const dir = join(dirname(createRequire(import.meta.url).resolve('@met4citizen/headaudio/package.json')), 'modules');
  const [p, t, c, params] = (await Promise.all(
    ['processor', 'training', 'classifier', 'parameters'].map((m) => importFile(join(dir, `${m}.mjs`))),
  )) as [
    Pick<HeadAudio, 'Processor'>,
    Pick<HeadAudio, 'Training'>,
    Pick<HeadAudio, 'Classifier'>,
    Pick<HeadAudio, 'RECORD_OFFSET' | 'RECORD_LEN' | 'MODEL_VISEME_SIL'>,
  ];
  return {
    Processor: p.Processor,
    Training: t.Training,
    Classifier: c.Classifier,
    RECORD_OFFSET: params.RECORD_OFFSET,
    RECORD_LEN: params.RECORD_LEN,
    MODEL_VISEME_SIL: params.MODEL_VISEME_SIL,
  };
}

/** Minimal reader for the committed probes: RIFF/WAVE, PCM16, mono, 16 kHz (anything else is an error). */
function readProbe(name: string): Float32Array {
  const file = join(root, 'samples/probes', `${name}.wav`);
  const b = readFileSync(file);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.toString('ascii', 0, 4) !== 'RIFF' || b.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a RIFF/WAVE file`);
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Uint8Array | undefined;
  for (let pos = 12; pos + 8 <= b.length; ) {
    const id = b.toString('ascii', pos, pos + 4);
    const size = dv.getUint32(pos + 4, true);
    if (id === 'fmt ')
      fmt = {
        format: dv.getUint16(pos + 8, true),
        channels: dv.getUint16(pos + 10, true),
        rate: dv.getUint32(pos + 12, true),
        bits: dv.getUint16(pos + 22, true),
      };
    if (id === 'data') data = b.subarray(pos + 8, pos + 8 + size);
    pos += 8 + size + (size & 1);
  }
  if (!fmt || !data || fmt.format !== 1 || fmt.channels !== 1 || fmt.rate !== 16000 || fmt.bits !== 16) {
    throw new Error(`${file}: expected 16 kHz mono PCM16 (rerun samples/probes/make-probes.sh)`);
  }
  const out = new Float32Array(data.length / 2);
  const dd = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = dd.getInt16(2 * i, true) / 32768;
  return out;
}

/** Windows centred on the given samples, [t − 4160, t + 4160), zero-padded: the A2F window contract. */
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

const tensor = (data: Float32Array, batch: number) => new ort.Tensor('float32', data, [batch, 1, WINDOW]);

let build: BuildModule;
let session: ort.InferenceSession;
const tmp = tempDir('default-model');

beforeAll(async () => {
  build = (await importFile(buildScript)) as BuildModule;
  session = await ort.InferenceSession.create(join(modelDir, 'model.onnx'));
});
afterAll(async () => {
  await session?.release();
  removeTempDirs();
});

describe('default model build', () => {
  it('rebuilds model.onnx and pack.json byte for byte, and the manifest hash matches', () => {
    execFileSync(process.execPath, [buildScript, '--out', tmp], { stdio: 'pipe' });
    const committed = readFileSync(join(modelDir, 'model.onnx'));
    const rebuilt = readFileSync(join(tmp, 'model.onnx'));
    expect(rebuilt.length).toBe(committed.length);
    expect(Buffer.compare(rebuilt, committed)).toBe(0);
    expect(readFileSync(join(tmp, 'pack.json'), 'utf8')).toBe(readFileSync(join(modelDir, 'pack.json'), 'utf8'));
    const pack = JSON.parse(readFileSync(join(modelDir, 'pack.json'), 'utf8'));
    expect(pack.sha256['model.onnx']).toBe(createHash('sha256').update(committed).digest('hex'));
    expect(committed.length).toBeLessThan(2 * 1024 * 1024);
  });

  it('has the contract the inference core expects', () => {
    const pack = JSON.parse(readFileSync(join(modelDir, 'pack.json'), 'utf8'));
    expect(pack).toMatchObject({
      format: 'a2f-pack/1',
      id: 'a2f-default-visemes',
      license: 'MIT',
      network: 'model.onnx',
      audio: { sampleRate: 16000, bufferLength: WINDOW, bufferOffset: OFFSET, inputStrength: 1 },
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, WINDOW] }],
      outputs: [{ name: 'visemes', type: 'float32', shape: ['batch', 1, V] }],
      postprocess: { kind: 'visemes', table: 'oculus-to-arkit.json' },
    });
    expect(pack.provenance.outputOrder).toEqual([...VISEMES]);
    expect(session.inputNames).toEqual(['input']);
    expect(session.outputNames).toEqual(['visemes']);
    // the table the manifest points at exists and parses where the build puts both: the package's assets/
    const tablePath = join(DEFAULT_PACK_DIR, pack.postprocess.table);
    parseVisemeTable(JSON.parse(readFileSync(tablePath, 'utf8')), tablePath);
  });

  it('gives sil = 1 on silence, activations in [0, 1] summing to 1, and handles any batch size', async () => {
    const batch = 3;
    const x = new Float32Array(batch * WINDOW);
    for (let i = 0; i < WINDOW; i++) {
      x[WINDOW + i] = 0.2 * Math.sin((2 * Math.PI * 220 * i) / 16000) + 0.1 * Math.sin((2 * Math.PI * 700 * i) / 16000);
      x[2 * WINDOW + i] = 0.1 * Math.sin((2 * Math.PI * 1700 * i) / 16000 + 0.3);
    }
    const out = (await session.run({ input: tensor(x, batch) })).visemes;
    expect(out.dims).toEqual([batch, 1, V]);
    const v = out.data as Float32Array;
    expect(v[SIL]).toBeGreaterThan(0.999);
    for (let b = 0; b < batch; b++) {
      const row = Array.from(v.subarray(b * V, b * V + V));
      for (const a of row) {
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }
      expect(row.reduce((s, a) => s + a, 0)).toBeCloseTo(1, 5);
    }
    expect(v[V + SIL]).toBeLessThan(0.01); // a loud tone is not silence
  });
});

describe('parity with HeadAudio 0.1.0 (its own Processor, MFCC and Classifier modules)', () => {
  it('matches features, log energy, Mahalanobis distances, decisions and the pooled output', async () => {
    const ha = await loadHeadAudio();
    const bin = readFileSync(build.headAudioModelPath());
    const ab = bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength);
    const training = new ha.Training();
    const model: HeadAudioRecord[] = [];
    for (let pos = 0; pos + ha.RECORD_OFFSET <= ab.byteLength; pos += ha.RECORD_OFFSET)
      model.push(training.decodeBinaryRecord(new Float32Array(ab, pos, ha.RECORD_LEN)));
    const classifier = new ha.Classifier();
    classifier.import({ model });
    const { DESIGN, HEADAUDIO } = build;
    const F = DESIGN.frameOffsets.length;
    const P = model.length;
    const debug = await ort.InferenceSession.create(build.buildDefaultModel({ debug: true }).bytes);

    let frames = 0;
    let agree = 0;
    const worst = { feature: 0, logEnergy: 0, distance: 0, output: 0 };
    for (const name of ['ah', 'papa', 'mama', 'oo', 'who']) {
      const x = readProbe(name);
      // HeadAudio at 16 kHz input, every frame classified (VAD off), features copied as they come.
      const ref: Array<{ v: Float32Array; le: number; t: number }> = [];
      const proc = new ha.Processor(
        { sampleRate: 16000, processorOptions: { featureEventsEnabled: true }, parameterData: { vadMode: 0 } },
        {
          port: {
            postMessage: (m) => {
              if (m.event === 'feature') ref.push({ v: Float32Array.from(m.vector!), le: m.le!, t: m.t! });
            },
          },
        },
      );
      for (let i = 0; i < x.length; i += 128) proc.process(x.subarray(i, Math.min(x.length, i + 128)));

      // HeadAudio frame j covers its filtered samples [256 j, 256 j + 512); a window centred on
      // 256 m + 240 puts our frame k exactly on HeadAudio frame m + k (see build.mjs frameStart).
      const shift = build.frameStart(0) - (OFFSET - 240);
      expect(shift).toBe(0);
      const ms: number[] = [];
      for (let m = -Math.min(...DESIGN.frameOffsets); m + Math.max(...DESIGN.frameOffsets) < ref.length; m++) ms.push(m);
      const centres = ms.map((m) => HEADAUDIO.hop * m + 240);
      const r = await debug.run({ input: tensor(windows(x, centres), centres.length) });
      const shipped = (await session.run({ input: tensor(windows(x, centres), centres.length) })).visemes.data as Float32Array;
      const feat = r.debug_features.data as Float32Array;
      const le = r.debug_log_energy.data as Float32Array;
      const dist = r.debug_distances.data as Float32Array;

      ms.forEach((m, b) => {
        const pooled = new Float64Array(V);
        DESIGN.frameOffsets.forEach((k, f) => {
          const h = ref[m + k];
          expect(h.t).toBeCloseTo((HEADAUDIO.hop * (m + k) + 256) / 16000, 9); // the frame we think it is
          const i = b * F + f;
          for (let c = 0; c < 12; c++) worst.feature = Math.max(worst.feature, Math.abs(feat[i * 12 + c] - h.v[c]));
          worst.logEnergy = Math.max(worst.logEnergy, Math.abs(le[i] - h.le));
          // HeadAudio's classifier: Mahalanobis distance, sil divided by silSensitivity, arg-min
          const d = model.map(
            (p) =>
              classifier.distanceMahalanobis(h.v, p.mu, p.sigmaInvLower) /
              (p.viseme === ha.MODEL_VISEME_SIL ? HEADAUDIO.silSensitivity : 1),
          );
          let ours = 0;
          let theirs = 0;
          for (let q = 0; q < P; q++) {
            worst.distance = Math.max(worst.distance, Math.abs(dist[i * P + q] - d[q]) / Math.max(1, d[q]));
            if (dist[i * P + q] < dist[i * P + ours]) ours = q;
            if (d[q] <= d[theirs]) theirs = q; // HeadAudio keeps the last of equal minima
          }
          frames++;
          if (ours === theirs) agree++;
          // independent per-window head: softmax(−β d²) per viseme, soft gate on HeadAudio's log energy, pooled
          const min = Math.min(...d);
          const e = d.map((dq) => Math.exp(-DESIGN.beta * (dq - min)));
          const z = e.reduce((s, a) => s + a, 0);
          const g = 1 / (1 + Math.exp(-DESIGN.gateSlope * (h.le - DESIGN.gateCentreLog10)));
          const post = new Float64Array(V);
          model.forEach((p, q) => {
            post[VISEMES.indexOf(HEADAUDIO.visemeIds[p.viseme] as (typeof VISEMES)[number])] += e[q] / z;
          });
          for (let v = 0; v < V; v++) pooled[v] += DESIGN.frameWeights[f] * ((v === SIL ? 1 - g : 0) + g * post[v]);
        });
        for (let v = 0; v < V; v++) worst.output = Math.max(worst.output, Math.abs(shipped[b * V + v] - pooled[v]));
      });
    }
    await debug.release();
    expect(frames).toBeGreaterThan(1000);
    expect(worst.feature).toBeLessThan(1e-4);
    expect(worst.logEnergy).toBeLessThan(1e-4);
    expect(worst.distance).toBeLessThan(1e-4);
    expect(agree).toBe(frames);
    expect(worst.output).toBeLessThan(1e-4);
  });
});

describe('response to speech (espeak-ng probes; HeadAudio was trained on Kokoro voices)', () => {
  const fps = parseFps(30);
  const provenance: Provenance = {
    tool: { name: 'a2f', version: 'test' },
    model: { id: 'a2f-default-visemes', kind: 'visemes' },
    parameters: {},
  };
  const tablePath = join(root, 'templates/visemes/oculus-to-arkit.json');

  interface Probe {
    anim: FaceAnimation;
    vis: Float32Array;
    silence: number[];
    nucleus: number[];
    gap: number[];
  }
  const probes = new Map<string, Probe>();

  beforeAll(async () => {
    const table = parseVisemeTable(JSON.parse(readFileSync(tablePath, 'utf8')), tablePath);
    for (const name of ['ah', 'papa', 'mama', 'oo', 'who']) {
      const x = readProbe(name);
      const frameCount = Math.ceil((x.length * fps.num) / (16000 * fps.den));
      const centres = Array.from({ length: frameCount }, (_, k) => Math.floor((k * 16000 * fps.den) / fps.num));
      const vis = (await session.run({ input: tensor(windows(x, centres), frameCount) })).visemes.data as Float32Array;
      const anim = visemesToFace(vis, frameCount, { fps, table, provenance, blinkIntervalSeconds: 0 });
      // Segments from the audio alone: the probes are speech between 0.3 s of digital silence.
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
      const frames = centres.map((_, k) => k);
      // silence: ≥ 0.1 s before speech (the window reaches 48 ms ahead) or ≥ 0.2 s after it (the smoother settles)
      const silence = frames.filter((k) => centres[k] <= first - 1600 || centres[k] >= last + 3200);
      const nucleus = frames.filter((k) => env[k] >= peak - 12);
      const gap = frames.filter((k) => k > nucleus[0] && k < nucleus[nucleus.length - 1] && env[k] < peak - 12);
      probes.set(name, { anim, vis, silence, nucleus, gap });
    }
  });

  const mean = (xs: number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;
  const curve = (name: string, channel: string) => channelCurve(probes.get(name)!.anim, channel);
  const act = (name: string, viseme: (typeof VISEMES)[number]) => {
    const p = probes.get(name)!;
    const v = VISEMES.indexOf(viseme);
    return Array.from({ length: p.anim.frameCount }, (_, k) => p.vis[k * V + v]);
  };
  const at = (xs: ArrayLike<number>, ks: number[]) => ks.map((k) => xs[k]);

  it('keeps silence silent: sil ≥ 0.9 and the jaw closed', () => {
    for (const name of ['ah', 'papa', 'mama', 'oo', 'who']) {
      const { silence } = probes.get(name)!;
      expect(silence.length).toBeGreaterThan(6);
      expect(Math.min(...at(act(name, 'sil'), silence))).toBeGreaterThanOrEqual(0.9);
      expect(Math.max(...at(curve(name, 'jawOpen'), silence))).toBeLessThan(0.02);
    }
  });

  it('opens the jaw on open vowels ("ah", "papa")', () => {
    for (const name of ['ah', 'papa']) {
      const { silence, nucleus } = probes.get(name)!;
      expect(mean(at(act(name, 'aa'), nucleus))).toBeGreaterThan(0.3);
      expect(mean(at(curve(name, 'jawOpen'), nucleus)) - mean(at(curve(name, 'jawOpen'), silence))).toBeGreaterThan(0.25);
    }
  });

  it('rounds the lips more on "oo" and "who" than on "ah"', () => {
    const ah = probes.get('ah')!.nucleus;
    for (const name of ['oo', 'who']) {
      const { nucleus } = probes.get(name)!;
      expect(mean(at(act(name, 'U'), nucleus))).toBeGreaterThan(mean(at(act('ah', 'U'), ah)) + 0.02);
      expect(mean(at(curve(name, 'mouthPucker'), nucleus))).toBeGreaterThan(mean(at(curve('ah', 'mouthPucker'), ah)));
      expect(Math.max(...at(curve(name, 'mouthPucker'), nucleus))).toBeGreaterThan(2 * Math.max(...at(curve('ah', 'mouthPucker'), ah)));
      // and keeps the jaw less open than on "ah"
      expect(mean(at(curve(name, 'jawOpen'), nucleus))).toBeLessThan(mean(at(curve('ah', 'jawOpen'), ah)));
    }
  });

  it('closes the mouth for the bilabials between the vowels ("papa", "mama")', () => {
    for (const name of ['papa', 'mama']) {
      const { nucleus, gap } = probes.get(name)!;
      expect(gap.length).toBeGreaterThan(0);
      const jaw = curve(name, 'jawOpen');
      expect(Math.min(...at(jaw, gap))).toBeLessThan(0.6 * Math.max(...at(jaw, nucleus)));
      expect(Math.max(...at(act(name, 'PP'), gap))).toBeGreaterThan(2 * mean(at(act(name, 'PP'), nucleus)));
    }
    // voiced closure (m): the classifier hears PP and the lips press
    const { nucleus, gap } = probes.get('mama')!;
    expect(Math.max(...at(act('mama', 'PP'), gap))).toBeGreaterThan(0.4);
    expect(mean(at(curve('mama', 'mouthPressLeft'), gap))).toBeGreaterThan(mean(at(curve('mama', 'mouthPressLeft'), nucleus)));
  });
});
