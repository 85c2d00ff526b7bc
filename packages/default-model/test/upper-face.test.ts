import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { channelCurve, jointTrack, parseFps, quatRotate, type FaceAnimation, type Provenance, type Quat } from '@a2f/animation';
import {
  ARTICULATORS,
  UPPER_FACE_DEFAULTS,
  articulatorTrack,
  articulatorsToFace,
  gazeRotation,
  gazeTrack,
  parseArticulatorTable,
  type Articulator,
  type ArticulatorTable,
  type GazeTrack,
} from '../src/index.js';

const provenance: Provenance = { tool: { name: 'a2f', version: '0.0.0' }, model: { id: 'test', kind: 'articulators' }, parameters: {} };
const fps = parseFps(30);
const A = ARTICULATORS.length;
const SHIPPED = fileURLToPath(new URL('../../../templates/articulators/articulators-to-arkit.json', import.meta.url));
const table: ArticulatorTable = parseArticulatorTable(JSON.parse(readFileSync(SHIPPED, 'utf8')), SHIPPED);

type Frame = Partial<Record<Articulator, number>>;
function values(list: Frame[]): Float32Array {
  const out = new Float32Array(list.length * A);
  list.forEach((f, k) => {
    for (const [name, v] of Object.entries(f)) out[k * A + ARTICULATORS.indexOf(name as Articulator)] = v;
  });
  return out;
}
const run = (list: Frame[], seed = 1, blinkIntervalSeconds?: number, t = table): FaceAnimation =>
  articulatorsToFace(values(list), list.length, ARTICULATORS, {
    fps,
    table: t,
    provenance,
    seed,
    ...(blinkIntervalSeconds === undefined ? {} : { blinkIntervalSeconds }),
  });

/** Speech with an accent of 5 frames every `every` frames from frame 10, for `n` frames. */
function accented(n: number, every: number): { list: Frame[]; onsets: number[] } {
  const onsets: number[] = [];
  const list = Array.from({ length: n }, (_, k) => {
    const phase = k >= 10 ? (k - 10) % every : -1;
    if (phase === 0) onsets.push(k);
    return { voice: 1, jawOpen: 0.4, accent: phase >= 0 && phase < 5 ? 0.9 : 0.1 };
  });
  return { list, onsets };
}

describe('brows follow accents', () => {
  const maxRaise = table.upperFace.brows.maxRaise;

  it('rise only within attack + decay after an accent starts, up to the documented maximum, outer with inner', () => {
    const { list, onsets } = accented(30 * 60, 24);
    let raised = 0;
    for (const seed of [1, 2, 3]) {
      const anim = run(list, seed, 0);
      const inner = channelCurve(anim, 'browInnerUp');
      const outer = channelCurve(anim, 'browOuterUpLeft');
      expect(Math.max(...inner)).toBeLessThanOrEqual(maxRaise);
      expect(Math.max(...inner)).toBeGreaterThanOrEqual(table.upperFace.brows.minRaise * 0.99);
      for (let f = 0; f < inner.length; f++) {
        expect(outer[f]).toBeCloseTo(inner[f] * table.upperFace.brows.outerRatio, 6);
        if (inner[f] === 0) continue;
        // 0.4 s of attack and decay is 12 frames at 30 fps
        const since = f - Math.max(...onsets.filter((o) => o <= f));
        expect(since, `frame ${f}`).toBeGreaterThan(0);
        expect(since, `frame ${f}`).toBeLessThanOrEqual(12);
      }
      raised += onsets.filter((o) => inner[o + 3] > 0).length;
    }
    // not every accent raises the brows, most do
    expect(raised / (3 * onsets.length)).toBeGreaterThan(0.4);
    expect(raised / (3 * onsets.length)).toBeLessThan(0.8);
  });

  it("always mark a turn's first accent (Cavé et al. 2002), later ones only sometimes", () => {
    // three turns: 2 s of speech with accents 0.3 s and 1.2 s in, then 1 s of pause
    const list = Array.from({ length: 270 }, (_, k): Frame => {
      const phase = k % 90;
      return { voice: phase < 60 ? 1 : 0, accent: (phase >= 9 && phase < 14) || (phase >= 36 && phase < 41) ? 1 : 0 };
    });
    let later = 0;
    for (let seed = 0; seed < 20; seed++) {
      const inner = channelCurve(run(list, seed, 0), 'browInnerUp');
      for (const turn of [0, 90, 180]) {
        expect(inner[turn + 12], `seed ${seed}, turn at ${turn}`).toBeGreaterThan(0);
        if (inner[turn + 39] > 0) later++;
      }
    }
    expect(later).toBeGreaterThan(0.4 * 60);
    expect(later).toBeLessThan(0.8 * 60);
  });

  it('raise at most once per half second, and never in silence', () => {
    const { list } = accented(30 * 60, 6); // an accent every 200 ms
    const inner = channelCurve(run(list, 4, 0), 'browInnerUp');
    const starts = [];
    for (let f = 1; f < inner.length; f++) if (inner[f - 1] === 0 && inner[f] > 0) starts.push(f);
    expect(starts.length).toBeGreaterThan(20);
    for (let i = 1; i < starts.length; i++) expect(starts[i] - starts[i - 1]).toBeGreaterThanOrEqual(15);
    const silent = list.map((f) => ({ ...f, voice: 0 }));
    expect(Math.max(...channelCurve(run(silent, 4, 0), 'browInnerUp'))).toBe(0);
  });
});

