#!/usr/bin/env node
// A benchmark network with the Audio2Face-3D v2.3 "Mark" architecture and random (seeded)
// weights: the layers, shapes, activations and normalisations of NVIDIA's conv_w2v_autocorr
// regression network (docs/nvidia/network.md#regression-network; NVIDIA/Audio2Face-3D-Training-Framework
// audio2face/networks/conv_w2v_autocorr.py, layers.py), written op for op the way
// torch.onnx.export at opset 14 writes them (decomposed LayerNorm and GELU, Tile for the emotion
// broadcast, a Slice/Mul/ReduceSum per autocorrelation lag), so ONNX Runtime has to do the same
// work — and gets the same fusion chances — as with the real network.onnx. It reproduces the
// cost of the real network, not its output: nothing here is NVIDIA data.
//
//   node models/bench/make-bench-network.mjs <outDir> [--seed N] [--mini]
//
// writes a generated pack at Mark's real sizes (make-mini-pack's full-size mode, 61 520 skin /
// 5 602 tongue vertices, 272 + 10 PCA shapes, 52 + 16 blendshapes) with this network as
// network.onnx, and prints its parameter count and FLOPs per frame against the reference.
// --mini keeps the network but uses the mini pack's geometry (seconds instead of a minute to write).

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { float, GraphBuilder } from '../lib/onnx.mjs';
import { mulberry32 } from '../lib/seeded.mjs';
import { FULL_SIZE, makeMiniPack } from '../nvidia/make-mini-pack.mjs';
import { graphCost } from './graph-cost.mjs';

/** The reference's figures (docs/nvidia/network.md#regression-network parameter arithmetic, docs/nvidia/network.md#cost estimate). */
export const REFERENCE = { parameters: 18.27e6, parametersModelCard: 1.86e7, flopsPerFrame: 3.2e9 };

const BUFFER_LEN = 8320;
const IMPLICIT = 16;
const EXPLICIT_EMB = 8;
/** wav2vec2-base feature encoder (torchaudio WAV2VEC2_BASE): (channels, kernel, stride) per conv. */
const W2V_CONVS = [
  [512, 10, 5],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 2, 2],
  [512, 2, 2],
];
const W2V = { dim: 768, heads: 12, ffn: 3072, posKernel: 128, posGroups: 16, frames: 25 };
/** layers.AutoCorr with the regression config's autocorr_params. */
const AUTOCORR = { lags: 32, windows: 25, winLen: 640, stride: 320, scale: 8.912028121636435 };
/** freq1..5: (out channels, kernel width, stride, pad) over the lag axis. */
const FREQ = [
  [72, 3, 2, 1],
  [108, 3, 2, 1],
  [162, 3, 2, 1],
  [243, 3, 2, 1],
  [256, 2, 1, 0],
];

/** mulberry32, the generators' seedable RNG (same numbers on every platform). */

/**
 * Builds the graph. `skinShapes`/`tongueShapes`/`jaw`/`eyes`/`explicit` size the heads and the
 * emotion input exactly as network_info.json would. Returns the GraphBuilder and the set of
 * initializer names that are trained parameters.
 */
