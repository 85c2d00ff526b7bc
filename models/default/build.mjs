#!/usr/bin/env node
// Writes the embedded default model (models/default/model.onnx + pack.json) from the weights that
// train/train.py wrote, as ONNX opset 17 through the repo's deterministic writer, and checks that
// ONNX Runtime gives train.py's outputs on train.py's parity windows.
//
//   node models/default/build.mjs --weights DIR [--out DIR] [--provenance FILE]
//
// `node models/default/rebuild.mjs` runs the whole recipe (data, training, this, scoring); see
// models/README.md ("How the default model is trained") for the graph and every choice in it.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../lib/onnx.mjs';
import { ARTICULATORS } from './train/targets.mjs';

const here = dirname(fileURLToPath(import.meta.url));

export const SAMPLE_RATE = 16000;
export const BUFFER_LENGTH = 8320;
export const BUFFER_OFFSET = 4160;

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
const f32 = (b64) => {
  const buf = Buffer.from(b64, 'base64');
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
};

/** Hann (periodic) × DFT cos | −sin, / frame length: train.py's dft_matrix, in float64 then rounded once. */
function dftMatrix(N) {
  const bins = N / 2 + 1;
  const m = new Float32Array(N * 2 * bins);
  for (let n = 0; n < N; n++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N);
    for (let k = 0; k < bins; k++) {
      const phase = (2 * Math.PI * ((n * k) % N)) / N;
      m[n * 2 * bins + k] = (Math.cos(phase) * hann) / N;
      m[n * 2 * bins + bins + k] = (-Math.sin(phase) * hann) / N;
    }
  }
  return m;
}

/** Triangular HTK-mel bands over the DFT bins: train.py's mel_matrix. */
function melMatrix(N, mels, fmin, fmax) {
  const mel = (f) => 2595 * Math.log10(1 + f / 700);
  const inv = (m) => 700 * (10 ** (m / 2595) - 1);
  const edges = Array.from({ length: mels + 2 }, (_, i) => inv(mel(fmin) + ((mel(fmax) - mel(fmin)) * i) / (mels + 1)));
  const bins = N / 2 + 1;
  const w = new Float32Array(bins * mels);
  for (let k = 0; k < bins; k++) {
    const f = (k * SAMPLE_RATE) / N;
    for (let b = 0; b < mels; b++) {
      const up = (f - edges[b]) / (edges[b + 1] - edges[b]);
      const down = (edges[b + 2] - f) / (edges[b + 2] - edges[b + 1]);
      w[k * mels + b] = Math.max(0, Math.min(up, down));
    }
  }
  return w;
}

export function buildGraph(weights) {
  const { hop, frame: N, mels, context, eps, fmin, fmax, levelOffset, levelScale } = weights.meta;
  const T = 2 * context + 1;
  const bins = N / 2 + 1;
  const g = new GraphBuilder('a2f_default_articulators');
  const input = g.input('input', ['batch', 1, BUFFER_LENGTH]);
  const flat = g.node('Reshape', [input, g.ints('shape_b_window', [-1, BUFFER_LENGTH])]);

  // Frames m = −context..context of N samples centred on window centre + m·hop: one Gather.
  const idx = new BigInt64Array(T * N);
  for (let m = 0; m < T; m++) {
    const start = BUFFER_OFFSET + (m - context) * hop - N / 2;
    if (start < 0 || start + N > BUFFER_LENGTH) throw new Error(`frame ${m - context} lies outside the window`);
    for (let t = 0; t < N; t++) idx[m * N + t] = BigInt(start + t);
  }
  const frames = g.node('Gather', [flat, g.const('frame_index', [T, N], idx)], 1, { axis: 1 }); // [b, T, N]

  const spectrum = g.node('MatMul', [frames, g.const('hann_dft', [N, 2 * bins], dftMatrix(N))]);
  const sq = g.node('Mul', [spectrum, spectrum]);
  const re2 = g.node('Slice', [sq, g.ints('re_lo', [0]), g.ints('re_hi', [bins]), g.ints('last_axis', [-1])]);
  const im2 = g.node('Slice', [sq, g.ints('im_lo', [bins]), g.ints('im_hi', [2 * bins]), g.ints('last_axis', [-1])]);
  const power = g.node('Add', [re2, im2]); // [b, T, bins]
  const mel = g.node('MatMul', [power, g.const('mel_bands', [bins, mels], melMatrix(N, mels, fmin, fmax))]);
  const logmel = g.node('Log', [g.node('Add', [mel, g.scalar('log_eps', eps)])]); // [b, T, mels]

  // Per frame: spectral shape (log-mel minus its mean) and the level (the mean, scaled).
  const level = g.node('ReduceMean', [logmel], 1, { axes: [-1], keepdims: 1 });
  const shape = g.node('Sub', [logmel, level]);
  const levelFeature = g.node('Div', [g.node('Add', [level, g.scalar('level_offset', levelOffset)]), g.scalar('level_scale', levelScale)]);
  const feats = g.node('Concat', [shape, levelFeature], 1, { axis: -1 }); // [b, T, mels + 1]
  let h = g.node('Transpose', [feats], 1, { perm: [0, 2, 1] }); // [b, mels + 1, T]

  weights.layers.forEach((layer, i) => {
    const [out, inp, k] = layer.shape;
    const w = g.const(`${layer.name}_weight`, [out, inp, k], f32(layer.weight));
    const b = g.const(`${layer.name}_bias`, [out], f32(layer.bias));
    h = g.node('Conv', [h, w, b], 1, { dilations: [layer.dilation], kernel_shape: [k] });
    if (i < weights.layers.length - 1) h = g.node('Relu', [h]);
  });
  // [b, 11, 1] → [b, 1, 11]
  g.node('Transpose', [g.node('Sigmoid', [h])], 'articulators', { perm: [0, 2, 1] });
  g.output('articulators', ['batch', 1, ARTICULATORS.length]);
  return g;
}

