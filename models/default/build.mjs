#!/usr/bin/env node
// Builds the embedded default model (models/default/model.onnx + pack.json) from HeadAudio's
// Gaussian-prototype viseme classifier (@met4citizen/headaudio 0.1.0, MIT, dist/model-en-mixed.bin).
//
//   node models/default/build.mjs              # rewrites models/default/{model.onnx,pack.json}
//   node models/default/build.mjs --out DIR    # writes DIR/{model.onnx,pack.json} (tests build into a temp dir)
//
// The whole HeadAudio feature pipeline and classifier are expressed as standard ONNX ops (opset 17)
// so the model runs through the same inference core as the NVIDIA packs. Every constant is computed
// here in float64 from HeadAudio's source formulas and rounded once to float32; the writer
// (models/lib/onnx.mjs) is deterministic, so the output is byte-for-byte reproducible.
// models/README.md documents the derivation and every deviation from HeadAudio's streaming runtime.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GraphBuilder } from '../lib/onnx.mjs';

const here = dirname(fileURLToPath(import.meta.url));

// ---------------------------------------------------------------------------------------------
// Contract (models/default/pack.json; the inference core cuts windows exactly like A2F v2.3).
export const SAMPLE_RATE = 16000;
export const BUFFER_LENGTH = 8320;
export const BUFFER_OFFSET = 4160;
/** Output order of `visemes` (Oculus viseme chart order, as packages/inference VISEMES). */
export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'I', 'O', 'U'];

// ---------------------------------------------------------------------------------------------
// HeadAudio 0.1.0 constants (modules/parameters.mjs, mfcc.mjs, processor.mjs, classifier.mjs).
export const HEADAUDIO = Object.freeze({
  package: '@met4citizen/headaudio',
  version: '0.1.0',
  modelFile: 'dist/model-en-mixed.bin',
  /** sha256 of the 14,352-byte model file: the build refuses any other input. */
  modelSha256: '0358f68989b5861f9b7d18871b010fa6cbf88a53bda4954a954d8c548bbcf251',
  preemphasis: 0.97,
  filterTaps: 32, // AUDIO_DOWNSAMPLE_FILTER_N
  filterCutoff: 0.45, // designPolyphaseFilter: cycles per sample
  frameLength: 512, // MFCC_SAMPLES_N
  hop: 256, // MFCC_SAMPLES_HOP
  melBands: 40, // MFCC_MEL_BANDS_N
  melLowHz: 30,
  melHighHz: 7800,
  speakerMeanHz: 150, // default → mel warp factor 1
  coefficients: 12, // MFCC_COEFF_N (c1..c12, c0 dropped)
  lifter: 22, // MFCC_LIFTER
  tanhRange: 1.0, // MFCC_COMPRESSION_TANH_R
  logFloor: 1e-10, // log10(x + 1e-10) everywhere
  silSensitivity: 1.2, // Classifier: sil distances are divided by this
  vadActiveLog10: -4.0, // vadGateActiveDb -40 / 10 (gate compares log10 energy)
  vadInactiveLog10: -5.0, // vadGateInactiveDb -50 / 10
  /** viseme ids in the .bin → names (HeadAudio's headaudio.mjs visemeNames order). */
  visemeIds: ['aa', 'E', 'I', 'O', 'U', 'PP', 'SS', 'TH', 'DD', 'FF', 'kk', 'nn', 'RR', 'CH', 'sil'],
  recordBytes: 368, // 2 header words + 12 mean + 78 lower-triangular inverse covariance, float32
});

