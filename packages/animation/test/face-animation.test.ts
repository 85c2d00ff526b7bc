import { describe, expect, it } from 'vitest';
import {
  ARKIT_BLENDSHAPES,
  TONGUE_BLENDSHAPES,
  channelCurve,
  createFaceAnimation,
  parseFps,
  toA2fExportJson,
  toCsv,
  validateFaceAnimation,
  type Provenance,
} from '../src/index.js';

const provenance: Provenance = { tool: { name: 'a2f', version: '0.0.0' }, model: { id: 'test', kind: 'test' }, parameters: {} };

describe('channel names', () => {
  it('has the 52 ARKit shapes in A2F order and 16 tongue shapes', () => {
    expect(ARKIT_BLENDSHAPES).toHaveLength(52);
    expect(new Set(ARKIT_BLENDSHAPES).size).toBe(52);
    expect(ARKIT_BLENDSHAPES[0]).toBe('eyeBlinkLeft');
    expect(ARKIT_BLENDSHAPES[14]).toBe('jawForward');
    expect(ARKIT_BLENDSHAPES[17]).toBe('jawOpen');
    expect(ARKIT_BLENDSHAPES[51]).toBe('tongueOut');
    expect(TONGUE_BLENDSHAPES).toHaveLength(16);
    expect(TONGUE_BLENDSHAPES[0]).toBe('tongueTipUp');
    expect(TONGUE_BLENDSHAPES[15]).toBe('tongueNarrow');
  });
});

describe('FaceAnimation', () => {
  const make = () =>
    createFaceAnimation({ fps: parseFps(30), frameCount: 3, channels: ['jawOpen', 'mouthClose'], joints: ['jaw'], provenance });

  it('starts at rest: zero weights, identity rotations', () => {
    const a = make();
    expect(Array.from(a.weights)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(Array.from(a.joints[0].rotations)).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0]);
    expect(() => validateFaceAnimation(a)).not.toThrow();
  });

  it('reads a channel curve and rejects non-finite weights and non-unit rotations', () => {
    const a = make();
    a.weights.set([0.5, 0, 0.25, 1, 1, 0]);
    expect(Array.from(channelCurve(a, 'jawOpen'))).toEqual([0.5, 0.25, 1]);
    a.weights[3] = Number.NaN;
    expect(() => validateFaceAnimation(a)).toThrow(/mouthClose.*frame 1/);
    const b = make();
    b.joints[0].rotations[4] = 2;
    expect(() => validateFaceAnimation(b)).toThrow(/jaw.*frame 1.*unit/);
    expect(() => createFaceAnimation({ fps: parseFps(30), frameCount: 1, channels: ['a', 'a'], provenance })).toThrow(/unique/);
  });

  it('exports NVIDIA a2f_export JSON and CSV with the same numbers', () => {
    const a = make();
    a.weights.set([0.5, 0, 0.25, 1, 1, 0]);
    const json = toA2fExportJson(a, '/World/anim') as {
      numFrames: number;
      facsNames: string[];
      weightMat: number[][];
      joints: string[];
      rotations: number[][][];
    };
    expect(json.numFrames).toBe(3);
    expect(json.facsNames).toEqual(['jawOpen', 'mouthClose']);
    expect(json.weightMat).toEqual([
      [0.5, 0],
      [0.25, 1],
      [1, 0],
    ]);
    expect(json.joints).toEqual(['jaw']);
    expect(json.rotations[2]).toEqual([[1, 0, 0, 0]]);
    const csv = toCsv(a).trim().split('\n');
    expect(csv[0]).toBe('frame,timeCode,jawOpen,mouthClose');
    expect(csv[2]).toBe('1,0.0333125,0.25,1');
  });
});
