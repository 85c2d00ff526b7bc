import { describe, expect, it } from 'vitest';
import { BindingPresetError, matchChannels, parseBindingPreset } from '../src/index.js';

describe('matchChannels', () => {
  it('matches exactly, then ignoring case, punctuation and joint path prefixes', () => {
    const r = matchChannels(['jawOpen', 'eyeBlinkLeft', 'tongueOut'], ['JawOpen', 'eye_blink_left', 'cheekPuff']);
    expect(r.matches).toEqual([
      { source: 'jawOpen', target: 'JawOpen' },
      { source: 'eyeBlinkLeft', target: 'eye_blink_left' },
    ]);
    expect(r.unmatchedSource).toEqual(['tongueOut']);
    expect(r.unmatchedTarget).toEqual(['cheekPuff']);
    const joints = matchChannels(['jaw', 'eye_L'], ['root', 'root/head', 'root/head/jaw', 'root/head/eye_L']);
    expect(joints.matches.map((m) => m.target)).toEqual(['root/head/jaw', 'root/head/eye_L']);
  });

  it('applies preset renames and prefers exact over loose matches', () => {
    const r = matchChannels(['eye_L', 'jaw'], ['head/LeftEye', 'head/Jaw', 'head/jaw'], { eye_L: 'LeftEye' });
    expect(r.matches).toEqual([
      { source: 'eye_L', target: 'head/LeftEye' },
      { source: 'jaw', target: 'head/jaw' },
    ]);
    expect(r.unmatchedTarget).toEqual(['head/Jaw']);
  });

  it('drives each target once', () => {
    const r = matchChannels(['jawOpen', 'JawOpen'], ['jawOpen']);
    expect(r.matches).toHaveLength(1);
    expect(r.unmatchedSource).toEqual(['JawOpen']);
  });
});

describe('parseBindingPreset', () => {
  it('accepts a valid preset and names the file on errors', () => {
    const p = parseBindingPreset({ name: 'x', blendShapes: { jawOpen: 'JawOpen' } }, 'x.json');
    expect(p.joints).toEqual({});
    expect(() => parseBindingPreset({ name: 'x', blendShapes: { jawOpen: 3 } }, 'bad.json')).toThrow(/bad\.json.*blendShapes\.jawOpen/);
    expect(() => parseBindingPreset([], 'arr.json')).toThrow(/arr\.json.*not a JSON object/);
    const err = (() => {
      try {
        parseBindingPreset({ name: 'x', joints: { jaw: ['Jaw'] } }, 'j.json');
      } catch (e) {
        return e as BindingPresetError;
      }
    })();
    expect(err).toBeInstanceOf(BindingPresetError);
    expect(err).toMatchObject({ code: 'BAD_PRESET', file: 'j.json' });
    expect(err?.message).toBe(
      'j.json: invalid binding preset: "joints.jaw" must be the joint name on the asset (a string), found an array of 1 ["Jaw"]. ' +
        'A preset is {"name": string, "blendShapes": {ours: theirs}, "joints": ' +
        "{ours: theirs}} (`a2f inspect <character>` lists both sides' names).",
    );
  });
});
