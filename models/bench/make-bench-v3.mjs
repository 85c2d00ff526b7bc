#!/usr/bin/env node
// A benchmark network with the Audio2Face-3D v3.0 diffusion architecture and random (seeded)
// weights, in the v3.0 pack's I/O contract (docs/nvidia/v3.md#tensors): the layers and sizes of
// NVIDIA's diffusion_rnn.py (NVIDIA/Audio2Face-3D-Training-Framework audio2face/networks/
// diffusion_rnn.py, hyper-parameters in config_base/config_train_diffusion_base.py) — HuBERT-base
// audio encoder (7 convs, 12 post-norm transformer layers of 768), its features resampled to the
// 60 frames and projected to 256, then per diffusion step the geometry embedding of the noisy
// sample (skin Linear 72 006→512 + Conv1d(9), tongue 16 806→20, jaw, eyes), a 2-layer GRU of 256
// over the 30 centre frames fed [audio 256 | geometry 285 | identity 32 | step 256 | emotion 32],
// and the output heads (256→512→72 006 for the skin). It reproduces the cost, not the output.
// Assumption (docs/nvidia/v3.md#cost): the audio encoder runs once per window, shared by the
// diffusion steps.
//
//   node models/bench/make-bench-v3.mjs <outDir> [--seed N] [--mini]
//
// writes a v3.0 pack in the shipped layout (make-mini-v3's files) with this network, at the real
// sizes (24 002 skin / 5 602 tongue vertices) unless --mini, and prints its parameters (the
// model card: 1.80×10⁸) and FLOPs per window.

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { float, GraphBuilder } from '../lib/onnx.mjs';
import { mulberry32 } from '../lib/seeded.mjs';
import { makeMiniV3Pack } from '../nvidia/make-mini-v3.mjs';

/** The model card's parameter count (docs/nvidia/v3.md#cost). */
export const V3_REFERENCE = { parameters: 1.8e8 };
export const V3_FULL = { skinVerts: 24002, tongueVerts: 5602 };

const HUBERT = { dim: 768, heads: 12, ffn: 3072, layers: 12, posKernel: 128, posGroups: 16 };
const CONVS = [
  [512, 10, 5],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 3, 2],
  [512, 2, 2],
  [512, 2, 2],
];
const HP = { feature: 256, jawLatent: 15, tongueLatent: 10, eyeLatent: 4, gru: 256, gruLayers: 2, emo: 32, actor: 32 };

