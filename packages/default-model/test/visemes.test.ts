import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ARKIT_BLENDSHAPES,
  TONGUE_BLENDSHAPES,
  channelCurve,
  halfLifeAlpha,
  jointTrack,
  parseFps,
  quatRotate,
  validateFaceAnimation,
  type Provenance,
  type Quat,
} from '@a2f/animation';
import { VISEMES, parseVisemeTable, visemesToFace, type VisemeTable } from '../src/index.js';

const provenance: Provenance = { tool: { name: 'a2f', version: '0.0.0' }, model: { id: 'test', kind: 'visemes' }, parameters: { x: 1 } };
const fps = parseFps(30);
const V = VISEMES.length;

/** A table with hand-checkable rows; no smoothing unless asked. */
function table(over: Partial<VisemeTable> = {}): VisemeTable {
  const rows: Record<string, Record<string, number>> = Object.fromEntries(VISEMES.map((v) => [v, {}]));
  rows.aa = { jawOpen: 0.7, mouthLowerDownLeft: 0.3 };
  rows.PP = { mouthClose: 0.6, mouthPressLeft: 0.5 };
  rows.U = { jawOpen: 0.1, mouthPucker: 0.8 };
  return { visemes: rows, jawOpenDegrees: 20, smoothingHalfLife: 0, ...over };
}

/** frames × 15 activations from per-frame {viseme: activation} maps. */
function activations(frames: Array<Partial<Record<(typeof VISEMES)[number], number>>>): Float32Array {
  const out = new Float32Array(frames.length * V);
  frames.forEach((f, k) => {
    for (const [v, a] of Object.entries(f)) out[k * V + VISEMES.indexOf(v as (typeof VISEMES)[number])] = a;
  });
  return out;
}