export function buildBenchGraph({ seed = 1, skinShapes = 272, tongueShapes = 10, jaw = 15, eyes = 4, explicit = 10 } = {}) {
  const next = mulberry32(seed * 104729 + 17);
  const g = new GraphBuilder('a2f_v23_bench');
  const params = new Set();
  const emotionLen = IMPLICIT + explicit;
  const skinJawEyes = skinShapes + jaw + eyes;
  const resultLen = skinJawEyes + tongueShapes;
  g.input('input', ['batch_size', 1, BUFFER_LEN]);
  g.input('emotion', ['batch_size', 1, emotionLen]);
  g.output('result', ['batch_size', 1, resultLen]);

  // Uniform(±√(3/fan_in))·gain keeps activations O(1) through the stack (no overflow, no
  // denormals), which is all a cost benchmark needs from the weights.
  const weight = (stem, dims, fanIn, gain = 1) => {
    const a = gain * Math.sqrt(3 / fanIn);
    const data = new Float32Array(dims.reduce((p, d) => p * d, 1));
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * a;
    const name = g.const(stem, dims, data);
    params.add(name);
    return name;
  };
  const filled = (stem, dims, v) => {
    const name = g.const(stem, dims, new Float32Array(dims.reduce((p, d) => p * d, 1)).fill(v));
    params.add(name);
    return name;
  };
  const bias = (stem, n) => weight(stem, [n], n, 0.1);
  const ints = (stem, v) => g.ints(stem, v);
  const scalar = (stem, v) => g.scalar(stem, v);

  // torch's exact GELU at opset 14: x · 0.5 · (1 + erf(x / √2)); ORT fuses it back into Gelu.
  const gelu = (x) =>
    g.node('Mul', [
      g.node('Mul', [x, g.node('Add', [g.node('Erf', [g.node('Div', [x, scalar('sqrt2', Math.SQRT2)])]), scalar('one', 1)])]),
      scalar('half', 0.5),
    ]);
  // torch LayerNorm at opset 14 (LayerNormalization is opset 17): mean, centre, variance, normalise, affine.
  const layerNorm = (x, n, stem) => {
    const centred = g.node('Sub', [x, g.node('ReduceMean', [x], 1, { axes: [-1], keepdims: 1 })]);
    const variance = g.node('ReduceMean', [g.node('Pow', [centred, scalar('two', 2)])], 1, { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, scalar('eps', 1e-5)])])]);
    return g.node('Add', [g.node('Mul', [normed, filled(`${stem}_gamma`, [n], 1)]), bias(`${stem}_beta`, n)]);
  };
  const linear = (x, nIn, nOut, stem, gain = 1) =>
    g.node('Add', [g.node('MatMul', [x, weight(`${stem}_w`, [nIn, nOut], nIn, gain)]), bias(`${stem}_b`, nOut)]);
  // layers.NormRelu: leaky_relu(x, 0)·√2 (exported as LeakyRelu + Mul).
  const normRelu = (x) => g.node('Mul', [g.node('LeakyRelu', [x], 1, { alpha: float(0) }), scalar('sqrt2', Math.SQRT2)]);

  // ---- emotion: [implicit 16 | Linear(10→8)(explicit)] ----
  const implicitEmo = g.node('Slice', ['emotion', ints('s', [0]), ints('e', [IMPLICIT]), ints('ax', [2])]);
  const explicitEmo = g.node('Slice', ['emotion', ints('s', [IMPLICIT]), ints('e', [emotionLen]), ints('ax', [2])]);
  const explicitEmb = linear(explicitEmo, explicit, EXPLICIT_EMB, 'linear_explicit_emo');
  // layers.ConcatEmotion on a [B,1,C,T,1] map: emotion[..., None, None].repeat(1,1,1,T,1), cat on dim 2.
  const concatEmotion5 = (x, t) => {
    const tile = (e) => g.node('Tile', [g.node('Unsqueeze', [e, ints('axes', [3, 4])]), ints('reps', [1, 1, 1, t, 1])]);
    return g.node('Concat', [g.node('Concat', [x, tile(implicitEmo)], 1, { axis: 2 }), tile(explicitEmb)], 1, { axis: 2 });
  };

  // ---- branch A: wav2vec2-base, first transformer layer only ----
  let x = g.node('Reshape', ['input', ints('shape', [-1, 1, BUFFER_LEN])]); // JAS join + feature extractor unsqueeze
  let cin = 1;
  W2V_CONVS.forEach(([cout, k, stride], i) => {
    x = g.node('Conv', [x, weight(`w2v_conv${i}_w`, [cout, cin, k], cin * k, Math.SQRT2)], 1, { kernel_shape: [k], strides: [stride] });
    // extractor_mode "group_norm": GroupNorm(512 groups, 512 channels) on the first conv only = per-channel instance norm.
    if (i === 0)
      x = g.node('InstanceNormalization', [x, filled('w2v_gn_gamma', [cout], 1), bias('w2v_gn_beta', cout)], 1, { epsilon: float(1e-5) });
    x = gelu(x);
    cin = cout;
  });
  x = g.node('Transpose', [x], 1, { perm: [0, 2, 1] }); // [N, 25, 512]
  x = linear(layerNorm(x, cin, 'w2v_fp_ln'), cin, W2V.dim, 'w2v_fp'); // feature projection
  // Convolutional positional embedding: Conv1d(768, 768, 128, pad 64, groups 16), drop the last frame, GELU, residual.
  const xc = g.node('Transpose', [x], 1, { perm: [0, 2, 1] });
  let pos = g.node(
    'Conv',
    [
      xc,
      weight('w2v_pos_conv_w', [W2V.dim, W2V.dim / W2V.posGroups, W2V.posKernel], (W2V.dim / W2V.posGroups) * W2V.posKernel),
      bias('w2v_pos_conv_b', W2V.dim),
    ],
    1,
    { kernel_shape: [W2V.posKernel], pads: [W2V.posKernel / 2, W2V.posKernel / 2], group: W2V.posGroups },
  );
  pos = gelu(g.node('Slice', [pos, ints('s', [0]), ints('e', [-1]), ints('ax', [2])]));
  x = g.node('Add', [x, g.node('Transpose', [pos], 1, { perm: [0, 2, 1] })]);
  x = layerNorm(x, W2V.dim, 'w2v_enc_ln');
  // Transformer layer 1 (post-norm, layer_norm_first = False in wav2vec2-base).
  const hd = W2V.dim / W2V.heads;
  const heads = (t, perm) => g.node('Transpose', [g.node('Reshape', [t, ints('shape', [0, 0, W2V.heads, hd])])], 1, { perm });
  const q = g.node('Mul', [heads(linear(x, W2V.dim, W2V.dim, 'w2v_q'), [0, 2, 1, 3]), scalar('scaling', 1 / Math.sqrt(hd))]);
  const k = heads(linear(x, W2V.dim, W2V.dim, 'w2v_k'), [0, 2, 3, 1]);
  const v = heads(linear(x, W2V.dim, W2V.dim, 'w2v_v'), [0, 2, 1, 3]);
  const attn = g.node('MatMul', [g.node('Softmax', [g.node('MatMul', [q, k])], 1, { axis: -1 }), v]);
  const merged = g.node('Reshape', [g.node('Transpose', [attn], 1, { perm: [0, 2, 1, 3] }), ints('shape', [0, 0, W2V.dim])]);
  x = layerNorm(g.node('Add', [x, linear(merged, W2V.dim, W2V.dim, 'w2v_out')]), W2V.dim, 'w2v_attn_ln');
  const ffn = linear(gelu(linear(x, W2V.dim, W2V.ffn, 'w2v_ffn1', Math.SQRT2)), W2V.ffn, W2V.dim, 'w2v_ffn2');
  x = layerNorm(g.node('Add', [x, ffn]), W2V.dim, 'w2v_final_ln');
  // w2v_features_weighted: stack the layer outputs (one), weight by the learnable coefficients, normalise.
  const coeffs = filled('w2v_feature_coeffs', [1], 1);
  x = g.node('Div', [
    g.node('ReduceSum', [g.node('Mul', [g.node('Unsqueeze', [x, ints('axes', [-1])]), coeffs]), ints('axes', [-1])], 1, { keepdims: 0 }),
    g.node('ReduceSum', [coeffs, ints('axes', [0])], 1, { keepdims: 0 }),
  ]);
  x = g.node('Reshape', [x, ints('shape', [-1, 1, W2V.frames, W2V.dim])]); // JAS split [B, 1, 25, 768]
  x = g.node('Relu', [linear(x, W2V.dim, 256, 'w2v_linear_mapping', Math.SQRT2)]);
  const w2vFeatures = g.node('Unsqueeze', [g.node('Transpose', [x], 1, { perm: [0, 1, 3, 2] }), ints('axes', [4])]); // [B, 1, 256, 25, 1]

  // ---- branch B: autocorrelation of 25 Hann windows, then five convs over the lag axis ----
  const scaled = g.node('Mul', ['input', scalar('autocorr_x_scale', AUTOCORR.scale)]);
  const lut = new BigInt64Array(AUTOCORR.windows * AUTOCORR.winLen);
  for (let w = 0; w < AUTOCORR.windows; w++)
    for (let s = 0; s < AUTOCORR.winLen; s++) lut[w * AUTOCORR.winLen + s] = BigInt(w * AUTOCORR.stride + s);
  let win = g.node('Gather', [scaled, g.const('win_lut', [AUTOCORR.windows, AUTOCORR.winLen], lut)], 1, { axis: 2 }); // [B, 1, 25, 640]
  win = g.node('Sub', [win, g.node('ReduceMean', [win], 1, { axes: [3], keepdims: 1 })]);
  // np.hanning(640): the symmetric window, held as float64 in torch and cast to the data's float32.
  const hann = Float32Array.from({ length: AUTOCORR.winLen }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (AUTOCORR.winLen - 1)));
  win = g.node('Mul', [win, g.const('hann', [1, 1, 1, AUTOCORR.winLen], hann)]);
  win = g.node('Reshape', [win, ints('shape', [-1, AUTOCORR.winLen])]);
  const lags = [];
  for (let ofs = 0; ofs < AUTOCORR.lags; ofs++) {
    const head = g.node('Slice', [win, ints('s', [0]), ints('e', [AUTOCORR.winLen - ofs]), ints('ax', [1])]);
    const tail = g.node('Slice', [win, ints('s', [ofs]), ints('e', [AUTOCORR.winLen]), ints('ax', [1])]);
    const sum = g.node('ReduceSum', [g.node('Mul', [head, tail]), ints('axes', [1])], 1, { keepdims: 0 });
    lags.push(g.node('Unsqueeze', [sum, ints('axes', [0])]));
  }
  let ac = g.node('Transpose', [g.node('Concat', lags, 1, { axis: 0 })], 1, { perm: [1, 0] }); // torch.stack(...).t()
  ac = g.node('Mul', [
    g.node('Reshape', [ac, ints('shape', [-1, 1, AUTOCORR.windows, AUTOCORR.lags])]),
    scalar('inv_win_len', 1 / AUTOCORR.winLen),
  ]);
  let fin = 1;
  FREQ.forEach(([cout, kw, stride, pad], i) => {
    ac = normRelu(
      g.node('Conv', [ac, weight(`freq${i + 1}_w`, [cout, fin, 1, kw], fin * kw, Math.SQRT2), bias(`freq${i + 1}_b`, cout)], 1, {
        kernel_shape: [1, kw],
        strides: [1, stride],
        pads: [0, pad, 0, pad],
      }),
    );
    fin = cout;
  });
  const acFeatures = g.node('Reshape', [ac, ints('shape', [-1, 1, fin, AUTOCORR.windows, 1])]); // [B, 1, 256, 25, 1]

  // ---- temporal convs 25 → 13 → 7 → 4 → 2, emotion appended after each ----
  let t = g.node('Concat', [w2vFeatures, acFeatures], 1, { axis: 2 }); // [B, 1, 512, 25, 1]
  let channels = 256 + fin;
  let steps = AUTOCORR.windows;
  for (let i = 1; i <= 4; i++) {
    const joined = g.node('Reshape', [t, ints('shape', [-1, channels, steps, 1])]);
    const conv = g.node(
      'Conv',
      [joined, weight(`time${i}_w`, [256, channels, 3, 1], channels * 3, Math.SQRT2), bias(`time${i}_b`, 256)],
      1,
      { kernel_shape: [3, 1], strides: [2, 1], pads: [1, 0, 1, 0] },
    );
    steps = Math.floor((steps + 2 - 3) / 2) + 1;
    t = concatEmotion5(g.node('Reshape', [normRelu(conv), ints('shape', [-1, 1, 256, steps, 1])]), steps);
    channels = 256 + IMPLICIT + EXPLICIT_EMB;
  }
  const flat = g.node('Reshape', [t, ints('shape', [0, 0, -1])]); // [B, 1, 560]
  const emb = (y) => g.node('Concat', [g.node('Concat', [y, implicitEmo], 1, { axis: 2 }), explicitEmb], 1, { axis: 2 });
  const h = emb(normRelu(linear(flat, channels * steps, 256, 'time5', Math.SQRT2)));
  const hIn = 256 + IMPLICIT + EXPLICIT_EMB;

  // ---- heads: skin + jaw + eyes, tongue; result = [skin | tongue | jaw | eyes] ----
  const sje = linear(linear(h, hIn, skinJawEyes, 'linear_skin_jaw_eyes1', 0.5), skinJawEyes, skinJawEyes, 'linear_skin_jaw_eyes2', 0.5);
  const tongue = linear(linear(h, hIn, tongueShapes, 'linear_tongue1', 0.5), tongueShapes, tongueShapes, 'linear_tongue2', 0.5);
  const skin = g.node('Slice', [sje, ints('s', [0]), ints('e', [skinShapes]), ints('ax', [2])]);
  const jawEyes = g.node('Slice', [sje, ints('s', [skinShapes]), ints('e', [skinJawEyes]), ints('ax', [2])]);
  g.node('Concat', [skin, tongue, jawEyes], 'result', { axis: 2 });
  return { graph: g, params, emotionLen, resultLen };
}