/** The graph and its analytic cost: parameters (trained weights) and multiply-adds per window (batch 1). */
export function buildV3BenchGraph({
  seed = 1,
  skin,
  tongue,
  jaw = 15,
  eyes = 4,
  identities = 3,
  emotions = 10,
  steps = 2,
  layers = HUBERT.layers,
}) {
  const next = mulberry32(seed * 7919 + 3);
  const g = new GraphBuilder('a2f_v30_bench');
  let parameters = 0;
  let macs = 0;
  const L = 16000;
  const F = 60;
  const C = 30;
  const left = 15;
  const D = skin + tongue + jaw + eyes;
  g.input('window', ['batch_size', L]);
  g.input('identity', ['batch_size', identities]);
  g.input('emotion', ['batch_size', C, emotions]);
  g.input('input_latents', [steps, HP.gruLayers, 'batch_size', HP.gru]);
  g.input('noise', ['batch_size', steps + 1, F, D]);
  g.output('prediction', ['batch_size', F, D]);
  g.output('output_latents', [steps, HP.gruLayers, 'batch_size', HP.gru]);

  // The diffusion steps call one network: a stem seen before is the same weights, counted once.
  const made = new Map();
  const weight = (stem, dims, fanIn, gain = 1) => {
    if (made.has(stem)) return made.get(stem);
    const a = gain * Math.sqrt(3 / fanIn);
    const data = new Float32Array(dims.reduce((p, d) => p * d, 1));
    for (let i = 0; i < data.length; i++) data[i] = (next() * 2 - 1) * a;
    parameters += data.length;
    const name = g.const(stem, dims, data);
    made.set(stem, name);
    return name;
  };
  const ones = (stem, n) => {
    parameters += n;
    return g.const(stem, [n], new Float32Array(n).fill(1));
  };
  const bias = (stem, n) => weight(stem, [n], n, 0.1);
  const ints = (stem, v) => g.ints(stem, v);
  const scalar = (stem, v) => g.scalar(stem, v);
  /** x [..., rows, nIn] → [..., rows, nOut]; `rows` counts the multiply-adds. */
  const linear = (x, nIn, nOut, stem, rows, gain = 1, withBias = true) => {
    macs += rows * nIn * nOut;
    const y = g.node('MatMul', [x, weight(`${stem}_w`, [nIn, nOut], nIn, gain)]);
    return withBias ? g.node('Add', [y, bias(`${stem}_b`, nOut)]) : y;
  };
  const relu = (x) => g.node('Relu', [x]);
  const gelu = (x) =>
    g.node('Mul', [
      g.node('Mul', [x, g.node('Add', [g.node('Erf', [g.node('Div', [x, scalar('sqrt2', Math.SQRT2)])]), scalar('one', 1)])]),
      scalar('half', 0.5),
    ]);
  const layerNorm = (x, n, stem) => {
    const centred = g.node('Sub', [x, g.node('ReduceMean', [x], 1, { axes: [-1], keepdims: 1 })]);
    const variance = g.node('ReduceMean', [g.node('Pow', [centred, scalar('two', 2)])], 1, { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [centred, g.node('Sqrt', [g.node('Add', [variance, scalar('eps', 1e-5)])])]);
    return g.node('Add', [g.node('Mul', [normed, ones(`${stem}_gamma`, n)]), bias(`${stem}_beta`, n)]);
  };
  const slice = (x, start, end, axis) => g.node('Slice', [x, ints('s', [start]), ints('e', [end]), ints('ax', [axis])]);

  // ---- HuBERT base over the window ----
  let x = g.node('Unsqueeze', ['window', ints('axes', [1])]);
  let cin = 1;
  let len = L;
  CONVS.forEach(([cout, k, stride], i) => {
    x = g.node('Conv', [x, weight(`hubert_conv${i}_w`, [cout, cin, k], cin * k, Math.SQRT2)], 1, { kernel_shape: [k], strides: [stride] });
    len = Math.floor((len - k) / stride) + 1;
    macs += len * cout * cin * k;
    if (i === 0)
      x = g.node('InstanceNormalization', [x, ones('hubert_gn_gamma', cout), bias('hubert_gn_beta', cout)], 1, { epsilon: float(1e-5) });
    x = gelu(x);
    cin = cout;
  });
  const T = len; // 49 feature frames per second of audio
  x = g.node('Transpose', [x], 1, { perm: [0, 2, 1] });
  x = linear(layerNorm(x, cin, 'hubert_fp_ln'), cin, HUBERT.dim, 'hubert_fp', T);
  const groupIn = HUBERT.dim / HUBERT.posGroups;
  let pos = g.node(
    'Conv',
    [
      g.node('Transpose', [x], 1, { perm: [0, 2, 1] }),
      weight('hubert_pos_w', [HUBERT.dim, groupIn, HUBERT.posKernel], groupIn * HUBERT.posKernel),
      bias('hubert_pos_b', HUBERT.dim),
    ],
    1,
    { kernel_shape: [HUBERT.posKernel], pads: [HUBERT.posKernel / 2, HUBERT.posKernel / 2], group: HUBERT.posGroups },
  );
  macs += T * HUBERT.dim * groupIn * HUBERT.posKernel;
  pos = gelu(slice(pos, 0, -1, 2));
  x = layerNorm(g.node('Add', [x, g.node('Transpose', [pos], 1, { perm: [0, 2, 1] })]), HUBERT.dim, 'hubert_enc_ln');
  const hd = HUBERT.dim / HUBERT.heads;
  for (let l = 0; l < layers; l++) {
    const heads = (t, perm) => g.node('Transpose', [g.node('Reshape', [t, ints('shape', [0, 0, HUBERT.heads, hd])])], 1, { perm });
    const q = g.node('Mul', [heads(linear(x, HUBERT.dim, HUBERT.dim, `l${l}_q`, T), [0, 2, 1, 3]), scalar('scaling', 1 / Math.sqrt(hd))]);
    const k = heads(linear(x, HUBERT.dim, HUBERT.dim, `l${l}_k`, T), [0, 2, 3, 1]);
    const v = heads(linear(x, HUBERT.dim, HUBERT.dim, `l${l}_v`, T), [0, 2, 1, 3]);
    macs += 2 * T * T * HUBERT.dim;
    const attn = g.node('MatMul', [g.node('Softmax', [g.node('MatMul', [q, k])], 1, { axis: -1 }), v]);
    const merged = g.node('Reshape', [g.node('Transpose', [attn], 1, { perm: [0, 2, 1, 3] }), ints('shape', [0, 0, HUBERT.dim])]);
    x = layerNorm(g.node('Add', [x, linear(merged, HUBERT.dim, HUBERT.dim, `l${l}_out`, T)]), HUBERT.dim, `l${l}_attn_ln`);
    const ffn = linear(gelu(linear(x, HUBERT.dim, HUBERT.ffn, `l${l}_ffn1`, T, Math.SQRT2)), HUBERT.ffn, HUBERT.dim, `l${l}_ffn2`, T);
    x = layerNorm(g.node('Add', [x, ffn]), HUBERT.dim, `l${l}_final_ln`);
  }
  // interp_input: linear resampling of the T feature frames to the 60 animation frames (align_corners), as a fixed matrix.
  const interp = new Float32Array(T * F);
  for (let f = 0; f < F; f++) {
    const p = (f * (T - 1)) / (F - 1);
    const i0 = Math.floor(p);
    const w = p - i0;
    interp[i0 * F + f] += 1 - w;
    if (i0 + 1 < T) interp[(i0 + 1) * F + f] += w;
  }
  x = g.node('Transpose', [g.node('MatMul', [g.node('Transpose', [x], 1, { perm: [0, 2, 1] }), g.const('interp', [T, F], interp)])], 1, {
    perm: [0, 2, 1],
  });
  const audio = slice(linear(x, HUBERT.dim, HP.feature, 'proj_hubert', F), left, left + C, 1); // [B, 30, 256]

  // ---- conditioning shared by the steps ----
  const actor = g.node('Tile', [
    g.node('Unsqueeze', [linear('identity', identities, HP.actor, 'embed_actor', 1, 1, false), ints('axes', [1])]),
    ints('reps', [1, C, 1]),
  ]);
  const emo = linear('emotion', emotions, HP.emo, 'embed_emo', C, 1, false);
  const meanGeometry = g.node('Unsqueeze', [linear('identity', identities, D, 'mean_geometry', 1, 0.1, false), ints('axes', [1])]);

  // ---- the diffusion steps ----
  const geomLatent = HP.feature + HP.tongueLatent + HP.jawLatent + HP.eyeLatent;
  const gruIn = HP.feature * 3 + HP.emo + HP.actor + HP.tongueLatent + HP.jawLatent + HP.eyeLatent;
  let xt = g.node('Squeeze', [slice('noise', 0, 1, 1), ints('axes', [1])]); // [B, 60, D]
  const hOut = [];
  let prediction;
  for (let s = 0; s < steps; s++) {
    const part = (a, b) => slice(xt, a, b, 2);
    const conv9 = (y, n, stem) => {
      macs += F * n * 9;
      const flat = g.node('Reshape', [y, ints('shape', [-1, 1, n])]);
      const c = g.node('Conv', [flat, weight(`${stem}_conv_w`, [1, 1, 9], 9), bias(`${stem}_conv_b`, 1)], 1, {
        kernel_shape: [9],
        pads: [4, 4],
      });
      return relu(g.node('Reshape', [c, ints('shape', [-1, F, n])]));
    };
    const skinEmb = conv9(linear(part(0, skin), skin, HP.feature * 2, `skin_emb`, F), HP.feature * 2, `skin`);
    const tongueEmb = conv9(linear(part(skin, skin + tongue), tongue, HP.tongueLatent * 2, `tongue_emb`, F), HP.tongueLatent * 2, `tongue`);
    const mlp2 = (y, nIn, n, stem) => relu(linear(relu(linear(y, nIn, n, `${stem}1`, F)), n, n, `${stem}2`, F));
    const jawEmb = mlp2(part(skin + tongue, skin + tongue + jaw), jaw, HP.jawLatent * 2, `jaw_emb`);
    const eyeEmb = mlp2(part(skin + tongue + jaw, D), eyes, HP.eyeLatent * 2, `eye_emb`);
    let geom = g.node('Concat', [skinEmb, tongueEmb, jawEmb, eyeEmb], 1, { axis: 2 });
    geom = linear(relu(linear(geom, geomLatent * 2, geomLatent * 2, `geom_final1`, F)), geomLatent * 2, geomLatent, `geom_final2`, F);
    // proj_time(one-hot step): a constant token per step (Linear + Mish), tiled over the frames.
    const onehot = new Float32Array(steps);
    onehot[s] = 1;
    const tLin = linear(g.const(`t${s}`, [1, 1, steps], onehot), steps, HP.feature, `proj_time`, 1);
    const mish = g.node('Mul', [tLin, g.node('Tanh', [g.node('Softplus', [tLin])])]);
    // Broadcast over the audio tokens so the batch axis stays free.
    const tTok = g.node('Add', [g.node('Mul', [audio, scalar('zero', 0)]), mish]);
    const tokens = g.node('Concat', [audio, slice(geom, left, left + C, 1), actor, tTok, emo], 1, { axis: 2 });
    // The GRU (batch_first in torch, time-major in ONNX), its state from input_latents[s].
    let seq = g.node('Transpose', [tokens], 1, { perm: [1, 0, 2] }); // [30, B, 861]
    const hs = [];
    for (let l = 0; l < HP.gruLayers; l++) {
      const nIn = l === 0 ? gruIn : HP.gru;
      macs += C * 3 * HP.gru * (nIn + HP.gru);
      const h0 = g.node('Squeeze', [slice(slice('input_latents', s, s + 1, 0), l, l + 1, 1), ints('axes', [0])]); // [1, B, 256]
      const [y, yh] = g.node(
        'GRU',
        [
          seq,
          weight(`gru${l}_W`, [1, 3 * HP.gru, nIn], nIn),
          weight(`gru${l}_R`, [1, 3 * HP.gru, HP.gru], HP.gru),
          weight(`gru${l}_B`, [1, 6 * HP.gru], 6 * HP.gru, 0.1),
          '',
          h0,
        ],
        2,
        { hidden_size: HP.gru, linear_before_reset: 1 },
      );
      seq = g.node('Squeeze', [y, ints('axes', [1])]);
      hs.push(yh);
    }
    hOut.push(g.node('Unsqueeze', [g.node('Concat', hs, 1, { axis: 0 }), ints('axes', [0])])); // [1, layers, B, 256]
    const out = g.node('Transpose', [seq], 1, { perm: [1, 0, 2] }); // [B, 30, 256]
    const head = (n, ratio, stem) => linear(relu(linear(out, HP.gru, HP.gru * ratio, `${stem}1`, C)), HP.gru * ratio, n, `${stem}2`, C);
    const x0 = g.node('Add', [
      g.node(
        'Concat',
        [head(skin, 2, `final_skin`), head(tongue, 2, `final_tongue`), head(jaw, 0.5, `final_jaw`), head(eyes, 0.5, `final_eye`)],
        1,
        {
          axis: 2,
        },
      ),
      meanGeometry,
    ]);
    const zerosSide = g.node('Mul', [slice(xt, 0, left, 1), scalar('zero', 0)]); // [B, 15, D]: the export's zero side frames
    prediction = g.node('Concat', [zerosSide, x0, zerosSide], 1, { axis: 1 });
    // DDPM-style update towards the next step's sample: x ← a·x̂0 + b·x + c·noise[s+1].
    const nextNoise = g.node('Squeeze', [slice('noise', s + 1, s + 2, 1), ints('axes', [1])]);
    xt = g.node('Add', [
      g.node('Add', [g.node('Mul', [prediction, scalar(`a${s}`, 0.8)]), g.node('Mul', [xt, scalar(`b${s}`, 0.2)])]),
      g.node('Mul', [nextNoise, scalar(`c${s}`, 0.05)]),
    ]);
  }
  g.node('Identity', [prediction], 'prediction');
  g.node('Concat', hOut, 'output_latents', { axis: 0 });
  return { graph: g, parameters, macs, frameWidth: D };
}

/**
 * Writes a v3.0 pack (mini layout, full sizes unless `mini`) with the benchmark network as
 * network.onnx; `tiny` keeps one of HuBERT's 12 transformer layers and the mini sizes (the quick bench).
 */
export function makeV3BenchPack(outDir, { seed = 1, mini = false, tiny = false } = {}) {
  const sizes = { ...(mini || tiny ? { skinVerts: 40, tongueVerts: 8 } : V3_FULL), latent: HP.gru };
  let net;
  const made = makeMiniV3Pack(outDir, {
    seed,
    sizes,
    network: () => {
      const layers = tiny ? 1 : HUBERT.layers;
      net = buildV3BenchGraph({ seed, skin: sizes.skinVerts * 3, tongue: sizes.tongueVerts * 3, layers });
      return net.graph.toBytes({
        opset: 14,
        producer: 'a2f make-bench-v3',
        docString: 'Audio2Face-3D v3.0 (diffusion_rnn) architecture with random weights',
      });
    },
  });
  return { dir: made.dir, parameters: net.parameters, macsPerWindow: net.macs, frameWidth: net.frameWidth };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--seed');
  const seed = i >= 0 ? Number(args.splice(i, 2)[1]) : 1;
  const mini = args.includes('--mini');
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || !Number.isInteger(seed)) {
    console.error('usage: node models/bench/make-bench-v3.mjs <outDir> [--seed N] [--mini]');
    process.exit(2);
  }
  const made = makeV3BenchPack(out, { seed, mini });
  console.log(`parameters ${(made.parameters / 1e6).toFixed(1)} M (model card ${(V3_REFERENCE.parameters / 1e6).toFixed(0)} M)`);
  console.log(`${((2 * made.macsPerWindow) / 1e9).toFixed(2)} GFLOP per window (30 frames, 0.5 s of audio)`);
  console.log(`v3.0-shaped ${mini ? 'mini' : 'full-size'} pack written to ${made.dir}`);
}