describe('eye saccades', () => {
  const bound = UPPER_FACE_DEFAULTS.saccades.gain * UPPER_FACE_DEFAULTS.saccades.maxMagnitudeDegrees;
  const speech = Array.from({ length: 30 * 120 }, (_, k): Frame => ({ voice: Math.floor(k / 300) % 2 === 0 ? 1 : 0 }));
  const angles = (anim: FaceAnimation, eye: string) => {
    const r = jointTrack(anim, eye)!.rotations;
    return Array.from({ length: anim.frameCount }, (_, f) => {
      const d = quatRotate(Array.from(r.subarray(f * 4, f * 4 + 4)) as Quat, [0, 0, 1]);
      return { up: (Math.asin(d[1]) * 180) / Math.PI, left: (Math.atan2(d[0], d[2]) * 180) / Math.PI };
    });
  };

  it('are seeded: the same seed gives the same gaze, another seed another, both eyes alike, within the amplitude bound', () => {
    const a = run(speech, 7, 0);
    expect(Array.from(jointTrack(run(speech, 7, 0), 'eye_L')!.rotations)).toEqual(Array.from(jointTrack(a, 'eye_L')!.rotations));
    expect(Array.from(jointTrack(run(speech, 8, 0), 'eye_L')!.rotations)).not.toEqual(Array.from(jointTrack(a, 'eye_L')!.rotations));
    expect(Array.from(jointTrack(a, 'eye_R')!.rotations)).toEqual(Array.from(jointTrack(a, 'eye_L')!.rotations));
    const gaze = angles(a, 'eye_L');
    const size = gaze.map((g) => Math.hypot(g.up, g.left));
    expect(Math.max(...size)).toBeLessThanOrEqual(bound + 1e-3);
    expect(Math.max(...size)).toBeGreaterThan(0.5); // they do move
    expect(size.filter((s) => s < 1e-6).length / size.length).toBeGreaterThan(0.5); // and rest on the listener most of the time
  });

  it('turn the eyeLook shapes with the joints: looking left turns the left eye out and the right eye in, at low weight', () => {
    const anim = run(speech, 7, 0);
    const gaze = angles(anim, 'eye_L');
    const look = (name: string) => channelCurve(anim, name);
    const outL = look('eyeLookOutLeft');
    const inR = look('eyeLookInRight');
    const upL = look('eyeLookUpLeft');
    const downR = look('eyeLookDownRight');
    for (let f = 0; f < gaze.length; f++) {
      expect(outL[f]).toBeCloseTo(Math.max(0, gaze[f].left) / 30, 3);
      expect(inR[f]).toBe(outL[f]);
      expect(upL[f]).toBeCloseTo(Math.max(0, gaze[f].up) / 30, 3);
      expect(downR[f]).toBeCloseTo(Math.max(0, -gaze[f].up) / 30, 3);
    }
    expect(Math.max(...outL, ...upL, ...downR)).toBeLessThanOrEqual(bound / 30 + 1e-4);
  });

  it('look away longer and more often while talking than while listening (Eyes Alive, Argyle & Cook)', () => {
    const p = UPPER_FACE_DEFAULTS.saccades;
    const awayShare = (voice: number) => {
      let away = 0;
      let shifts = 0;
      for (let seed = 0; seed < 10; seed++) {
        const g = gazeTrack(new Float32Array(30 * 300).fill(voice), fps, p, seed);
        for (let f = 0; f < g.yaw.length; f++) {
          if (g.yaw[f] !== 0 || g.pitch[f] !== 0) away++;
          if (f > 0 && g.yaw[f - 1] === 0 && g.pitch[f - 1] === 0 && (g.yaw[f] !== 0 || g.pitch[f] !== 0)) shifts++;
        }
      }
      return { away: away / (10 * 30 * 300), perMinute: shifts / 50 };
    };
    const talking = awayShare(1);
    const listening = awayShare(0);
    // expected shares 1/(2+1) and 0.5/(4+0.5); gaze shifts per minute 60/3 and 60/4.5
    expect(talking.away).toBeGreaterThan(0.28);
    expect(talking.away).toBeLessThan(0.39);
    expect(listening.away).toBeGreaterThan(0.07);
    expect(listening.away).toBeLessThan(0.16);
    expect(talking.perMinute).toBeGreaterThan(listening.perMinute);
  });

  it('look away as a turn starts and back at the listener as speech stops (Kendon 1967)', () => {
    // 0.6 s silence, 2 s speech, 1 s pause, 2 s speech, 0.3 s pause, 1 s speech, silence
    const spans: [number, number][] = [
      [18, 78],
      [108, 168],
      [177, 207],
    ];
    const list = Array.from({ length: 240 }, (_, k): Frame => ({ voice: spans.some(([a, b]) => k >= a && k < b) ? 1 : 0 }));
    const rest = (g: GazeTrack, f: number) => g.yaw[f] === 0 && g.pitch[f] === 0;
    let returned = 0;
    for (let seed = 0; seed < 10; seed++) {
      const g = gazeTrack(
        values(list).filter((_, i) => i % A === A - 1),
        fps,
        UPPER_FACE_DEFAULTS.saccades,
        seed,
      );
      expect(rest(g, 17), `seed ${seed}`).toBe(true); // listening: the first planned saccade is ≥ 2 s away
      expect(rest(g, 19), `seed ${seed}`).toBe(false);
      for (const [, end] of spans) {
        if (rest(g, end - 1)) continue;
        expect(rest(g, end + 1), `seed ${seed}, speech ending at ${end}`).toBe(true);
        returned++;
      }
    }
    expect(returned).toBeGreaterThan(2); // the check above ran
  });

  it('rotate the eye joints about −X to look up and about +Y to look to the left', () => {
    const up = quatRotate(gazeRotation(10, 0), [0, 0, 1]);
    expect(up[1]).toBeCloseTo(Math.sin((10 * Math.PI) / 180), 6);
    const left = quatRotate(gazeRotation(0, 10), [0, 0, 1]);
    expect(left[0]).toBeCloseTo(Math.sin((10 * Math.PI) / 180), 6);
    expect(left[1]).toBeCloseTo(0, 6);
  });
});