// ---------------------------------------------------------------------------------------------
// Our per-window choices (the deviations from HeadAudio's streaming runtime; see models/README.md).
export const DESIGN = Object.freeze({
  /** Frames (512 samples each) centred at window centre + k·hop. */
  frameOffsets: [-2, -1, 0, 1, 2],
  /** Triangular pooling weights over those frames (sum 1): the centre frame counts most. */
  frameWeights: [1 / 9, 2 / 9, 3 / 9, 2 / 9, 1 / 9],
  /**
   * Posterior sharpness: p(prototype) ∝ exp(−β·d²), d² the (sil-scaled) Mahalanobis distance, so
   * the arg-max is exactly HeadAudio's nearest-prototype decision (no log-determinant term, as
   * HeadAudio). β = 1/2 would be the Gaussian posterior; the prototypes overlap so much (nearest
   * distances differ by 0.1–2) that it blends every mouth shape into mush. HeadAudio itself is a
   * hard arg-min plus a vote; β = 4 is nearly that (a 0.25 gap in d² is a factor e) while near-ties
   * still blend smoothly. models/README.md lists the probe responses for β = 1, 2, 4.
   */
  beta: 4,
  /**
   * Soft VAD: g = sigmoid(k·(log10 E − centre)). A stateless model cannot have HeadAudio's
   * hysteresis (on above −40 dB, off below −50 dB on its log10-power scale), so the gate is centred
   * on the on-threshold: a frame counts as speech when it is loud enough for HeadAudio to start
   * speaking. g = 0.05 at −4.5 and 0.95 at −3.5.
   */
  gateCentreLog10: -4.0,
  gateSlope: 2 * Math.log(19),
});

const F32 = (n) => new Float32Array(n);

/** The HeadAudio .bin path inside node_modules (root devDependency). */
export function headAudioModelPath() {
  const require = createRequire(import.meta.url);
  const pkg = require.resolve(`${HEADAUDIO.package}/package.json`);
  return join(dirname(pkg), HEADAUDIO.modelFile);
}

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Decodes HeadAudio's record format (training.mjs decodeBinaryRecord): big-endian packed phoneme
 * code points, group byte 5, viseme byte 7, then little-endian float32 mu[12] and the row-major
 * lower triangle of the inverse covariance (78 values).
 */
export function decodePrototypes(bytes) {
  const n = HEADAUDIO.coefficients;
  const tri = (n * (n + 1)) / 2;
  if (bytes.length % HEADAUDIO.recordBytes !== 0) {
    throw new Error(`HeadAudio model: ${bytes.length} bytes is not a whole number of ${HEADAUDIO.recordBytes}-byte records`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let pos = 0; pos < bytes.length; pos += HEADAUDIO.recordBytes) {
    const packed = view.getUint32(pos, false);
    const ph1 = packed >>> 16;
    const ph2 = packed & 0xffff;
    const phoneme = ph2 === 0 ? String.fromCodePoint(ph1) : String.fromCodePoint(ph1, ph2);
    const visemeId = view.getUint8(pos + 7);
    const viseme = HEADAUDIO.visemeIds[visemeId];
    if (!viseme) throw new Error(`HeadAudio model: record ${out.length} has viseme id ${visemeId}`);
    const mu = Array.from({ length: n }, (_, i) => view.getFloat32(pos + 8 + 4 * i, true));
    const lower = Array.from({ length: tri }, (_, i) => view.getFloat32(pos + 8 + 4 * n + 4 * i, true));
    out.push({ phoneme, viseme, mu, lower });
  }
  return out;
}

/** Full symmetric matrix from HeadAudio's packed lower triangle (row i holds columns 0..i). */
function unpackSymmetric(lower, n) {
  const m = Array.from({ length: n }, () => new Float64Array(n));
  let k = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      m[i][j] = lower[k];
      m[j][i] = lower[k];
      k++;
    }
  return m;
}

/** Cholesky factor L (lower) with P = L·Lᵀ, in float64. Throws if P is not positive definite. */
function cholesky(p, label) {
  const n = p.length;
  const l = Array.from({ length: n }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = p[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) throw new Error(`HeadAudio prototype ${label}: inverse covariance is not positive definite`);
        l[i][i] = Math.sqrt(s);
      } else l[i][j] = s / l[j][j];
    }
  }
  return l;
}

/** HeadAudio's 32-tap Hamming-windowed sinc at phase 0 (what its resampler applies at 16 kHz input). */
export function lowpassTaps() {
  const n = HEADAUDIO.filterTaps;
  const mid = (n - 1) / 2;
  const fc = HEADAUDIO.filterCutoff;
  return Array.from({ length: n }, (_, i) => {
    const x = i - mid; // never 0 for an even tap count
    const h = x === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * x) / (Math.PI * x);
    // HeadAudio stores the taps in a Float32Array: round the same way.
    return Math.fround(h * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (n - 1))));
  });
}