describe('visemesToFace', () => {
  it('writes 52 ARKit then 16 tongue channels and jaw/eye joints, valid for USD', () => {
    const anim = visemesToFace(activations([{ sil: 1 }, { aa: 1 }]), 2, { fps, table: table(), provenance, blinkIntervalSeconds: 0 });
    expect(anim.channels).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES]);
    expect(anim.channels).toHaveLength(68);
    expect(anim.weights).toHaveLength(2 * 68);
    expect(anim.joints.map((j) => j.name)).toEqual(['jaw', 'eye_L', 'eye_R']);
    expect(anim.fps).toEqual(fps);
    expect(anim.frameCount).toBe(2);
    validateFaceAnimation(anim);
    // the caller's provenance is kept and the parameters that shaped the result are added
    expect(anim.provenance.model).toEqual(provenance.model);
    expect(anim.provenance.parameters).toMatchObject({
      x: 1,
      visemes: { seed: 0, smoothingHalfLife: 0, jawOpenDegrees: 20, blinkIntervalSeconds: 0 },
    });
  });

  it('mixes table rows by activation, per frame', () => {
    const anim = visemesToFace(activations([{ sil: 1 }, { aa: 1 }, { aa: 0.5, U: 0.5 }, { PP: 0.25, aa: 0.75 }]), 4, {
      fps,
      table: table(),
      provenance,
      blinkIntervalSeconds: 0,
    });
    const jaw = channelCurve(anim, 'jawOpen');
    [0, 0.7, 0.5 * 0.7 + 0.5 * 0.1, 0.75 * 0.7].forEach((v, f) => {
      expect(jaw[f]).toBeCloseTo(v, 6);
    });
    expect(channelCurve(anim, 'mouthPucker')[2]).toBeCloseTo(0.4, 6);
    expect(channelCurve(anim, 'mouthClose')[3]).toBeCloseTo(0.15, 6);
    expect(channelCurve(anim, 'mouthLowerDownLeft')[1]).toBeCloseTo(0.3, 6);
    // channels no row names stay at rest, tongue included
    for (const name of ['mouthSmileLeft', 'browInnerUp', 'eyeBlinkLeft', ...TONGUE_BLENDSHAPES]) {
      expect(Array.from(channelCurve(anim, name))).toEqual([0, 0, 0, 0]);
    }
  });

  it('clamps the mix to [0, 1]', () => {
    const t = table();
    const rows = { ...t.visemes, aa: { jawOpen: 0.9 }, O: { jawOpen: 0.8 } };
    // activations that do not sum to 1 (a foreign network) must still give valid weights
    const anim = visemesToFace(activations([{ aa: 1, O: 1 }, { aa: -2 }]), 2, {
      fps,
      table: { ...t, visemes: rows },
      provenance,
      blinkIntervalSeconds: 0,
    });
    expect(Array.from(channelCurve(anim, 'jawOpen'))).toEqual([1, 0]);
  });

  it('smooths every channel with the two-stage filter: closed form on a step', () => {
    const halfLife = 0.05;
    const frames = 20;
    const acts = activations(Array.from({ length: frames }, (_, k) => (k === 0 ? { sil: 1 } : { aa: 1 })));
    const anim = visemesToFace(acts, frames, { fps, table: table({ smoothingHalfLife: halfLife }), provenance, blinkIntervalSeconds: 0 });
    const a = halfLifeAlpha(halfLife, fps);
    const jaw = channelCurve(anim, 'jawOpen');
    // two identical one-pole stages on a step of height h: h·(1 − (1−a)^n − n·a·(1−a)^n)
    for (let n = 0; n < frames; n++) expect(jaw[n]).toBeCloseTo(0.7 * (1 - (1 - a) ** n - n * a * (1 - a) ** n), 5);
    expect(jaw[frames - 1]).toBeGreaterThan(0.69);
  });

  it('rotates the jaw about +X by jawOpen · jawOpenDegrees, opening the mouth on a Y-up, +Z-forward face', () => {
    const anim = visemesToFace(activations([{ sil: 1 }, { aa: 1 }, { aa: 0.5 }]), 3, {
      fps,
      table: table({ jawOpenDegrees: 25 }),
      provenance,
      blinkIntervalSeconds: 0,
    });
    const jaw = jointTrack(anim, 'jaw')!;
    const jawOpen = channelCurve(anim, 'jawOpen');
    for (let f = 0; f < 3; f++) {
      const q = Array.from(jaw.rotations.subarray(f * 4, f * 4 + 4)) as Quat;
      const angle = 2 * Math.atan2(Math.hypot(q[1], q[2], q[3]), q[0]);
      expect((angle * 180) / Math.PI).toBeCloseTo(jawOpen[f] * 25, 4);
      if (f > 0) {
        expect(q[1]).toBeGreaterThan(0); // about +X, positive angle
        expect(q[2]).toBe(0);
        expect(q[3]).toBe(0);
        // the chin, in front of the hinge, goes down and the mouth opens
        const chin = quatRotate(q, [0, 0, 1]);
        expect(chin[1]).toBeLessThan(0);
      }
    }
    expect(Array.from(jaw.translations)).toEqual(new Array(9).fill(0));
    for (const eye of ['eye_L', 'eye_R']) {
      const t = jointTrack(anim, eye)!;
      for (let f = 0; f < 3; f++) expect(Array.from(t.rotations.subarray(f * 4, f * 4 + 4))).toEqual([1, 0, 0, 0]);
    }
  });

  it('blinks procedurally, the same for the same seed, in both eyelids, and not when turned off', () => {
    const frames = 30 * 20;
    const acts = activations(Array.from({ length: frames }, () => ({ sil: 1 })));
    const run = (seed: number, blinkIntervalSeconds?: number) =>
      visemesToFace(acts, frames, {
        fps,
        table: table({ smoothingHalfLife: 0.03 }),
        provenance,
        seed,
        ...(blinkIntervalSeconds === undefined ? {} : { blinkIntervalSeconds }),
      });
    const a = run(5, 2);
    const left = channelCurve(a, 'eyeBlinkLeft');
    expect(Array.from(channelCurve(a, 'eyeBlinkRight'))).toEqual(Array.from(left));
    expect(Math.max(...left)).toBeGreaterThan(0.9);
    expect(Math.min(...left)).toBe(0);
    expect(Array.from(channelCurve(run(5, 2), 'eyeBlinkLeft'))).toEqual(Array.from(left));
    expect(Array.from(channelCurve(run(6, 2), 'eyeBlinkLeft'))).not.toEqual(Array.from(left));
    let onsets = 0;
    for (let f = 1; f < frames; f++) if (left[f - 1] === 0 && left[f] > 0) onsets++;
    expect(onsets).toBeGreaterThanOrEqual(5); // about one per 2 s over 20 s
    expect(onsets).toBeLessThanOrEqual(16);
    // the default interval also blinks; 0 turns blinks off
    expect(Math.max(...channelCurve(run(5), 'eyeBlinkLeft'))).toBeGreaterThan(0.9);
    expect(Math.max(...channelCurve(run(5, 0), 'eyeBlinkLeft'))).toBe(0);
    // off means the eyes never close: a table that closes them on a viseme is held at 0 too
    const squinting = table();
    const closing = { ...squinting, visemes: { ...squinting.visemes, sil: { eyeBlinkLeft: 0.8, eyeBlinkRight: 0.8, eyeSquintLeft: 0.5 } } };
    const held = visemesToFace(acts, frames, { fps, table: closing, provenance, blinkIntervalSeconds: 0 });
    expect(Math.max(...channelCurve(held, 'eyeBlinkLeft'), ...channelCurve(held, 'eyeBlinkRight'))).toBe(0);
    expect(Math.min(...channelCurve(held, 'eyeSquintLeft'))).toBeCloseTo(0.5, 6);
    expect(held.provenance.parameters.blinks).toBe('off');
  });

  it('rejects inputs of the wrong size with a message that says what was expected', () => {
    expect(() => visemesToFace(new Float32Array(14), 1, { fps, table: table(), provenance })).toThrow(
      /1 frames × 15 visemes = 15 values, got 14/,
    );
    expect(() => visemesToFace(new Float32Array(0), -1, { fps, table: table(), provenance })).toThrow(/frameCount/);
    expect(() => visemesToFace(new Float32Array(15), 1, { fps, table: table(), provenance, blinkIntervalSeconds: -1 })).toThrow(
      /blinkIntervalSeconds/,
    );
    const empty = visemesToFace(new Float32Array(0), 0, { fps, table: table(), provenance });
    expect(empty.weights).toHaveLength(0);
  });
});