describe('blinks', () => {
  it('off holds eyeBlink at 0, even where a table row closes the eyes', () => {
    const closing = { ...table, articulators: { ...table.articulators, voice: { eyeBlinkLeft: 0.8, eyeBlinkRight: 0.8 } } };
    const list = Array.from({ length: 600 }, (_, k): Frame => ({ voice: k % 60 < 40 ? 1 : 0, accent: k % 20 < 5 ? 1 : 0 }));
    const anim = run(list, 3, 0, closing);
    expect(Math.max(...channelCurve(anim, 'eyeBlinkLeft'), ...channelCurve(anim, 'eyeBlinkRight'))).toBe(0);
    expect(anim.provenance.parameters.blinks).toBe('off');
    expect(Math.max(...channelCurve(run(list, 3), 'eyeBlinkLeft'))).toBeGreaterThan(0.9);
  });

  it('tend to come where a pause starts and as an accent ends, seeded, in both eyelids', () => {
    // 2 s of speech then 1 s of pause, with one accent in each stretch of speech; the background
    // blinks are pushed out of the way (a 10 000 s interval) to see the speech-timed ones.
    const list = Array.from({ length: 30 * 30 }, (_, k): Frame => {
      const phase = k % 90;
      return { voice: phase < 60 ? 1 : 0, accent: phase >= 20 && phase < 26 ? 1 : 0 };
    });
    let atPause = 0;
    let afterAccent = 0;
    let elsewhere = 0;
    for (let seed = 0; seed < 20; seed++) {
      const anim = run(list, seed, 10_000);
      const left = channelCurve(anim, 'eyeBlinkLeft');
      expect(Array.from(channelCurve(anim, 'eyeBlinkRight'))).toEqual(Array.from(left));
      expect(Array.from(channelCurve(run(list, seed, 10_000), 'eyeBlinkLeft'))).toEqual(Array.from(left));
      for (let f = 1; f < left.length; f++) {
        if (!(left[f - 1] === 0 && left[f] > 0)) continue;
        // a blink starting at frame e shows from frame e + 1
        const phase = (f - 1) % 90;
        if (phase === 60) atPause++;
        else if (phase === 26) afterAccent++;
        else elsewhere++;
      }
    }
    const pauses = 20 * 10;
    expect(elsewhere).toBe(0);
    expect(atPause / pauses).toBeGreaterThan(0.35);
    expect(atPause / pauses).toBeLessThan(0.65);
    expect(afterAccent).toBeGreaterThan(0);
    expect(afterAccent).toBeLessThan(atPause);
  });
});