/** HeadAudio's triangular mel filterbank over the first N/2 bins (mfcc.mjs _buildMelFilterbank). */
export function melFilterbank() {
  const { frameLength: N, melBands: B, melLowHz, melHighHz, speakerMeanHz } = HEADAUDIO;
  const warp = Math.min(Math.max(speakerMeanHz / 150, 0.6), 1.8);
  const mel = (f) => 2595 * Math.log10(1 + f / 700);
  const melInv = (m) => 700 * (10 ** (m / 2595) - 1);
  const lo = mel(melLowHz);
  const range = mel(melHighHz) - lo;
  // HeadAudio keeps the mel points in a Float32Array before flooring them to bins.
  const points = Array.from({ length: B + 2 }, (_, i) => {
    const m = lo + (range / (B + 1)) * i;
    return Math.fround(melInv(lo + (m - lo) * warp));
  });
  const bin = points.map((f) => Math.floor((f / SAMPLE_RATE) * N));
  const fb = Array.from({ length: B }, () => new Float64Array(N / 2));
  for (let i = 0; i < B; i++) {
    for (let k = bin[i]; k < bin[i + 1]; k++) fb[i][k] = Math.fround((k - bin[i]) / (bin[i + 1] - bin[i]));
    for (let k = bin[i + 1]; k < bin[i + 2]; k++) fb[i][k] = Math.fround((bin[i + 2] - k) / (bin[i + 2] - bin[i + 1]));
  }
  return fb;
}

/** The HeadAudio frame window (Hamming, symmetric, as a Float32Array there). */
export function hammingWindow() {
  const N = HEADAUDIO.frameLength;
  return Array.from({ length: N }, (_, i) => Math.fround(0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (N - 1))));
}

/** Where frame k of a window starts, in window-local samples of the filtered signal (see below). */
export function frameStart(k) {
  // HeadAudio's filter output y[m] = Σ_j h[j]·e[m−31+j] is centred on input sample m − 15.5, so a
  // frame y[s .. s+511] is centred on input sample s + 240. Centring frame k on window centre +
  // k·hop gives s = centre − 240 + k·hop. Its centre is 0.5 sample off the window centre: the
  // filter's delay is half-integer.
  return BUFFER_OFFSET - (HEADAUDIO.frameLength / 2 - HEADAUDIO.filterTaps / 2) + k * HEADAUDIO.hop;
}

/**
 * Builds the ONNX graph. `debug: true` adds the intermediate tensors as extra outputs (used by the
 * parity tests only; the committed model has just `visemes`).
 */
