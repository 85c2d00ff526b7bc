#!/usr/bin/env node
// Writes a deterministic mini Audio2Face-3D v3.0 pack in NVIDIA's layout (docs/nvidia/v3.md#files:
// model.json with per-identity path arrays, the diffusion network_info.json, model_config_<Id>.json,
// model_data_<Id>.npz, bs_skin/bs_tongue_<Id>.npz and their configs, trt_info.json, an empty
// config.json) for three identities at small sizes. The network has the real tensor names and
// layouts and a math the tests reimplement: it uses the audio, the identity, every centre frame's
// emotion, the latents (so chaining order shows) and the noise. Nothing here is NVIDIA data.
//
//   node models/nvidia/make-mini-v3.mjs <outDir> [--seed N]

import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../lib/onnx.mjs';
import { mulberry32 } from '../lib/seeded.mjs';
import { EXPLICIT_EMOTIONS, MARK_CONFIG, SKIN_POSES, skinSolverConfig, TONGUE_POSES, tongueSolverConfig } from './make-mini-pack.mjs';
import { writeNpz } from './npz-writer.mjs';

export const IDENTITIES = ['Claire', 'James', 'Mark'];
/** The shipped pack's timing (SDK test DiffusionNetworkInfo); sizes are small. */
export const V3_MINI = {
  skinVerts: 40,
  tongueVerts: 8,
  jaw: 15,
  eyes: 4,
  steps: 2,
  layers: 2,
  latent: 4,
  left: 15,
  centre: 30,
  right: 15,
  bufferLen: 16000,
  padding: 16000,
  sampleRate: 16000,
  /** the window is cut into this many chunks whose mean power the network reads */
  chunks: 40,
};

function rng(seed) {
  const next = mulberry32(seed);
  return { next, range: (lo, hi) => lo + (hi - lo) * next() };
}

const json = (v) => `${JSON.stringify(v, null, 4)}\n`;
const mat = (r, n, scale) => Float32Array.from({ length: n }, () => Math.fround(r.range(-1, 1) * scale));

/**
 * prediction[b, f, d] = Σ_c feat[c]·Wa[c, f·D+d] + Σ_q lat[q]·Wl[q, f·D+d] + Σ_i id[i]·Wi[i, f·D+d]
 *                      + (f in centre ? Σ_e emotion[f−left, e]·We[e, d] : 0) + 0.1·mean_s noise[s, f, d]
 * output_latents = tanh(0.5·lat + feat·Ws), lat = input_latents read as [B, steps·layers·latent]
 * feat[c] = 100·mean(window[c·L/C … (c+1)·L/C)²)
 */
function network(w, dims) {
  const { L, C, F, D, E, I, Q, S, G, H, left, centre, right } = dims;
  const g = new GraphBuilder('a2f_v30_mini');
  g.input('window', ['batch_size', L]);
  g.input('identity', ['batch_size', I]);
  g.input('emotion', ['batch_size', centre, E]);
  g.input('input_latents', [S, G, 'batch_size', H]);
  g.input('noise', ['batch_size', S + 1, F, D]);
  g.output('prediction', ['batch_size', F, D]);
  g.output('output_latents', [S, G, 'batch_size', H]);
  const chunks = g.node('Reshape', ['window', g.ints('chunks', [-1, C, L / C])]);
  const power = g.node('ReduceMean', [g.node('Mul', [chunks, chunks])], 1, { axes: [2], keepdims: 0 });
  const feat = g.node('Mul', [power, g.scalar('hundred', 100)]);
  const lat = g.node('Reshape', [g.node('Transpose', ['input_latents'], 1, { perm: [2, 0, 1, 3] }), g.ints('flat_lat', [-1, Q])]);
  const sum = g.node('Add', [
    g.node('Add', [
      g.node('MatMul', [feat, g.const('w_audio', [C, F * D], w.audio)]),
      g.node('MatMul', [lat, g.const('w_latent', [Q, F * D], w.latent)]),
    ]),
    g.node('MatMul', ['identity', g.const('w_identity', [I, F * D], w.identity)]),
  ]);
  const frames = g.node('Reshape', [sum, g.ints('unflat', [-1, F, D])]);
  const emo = g.node('MatMul', ['emotion', g.const('w_emotion', [E, D], w.emotion)]);
  const padded = g.node('Pad', [emo, g.const('pads', [6], BigInt64Array.from([0, left, 0, 0, right, 0].map(BigInt)))]);
  const noise = g.node('Mul', [g.node('ReduceMean', ['noise'], 1, { axes: [1], keepdims: 0 }), g.scalar('tenth', 0.1)]);
  g.node('Add', [g.node('Add', [frames, padded]), noise], 'prediction');
  const next = g.node('Tanh', [
    g.node('Add', [g.node('Mul', [lat, g.scalar('half', 0.5)]), g.node('MatMul', [feat, g.const('w_state', [C, Q], w.state)])]),
  ]);
  const back = g.node('Reshape', [next, g.ints('unflat_lat', [-1, S, G, H])]);
  g.node('Transpose', [back], 'output_latents', { perm: [1, 2, 0, 3] });
  void centre;
  return g.toBytes({ opset: 14, producer: 'a2f make-mini-v3', docString: 'synthetic stand-in with the Audio2Face-3D v3.0 I/O contract' });
}

