// Post-processing for a network that predicts articulators (jaw opening, lip closure, rounding,
// tongue tip, …, accent and voice) rather than visemes: a table maps them to ARKit and tongue
// shapes (templates/articulators/articulators-to-arkit.json, rationale and sources in
// templates/articulators/README.md), `voice` gates the mouth so silence rests, and the upper face
// is procedural (./procedural.ts). Everything is causal, so a live stream gets the same frames.
import {
  DEFAULT_BLINK_INTERVAL_SECONDS,
  blinkCurve,
  createFaceAnimation,
  halfLifeAlpha,
  quatFromAxisAngle,
  smoothColumns,
  type FaceAnimation,
  type Provenance,
  type Rational,
} from '@a2f/animation';
import { browTrack, gazeRotation, gazeTrack, speechBlinks, type UpperFaceParameters } from './procedural.js';
import { VISEME_CHANNELS, VISEME_JOINTS } from './visemes.js';

/** The articulators the default model emits, in its output order (pack.json `postprocess.channels` lists them). */
export const ARTICULATORS = [
  'jawOpen',
  'lipClose',
  'lipRound',
  'lipFunnel',
  'lipSpread',
  'lipTuck',
  'tongueTip',
  'tongueDental',
  'burst',
  'accent',
  'voice',
] as const;
export type Articulator = (typeof ARTICULATORS)[number];

/** Blendshape channels of the result: the 52 ARKit shapes (A2F order), then the 16 tongue shapes, as the visemes kind. */
export const ARTICULATOR_CHANNELS: readonly string[] = VISEME_CHANNELS;
/** Joint channels: the jaw opens with jawOpen, the eyes turn with the procedural gaze. */
export const ARTICULATOR_JOINTS: readonly string[] = VISEME_JOINTS;

export interface ArticulatorTable {
  /** articulator → { ARKit or tongue shape → weight in [−1, 1] at articulator value 1 } */
  readonly articulators: Readonly<Record<Articulator, Readonly<Record<string, number>>>>;
  /** degrees the jaw joint opens (about local +X) at jawOpen = 1 */
  readonly jawOpenDegrees: number;
  /** two-stage smoothing half-life in seconds, for the table's shapes */
  readonly smoothingHalfLife: number;
  /** `voice` values [from, to] over which the mouth fades in: 0 below `from`, full from `to` */
  readonly voiceGate: readonly [number, number];
  readonly upperFace: UpperFaceParameters;
}

export interface ArticulatorOptions {
  fps: Rational;
  table: ArticulatorTable;
  provenance: Provenance;
  /** seed of every procedural track (blinks, brows, saccades) */
  seed?: number;
  /** mean seconds between background blinks (blinkCurve's default 3.5); 0 turns all blinks off and holds eyeBlink* at 0 */
  blinkIntervalSeconds?: number;
}

const INDEX = new Map<string, number>(ARTICULATOR_CHANNELS.map((name, i) => [name, i]));
const at = (name: string): number => INDEX.get(name) as number;

/** The gate per frame from `voice`: 0 in silence, 1 in speech, linear in between. */
export function voiceGate(voice: number, [from, to]: readonly [number, number]): number {
  if (!(voice > from)) return 0;
  return voice >= to ? 1 : (voice - from) / (to - from);
}

/**
 * Network output (frames × `channels.length` values, each column the articulator `channels` names)
 * → FaceAnimation with 52 ARKit + 16 tongue channels and jaw/eye joints.
 *
 * - Mouth: per frame Σ_a value_a · table[a] clamped to [0, 1], times the voice gate (silence
 *   rests whatever the other outputs say), then A2F's two-stage smoother with the table's half-life.
 * - Jaw joint: rotation about local +X by jawOpen · jawOpenDegrees (positive opens the mouth on a
 *   Y-up, +Z-forward face), relative to the rest pose.
 * - Brows, eyes, blinks: procedural (./procedural.ts), combined with any table weight by max.
 */