export function buildGraph(prototypes, { debug = false, design = DESIGN } = {}) {
  const { frameLength: N, coefficients: C, melBands: B, filterTaps: T } = HEADAUDIO;
  const bins = N / 2;
  const P = prototypes.length;
  const V = VISEMES.length;
  const { frameOffsets, frameWeights, beta, gateCentreLog10, gateSlope } = design;
  const F = frameOffsets.length;
  if (frameWeights.length !== F) throw new Error('DESIGN.frameWeights must match DESIGN.frameOffsets');

  const g = new GraphBuilder('a2f_default_visemes');
  const input = g.input('input', ['batch', 1, BUFFER_LENGTH]);

  // 1. The part of the window the frames need: pre-emphasis needs one sample before the filter's
  //    31-sample history of the first frame; the last frame ends at its start + 512.
  const starts = frameOffsets.map(frameStart);
  const lo = Math.min(...starts) - (T - 1) - 1;
  const hi = Math.max(...starts) + N;
  if (lo < 0 || hi > BUFFER_LENGTH) throw new Error(`frames need window samples [${lo}, ${hi}) outside [0, ${BUFFER_LENGTH})`);
  const flat = g.node('Reshape', [input, g.ints('shape_b_window', [-1, BUFFER_LENGTH])]);
  const segment = g.node('Slice', [flat, g.ints('seg_lo', [lo]), g.ints('seg_hi', [hi]), g.ints('seg_axis', [1])]);
  const L = hi - lo;

  // 2. Pre-emphasis e[n] = x[n] − 0.97·x[n−1] (HeadAudio applies it before its resampler).
  const cur = g.node('Slice', [segment, g.ints('pe_lo', [1]), g.ints('pe_hi', [L]), g.ints('pe_axis', [1])]);
  const prev = g.node('Slice', [segment, g.ints('pe_lo', [0]), g.ints('pe_hi', [L - 1]), g.ints('pe_axis', [1])]);
  const emph = g.node('Sub', [cur, g.node('Mul', [prev, g.scalar('preemphasis', HEADAUDIO.preemphasis)])]);

  // 3. HeadAudio's resampler FIR (phase 0 at 16 kHz in): Conv is cross-correlation, so tap j
  //    multiplies e[i + j], i.e. output i = y[lo + 1 + i + 31] in window coordinates.
  const taps = lowpassTaps();
  const conv = g.node('Conv', [
    g.node('Unsqueeze', [emph, g.ints('axis1', [1])]),
    g.const('lowpass_taps', [1, 1, T], Float32Array.from(taps)),
  ]);
  const filtered = g.node('Reshape', [conv, g.ints('shape_b_samples', [-1, L - T])]);

  // 4. Framing: one Gather with a [frames, 512] index table → [batch, frames, 512].
  const idx = new BigInt64Array(F * N);
  for (let f = 0; f < F; f++) for (let t = 0; t < N; t++) idx[f * N + t] = BigInt(starts[f] + t - (lo + T));
  const frames = g.node('Gather', [filtered, g.const('frame_index', [F, N], idx)], 1, { axis: 1 });

  // 5. Hamming window × real DFT as one MatMul: columns 0..255 = cos, 256..511 = −sin, both scaled
  //    by 1/√N so that re² + im² is HeadAudio's power (|X_k|² / N). Bins 0..N/2−1, as HeadAudio.
  const ham = hammingWindow();
  const dft = F32(N * 2 * bins);
  const scale = 1 / Math.sqrt(N);
  for (let t = 0; t < N; t++) {
    for (let k = 0; k < bins; k++) {
      const phase = (2 * Math.PI * ((t * k) % N)) / N;
      dft[t * 2 * bins + k] = ham[t] * Math.cos(phase) * scale;
      dft[t * 2 * bins + bins + k] = -ham[t] * Math.sin(phase) * scale;
    }
  }
  const spectrum = g.node('MatMul', [frames, g.const('hamming_dft', [N, 2 * bins], dft)]);
  const sq = g.node('Mul', [spectrum, spectrum]);
  const re2 = g.node('Slice', [sq, g.ints('re_lo', [0]), g.ints('re_hi', [bins]), g.ints('last_axis', [-1])]);
  const im2 = g.node('Slice', [sq, g.ints('im_lo', [bins]), g.ints('im_hi', [2 * bins]), g.ints('last_axis', [-1])]);
  const power = g.node('Add', [re2, im2]); // [batch, frames, 256]

  // 6. Log10 frame energy (HeadAudio's VAD input): log10(Σ power + 1e-10).
  const floor = g.scalar('log_floor', HEADAUDIO.logFloor);
  const invLn10 = g.scalar('inv_ln10', 1 / Math.LN10);
  const energy = g.node('ReduceSum', [power, g.ints('axis_last', [-1])], 1, { keepdims: 1 }); // [b, f, 1]
  const logEnergy = g.node('Mul', [g.node('Log', [g.node('Add', [energy, floor])]), invLn10]);

  // 7. Mel filterbank, log10, then DCT-II rows 1..12 × lifter (1/ln10 folded into the DCT matrix).
  const fb = melFilterbank();
  const melMat = F32(bins * B);
  for (let k = 0; k < bins; k++) for (let m = 0; m < B; m++) melMat[k * B + m] = fb[m][k];
  const mel = g.node('MatMul', [power, g.const('mel_filterbank', [bins, B], melMat)]);
  const lnMel = g.node('Log', [g.node('Add', [mel, floor])]);
  const dctMat = F32(B * C);
  for (let i = 1; i <= C; i++) {
    const lift = 1 + (HEADAUDIO.lifter / 2) * Math.sin((Math.PI * i) / HEADAUDIO.lifter);
    for (let j = 0; j < B; j++) {
      dctMat[j * C + (i - 1)] = (Math.sqrt(2 / B) * Math.cos((Math.PI * i * (j + 0.5)) / B) * lift) / Math.LN10;
    }
  }
  const cepstrum = g.node('MatMul', [lnMel, g.const('dct_lifter', [B, C], dctMat)]);

  // 8. Tanh compression v = R·tanh(c / R) (R = 1): HeadAudio's feature vector, [batch, frames, 12].
  const R = HEADAUDIO.tanhRange;
  const features =
    R === 1
      ? g.node('Tanh', [cepstrum])
      : g.node('Mul', [g.node('Tanh', [g.node('Mul', [cepstrum, g.scalar('inv_tanh_r', 1 / R)])]), g.scalar('tanh_r', R)]);

  // 9. Mahalanobis distance to each prototype: d² = (v−μ)ᵀ Σ⁻¹ (v−μ) = ‖Lᵀ(v−μ)‖² with Σ⁻¹ = L·Lᵀ
  //    (the factored form avoids the cancellation of the expanded quadratic). HeadAudio divides sil
  //    distances by silSensitivity: folded in as L/√1.2.
  const mu = F32(P * C);
  const factors = F32(P * C * C);
  prototypes.forEach((p, q) => {
    const l = cholesky(unpackSymmetric(p.lower, C), `${q} (${p.phoneme})`);
    const s = p.viseme === 'sil' ? 1 / Math.sqrt(HEADAUDIO.silSensitivity) : 1;
    for (let i = 0; i < C; i++) {
      mu[q * C + i] = p.mu[i];
      for (let j = 0; j < C; j++) factors[(q * C + i) * C + j] = l[i][j] * s;
    }
  });
  const v5 = g.node('Unsqueeze', [features, g.ints('axes_2_3', [2, 3])]); // [b, f, 1, 1, 12]
  const diff = g.node('Sub', [v5, g.const('proto_mean', [P, 1, C], mu)]); // [b, f, P, 1, 12]
  const z = g.node('MatMul', [diff, g.const('proto_precision_factor', [P, C, C], factors)]); // [b, f, P, 1, 12]
  const dist = g.node('ReduceSum', [g.node('Mul', [z, z]), g.ints('axes_3_4', [3, 4])], 1, { keepdims: 0 }); // [b, f, P]

  // 10. Soft classification: softmax over prototypes of −β·d², summed per viseme (one-hot MatMul).
  const post = g.node('Softmax', [g.node('Mul', [dist, g.scalar('neg_beta', -beta)])], 1, { axis: -1 });
  const onehot = F32(P * V);
  prototypes.forEach((p, q) => {
    onehot[q * V + VISEMES.indexOf(p.viseme)] = 1;
  });
  const frameVis = g.node('MatMul', [post, g.const('prototype_to_viseme', [P, V], onehot)]); // [b, f, 15]

  // 11. Soft energy gate: gated = sil + g·(visemes − sil), g = sigmoid(k·(log10 E − centre)).
  const gate = g.node('Sigmoid', [
    g.node('Mul', [g.node('Sub', [logEnergy, g.scalar('gate_centre', gateCentreLog10)]), g.scalar('gate_slope', gateSlope)]),
  ]);
  const sil = F32(V);
  sil[VISEMES.indexOf('sil')] = 1;
  const silVec = g.const('sil_onehot', [V], sil);
  const gated = g.node('Add', [silVec, g.node('Mul', [gate, g.node('Sub', [frameVis, silVec])])]);

  // 12. Stateless temporal pooling: weighted mean over the frames → [batch, 1, 15].
  const w = g.const('frame_weights', [F, 1], Float32Array.from(frameWeights));
  g.node('ReduceSum', [g.node('Mul', [gated, w]), g.ints('axis1', [1])], 'visemes', { keepdims: 1 });
  g.output('visemes', ['batch', 1, V]);

  if (debug) {
    const out = (name, t, dims) => {
      g.node('Identity', [t], name);
      g.output(name, dims);
    };
    out('debug_log_energy', g.node('Squeeze', [logEnergy, g.ints('axis_last', [-1])]), ['batch', F]);
    out('debug_features', features, ['batch', F, C]);
    out('debug_distances', dist, ['batch', F, P]);
    out('debug_frame_visemes', frameVis, ['batch', F, V]);
    out('debug_gate', g.node('Squeeze', [gate, g.ints('axis_last', [-1])]), ['batch', F]);
  }
  return g;
}