describe('causality: a live stream gets the same frames', () => {
  it('frames 0..k are identical whether the input ends at k or goes on, or comes in chunks', () => {
    const long = Array.from({ length: 30 * 40 }, (_, k): Frame => {
      const s = Math.sin(k * 0.37) * 0.5 + 0.5;
      return {
        voice: k % 150 < 100 ? 1 : 0,
        jawOpen: s * 0.7,
        lipClose: k % 17 < 2 ? 1 : 0,
        lipRound: (1 - s) * 0.5,
        tongueTip: k % 11 < 2 ? 0.8 : 0,
        burst: k % 17 === 2 ? 1 : 0,
        accent: k % 40 < 6 ? 0.9 : 0.1,
      };
    });
    const full = run(long, 5, 2.5);
    for (const k of [0, 1, 45, 299, 700]) {
      const cut = run(long.slice(0, k + 1), 5, 2.5);
      const C = full.channels.length;
      expect(Array.from(cut.weights), `weights to frame ${k}`).toEqual(Array.from(full.weights.subarray(0, (k + 1) * C)));
      for (const joint of ['jaw', 'eye_L', 'eye_R']) {
        expect(Array.from(jointTrack(cut, joint)!.rotations), `${joint} to frame ${k}`).toEqual(
          Array.from(jointTrack(full, joint)!.rotations.subarray(0, (k + 1) * 4)),
        );
      }
    }
    // fed in chunks of any size, as a live stream feeds it, the track returns the same frames
    const all = values(long);
    for (const sizes of [[1], [7, 1, 30], [333]]) {
      const push = articulatorTrack(ARTICULATORS, { fps, table, provenance, seed: 5, blinkIntervalSeconds: 2.5 });
      const weights: number[] = [];
      const eyes: number[] = [];
      for (let f = 0, i = 0; f < long.length; i++) {
        const n = Math.min(sizes[i % sizes.length], long.length - f);
        const part = push(all.subarray(f * A, (f + n) * A));
        expect(part.frameCount).toBe(n);
        weights.push(...part.weights);
        eyes.push(...jointTrack(part, 'eye_L')!.rotations);
        f += n;
      }
      expect(weights, `chunks of ${sizes}`).toEqual(Array.from(full.weights));
      expect(eyes, `chunks of ${sizes}`).toEqual(Array.from(jointTrack(full, 'eye_L')!.rotations));
    }
    // and what comes later does change later frames: the test would see a leak
    const changed = long.map((f, k) => (k > 700 ? { ...f, voice: 0 } : f));
    expect(Array.from(run(changed, 5, 2.5).weights)).not.toEqual(Array.from(full.weights));
  });
});