export function articulatorsToFace(
  values: Float32Array,
  frameCount: number,
  channels: readonly Articulator[],
  opts: ArticulatorOptions,
): FaceAnimation {
  const A = channels.length;
  if (!Number.isInteger(frameCount) || frameCount < 0)
    throw new RangeError(`articulatorsToFace: frameCount ${frameCount} must be a non-negative integer`);
  if (values.length !== frameCount * A) {
    throw new RangeError(
      `articulatorsToFace: expected ${frameCount} frames × ${A} articulators = ${frameCount * A} values, got ${values.length}`,
    );
  }
  const { fps, table } = opts;
  const blinkInterval = opts.blinkIntervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS;
  if (!(blinkInterval >= 0 && Number.isFinite(blinkInterval))) {
    throw new RangeError(`articulatorsToFace: blinkIntervalSeconds ${blinkInterval} must be a finite number ≥ 0 (0 = no blinks)`);
  }
  const seed = opts.seed ?? 0;
  const up = table.upperFace;
  const C = ARTICULATOR_CHANNELS.length;

  // Dense [articulator column × channel] matrix: the per-frame mix is a small matrix product.
  const mix = new Float32Array(A * C);
  channels.forEach((name, a) => {
    for (const [shape, w] of Object.entries(table.articulators[name] ?? {})) {
      const c = INDEX.get(shape);
      if (c === undefined) throw new Error(`articulatorsToFace: table row "${name}" names "${shape}", not an ARKit or tongue shape`);
      mix[a * C + c] = w;
    }
  });
  const column = (name: Articulator): number => channels.indexOf(name);
  const voiceAt = column('voice');
  const accentAt = column('accent');

  const anim = createFaceAnimation({
    fps,
    frameCount,
    channels: ARTICULATOR_CHANNELS,
    joints: ARTICULATOR_JOINTS,
    provenance: {
      ...opts.provenance,
      parameters: {
        ...opts.provenance.parameters,
        articulators: {
          seed,
          blinkIntervalSeconds: blinkInterval,
          smoothingHalfLife: table.smoothingHalfLife,
          jawOpenDegrees: table.jawOpenDegrees,
          voiceGate: [...table.voiceGate],
          upperFace: up,
        },
        blinks: blinkInterval === 0 ? 'off' : { seed, intervalSeconds: blinkInterval },
      },
    },
  });
  const w = anim.weights;
  const gate = new Float32Array(frameCount);
  const accent = new Float32Array(frameCount);
  const x = new Float32Array(A);
  for (let f = 0; f < frameCount; f++) {
    // Values outside [0, 1] (a foreign network) are clamped; NaN counts as 0.
    for (let a = 0; a < A; a++) {
      const v = values[f * A + a];
      x[a] = v > 0 ? Math.min(v, 1) : 0;
    }
    gate[f] = voiceAt < 0 ? 1 : voiceGate(x[voiceAt], table.voiceGate);
    accent[f] = accentAt < 0 ? 0 : x[accentAt];
    if (gate[f] === 0) continue;
    const row = f * C;
    for (let a = 0; a < A; a++) {
      if (x[a] === 0) continue;
      for (let c = 0; c < C; c++) w[row + c] += x[a] * mix[a * C + c];
    }
    for (let c = 0; c < C; c++) w[row + c] = gate[f] * Math.min(1, Math.max(0, w[row + c]));
  }
  // Causal two-stage smoothing; a [0, 1] signal stays in [0, 1].
  smoothColumns(w, C, halfLifeAlpha(table.smoothingHalfLife, fps));

  const raise = (name: string, track: Float32Array, scale = 1): void => {
    const c = at(name);
    for (let f = 0; f < frameCount; f++) w[f * C + c] = Math.max(w[f * C + c], scale * track[f]);
  };
  const brows = browTrack(accent, gate, fps, up.brows, seed);
  raise('browInnerUp', brows);
  raise('browOuterUpLeft', brows, up.brows.outerRatio);
  raise('browOuterUpRight', brows, up.brows.outerRatio);

  const gaze = gazeTrack(gate, fps, up.saccades, seed);
  const look = (v: Float32Array, sign: 1 | -1) => v.map((d) => Math.min(1, Math.max(0, (sign * d) / up.saccades.lookShapeDegrees)));
  // Looking to the character's left turns the left eye out and the right eye in.
  raise('eyeLookOutLeft', look(gaze.yaw, 1));
  raise('eyeLookInRight', look(gaze.yaw, 1));
  raise('eyeLookInLeft', look(gaze.yaw, -1));
  raise('eyeLookOutRight', look(gaze.yaw, -1));
  raise('eyeLookUpLeft', look(gaze.pitch, 1));
  raise('eyeLookUpRight', look(gaze.pitch, 1));
  raise('eyeLookDownLeft', look(gaze.pitch, -1));
  raise('eyeLookDownRight', look(gaze.pitch, -1));
  const [jaw, eyeL, eyeR] = anim.joints;
  for (let f = 0; f < frameCount; f++) {
    const q = gazeRotation(gaze.pitch[f], gaze.yaw[f]);
    eyeL.rotations.set(q, f * 4);
    eyeR.rotations.set(q, f * 4);
  }

  // Blinks off means the eyes never close: a table's eyeBlink weight is held at 0 too.
  const blink =
    blinkInterval === 0 || frameCount === 0
      ? null
      : speechBlinks(
          blinkCurve({ frameCount, fps, seed, intervalSeconds: blinkInterval }),
          accent,
          gate,
          fps,
          up.blinks,
          up.brows.accentThreshold,
          seed,
        );
  for (const name of ['eyeBlinkLeft', 'eyeBlinkRight']) {
    const c = at(name);
    for (let f = 0; f < frameCount; f++) w[f * C + c] = blink ? Math.max(w[f * C + c], blink[f]) : 0;
  }

  const jawOpen = at('jawOpen');
  const radiansPerUnit = (table.jawOpenDegrees * Math.PI) / 180;
  for (let f = 0; f < frameCount; f++) jaw.rotations.set(quatFromAxisAngle([1, 0, 0], w[f * C + jawOpen] * radiansPerUnit), f * 4);
  return anim;
}