/** Builds model bytes and the manifest from a HeadAudio .bin. */
export function buildDefaultModel({ modelPath = headAudioModelPath(), debug = false, design = DESIGN } = {}) {
  const bin = readFileSync(modelPath);
  const binSha = sha256(bin);
  if (HEADAUDIO.modelSha256 && binSha !== HEADAUDIO.modelSha256) {
    throw new Error(
      `${modelPath}: sha256 ${binSha} is not HeadAudio ${HEADAUDIO.version}'s ${HEADAUDIO.modelFile} ` +
        `(${HEADAUDIO.modelSha256}); install ${HEADAUDIO.package}@${HEADAUDIO.version}`,
    );
  }
  const prototypes = decodePrototypes(new Uint8Array(bin.buffer, bin.byteOffset, bin.byteLength));
  const graph = buildGraph(prototypes, { debug, design });
  const bytes = graph.toBytes({
    opset: 17,
    producer: 'a2f models/default/build.mjs',
    producerVersion: '1.0.0',
    docString: 'A2F default viseme model: HeadAudio 0.1.0 (MIT) MFCC + Gaussian-prototype classifier as ONNX. See models/README.md.',
    metadata: {
      source: `${HEADAUDIO.package}@${HEADAUDIO.version}/${HEADAUDIO.modelFile}`,
      source_sha256: binSha,
      visemes: VISEMES.join(','),
    },
  });
  return { bytes, prototypes, binSha, manifest: manifestFor(bytes, binSha, prototypes.length, design) };
}

