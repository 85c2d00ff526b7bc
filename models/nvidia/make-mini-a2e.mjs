#!/usr/bin/env node
// Writes a deterministic mini Audio2Emotion v2.2 pack in NVIDIA's exact layout (model.json naming
// network.trt beside network.onnx, network_info.json, model_config.json, trt_info.json), for tests.
// Nothing here is NVIDIA data. The post-processing values are those the SDK's own test reads from
// the real model_config.json (docs/nvidia/audio2emotion.md#files); the network is a tiny one with the
// real contract, input_values [B, N] → output [B, 6], whose math a test reimplements:
//
//   a = mean(|x|), p = mean(x²) over the N samples of the window (zeros included)
//   logits = [A_SCALE·a, log(1 + P_SCALE·p)] · W + b        W: 2 × 6, b: 6 (WEIGHTS below)
//
//   node models/nvidia/make-mini-a2e.mjs <outDir> [--emotions angry,disgust,…]

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../lib/onnx.mjs';

export const A2E_EMOTIONS = ['angry', 'disgust', 'fear', 'happy', 'neutral', 'sad'];
export const A_SCALE = 8;
export const P_SCALE = 200;
/** Rows: the a-feature's and the p-feature's weight per emotion; then the biases (network order). */
export const WEIGHTS = {
  w: [
    [1.6, -0.4, 0.3, 2.2, -1.5, -1.1],
    [0.5, 0.2, -0.3, 0.4, -0.8, 0.9],
  ],
  b: [-0.6, -0.2, 0.1, -1.0, 1.8, 0.4],
};
/** `post_processing_config` as the SDK test reads the real file (test_core_parse_helper.cpp). */
export const A2E_CONFIG = {
  output_emotion_length: 10,
  emotion_contrast: 1.0,
  max_emotions: 6,
  live_blend_coef: 0.7,
  enable_preferred_emotion: false,
  preferred_emotion_strength: 0.5,
  transition_smoothing: 0.5,
  fixed_dt: 0.033,
  emotion_strength: 0.6,
  preferred_emotion: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  emotion_correspondence: { angry: 1, disgust: 3, fear: 4, happy: 6, neutral: -1, sad: 9 },
};

function network(emotions) {
  const order = emotions.map((e) => A2E_EMOTIONS.indexOf(e));
  const g = new GraphBuilder('a2e_v22_mini');
  g.input('input_values', ['batch_size', 'num_samples']);
  g.output('output', ['batch_size', emotions.length]);
  const a = g.node('ReduceMean', [g.node('Abs', ['input_values'])], 1, { axes: [1], keepdims: 1 });
  const p = g.node('ReduceMean', [g.node('Mul', ['input_values', 'input_values'])], 1, { axes: [1], keepdims: 1 });
  const fa = g.node('Mul', [a, g.scalar('a_scale', A_SCALE)]);
  const fp = g.node('Log', [g.node('Add', [g.node('Mul', [p, g.scalar('p_scale', P_SCALE)]), g.scalar('one', 1)])]);
  const feat = g.node('Concat', [fa, fp], 1, { axis: 1 });
  const w = Float32Array.from([...order.map((i) => WEIGHTS.w[0][i]), ...order.map((i) => WEIGHTS.w[1][i])]);
  const b = Float32Array.from(order.map((i) => WEIGHTS.b[i]));
  g.node('Add', [g.node('MatMul', [feat, g.const('w', [2, emotions.length], w)]), g.const('b', [emotions.length], b)], 'output');
  return g.toBytes({ opset: 14, producer: 'a2f make-mini-a2e', docString: 'synthetic stand-in with the Audio2Emotion v2.2 I/O contract' });
}

/** Writes the pack; `emotions` reorders the classifier's outputs (network_info.json and the network agree). */
export function makeMiniA2e(outDir, { emotions = A2E_EMOTIONS, config = {} } = {}) {
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const json = (name, value) => writeFileSync(join(dir, name), `${JSON.stringify(value, null, 4)}\n`);
  json('model.json', { networkInfoPath: 'network_info.json', networkPath: 'network.trt', modelConfigPath: 'model_config.json' });
  json('network_info.json', { emotions, audio_params: { samplerate: 16000 } });
  json('model_config.json', { post_processing_config: { ...A2E_CONFIG, ...config } });
  // The SDK's trt.py docstring example; the shipped file's text is not public (docs/nvidia/audio2emotion.md#files).
  json('trt_info.json', {
    trt_build_param: {
      batch: [
        '--minShapes=input_values:1x{MIN_BUFFER_LEN}',
        '--maxShapes=input_values:1x{MAX_BUFFER_LEN}',
        '--optShapes=input_values:1x{OPT_BUFFER_LEN}',
      ],
    },
    defaults: { MIN_BUFFER_LEN: 5000, OPT_BUFFER_LEN: 30000, MAX_BUFFER_LEN: 60000 },
  });
  writeFileSync(join(dir, 'network.onnx'), network(emotions));
  const files = {};
  for (const name of ['model.json', 'network_info.json', 'model_config.json', 'trt_info.json', 'network.onnx']) {
    const bytes = readFileSync(join(dir, name));
    files[name] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return { dir, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--emotions');
  const emotions = i >= 0 ? args.splice(i, 2)[1].split(',') : A2E_EMOTIONS;
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || emotions.some((e) => !A2E_EMOTIONS.includes(e))) {
    console.error(`usage: node models/nvidia/make-mini-a2e.mjs <outDir> [--emotions ${A2E_EMOTIONS.join(',')}]`);
    process.exit(2);
  }
  const made = makeMiniA2e(out, { emotions });
  for (const [name, f] of Object.entries(made.files)) console.log(`${String(f.size).padStart(10)}  ${f.sha256.slice(0, 12)}  ${name}`);
  console.log(`Audio2Emotion mini pack written to ${made.dir}`);
}
