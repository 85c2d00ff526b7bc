#!/usr/bin/env node
// Writes a deterministic mini Audio2Face-3D v2.3 pack in NVIDIA's exact layout (file names, JSON
// keys, npz keys, ONNX tensor names) at small sizes, for tests. Nothing here is NVIDIA data: the
// geometry is a synthetic face-like point cloud, the network a tiny random one that responds to
// audio band energies and to the emotion input. Parameter and solver values are Mark's
// (docs/nvidia/postprocess.md#parameters, docs/nvidia/solver.md#config); see models/nvidia/README.md.
//
//   node models/nvidia/make-mini-pack.mjs <outDir> [--variant mark|claire] [--seed N] [--full-size]
//
// --full-size uses Mark's real dimensions (61 520 skin / 5 602 tongue verts, 272 skin shapes): a
// ~200 MB model_data.npz for load-time measurements. Same seed, same bytes.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../lib/onnx.mjs';
import { mulberry32 } from '../lib/seeded.mjs';
import { writeNpz } from './npz-writer.mjs';

/** The 52 skin poses in A2F order (docs/nvidia/solver.md#rig) and the 16 tongue poses. */
export const SKIN_POSES = [
  'eyeBlinkLeft',
  'eyeLookDownLeft',
  'eyeLookInLeft',
  'eyeLookOutLeft',
  'eyeLookUpLeft',
  'eyeSquintLeft',
  'eyeWideLeft',
  'eyeBlinkRight',
  'eyeLookDownRight',
  'eyeLookInRight',
  'eyeLookOutRight',
  'eyeLookUpRight',
  'eyeSquintRight',
  'eyeWideRight',
  'jawForward',
  'jawLeft',
  'jawRight',
  'jawOpen',
  'mouthClose',
  'mouthFunnel',
  'mouthPucker',
  'mouthLeft',
  'mouthRight',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthFrownLeft',
  'mouthFrownRight',
  'mouthDimpleLeft',
  'mouthDimpleRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthShrugLower',
  'mouthShrugUpper',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'browDownLeft',
  'browDownRight',
  'browInnerUp',
  'browOuterUpLeft',
  'browOuterUpRight',
  'cheekPuff',
  'cheekSquintLeft',
  'cheekSquintRight',
  'noseSneerLeft',
  'noseSneerRight',
  'tongueOut',
];
export const TONGUE_POSES = [
  'tongueTipUp',
  'tongueTipDown',
  'tongueTipLeft',
  'tongueTipRight',
  'tongueRollUp',
  'tongueRollDown',
  'tongueRollLeft',
  'tongueRollRight',
  'tongueUp',
  'tongueDown',
  'tongueLeft',
  'tongueRight',
  'tongueIn',
  'tongueStretch',
  'tongueWide',
  'tongueNarrow',
];
export const EXPLICIT_EMOTIONS = ['amazement', 'anger', 'cheekiness', 'disgust', 'fear', 'grief', 'joy', 'outofbreath', 'pain', 'sadness'];

/** Sizes per variant. "claire" stands in for the v2.3.1 packs: fewer skin PCA shapes (140 in the real ones). */
export const VARIANTS = {
  mark: { actor: 'mark', version: '2.3', skinVerts: 320, tongueVerts: 40, skinShapes: 12, tongueShapes: 4 },
  claire: { actor: 'claire', version: '2.3.1', skinVerts: 256, tongueVerts: 36, skinShapes: 8, tongueShapes: 4 },
};
export const FULL_SIZE = { skinVerts: 61520, tongueVerts: 5602, skinShapes: 272, tongueShapes: 10 };

const AUDIO = { buffer_len: 8320, buffer_ofs: 4160, samplerate: 16000 };
const IMPLICIT_LEN = 16;
const JAW_SIZE = 15;
const EYES_SIZE = 4;
const SACCADE_FRAMES = 5000;
/** Shots of the emotion database: name and frame count. model_config points at g2a_neutral/33 (Maya-ACE's Mark value). */
const SHOTS = [
  ['p1_neutral', 64],
  ['g2a_neutral', 48],
  ['g2a_joy', 40],
];