function manifestFor(bytes, binSha, prototypeCount, design) {
  return {
    format: 'a2f-pack/1',
    id: 'a2f-default-visemes',
    name: 'A2F default viseme model (HeadAudio MFCC + Gaussian prototypes)',
    version: '1.0.0',
    license: 'MIT',
    network: 'model.onnx',
    sha256: { 'model.onnx': sha256(bytes) },
    audio: { sampleRate: SAMPLE_RATE, bufferLength: BUFFER_LENGTH, bufferOffset: BUFFER_OFFSET, inputStrength: 1.0 },
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, BUFFER_LENGTH] }],
    outputs: [{ name: 'visemes', type: 'float32', shape: ['batch', 1, VISEMES.length] }],
    // The table lies beside pack.json in @a2f/default-model's assets/, where its build copies both
    // (from templates/visemes and here), so the installed package is a whole pack.
    postprocess: { kind: 'visemes', table: 'oculus-to-arkit.json' },
    provenance: {
      source: `npm ${HEADAUDIO.package}@${HEADAUDIO.version}, file ${HEADAUDIO.modelFile}`,
      sourceSha256: binSha,
      author: 'Mika Suominen (met4citizen), https://github.com/met4citizen/HeadAudio',
      sourceLicense: 'MIT',
      training:
        `${prototypeCount} Gaussian phoneme prototypes over 12 tanh-compressed MFCCs, trained by ` +
        `HeadAudio's author on four Kokoro TTS voices (via HeadTTS) reading Harvard sentences`,
      builtBy: 'models/default/build.mjs',
      rebuild: 'node models/default/build.mjs',
      method:
        'HeadAudio feature pipeline and Mahalanobis classifier re-expressed as ONNX opset ' +
        '17 ops; per-window soft posteriors pooled over 5 frames; soft energy gate to sil',
      outputOrder: VISEMES,
      parameters: { ...design, frameLength: HEADAUDIO.frameLength, hop: HEADAUDIO.hop },
      notes: 'models/README.md',
    },
  };
}

function main(argv) {
  let out = here;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      if (!argv[i + 1]) throw new Error('--out needs a directory');
      out = resolve(argv[++i]);
    } else if (argv[i] === '--help' || argv[i] === '-h') {
      console.log('usage: node models/default/build.mjs [--out DIR]');
      return;
    } else throw new Error(`unknown argument ${argv[i]} (usage: node models/default/build.mjs [--out DIR])`);
  }
  const { bytes, manifest } = buildDefaultModel();
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'model.onnx'), bytes);
  writeFileSync(join(out, 'pack.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`wrote ${join(out, 'model.onnx')} (${bytes.length} bytes, sha256 ${manifest.sha256['model.onnx']}) and pack.json`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
