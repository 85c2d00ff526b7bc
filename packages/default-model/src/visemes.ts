// Post-processing for the embedded default model (models/default): 15 Oculus viseme activations
// per frame → ARKit blendshape weights, a jaw joint, resting eyes and procedural blinks. The table
// that maps visemes to shapes is data (templates/visemes/oculus-to-arkit.json, rationale in
// templates/visemes/README.md) so studios can retune mouth shapes without touching code.
import {
  DEFAULT_BLINK_INTERVAL_SECONDS,
  ARKIT_BLENDSHAPES,
  TONGUE_BLENDSHAPES,
  blinkCurveStream,
  createFaceAnimation,
  halfLifeAlpha,
  quatFromAxisAngle,
} from '@a2f/animation';
import type { FaceAnimation, Provenance, Rational } from '@a2f/animation';
import { checkJson, expects, type JsonIssue, jsonObject } from '@a2f/base';
import { InferenceError } from '@a2f/inference';
import * as v from 'valibot';

/** The 15 Oculus visemes the default model emits, in output order. */
export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'I', 'O', 'U'] as const;

export interface VisemeTable {
  /** viseme → { ARKit blendshape name → weight at full activation } */
  readonly visemes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** degrees the jaw joint opens (about local +X) at jawOpen = 1 */
  readonly jawOpenDegrees: number;
  /** two-stage smoothing half-life in seconds */
  readonly smoothingHalfLife: number;
}

export interface VisemePostprocessOptions {
  fps: Rational;
  table: VisemeTable;
  provenance: Provenance;
  /** seed of the procedural blink track */
  seed?: number;
  /** mean seconds between procedural blinks (default 3.5, blinkCurve's); 0 turns blinks off and holds eyeBlink* at 0 */
  blinkIntervalSeconds?: number;
}

/** Blendshape channels of the result: the 52 ARKit shapes (A2F order), then the 16 tongue shapes. */
export const VISEME_CHANNELS: readonly string[] = [...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES];
const CHANNELS = VISEME_CHANNELS;
const ARKIT_INDEX = new Map<string, number>(ARKIT_BLENDSHAPES.map((name, i) => [name, i]));

/** Joint channels written: the jaw rotates with jawOpen; the eyes stay at rest (see below). */
export const VISEME_JOINTS: readonly string[] = ['jaw', 'eye_L', 'eye_R'];
const JOINTS = VISEME_JOINTS;

/**
 * Network output (frames × 15 viseme activations) → FaceAnimation with 52 ARKit + 16 tongue channels and jaw/eye joints.
 *
 * - Weights: per frame Σ_v activation_v · table[v], clamped to [0, 1]; then A2F's two-stage
 *   exponential smoother with the table's half-life (the model's per-window output is frame-wise
 *   independent, so it jitters between neighbouring visemes without it).
 * - Tongue channels stay 0: the model hears visemes, not tongue positions.
 * - eyeBlinkLeft/Right: a seeded procedural blink track (A2F networks do not blink either; the SDK
 *   leaves blinks to the caller), combined with any table weight by max.
 * - Joint `jaw`: rotation about its local +X by jawOpen · jawOpenDegrees. Positive opens the mouth
 *   on a Y-up, +Z-forward face: the right-hand rule turns the chin (at +Z in front of the hinge)
 *   towards −Y. The rotation is relative to the joint's rest pose, like every JointTrack.
 * - Joints `eye_L`, `eye_R`: identity. Audio carries no gaze information; a fabricated saccade
 *   track would fight any gaze the animator or an emotion layer adds, so the eyes rest.
 */
export function visemesToFace(visemes: Float32Array, frameCount: number, opts: VisemePostprocessOptions): FaceAnimation {
  const V = VISEMES.length;
  if (!Number.isInteger(frameCount) || frameCount < 0)
    throw new RangeError(`visemesToFace: frameCount ${frameCount} must be a non-negative integer`);
  if (visemes.length !== frameCount * V) {
    throw new RangeError(`visemesToFace: expected ${frameCount} frames × ${V} visemes = ${frameCount * V} values, got ${visemes.length}`);
  }
  return visemeTrack(opts)(visemes);
}

/**
 * visemesToFace fed a few frames at a time, in order (a live stream, docs/live-engine.md): every
 * step is causal (the mix, the smoother's state, the blink curve, the jaw), so the calls together
 * equal visemesToFace on all their frames. Each call returns the animation of the frames it got.
 */