/** Mark's model_config.json "config" values (docs/nvidia/postprocess.md#parameters), in the SDK test's order. */
export const MARK_CONFIG = {
  input_strength: 1.3,
  upper_face_smoothing: 0.001,
  lower_face_smoothing: 0.0023,
  upper_face_strength: 1.0,
  lower_face_strength: 1.4,
  face_mask_level: 0.6,
  face_mask_softness: 0.0085,
  source_shot: 'g2a_neutral',
  source_frame: 33,
  skin_strength: 1.1,
  blink_strength: 1.0,
  lower_teeth_strength: 1.3,
  lower_teeth_height_offset: -0.1,
  lower_teeth_depth_offset: 0.0,
  lip_open_offset: -0.03,
  tongue_strength: 1.5,
  tongue_height_offset: 0.2,
  tongue_depth_offset: 0.13,
  eyeballs_strength: 1.0,
  saccade_strength: 0.9,
  right_eye_rot_x_offset: 0.0,
  right_eye_rot_y_offset: -2.0,
  left_eye_rot_x_offset: 0.0,
  left_eye_rot_y_offset: 2.0,
  eyelid_open_offset: 0.06,
  eye_saccade_seed: 0,
};

/** Symmetry pair ids of the NIM Mark config (docs/nvidia/solver.md#config); every other pose −1. */
const SYMMETRY = {
  eyeBlink: 0,
  eyeWide: 1,
  mouthSmile: 2,
  mouthFrown: 3,
  mouthDimple: 4,
  mouthStretch: 5,
  mouthPress: 6,
  mouthLowerDown: 7,
  mouthUpperUp: 8,
  browOuterUp: 9,
  browDown: 10,
  cheekSquint: 11,
  noseSneer: 12,
};

export function skinSolverConfig() {
  const inactive = (n) => /^eyeLook/.test(n) || n === 'tongueOut';
  return {
    blendshape_params: {
      strengthL1regularization: 0.5,
      strengthL2regularization: 0.5,
      strengthTemporalSmoothing: 0.3,
      strengthSymmetry: 100.0,
      templateBBSize: 53.4505028,
      numPoses: SKIN_POSES.length,
      bsSolveActivePoses: SKIN_POSES.map((n) => (inactive(n) ? 0 : 1)),
      bsSolveCancelPoses: SKIN_POSES.map(() => -1),
      bsSolveSymmetryPoses: SKIN_POSES.map((n) => SYMMETRY[n.replace(/(Left|Right)$/, '')] ?? -1),
      bsWeightMultipliers: SKIN_POSES.map(() => 1.0),
      bsWeightOffsets: SKIN_POSES.map(() => 0.0),
    },
  };
}

export function tongueSolverConfig() {
  const multipliers = { tongueTipUp: 2.0, tongueRollUp: 3.0, tongueStretch: 2.0 };
  return {
    blendshape_params: {
      strengthL1regularization: 1.0,
      strengthL2regularization: 3.5,
      strengthTemporalSmoothing: 5.0,
      strengthSymmetry: 100.0,
      templateBBSize: 7.9358663,
      numPoses: TONGUE_POSES.length,
      bsSolveActivePoses: TONGUE_POSES.map(() => 1),
      bsSolveCancelPoses: TONGUE_POSES.map(() => -1),
      bsSolveSymmetryPoses: TONGUE_POSES.map(() => -1),
      bsWeightMultipliers: TONGUE_POSES.map((n) => multipliers[n] ?? 1.0),
      bsWeightOffsets: TONGUE_POSES.map(() => 0.0),
    },
  };
}

/** mulberry32: small, seedable, the same on every platform. */
function rng(seed) {
  const next = mulberry32(seed);
  return { next, range: (lo, hi) => lo + (hi - lo) * next(), int: (n) => Math.floor(next() * n) };
}