/** ONNX bytes plus the cost walked from the graph. */
export function makeBenchNetwork(opts = {}) {
  const { graph, params, emotionLen, resultLen } = buildBenchGraph(opts);
  const cost = graphCost(graph, params);
  const bytes = graph.toBytes({
    opset: 14,
    producer: 'a2f make-bench-network',
    docString: 'Audio2Face-3D v2.3 (conv_w2v_autocorr) architecture with random weights, for benchmarks',
  });
  return { bytes, cost, emotionLen, resultLen };
}

/** How far a figure lies from the reference, as a signed fraction. */
export const deviation = (value, reference) => (value - reference) / reference;

/** Writes a generated pack (full size unless `mini`) with the bench network. Returns the pack and the network's cost. */
export function makeBenchPack(outDir, { seed = 1, mini = false } = {}) {
  let cost;
  const made = makeMiniPack(outDir, {
    variant: 'mark',
    seed,
    sizes: mini ? {} : FULL_SIZE,
    network: (shape) => {
      const net = makeBenchNetwork({
        seed,
        skinShapes: shape.skinShapes,
        tongueShapes: shape.tongueShapes,
        explicit: shape.emotionLen - IMPLICIT,
      });
      if (net.resultLen !== shape.resultLen)
        throw new Error(`bench network result width ${net.resultLen}, pack expects ${shape.resultLen}`);
      cost = net.cost;
      return net.bytes;
    },
  });
  return { ...made, cost };
}

