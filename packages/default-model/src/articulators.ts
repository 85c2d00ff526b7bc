// Post-processing for a network that predicts articulators (jaw opening, lip closure, rounding,
// tongue tip, …, accent and voice) rather than visemes: a table maps them to ARKit and tongue
// shapes (templates/articulators/articulators-to-arkit.json, rationale and sources in
// templates/articulators/README.md), `voice` gates the mouth so silence rests, and the upper face
// is procedural (./procedural.ts). Everything is causal, so a live stream gets the same frames.
import {
  DEFAULT_BLINK_INTERVAL_SECONDS,
  blinkCurveStream,
  createFaceAnimation,
  halfLifeAlpha,
  quatFromAxisAngle,
  type FaceAnimation,
  type Provenance,
  type Rational,
} from '@a2f/animation';
import { browStream, gazeRotation, gazeStream, speechBlinkStream, type UpperFaceParameters } from './procedural.js';
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
  /** per articulator, the [from, to] of its value that its row sees as 0…1 (absent: [0, 1]) */
  readonly ranges: Readonly<Partial<Record<Articulator, readonly [number, number]>>>;
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

/** `value` rescaled so that `from` is 0 and `to` is 1, clamped: the voice gate, and an articulator's range. */
function rescale(value: number, [from, to]: readonly [number, number]): number {
  if (!(value > from)) return 0;
  return value >= to ? 1 : (value - from) / (to - from);
}

/**
 * Network output (frames × `channels.length` values, each column the articulator `channels` names)
 * → FaceAnimation with 52 ARKit + 16 tongue channels and jaw/eye joints.
 *
 * - Mouth: per frame Σ_a value_a · table[a] clamped to [0, 1] (a value first rescaled by its
 *   range, where the table gives one), times the voice gate (silence rests whatever the other
 *   outputs say), then A2F's two-stage smoother with the table's half-life.
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
  return articulatorTrack(channels, opts)(values);
}

/**
 * articulatorsToFace fed a few frames at a time, in order (a live stream, docs/live-engine.md):
 * every step is causal and carries its state from call to call (the smoother, the blink, brow and
 * gaze tracks), so the calls together equal articulatorsToFace on all their frames. Each call
 * returns the animation of the frames it got.
 */
export function articulatorTrack(channels: readonly Articulator[], opts: ArticulatorOptions): (values: Float32Array) => FaceAnimation {
  const A = channels.length;
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
  const ranges = channels.map((name) => table.ranges[name]);
  const voiceAt = channels.indexOf('voice');
  const accentAt = channels.indexOf('accent');
  const provenance: Provenance = {
    ...opts.provenance,
    parameters: {
      ...opts.provenance.parameters,
      articulators: {
        seed,
        blinkIntervalSeconds: blinkInterval,
        smoothingHalfLife: table.smoothingHalfLife,
        jawOpenDegrees: table.jawOpenDegrees,
        voiceGate: [...table.voiceGate],
        ranges: table.ranges,
        upperFace: up,
      },
      blinks: blinkInterval === 0 ? 'off' : { seed, intervalSeconds: blinkInterval },
    },
  };
  const alpha = halfLifeAlpha(table.smoothingHalfLife, fps);
  // smoothColumns' two stages, carried from call to call (float32, as it keeps them).
  const s1 = new Float32Array(C);
  const s2 = new Float32Array(C);
  let started = false;
  const brows = browStream(fps, up.brows, seed);
  const gazes = gazeStream(fps, up.saccades, seed);
  // Blinks off means the eyes never close: a table's eyeBlink weight is held at 0 too.
  const baseBlinks = blinkInterval === 0 ? null : blinkCurveStream({ fps, seed, intervalSeconds: blinkInterval });
  const blinks = speechBlinkStream(fps, up.blinks, up.brows.accentThreshold, seed);
  const jawOpen = at('jawOpen');
  const radiansPerUnit = (table.jawOpenDegrees * Math.PI) / 180;
  const x = new Float32Array(A);

  return (values) => {
    if (values.length % A !== 0)
      throw new RangeError(`articulatorsToFace: ${values.length} values are not whole frames of ${A} articulators`);
    const frameCount = values.length / A;
    const anim = createFaceAnimation({ fps, frameCount, channels: ARTICULATOR_CHANNELS, joints: ARTICULATOR_JOINTS, provenance });
    const w = anim.weights;
    const gate = new Float32Array(frameCount);
    const accent = new Float32Array(frameCount);
    for (let f = 0; f < frameCount; f++) {
      // Values outside [0, 1] (a foreign network) are clamped; NaN counts as 0.
      for (let a = 0; a < A; a++) {
        const v = values[f * A + a];
        x[a] = v > 0 ? Math.min(v, 1) : 0;
      }
      gate[f] = voiceAt < 0 ? 1 : rescale(x[voiceAt], table.voiceGate);
      accent[f] = accentAt < 0 ? 0 : x[accentAt];
      const row = f * C;
      if (gate[f] > 0) {
        for (let a = 0; a < A; a++) {
          const range = ranges[a];
          const v = range ? rescale(x[a], range) : x[a];
          if (v === 0) continue;
          for (let c = 0; c < C; c++) w[row + c] += v * mix[a * C + c];
        }
        for (let c = 0; c < C; c++) w[row + c] = gate[f] * Math.min(1, Math.max(0, w[row + c]));
      }
      // Causal two-stage smoothing from the line's first frame; a [0, 1] signal stays in [0, 1].
      if (alpha >= 1) continue;
      if (!started) {
        s1.set(w.subarray(row, row + C));
        s2.set(w.subarray(row, row + C));
        started = true;
        continue;
      }
      for (let c = 0; c < C; c++) {
        s1[c] += (w[row + c] - s1[c]) * alpha;
        s2[c] += (s1[c] - s2[c]) * alpha;
        w[row + c] = s2[c];
      }
    }

    const raise = (name: string, track: Float32Array, scale = 1): void => {
      const c = at(name);
      for (let f = 0; f < frameCount; f++) w[f * C + c] = Math.max(w[f * C + c], scale * track[f]);
    };
    const brow = brows(accent, gate);
    raise('browInnerUp', brow);
    raise('browOuterUpLeft', brow, up.brows.outerRatio);
    raise('browOuterUpRight', brow, up.brows.outerRatio);

    const gaze = gazes(gate);
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

    const blink = baseBlinks ? blinks(baseBlinks(frameCount), accent, gate) : null;
    for (const name of ['eyeBlinkLeft', 'eyeBlinkRight']) {
      const c = at(name);
      for (let f = 0; f < frameCount; f++) w[f * C + c] = blink ? Math.max(w[f * C + c], blink[f]) : 0;
    }

    for (let f = 0; f < frameCount; f++) jaw.rotations.set(quatFromAxisAngle([1, 0, 0], w[f * C + jawOpen] * radiansPerUnit), f * 4);
    return anim;
  };
}