/** Front half of an ellipsoid, 16 cm wide, 24 cm tall (y ∈ [−12, 12]), 10 cm deep: a face-sized point cloud in cm. */
function faceCloud(r, n) {
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    // Even-ish coverage: stratify pitch by index, jitter yaw.
    const phi = (((i + r.next()) / n) * 2 - 1) * 0.48 * Math.PI;
    const theta = r.range(-0.5, 0.5) * Math.PI;
    p[3 * i] = 8 * Math.sin(theta) * Math.cos(phi);
    p[3 * i + 1] = 12 * Math.sin(phi);
    p[3 * i + 2] = 10 * Math.cos(theta) * Math.cos(phi);
  }
  return p;
}

function blob(r, n, centre, radius) {
  const p = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < 3; a++) p[3 * i + a] = centre[a] + r.range(-1, 1) * radius[a];
  }
  return p;
}

/** A smooth local displacement: a Gaussian bump of `amp` cm around `centre` along `dir`, written into out[offset…]. */
function bump(out, offset, pts, centre, sigma, dir, amp) {
  const n = pts.length / 3;
  for (let v = 0; v < n; v++) {
    const dx = pts[3 * v] - centre[0],
      dy = pts[3 * v + 1] - centre[1],
      dz = pts[3 * v + 2] - centre[2];
    const w = amp * Math.exp(-(dx * dx + dy * dy + dz * dz) / (2 * sigma * sigma));
    for (let a = 0; a < 3; a++) out[offset + 3 * v + a] += w * dir[a];
  }
}

function randomDir(r) {
  const d = [r.range(-1, 1), r.range(-1, 1), r.range(-1, 1)];
  const len = Math.hypot(...d) || 1;
  return d.map((x) => x / len);
}

/** `count` smooth random shapes over `pts`, stored [count, V, 3]. */
function shapeBasis(r, pts, count, sigma, amp) {
  const n = pts.length / 3;
  const out = new Float32Array(count * n * 3);
  for (let s = 0; s < count; s++) {
    for (let k = 0; k < 2; k++) {
      const c = r.int(n);
      bump(out, s * n * 3, pts, [pts[3 * c], pts[3 * c + 1], pts[3 * c + 2]], sigma, randomDir(r), amp);
    }
  }
  return out;
}

/** Where each ARKit pose acts on the synthetic face (cm), so deltas are local and independent. */
function poseCentre(name, r) {
  const side = /Left$/.test(name) ? 1 : /Right$/.test(name) ? -1 : 0;
  const x = (v) => side * v + (side === 0 ? r.range(-1, 1) : 0);
  if (/^eye|^brow/.test(name)) return [x(3.5), /^brow/.test(name) ? 6 : 3, 8];
  if (/^cheek|^nose/.test(name)) return [x(/^nose/.test(name) ? 1.5 : 4), /^nose/.test(name) ? 0 : -1, 8.5];
  if (/^jaw/.test(name)) return [x(0), -9, 6];
  return [x(2.5), -5, 9]; // mouth*, tongueOut
}

/**
 * Tiny network with NVIDIA's I/O contract: log band energies of the window (8 windowed-sinc
 * band-pass filters, 80 Hz–7 kHz) → tanh(W1·bands + We·emotion + b) → W2 → result. Silence gives
 * a constant output, speech moves it, and every emotion channel changes it.
 */