describe('parseVisemeTable', () => {
  const committed = fileURLToPath(new URL('../../../templates/visemes/oculus-to-arkit.json', import.meta.url));

  it('accepts the committed Oculus → ARKit table', () => {
    const t = parseVisemeTable(JSON.parse(readFileSync(committed, 'utf8')), committed);
    expect(Object.keys(t.visemes)).toEqual([...VISEMES]);
    expect(t.visemes.sil).toEqual({});
    expect(t.visemes.aa.jawOpen).toBeGreaterThan(0.5);
    expect(t.visemes.PP.jawOpen ?? 0).toBe(0);
    expect(t.visemes.U.mouthPucker).toBeGreaterThan(t.visemes.O.mouthPucker ?? 0);
    expect(t.jawOpenDegrees).toBeGreaterThan(0);
    expect(t.smoothingHalfLife).toBeGreaterThan(0);
  });

  it('names the file and the problem', () => {
    const good = { ...table(), visemes: table().visemes };
    expect(() => parseVisemeTable([], 'a.json')).toThrow(/a\.json: invalid viseme table: not a JSON object/);
    expect(() => parseVisemeTable({ ...good, jawOpenDegree: 3 }, 'b.json')).toThrow(/b\.json.*unknown key "jawOpenDegree"/);
    expect(() => parseVisemeTable({ ...good, jawOpenDegrees: '20' }, 'c.json')).toThrow(/c\.json.*"jawOpenDegrees"/);
    expect(() => parseVisemeTable({ ...good, smoothingHalfLife: -1 }, 'd.json')).toThrow(/d\.json.*"smoothingHalfLife"/);
    const { U: _u, ...missing } = good.visemes;
    void _u;
    expect(() => parseVisemeTable({ ...good, visemes: missing }, 'e.json')).toThrow(/e\.json.*"visemes\.U" is missing/);
    expect(() => parseVisemeTable({ ...good, visemes: { ...good.visemes, ih: {} } }, 'f.json')).toThrow(
      /f\.json.*"visemes\.ih" is not an Oculus viseme/,
    );
    expect(() => parseVisemeTable({ ...good, visemes: { ...good.visemes, aa: { JawOpen: 0.5 } } }, 'g.json')).toThrow(
      /g\.json.*"visemes\.aa\.JawOpen" is not an ARKit blendshape/,
    );
    expect(() => parseVisemeTable({ ...good, visemes: { ...good.visemes, aa: { jawOpen: 1.5 } } }, 'h.json')).toThrow(
      /h\.json.*"visemes\.aa\.jawOpen" must be a number in \[0, 1\]/,
    );
    expect(() => parseVisemeTable({ ...good, visemes: { ...good.visemes, aa: { tongueTipUp: 0.5 } } }, 'i.json')).toThrow(
      /i\.json.*not an ARKit blendshape/,
    );
    // The whole message: file, JSON path, expected, found, and the table's shape as the fix.
    expect(() => parseVisemeTable({ ...good, visemes: { ...good.visemes, aa: { jawOpen: '1' } } }, 'j.json')).toThrow(
      /^j\.json: invalid viseme table: "visemes\.aa\.jawOpen" must be a number in \[0, 1\], found the string "1"\. Expected \{"visemes": /,
    );
    expect(() => parseVisemeTable({ ...good, smoothingHalfLife: -1 }, 'k.json')).toThrow(
      'k.json: invalid viseme table: "smoothingHalfLife" must be a number of seconds in [0, 10] (0 = no smoothing), found number -1.',
    );
  });
});
