#!/usr/bin/env node
// A benchmark network shaped like Audio2Emotion v2.2's classifier, with random (seeded) weights, in
// the A2E pack layout (docs/nvidia/audio2emotion.md#contract): input_values [B, N] → output [B, 6].
// The shape is a wav2vec 2.0 sequence classifier as Hugging Face builds one: a 7-layer convolutional
// feature encoder (512 channels, 20 ms frames), a feature projection, a grouped positional
// convolution, post-norm transformer layers, then a projector, mean pooling over time and a
// 6-way classifier. "base" is 12 layers of 768 (≈ 9.5·10⁷ parameters); "large" is 24 layers of 1024
// (≈ 3.2·10⁸, the size NVIDIA's 1.27 GB network.onnx implies). It reproduces the cost, not the output.
//
//   node models/bench/make-bench-a2e.mjs <outDir> [--size base|large|tiny] [--seed N]
//
// "tiny" (2 layers of 64) is for the quick bench that the test suite runs.

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { float, GraphBuilder } from '../lib/onnx.mjs';
import { mulberry32 } from '../lib/seeded.mjs';
import { makeMiniA2e } from '../nvidia/make-mini-a2e.mjs';

export const A2E_SIZES = {
  base: { dim: 768, heads: 12, ffn: 3072, layers: 12, conv: 512, posKernel: 128, posGroups: 16 },
  large: { dim: 1024, heads: 16, ffn: 4096, layers: 24, conv: 512, posKernel: 128, posGroups: 16 },
  tiny: { dim: 64, heads: 4, ffn: 128, layers: 2, conv: 32, posKernel: 16, posGroups: 4 },
};
const KERNELS = [
  [10, 5],
  [3, 2],
  [3, 2],
  [3, 2],
  [3, 2],
  [2, 2],
  [2, 2],
];

/** Feature frames the encoder makes of `samples` (the conv stack's output length). */
export function a2eFrames(samples) {
  let len = samples;
  for (const [k, s] of KERNELS) len = Math.floor((len - k) / s) + 1;
  return len;
}