function network(r, emotionLen, resultLen) {
  const L = AUDIO.buffer_len;
  const bands = 8,
    taps = 128,
    hidden = 16;
  const g = new GraphBuilder('a2f_v23_mini');
  g.input('input', ['batch_size', 1, L]);
  g.input('emotion', ['batch_size', 1, emotionLen]);
  g.output('result', ['batch_size', 1, resultLen]);
  const edges = Array.from({ length: bands + 1 }, (_, k) => (80 * (7000 / 80) ** (k / bands)) / AUDIO.samplerate);
  const sinc = (x) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));
  const kernels = new Float32Array(bands * taps);
  for (let b = 0; b < bands; b++) {
    for (let n = 0; n < taps; n++) {
      const m = n - (taps - 1) / 2;
      const hamming = 0.54 - 0.46 * Math.cos((2 * Math.PI * n) / (taps - 1));
      kernels[b * taps + n] = hamming * (2 * edges[b + 1] * sinc(2 * edges[b + 1] * m) - 2 * edges[b] * sinc(2 * edges[b] * m));
    }
  }
  const mat = (rows, cols, scale) => Float32Array.from({ length: rows * cols }, () => r.range(-1, 1) * scale);
  const filtered = g.node('Conv', ['input', g.const('bandpass', [bands, 1, taps], kernels)], 1, { kernel_shape: [taps], strides: [16] });
  const power = g.node('ReduceMean', [g.node('Mul', [filtered, filtered])], 1, { axes: [2], keepdims: 0 });
  // log(1 + 1e4·p): silence → 0, speech-level bands → a few units.
  const feat = g.node('Log', [g.node('Add', [g.node('Mul', [power, g.scalar('gain', 1e4)]), g.scalar('one', 1)])]);
  const emo = g.node('Reshape', ['emotion', g.ints('flat_emo', [-1, emotionLen])]);
  const pre = g.node('Add', [
    g.node('Add', [
      g.node('MatMul', [feat, g.const('w_audio', [bands, hidden], mat(bands, hidden, 0.6))]),
      g.node('MatMul', [emo, g.const('w_emotion', [emotionLen, hidden], mat(emotionLen, hidden, 0.5))]),
    ]),
    g.const('b_hidden', [hidden], mat(1, hidden, 0.1)),
  ]);
  const h = g.node('Tanh', [pre]);
  const out = g.node('MatMul', [h, g.const('w_out', [hidden, resultLen], mat(hidden, resultLen, 0.3))]);
  g.node('Reshape', [out, g.ints('unflat', [-1, 1, resultLen])], 'result');
  return g.toBytes({ opset: 14, producer: 'a2f make-mini-pack', docString: 'synthetic stand-in with the Audio2Face-3D v2.3 I/O contract' });
}

const json = (v) => `${JSON.stringify(v, null, 4)}\n`;

/**
 * Writes the pack into `outDir` (created). Returns { dir, variant, sizes, files: { name: { size, sha256 } } }.
 * `sizes` overrides the variant's (e.g. FULL_SIZE). `network`, when given, writes network.onnx
 * instead of the tiny stand-in: it gets { skinShapes, tongueShapes, emotionLen, resultLen } and
 * returns the ONNX bytes (models/bench/make-bench-network.mjs swaps in the v2.3-shaped network).
 */