/** A face-sized point cloud (cm), different per identity. */
function cloud(r, n, scale, centre = [0, 0, 0]) {
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const phi = (((i + r.next()) / n) * 2 - 1) * 0.48 * Math.PI;
    const theta = r.range(-0.5, 0.5) * Math.PI;
    p[3 * i] = centre[0] + scale[0] * Math.sin(theta) * Math.cos(phi);
    p[3 * i + 1] = centre[1] + scale[1] * Math.sin(phi);
    p[3 * i + 2] = centre[2] + scale[2] * Math.cos(theta) * Math.cos(phi);
  }
  return p;
}

function rig(r, neutral, poses, extra) {
  const n = neutral.length / 3;
  const arrays = { poseNames: { data: ['neutral', ...poses], shape: [poses.length + 1] }, neutral: { data: neutral, shape: [n, 3] } };
  for (const name of poses) arrays[name] = { data: mat(r, neutral.length, 0.5), shape: [n, 3] };
  return { ...arrays, ...extra };
}

/**
 * Writes the pack into `outDir`. Returns { dir, dims, weights } — the network's weights, so a test
 * can recompute its outputs. `sizes` ({ skinVerts, tongueVerts, latent }) overrides the small sizes and
 * `network(dims)`, when given, returns the ONNX bytes to write instead of the tiny network
 * (models/bench/make-bench-v3.mjs writes the real sizes with its own network).
 */