export function manifestFor(bytes, provenance) {
  return {
    format: 'a2f-pack/1',
    id: 'a2f-default-articulators',
    name: 'A2F default model (log-mel + convolutional articulator network)',
    version: '2.0.0',
    license: 'MIT',
    network: 'model.onnx',
    sha256: { 'model.onnx': sha256(bytes) },
    audio: { sampleRate: SAMPLE_RATE, bufferLength: BUFFER_LENGTH, bufferOffset: BUFFER_OFFSET, inputStrength: 1.0 },
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, BUFFER_LENGTH] }],
    outputs: [{ name: 'articulators', type: 'float32', shape: ['batch', 1, ARTICULATORS.length] }],
    // The table lies beside pack.json in @a2f/default-model's assets/, where its build copies both.
    postprocess: { kind: 'articulators', table: 'articulators-to-arkit.json', channels: ARTICULATORS },
    provenance,
  };
}

/** Runs train.py's parity windows through the built model; returns the largest absolute difference. */
export async function parity(bytes, checks) {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes);
  const B = checks.length;
  const data = new Float32Array(B * BUFFER_LENGTH);
  for (const [i, c] of checks.entries()) data.set(f32(c.window), i * BUFFER_LENGTH);
  const out = await session.run({ input: new ort.Tensor('float32', data, [B, 1, BUFFER_LENGTH]) });
  const y = out.articulators.data;
  let worst = 0;
  for (const [i, c] of checks.entries()) {
    for (const [k, v] of c.output.entries()) worst = Math.max(worst, Math.abs(v - y[i * c.output.length + k]));
  }
  await session.release();
  return worst;
}

async function main(argv) {
  const opt = { out: here, weights: null, provenance: null };
  for (let i = 0; i < argv.length; i++) {
    const key = { '--out': 'out', '--weights': 'weights', '--provenance': 'provenance' }[argv[i]];
    if (!key || !argv[i + 1]) throw new Error(`usage: node models/default/build.mjs --weights DIR [--out DIR] [--provenance FILE]`);
    opt[key] = resolve(argv[++i]);
  }
  if (!opt.weights) throw new Error('--weights DIR (the folder train.py wrote) is required; node models/default/rebuild.mjs does it all');
  const weights = JSON.parse(readFileSync(join(opt.weights, 'weights.json'), 'utf8'));
  const checks = JSON.parse(readFileSync(join(opt.weights, 'check.json'), 'utf8'));
  const bytes = buildGraph(weights).toBytes({
    opset: 17,
    producer: 'a2f models/default/build.mjs',
    producerVersion: '2.0.0',
    docString: 'A2F default model: log-mel frames of the A2F window → articulator activations. See models/README.md.',
    metadata: { articulators: ARTICULATORS.join(','), seed: String(weights.meta.seed) },
  });
  const worst = await parity(bytes, checks);
  if (!(worst < 1e-4)) throw new Error(`ONNX output differs from train.py's by ${worst} on its parity windows (limit 1e-4)`);
  const extra = opt.provenance ? JSON.parse(readFileSync(opt.provenance, 'utf8')) : {};
  const provenance = {
    ...extra,
    training: { ...(extra.training ?? {}), ...weights.meta },
    parityMaxAbsDiff: worst,
    notes: 'models/README.md',
  };
  mkdirSync(opt.out, { recursive: true });
  writeFileSync(join(opt.out, 'model.onnx'), bytes);
  writeFileSync(join(opt.out, 'pack.json'), `${JSON.stringify(manifestFor(bytes, provenance), null, 2)}\n`);
  console.log(`wrote ${join(opt.out, 'model.onnx')} (${bytes.length} bytes; parity ${worst.toExponential(2)}) and pack.json`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main(process.argv.slice(2));