export function makeMiniPack(outDir, { variant = 'mark', seed = 1, sizes = {}, network: makeNetwork } = {}) {
  const base = VARIANTS[variant];
  if (!base) throw new Error(`unknown variant "${variant}" (mark, claire)`);
  const v = { ...base, ...sizes };
  const dir = resolve(outDir);
  mkdirSync(dir, { recursive: true });
  const r = rng(seed * 7919 + (variant === 'mark' ? 0 : 1));
  const emotionLen = IMPLICIT_LEN + EXPLICIT_EMOTIONS.length;
  const resultLen = v.skinShapes + v.tongueShapes + JAW_SIZE + EYES_SIZE;

  const skin = faceCloud(r, v.skinVerts);
  const tongue = blob(r, v.tongueVerts, [0, -5.5, 6.5], [1.6, 0.5, 2.2]);
  const region = (pts, test, dir, amp) => {
    const d = new Float32Array(pts.length);
    for (let i = 0; i < pts.length / 3; i++) {
      if (test(pts[3 * i], pts[3 * i + 1], pts[3 * i + 2])) for (let a = 0; a < 3; a++) d[3 * i + a] = dir[a] * amp;
    }
    return d;
  };
  const V = v.skinVerts,
    T = v.tongueVerts;
  const files = {};
  const put = (name, content) => writeFileSync(join(dir, name), content);

  writeNpz(
    join(dir, 'model_data.npz'),
    {
      shapes_matrix_skin: { data: shapeBasis(r, skin, v.skinShapes, 2.5, 0.4), shape: [v.skinShapes, V, 3] },
      shapes_mean_skin: { data: skin, shape: [V, 3] },
      lip_open_pose_delta: { data: region(skin, (x, y) => y > -7 && y < -4 && Math.abs(x) < 3, [0, -1, 0], 0.3), shape: [V, 3] },
      eye_close_pose_delta: {
        data: region(skin, (x, y) => y > 2 && y < 4.5 && Math.abs(x) > 1.5 && Math.abs(x) < 5.5, [0, -1, 0], 0.5),
        shape: [V, 3],
      },
      shapes_matrix_tongue: { data: shapeBasis(r, tongue, v.tongueShapes, 1.0, 0.3), shape: [v.tongueShapes, T, 3] },
      shapes_mean_tongue: { data: tongue, shape: [T, 3] },
      neutral_jaw: { data: Float32Array.of(0, -9, 7, 2.5, -8.5, 6, -2.5, -8.5, 6, 4.5, -7, 3, -4.5, -7, 3), shape: [5, 3] },
      saccade_rot_matrix: { data: saccades(r), shape: [SACCADE_FRAMES, 2] },
    },
    { deflate: new Set(['neutral_jaw', 'saccade_rot_matrix']) },
  );

  const frames = SHOTS.reduce((n, [, size]) => n + size, 0);
  writeNpz(
    join(dir, 'implicit_emo_db.npz'),
    {
      emo_db: { data: Float32Array.from({ length: frames * IMPLICIT_LEN }, () => r.range(-1, 1)), shape: [frames, IMPLICIT_LEN] },
      emo_spec_names: { data: SHOTS.map(([n]) => n), shape: [SHOTS.length] },
      emo_spec_start: {
        data: Int32Array.from(SHOTS.map((_, i) => SHOTS.slice(0, i).reduce((n, [, s]) => n + s, 0))),
        shape: [SHOTS.length],
      },
      emo_spec_size: { data: Int32Array.from(SHOTS.map(([, s]) => s)), shape: [SHOTS.length] },
    },
    { deflate: true },
  );

  const rig = (neutral, poses, centreOf, sigma, amp, extra) => {
    const n = neutral.length / 3;
    const arrays = { poseNames: { data: ['neutral', ...poses], shape: [poses.length + 1] }, neutral: { data: neutral, shape: [n, 3] } };
    for (const name of poses) {
      const d = new Float32Array(neutral.length);
      bump(d, 0, neutral, centreOf(name), sigma, randomDir(r), amp);
      arrays[name] = { data: d, shape: [n, 3] };
    }
    return { ...arrays, ...extra };
  };
  // Frontal mask: the vertices facing forward (the SDK's Mark mask keeps 10 085 of 61 520).
  const frontal = [];
  for (let i = 0; i < V; i++) if (skin[3 * i + 2] > 6) frontal.push(i);
  const rigVersion = variant === 'mark' ? { rig_version: { data: ['1.0'], shape: [] } } : {};
  writeNpz(
    join(dir, 'bs_skin.npz'),
    rig(skin, SKIN_POSES, (n) => poseCentre(n, r), 2.0, 0.8, {
      frontalMask: { data: Int32Array.from(frontal), shape: [frontal.length] },
      ...rigVersion,
    }),
  );
  writeNpz(
    join(dir, 'bs_tongue.npz'),
    rig(tongue, TONGUE_POSES, () => [r.range(-1.5, 1.5), -5.5, r.range(5, 8)], 1.0, 0.4, {}),
    { deflate: true },
  );

  put('bs_skin_config.json', json(skinSolverConfig()));
  put('bs_tongue_config.json', json(tongueSolverConfig()));
  put('model_config.json', json({ config: MARK_CONFIG }));
  put(
    'network_info.json',
    json({
      id: { type: 'regression', actor: v.actor, version: v.version, output: 'geometry' },
      params: {
        implicit_emotion_len: IMPLICIT_LEN,
        explicit_emotions: EXPLICIT_EMOTIONS,
        default_emotion: EXPLICIT_EMOTIONS.map(() => 0.0),
        num_shapes_skin: v.skinShapes,
        num_shapes_tongue: v.tongueShapes,
        num_verts_skin: V,
        num_verts_tongue: T,
        result_jaw_size: JAW_SIZE,
        result_eyes_size: EYES_SIZE,
      },
      audio_params: AUDIO,
    }),
  );
  // deploy.py's model.json, written on Windows (CRLF): 484 bytes for Mark's file names (docs/nvidia/pack-format.md#model-index).
  put(
    'model.json',
    json({
      networkInfoPath: 'network_info.json',
      networkPath: 'network.trt',
      modelConfigPath: 'model_config.json',
      modelDataPath: 'model_data.npz',
      emotionDatabasePath: 'implicit_emo_db.npz',
      blendshapePaths: {
        skin: { config: 'bs_skin_config.json', data: 'bs_skin.npz' },
        tongue: { config: 'bs_tongue_config.json', data: 'bs_tongue.npz' },
      },
    }).replace(/\n/g, '\r\n'),
  );
  // train_regression.py export_trt_info; the "defaults" values are the NIM's (min 1 / opt 10 / max 128), not verified for HF.
  put(
    'trt_info.json',
    json({
      trt_build_param: {
        cuda_in_graphics: ['--memPoolSize=tacticSharedMem:0.046875'],
        batch: [
          `--minShapes=input:1x1x${AUDIO.buffer_len},emotion:1x1x${emotionLen}`,
          `--maxShapes=input:{MAX_BATCH_SIZE}x1x${AUDIO.buffer_len},emotion:{MAX_BATCH_SIZE}x1x${emotionLen}`,
          `--optShapes=input:{OPT_BATCH_SIZE}x1x${AUDIO.buffer_len},emotion:{OPT_BATCH_SIZE}x1x${emotionLen}`,
        ],
      },
      defaults: { MAX_BATCH_SIZE: 128, OPT_BATCH_SIZE: 10 },
    }),
  );
  put('config.json', ''); // HF ships an empty config.json
  // Last, so a swapped-in network leaves every other file's bytes as they were.
  put(
    'network.onnx',
    makeNetwork
      ? makeNetwork({ skinShapes: v.skinShapes, tongueShapes: v.tongueShapes, emotionLen, resultLen })
      : network(r, emotionLen, resultLen),
  );

  for (const name of readdirSync(dir).sort()) {
    const bytes = readFileSync(join(dir, name));
    files[name] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }
  return { dir, variant, sizes: { ...v, emotionLen, resultLen }, files };
}

