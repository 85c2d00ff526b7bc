// The procedural upper face of the articulators kind: brow raises on accents, eye saccades and
// blinks timed by speech and pauses. Acoustics do not say where a speaker looks or when they blink,
// so these are drawn from published statistics, seeded, and kept small; every number and its source
// is in templates/articulators/README.md. Each track is causal: frame f depends only on the
// network's values at frames ≤ f and on the seed, so a live stream can compute it frame by frame.
import { quatFromEulerXYZDegrees, seededRandom, type Quat, type Rational } from '@a2f/animation';

export interface BrowParameters {
  /** chance that an accent raises the brows (not every accent does) */
  readonly probability: number;
  /** chance for a turn's first accent instead (brows mark turn starts too); a turn starts after turnPauseSeconds of silence */
  readonly turnProbability: number;
  readonly turnPauseSeconds: number;
  /** browInnerUp at the top of a raise: drawn uniformly from [minRaise, maxRaise] */
  readonly minRaise: number;
  readonly maxRaise: number;
  /** browOuterUp as a share of browInnerUp (the two act together in a conversational raise) */
  readonly outerRatio: number;
  readonly attackSeconds: number;
  readonly decaySeconds: number;
  /** shortest time from one raise to the next */
  readonly minIntervalSeconds: number;
  /** `accent` at or above this is an accent; a raise starts where it crosses upwards */
  readonly accentThreshold: number;
}

export interface GazeMode {
  /** mean seconds the eyes hold on the listener (rest) before looking away */
  readonly holdSeconds: number;
  /** mean seconds a look away lasts */
  readonly awaySeconds: number;
}

export interface SaccadeParameters {
  /** scale of the exponential magnitude distribution, before `gain` (Eyes Alive's fit: 6.9°) */
  readonly magnitudeScaleDegrees: number;
  /** magnitudes above this are not drawn (before `gain`) */
  readonly maxMagnitudeDegrees: number;
  /** scales every drawn magnitude: keeps gaze shifts small enough not to fight an animator's gaze */
  readonly gain: number;
  readonly talking: GazeMode;
  readonly listening: GazeMode;
  /** gaze angle at which an eyeLook* shape reaches 1 */
  readonly lookShapeDegrees: number;
  /** chance of looking away where a turn starts: speech after turnPauseSeconds of silence, or the line's first speech */
  readonly turnAwayProbability: number;
  readonly turnPauseSeconds: number;
  /** chance of looking back at the listener where speech stops, if looking away */
  readonly endReturnProbability: number;
}

export interface SpeechBlinkParameters {
  /** chance of a blink where speech stops (a pause starts) */
  readonly pauseProbability: number;
  /** speech must have lasted this long before a pause for the pause to count */
  readonly minSpeechSeconds: number;
  /** chance of a blink as an accent ends */
  readonly accentProbability: number;
  /** no event blink within this many seconds of the last blink (at least a blink's 0.25 s) */
  readonly refractorySeconds: number;
}

export interface UpperFaceParameters {
  readonly brows: BrowParameters;
  readonly saccades: SaccadeParameters;
  readonly blinks: SpeechBlinkParameters;
}

export const UPPER_FACE_DEFAULTS: UpperFaceParameters = {
  brows: {
    probability: 0.6,
    turnProbability: 1,
    turnPauseSeconds: 0.5,
    minRaise: 0.1,
    maxRaise: 0.2,
    outerRatio: 0.7,
    attackSeconds: 0.1,
    decaySeconds: 0.3,
    minIntervalSeconds: 0.5,
    accentThreshold: 0.5,
  },
  saccades: {
    magnitudeScaleDegrees: 6.9,
    maxMagnitudeDegrees: 15,
    gain: 0.3,
    talking: { holdSeconds: 2, awaySeconds: 1 },
    listening: { holdSeconds: 4, awaySeconds: 0.5 },
    lookShapeDegrees: 30,
    turnAwayProbability: 1,
    turnPauseSeconds: 0.5,
    endReturnProbability: 1,
  },
  blinks: { pauseProbability: 0.5, minSpeechSeconds: 0.3, accentProbability: 0.15, refractorySeconds: 1 },
};

/** Independent random streams per part, so retuning one part does not reshuffle the others. */
const STREAM = { brows: 0x62726f77, saccades: 0x73616363, blinks: 0x626c6e6b } as const;
const stream = (seed: number, part: keyof typeof STREAM): (() => number) => seededRandom((seed ^ STREAM[part]) >>> 0);

/** A gate is "on" (someone is speaking) from this value. */
const ON = 0.5;

/**
 * browInnerUp per frame: a raise of a drawn height starting where `accent` crosses its threshold
 * upwards while the voice gate is on (with turnProbability for a turn's first accent, else
 * probability), rising over attackSeconds and falling over decaySeconds (sin² / cos² ramps). At most
 * one raise per minIntervalSeconds; none starts in silence.
 */