export function describeCost(cost) {
  const pct = (d) => `${d >= 0 ? '+' : ''}${(d * 100).toFixed(2)} %`;
  const dp = deviation(cost.parameters, REFERENCE.parameters);
  const df = deviation(cost.flops, REFERENCE.flopsPerFrame);
  const card = REFERENCE.parametersModelCard.toExponential(2);
  const byOp = Object.entries(cost.macsByOp)
    .map(([op, m]) => `${op} ${(m / 1e9).toFixed(3)}`)
    .join(', ');
  return [
    `parameters      ${(cost.parameters / 1e6).toFixed(3)} M   ` +
      `reference ${(REFERENCE.parameters / 1e6).toFixed(2)} M (${pct(dp)}; model card ${card})`,
    `FLOPs per frame ${(cost.flops / 1e9).toFixed(3)} G   reference ≈${(REFERENCE.flopsPerFrame / 1e9).toFixed(1)} G (${pct(df)}); ` +
      `${(cost.macs / 1e9).toFixed(3)} GMAC in ${byOp}; ${(cost.otherOps / 1e6).toFixed(1)} M element-wise ops besides`,
  ];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : def;
  };
  const seed = Number(opt('--seed', '1'));
  const mini = args.includes('--mini');
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || !Number.isInteger(seed)) {
    console.error('usage: node models/bench/make-bench-network.mjs <outDir> [--seed N] [--mini]');
    process.exit(2);
  }
  const made = makeBenchPack(out, { seed, mini });
  for (const [name, f] of Object.entries(made.files)) console.log(`${String(f.size).padStart(10)}  ${f.sha256.slice(0, 12)}  ${name}`);
  for (const line of describeCost(made.cost)) console.log(line);
  console.log(`v2.3-shaped ${mini ? 'mini' : 'full-size'} pack written to ${made.dir}`);
  const within =
    Math.abs(deviation(made.cost.parameters, REFERENCE.parameters)) <= 0.05 &&
    Math.abs(deviation(made.cost.flops, REFERENCE.flopsPerFrame)) <= 0.05;
  if (!within) {
    console.error('the network is more than 5 % away from the reference figures');
    process.exit(1);
  }
}