export function visemeTrack(opts: VisemePostprocessOptions): (visemes: Float32Array) => FaceAnimation {
  const V = VISEMES.length;
  const { fps, table } = opts;
  const blinkInterval = opts.blinkIntervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS;
  if (!(blinkInterval >= 0 && Number.isFinite(blinkInterval))) {
    throw new RangeError(`visemesToFace: blinkIntervalSeconds ${blinkInterval} must be a finite number ≥ 0 (0 = no blinks)`);
  }
  const seed = opts.seed ?? 0;

  // Dense [viseme × 52] matrix, so the per-frame mix is a small matrix product.
  const K = ARKIT_BLENDSHAPES.length;
  const mix = new Float32Array(V * K);
  VISEMES.forEach((v, vi) => {
    for (const [name, w] of Object.entries(table.visemes[v] ?? {})) {
      const c = ARKIT_INDEX.get(name);
      if (c === undefined)
        throw new Error(`visemesToFace: table row "${v}" names "${name}", not an ARKit blendshape (validate tables with parseVisemeTable)`);
      mix[vi * K + c] = w;
    }
  });

  const provenance: Provenance = {
    ...opts.provenance,
    parameters: {
      ...opts.provenance.parameters,
      visemes: {
        seed,
        blinkIntervalSeconds: blinkInterval,
        smoothingHalfLife: table.smoothingHalfLife,
        jawOpenDegrees: table.jawOpenDegrees,
      },
      blinks: blinkInterval === 0 ? 'off' : { seed, intervalSeconds: blinkInterval },
    },
  };
  const C = CHANNELS.length;
  const alpha = halfLifeAlpha(table.smoothingHalfLife, fps);
  // smoothColumns' two stages, carried from call to call (float32, as it keeps them).
  const s1 = new Float32Array(C);
  const s2 = new Float32Array(C);
  let started = false;
  const blinks = blinkInterval === 0 ? null : blinkCurveStream({ fps, seed, intervalSeconds: blinkInterval });
  const jawOpen = ARKIT_INDEX.get('jawOpen') as number;
  const radiansPerUnit = (table.jawOpenDegrees * Math.PI) / 180;

  return (visemes) => {
    if (visemes.length % V !== 0) throw new RangeError(`visemesToFace: ${visemes.length} values are not whole frames of ${V} visemes`);
    const frameCount = visemes.length / V;
    const anim = createFaceAnimation({ fps, frameCount, channels: CHANNELS, joints: JOINTS, provenance });
    const w = anim.weights;
    for (let f = 0; f < frameCount; f++) {
      for (let vi = 0; vi < V; vi++) {
        const a = visemes[f * V + vi];
        if (a === 0) continue;
        for (let c = 0; c < K; c++) w[f * C + c] += a * mix[vi * K + c];
      }
      for (let c = 0; c < K; c++) w[f * C + c] = Math.min(1, Math.max(0, w[f * C + c]));
    }
    // Smoothing a [0,1] signal with non-negative, unit-gain filters stays inside [0,1]. The first
    // frame of the line sets the state, so a constant signal passes unchanged (smoothColumns).
    if (alpha < 1 && frameCount > 0) {
      let f = 0;
      if (!started) {
        s1.set(w.subarray(0, C));
        s2.set(w.subarray(0, C));
        started = true;
        f = 1;
      }
      for (; f < frameCount; f++) {
        const row = f * C;
        for (let c = 0; c < C; c++) {
          s1[c] += (w[row + c] - s1[c]) * alpha;
          s2[c] += (s1[c] - s2[c]) * alpha;
          w[row + c] = s2[c];
        }
      }
    }

    // Blinks off means the eyes never close: a custom table's eyeBlink weight is held at 0 too.
    const blink = blinks ? blinks(frameCount) : null;
    for (const name of ['eyeBlinkLeft', 'eyeBlinkRight']) {
      const c = ARKIT_INDEX.get(name) as number;
      for (let f = 0; f < frameCount; f++) w[f * C + c] = blink ? Math.max(w[f * C + c], blink[f]) : 0;
    }

    const jaw = anim.joints[0];
    for (let f = 0; f < frameCount; f++) {
      jaw.rotations.set(quatFromAxisAngle([1, 0, 0], w[f * C + jawOpen] * radiansPerUnit), f * 4);
    }
    return anim;
  };
}

const weight = expects(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(1)), 'a number in [0, 1]');
const ROW = jsonObject(Object.fromEntries(ARKIT_BLENDSHAPES.map((name) => [name, v.optional(weight)])), 'an object');
const TABLE_KEYS = ['visemes', 'jawOpenDegrees', 'smoothingHalfLife', 'description', 'reference', 'format'];
const TABLE = jsonObject({
  jawOpenDegrees: expects(v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(90)), 'a number of degrees in [0, 90]'),
  smoothingHalfLife: expects(
    v.pipe(v.number(), v.finite(), v.minValue(0), v.maxValue(10)),
    'a number of seconds in [0, 10] (0 = no smoothing)',
  ),
  visemes: jsonObject(Object.fromEntries(VISEMES.map((name) => [name, ROW])), 'an object'),
  description: v.optional(v.unknown()),
  reference: v.optional(v.unknown()),
  format: v.optional(v.unknown()),
});

/** What is wrong at a place in the table, worded for a table author. */
function tableProblem(i: JsonIssue): string {
  const at = `"${i.field}"`;
  if (i.keys.length === 0) return `not a JSON object, found ${i.foundText}`;
  if (i.unknownKey) {
    if (i.keys.length === 1) return `unknown key ${at} (allowed: ${TABLE_KEYS.join(', ')})`;
    if (i.keys.length === 2) return `${at} is not an Oculus viseme (use ${VISEMES.join(', ')})`;
    return `${at} is not an ARKit blendshape name (lowerCamelCase, e.g. jawOpen, mouthPucker)`;
  }
  if (i.missing && i.keys[0] === 'visemes' && i.keys.length === 2) return `${at} is missing (give every viseme a row; {} means neutral)`;
  return `${at} must be ${i.expected}, found ${i.foundText}`;
}

/** Validates a viseme table read from JSON; `origin` names the file in errors. */
export function parseVisemeTable(json: unknown, origin: string): VisemeTable {
  const table = checkJson(
    TABLE,
    json,
    (i) =>
      new InferenceError(
        'PACK_FIELD',
        origin,
        `invalid viseme table: ${tableProblem(i)}`,
        `Expected {"visemes": {${VISEMES.map((name) => `"${name}"`).join(', ')}: {arkitName: weight 0..1}}, ` +
          '"jawOpenDegrees": number, "smoothingHalfLife": seconds} (the default model\'s oculus-to-arkit.json is one)',
      ),
  );
  const visemes: Record<string, Record<string, number>> = {};
  for (const name of VISEMES) {
    visemes[name] = Object.fromEntries(Object.entries(table.visemes[name]).filter((e): e is [string, number] => typeof e[1] === 'number'));
  }
  return { visemes, jawOpenDegrees: table.jawOpenDegrees, smoothingHalfLife: table.smoothingHalfLife };
}