export function makeMiniV3Pack(outDir, { seed = 1, sizes = {}, network: makeNetwork } = {}) {
  const m = { ...V3_MINI, ...sizes };
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const r = rng(seed * 104729 + 3);
  const skin = m.skinVerts * 3;
  const tongue = m.tongueVerts * 3;
  const F = m.left + m.centre + m.right;
  const D = skin + tongue + m.jaw + m.eyes;
  const dims = {
    L: m.bufferLen,
    C: m.chunks,
    F,
    D,
    E: EXPLICIT_EMOTIONS.length,
    I: IDENTITIES.length,
    Q: m.steps * m.layers * m.latent,
    S: m.steps,
    G: m.layers,
    H: m.latent,
    left: m.left,
    centre: m.centre,
    right: m.right,
  };
  // A swapped-in network (the benchmark's) needs none of the tiny one's weights, which grow with the sizes.
  const weights = makeNetwork
    ? null
    : {
        audio: mat(r, dims.C * F * D, 0.05),
        latent: mat(r, dims.Q * F * D, 0.2),
        identity: mat(r, dims.I * F * D, 0.2),
        emotion: mat(r, dims.E * D, 0.3),
        state: mat(r, dims.C * dims.Q, 0.5),
      };
  const put = (name, content) => writeFileSync(join(dir, name), content);
  const { source_shot: _shot, source_frame: _frame, ...config } = MARK_CONFIG;
  IDENTITIES.forEach((id, k) => {
    const ir = rng(seed * 31 + k);
    const neutralSkin = cloud(ir, m.skinVerts, [8 + k, 12, 10]);
    const neutralTongue = cloud(ir, m.tongueVerts, [1.5, 0.5, 2], [0, -5.5, 6.5]);
    const region = (test, amp) => {
      const d = new Float32Array(skin);
      for (let i = 0; i < m.skinVerts; i++) if (test(neutralSkin[3 * i + 1])) d[3 * i + 1] = -amp;
      return d;
    };
    writeNpz(join(dir, `model_data_${id}.npz`), {
      neutral_skin: { data: neutralSkin, shape: [m.skinVerts, 3] },
      lip_open_pose_delta: { data: region((y) => y > -7 && y < -4, 0.3), shape: [m.skinVerts, 3] },
      eye_close_pose_delta: { data: region((y) => y > 2 && y < 4.5, 0.5), shape: [m.skinVerts, 3] },
      neutral_tongue: { data: neutralTongue, shape: [m.tongueVerts, 3] },
      neutral_jaw: { data: Float32Array.of(0, -9, 7, 2.5, -8.5, 6, -2.5, -8.5, 6, 4.5, -7, 3, -4.5, -7, 3), shape: [5, 3] },
      saccade_rot_matrix: { data: mat(ir, 200 * 2, 1.5), shape: [200, 2] },
    });
    const frontal = [];
    for (let i = 0; i < m.skinVerts; i++) if (neutralSkin[3 * i + 2] > 3) frontal.push(i);
    writeNpz(
      join(dir, `bs_skin_${id}.npz`),
      rig(ir, neutralSkin, SKIN_POSES, { frontalMask: { data: Int32Array.from(frontal), shape: [frontal.length] } }),
    );
    writeNpz(join(dir, `bs_tongue_${id}.npz`), rig(ir, neutralTongue, TONGUE_POSES, {}));
    put(`bs_skin_config_${id}.json`, json(skinSolverConfig()));
    put(`bs_tongue_config_${id}.json`, json(tongueSolverConfig()));
    put(`model_config_${id}.json`, json({ config: { ...config, input_strength: 1.0 + 0.1 * k } }));
  });
  put(
    'network_info.json',
    json({
      id: { type: 'diffusion', output: 'geometry', version: '3.0' },
      params: {
        emotions: EXPLICIT_EMOTIONS,
        default_emotion: EXPLICIT_EMOTIONS.map(() => 0.0),
        identities: IDENTITIES,
        skin_size: skin,
        tongue_size: tongue,
        jaw_size: m.jaw,
        eyes_size: m.eyes,
        num_diffusion_steps: m.steps,
        num_gru_layers: m.layers,
        gru_latent_dim: m.latent,
        num_frames_left_truncate: m.left,
        num_frames_right_truncate: m.right,
        num_frames_center: m.centre,
      },
      audio_params: { buffer_len: m.bufferLen, padding_left: m.padding, padding_right: m.padding, samplerate: m.sampleRate },
    }),
  );
  put(
    'model.json',
    json({
      networkInfoPath: 'network_info.json',
      networkPath: 'network.trt',
      modelConfigPaths: IDENTITIES.map((id) => `model_config_${id}.json`),
      modelDataPaths: IDENTITIES.map((id) => `model_data_${id}.npz`),
      blendshapePaths: IDENTITIES.map((id) => ({
        skin: { config: `bs_skin_config_${id}.json`, data: `bs_skin_${id}.npz` },
        tongue: { config: `bs_tongue_config_${id}.json`, data: `bs_tongue_${id}.npz` },
      })),
    }),
  );
  put('trt_info.json', json({ trt_build_param: { batch: [] }, defaults: { MAX_BATCH_SIZE: 8, OPT_BATCH_SIZE: 1 } }));
  put('config.json', '');
  put('network.onnx', makeNetwork ? makeNetwork(dims) : network(weights, dims));
  return { dir, dims, weights };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--seed');
  const seed = i >= 0 ? Number(args.splice(i, 2)[1]) : 1;
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || !Number.isInteger(seed)) {
    console.error('usage: node models/nvidia/make-mini-v3.mjs <outDir> [--seed N]');
    process.exit(2);
  }
  console.log(`v3.0 mini pack written to ${makeMiniV3Pack(out, { seed }).dir}`);
}