/** A slow random walk of small eye angles (degrees), 5000 frames × (x, y). */
function saccades(r) {
  const out = new Float32Array(SACCADE_FRAMES * 2);
  let x = 0,
    y = 0;
  for (let f = 0; f < SACCADE_FRAMES; f++) {
    if (r.next() < 0.03) {
      x = r.range(-1.5, 1.5);
      y = r.range(-2, 2);
    }
    out[2 * f] = x;
    out[2 * f + 1] = y;
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opt = (name, def) => {
    const i = args.indexOf(name);
    return i >= 0 ? args.splice(i, 2)[1] : def;
  };
  const variant = opt('--variant', 'mark');
  const seed = Number(opt('--seed', '1'));
  const full = args.includes('--full-size');
  const out = args.find((a) => !a.startsWith('--'));
  if (!out || !Number.isInteger(seed)) {
    console.error('usage: node models/nvidia/make-mini-pack.mjs <outDir> [--variant mark|claire] [--seed N] [--full-size]');
    process.exit(2);
  }
  const made = makeMiniPack(out, { variant, seed, sizes: full ? FULL_SIZE : {} });
  for (const [name, f] of Object.entries(made.files)) console.log(`${String(f.size).padStart(10)}  ${f.sha256.slice(0, 12)}  ${name}`);
  console.log(`${made.variant} pack written to ${made.dir}`);
}