export function browTrack(accent: Float32Array, gate: Float32Array, fps: Rational, p: BrowParameters, seed: number): Float32Array {
  return browStream(fps, p, seed)(accent, gate);
}

/** browTrack a few frames at a time, in order: the calls together equal browTrack on all their frames. */
export function browStream(fps: Rational, p: BrowParameters, seed: number): (accent: Float32Array, gate: Float32Array) => Float32Array {
  const spf = fps.den / fps.num;
  const rand = stream(seed, 'brows');
  let raises: Array<{ t: number; height: number }> = [];
  let last = Number.NEGATIVE_INFINITY;
  let wasAccent = false;
  let done = 0;
  let speakingBefore = false;
  let silentSince = Number.NEGATIVE_INFINITY;
  // a turn has started and its first accent is still to come
  let turn = false;
  return (accent, gate) => {
    const out = new Float32Array(accent.length);
    for (let i = 0; i < accent.length; i++) {
      const t = (done + i) * spf;
      const speaking = gate[i] >= ON;
      if (speaking && !speakingBefore && t - silentSince >= p.turnPauseSeconds) turn = true;
      if (!speaking && speakingBefore) silentSince = t;
      speakingBefore = speaking;
      const isAccent = accent[i] >= p.accentThreshold && speaking;
      if (isAccent && !wasAccent && t - last >= p.minIntervalSeconds) {
        if (rand() < (turn ? p.turnProbability : p.probability)) {
          raises.push({ t, height: p.minRaise + (p.maxRaise - p.minRaise) * rand() });
          last = t;
        }
        turn = false;
      }
      wasAccent = isAccent;
      let v = 0;
      for (const r of raises) v = Math.max(v, r.height * envelope(t - r.t, p.attackSeconds, p.decaySeconds));
      out[i] = v;
    }
    done += accent.length;
    // Only raises that still reach a later frame are kept: the state stays small on a long stream.
    raises = raises.filter((r) => done * spf - r.t < p.attackSeconds + p.decaySeconds);
    return out;
  };
}

function envelope(u: number, attack: number, decay: number): number {
  if (u < 0) return 0;
  if (u < attack) return Math.sin((u / attack) * (Math.PI / 2)) ** 2;
  if (u < attack + decay) return Math.cos(((u - attack) / decay) * (Math.PI / 2)) ** 2;
  return 0;
}

export interface GazeTrack {
  /** degrees, positive looks up */
  readonly pitch: Float32Array;
  /** degrees, positive looks to the character's left (+X on a Y-up, +Z-forward face) */
  readonly yaw: Float32Array;
}

/**
 * Gaze per frame, both eyes alike: the eyes hold on the listener (rest), look away by a drawn
 * magnitude in one of 8 directions (left/right/up/down twice as likely as the diagonals), and come
 * back; hold and away times are drawn around the mean of the mode (talking while the voice gate is
 * on, listening while it is off) at the moment each saccade is planned. Speech moves the schedule:
 * a turn's start looks away now, and the end of speech looks back now (each with its probability).
 * A saccade lasts 25 ms + 2.4 ms per degree (the main sequence) with a smoothstep profile.
 */
export function gazeTrack(gate: Float32Array, fps: Rational, p: SaccadeParameters, seed: number): GazeTrack {
  return gazeStream(fps, p, seed)(gate);
}

/** gazeTrack a few frames at a time, in order: the calls together equal gazeTrack on all their frames. */
export function gazeStream(fps: Rational, p: SaccadeParameters, seed: number): (gate: Float32Array) => GazeTrack {
  const spf = fps.den / fps.num;
  const rand = stream(seed, 'saccades');
  const spread = () => 0.5 + rand();
  const mode = (g: number) => (g >= ON ? p.talking : p.listening);
  // The truncated exponential's CDF at the cap, for inverse-CDF draws below it.
  const capped = 1 - Math.exp(-p.maxMagnitudeDegrees / p.magnitudeScaleDegrees);
  let from = [0, 0];
  let to = [0, 0];
  let start = 0;
  let duration = 0;
  let away = false;
  let next = Number.NaN;
  let done = 0;
  let speakingBefore = false;
  let spoken = false;
  let silentSince = 0;
  return (gate) => {
    const n = gate.length;
    const pitch = new Float32Array(n);
    const yaw = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const t = (done + i) * spf;
      if (Number.isNaN(next)) next = mode(gate[i]).holdSeconds * spread();
      const speaking = gate[i] >= ON;
      if (speaking && !speakingBefore) {
        const turn = !spoken || t - silentSince >= p.turnPauseSeconds;
        if (turn && !away && rand() < p.turnAwayProbability) next = t;
        spoken = true;
      } else if (!speaking && speakingBefore) {
        silentSince = t;
        if (away && rand() < p.endReturnProbability) next = t;
      }
      speakingBefore = speaking;
      while (t >= next) {
        from = to;
        if (away) {
          to = [0, 0];
          next += mode(gate[i]).holdSeconds * spread();
        } else {
          const magnitude = -p.magnitudeScaleDegrees * Math.log(1 - rand() * capped) * p.gain;
          const angle = (direction(rand()) * Math.PI) / 4;
          to = [magnitude * Math.sin(angle), magnitude * Math.cos(angle)];
          next += mode(gate[i]).awaySeconds * spread();
        }
        away = !away;
        start = t;
        duration = (25 + 2.4 * Math.hypot(to[0] - from[0], to[1] - from[1])) / 1000;
      }
      const u = duration > 0 ? Math.min(1, (t - start) / duration) : 1;
      const s = u * u * (3 - 2 * u);
      pitch[i] = from[0] + (to[0] - from[0]) * s;
      yaw[i] = from[1] + (to[1] - from[1]) * s;
    }
    done += n;
    return { pitch, yaw };
  };
}