/** The graph, its parameters and its multiply-adds for one window of `window` samples (batch 1). */
export function buildA2eBenchGraph({ size = 'base', seed = 1, window = 60000, emotions = 6 } = {}) {
  const H = A2E_SIZES[size];
  const next = mulberry32(seed * 7919 + 11);
  const g = new GraphBuilder(`a2e_v22_bench_${size}`);
  let parameters = 0;
  let macs = 0;
  g.input('input_values', ['batch_size', 'num_samples']);
  g.output('output', ['batch_size', emotions]);
  const weight = (stem, dims, fanIn, gain = 1) => {
    const a = gain * Math.sqrt(3 / fanIn);
    const data = new Float32Array(dims.reduce((p, d) => p * d, 1));
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * a;
    parameters += data.length;
    return g.const(stem, dims, data);
  };
  const ones = (stem, n) => {
    parameters += n;
    return g.const(stem, [n], new Float32Array(n).fill(1));
  };
  const bias = (stem, n) => weight(stem, [n], n, 0.1);
  const scalar = (stem, v) => g.scalar(stem, v);
  const T = a2eFrames(window);
  const linear = (x, nIn, nOut, stem, rows) => {
    macs += rows * nIn * nOut;
    return g.node('Add', [g.node('MatMul', [x, weight(`${stem}_w`, [nIn, nOut], nIn)]), bias(`${stem}_b`, nOut)]);
  };
  const gelu = (x) =>
    g.node('Mul', [
      g.node('Mul', [x, g.node('Add', [g.node('Erf', [g.node('Div', [x, scalar('sqrt2', Math.SQRT2)])]), scalar('one', 1)])]),
      scalar('half', 0.5),
    ]);
  const layerNorm = (x, n, stem) => {
    const centred = g.node('Sub', [x, g.node('ReduceMean', [x], 1, { axes: [-1], keepdims: 1 })]);
    const variance = g.node('ReduceMean', [g.node('Mul', [centred, centred])], 1, { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, scalar('eps', 1e-5)])])]);
    return g.node('Add', [g.node('Mul', [normed, ones(`${stem}_gamma`, n)]), bias(`${stem}_beta`, n)]);
  };

  // Feature encoder: [B, 1, N] → [B, conv, T], group norm (one group per channel) after the first conv.
  let x = g.node('Unsqueeze', ['input_values', g.ints('axes', [1])]);
  let cin = 1;
  let len = window;
  KERNELS.forEach(([k, stride], i) => {
    x = g.node('Conv', [x, weight(`conv${i}_w`, [H.conv, cin, k], cin * k, Math.SQRT2)], 1, { kernel_shape: [k], strides: [stride] });
    len = Math.floor((len - k) / stride) + 1;
    macs += len * H.conv * cin * k;
    if (i === 0) x = g.node('InstanceNormalization', [x, ones('gn_gamma', H.conv), bias('gn_beta', H.conv)], 1, { epsilon: float(1e-5) });
    x = gelu(x);
    cin = H.conv;
  });
  x = g.node('Transpose', [x], 1, { perm: [0, 2, 1] });
  x = linear(layerNorm(x, H.conv, 'fp_ln'), H.conv, H.dim, 'fp', T);
  // Positional convolution (grouped, "same" length after dropping its last frame).
  const groupIn = H.dim / H.posGroups;
  let pos = g.node(
    'Conv',
    [
      g.node('Transpose', [x], 1, { perm: [0, 2, 1] }),
      weight('pos_w', [H.dim, groupIn, H.posKernel], groupIn * H.posKernel),
      bias('pos_b', H.dim),
    ],
    1,
    { kernel_shape: [H.posKernel], pads: [H.posKernel / 2, H.posKernel / 2], group: H.posGroups },
  );
  macs += T * H.dim * groupIn * H.posKernel;
  pos = gelu(g.node('Slice', [pos, g.ints('s', [0]), g.ints('e', [-1]), g.ints('ax', [2])]));
  x = layerNorm(g.node('Add', [x, g.node('Transpose', [pos], 1, { perm: [0, 2, 1] })]), H.dim, 'enc_ln');
  const hd = H.dim / H.heads;
  for (let l = 0; l < H.layers; l++) {
    const heads = (t, perm) => g.node('Transpose', [g.node('Reshape', [t, g.ints('shape', [0, 0, H.heads, hd])])], 1, { perm });
    const q = g.node('Mul', [heads(linear(x, H.dim, H.dim, `l${l}_q`, T), [0, 2, 1, 3]), scalar('scaling', 1 / Math.sqrt(hd))]);
    const k = heads(linear(x, H.dim, H.dim, `l${l}_k`, T), [0, 2, 3, 1]);
    const v = heads(linear(x, H.dim, H.dim, `l${l}_v`, T), [0, 2, 1, 3]);
    macs += 2 * T * T * H.dim;
    const attn = g.node('MatMul', [g.node('Softmax', [g.node('MatMul', [q, k])], 1, { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [attn], 1, { perm: [0, 2, 1, 3] }), g.ints('shape', [0, 0, H.dim])]);
    x = layerNorm(g.node('Add', [x, linear(merged, H.dim, H.dim, `l${l}_out`, T)]), H.dim, `l${l}_attn_ln`);
    const ffn = linear(gelu(linear(x, H.dim, H.ffn, `l${l}_ffn1`, T)), H.ffn, H.dim, `l${l}_ffn2`, T);
    x = layerNorm(g.node('Add', [x, ffn]), H.dim, `l${l}_final_ln`);
  }
  // Head: projector 256, mean over time, classifier.
  const projected = linear(x, H.dim, 256, 'projector', T);
  const pooled = g.node('ReduceMean', [projected], 1, { axes: [1], keepdims: 0 });
  g.node('Add', [g.node('MatMul', [pooled, weight('classifier_w', [256, emotions], 256)]), bias('classifier_b', emotions)], 'output');
  macs += 256 * emotions;
  const bytes = g.toBytes({
    opset: 14,
    producer: 'a2f make-bench-a2e',
    docString: `A2E-shaped benchmark network (${size}), random weights`,
  });
  return { bytes, parameters, macsPerRun: macs, frames: T };
}

/** Writes an A2E pack (the mini pack's JSON files) around the benchmark network. */
export function makeA2eBenchPack(outDir, opts = {}) {
  const dir = resolve(outDir);
  makeMiniA2e(dir);
  const made = buildA2eBenchGraph(opts);
  writeFileSync(join(dir, 'network.onnx'), made.bytes);
  return { dir, parameters: made.parameters, macsPerRun: made.macsPerRun, frames: made.frames };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : def;
  };
  const size = opt('--size', 'base');
  const seed = Number(opt('--seed', '1'));
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || !(size in A2E_SIZES) || !Number.isInteger(seed)) {
    console.error('usage: node models/bench/make-bench-a2e.mjs <outDir> [--size base|large|tiny] [--seed N]');
    process.exit(2);
  }
  const made = makeA2eBenchPack(out, { size, seed });
  console.log(
    `${made.dir}: ${(made.parameters / 1e6).toFixed(1)} M parameters, ` +
      `${((2 * made.macsPerRun) / 1e9).toFixed(1)} GFLOP per 60 000-sample run`,
  );
}