/** One of the 8 directions k·45° (0 = the character's left, 2 = up): cardinals weigh 2, diagonals 1. */
function direction(r: number): number {
  let x = r * 12;
  for (let k = 0; k < 8; k++) {
    x -= k % 2 === 0 ? 2 : 1;
    if (x < 0) return k;
  }
  return 7;
}

/** The eye joints' rotation for a gaze: pitch about −X (up), then yaw about +Y, as A2F's eye output composes them. */
export const gazeRotation = (pitchDegrees: number, yawDegrees: number): Quat => quatFromEulerXYZDegrees(-pitchDegrees, yawDegrees);

const BLINK_SECONDS = 0.25;
const BLINK_CLOSING = 0.4;

/** blinkCurve's shape: a quick close (40 % of the blink) and a slower open. */
function blinkShape(u: number): number {
  const closing = BLINK_SECONDS * BLINK_CLOSING;
  if (u < 0 || u > BLINK_SECONDS) return 0;
  if (u < closing) return Math.sin((u / closing) * (Math.PI / 2));
  return Math.cos(((u - closing) / (BLINK_SECONDS - closing)) * (Math.PI / 2));
}

/**
 * The blink track: `base` (the seeded blinkCurve) plus blinks where speech stops (a pause starts
 * after at least minSpeechSeconds of speech) and as accents end, each with its probability, never
 * within refractorySeconds of the previous blink. Combined by max.
 */
export function speechBlinks(
  base: Float32Array,
  accent: Float32Array,
  gate: Float32Array,
  fps: Rational,
  p: SpeechBlinkParameters,
  accentThreshold: number,
  seed: number,
): Float32Array {
  return speechBlinkStream(fps, p, accentThreshold, seed)(base, accent, gate);
}

/** speechBlinks a few frames at a time, in order: the calls together equal speechBlinks on all their frames. */
export function speechBlinkStream(
  fps: Rational,
  p: SpeechBlinkParameters,
  accentThreshold: number,
  seed: number,
): (base: Float32Array, accent: Float32Array, gate: Float32Array) => Float32Array {
  const spf = fps.den / fps.num;
  const rand = stream(seed, 'blinks');
  let lastBlink = Number.NEGATIVE_INFINITY;
  let speechSince = Number.NaN;
  let event = Number.NEGATIVE_INFINITY;
  // the previous frame's values (none before the first)
  let baseBefore = 0;
  let speakingBefore = false;
  let accentBefore = 0;
  let done = 0;
  return (base, accent, gate) => {
    const out = Float32Array.from(base);
    for (let i = 0; i < base.length; i++) {
      const t = (done + i) * spf;
      if (base[i] > 0 && baseBefore === 0) lastBlink = t;
      const speaking = gate[i] >= ON;
      if (speaking && !speakingBefore) speechSince = t;
      let chance = 0;
      if (!speaking && speakingBefore && t - speechSince >= p.minSpeechSeconds) chance = p.pauseProbability;
      else if (speakingBefore && accentBefore >= accentThreshold && accent[i] < accentThreshold) chance = p.accentProbability;
      if (chance > 0 && t - lastBlink >= p.refractorySeconds && rand() < chance) {
        event = t;
        lastBlink = t;
      }
      // One event at a time is enough: the table keeps refractorySeconds ≥ a blink's length.
      out[i] = Math.max(out[i], blinkShape(t - event));
      baseBefore = base[i];
      speakingBefore = speaking;
      accentBefore = accent[i];
    }
    done += base.length;
    return out;
  };
}
