import { describe, expect, it } from 'vitest';
import { blinkCurve, jointTrack, rational, validateFaceAnimation, type Provenance } from '@a2f/animation';
import { A2FPostprocessor, assembleFaceAnimation } from '../src/postprocess/assemble.js';
import { blinkOffsetTrack } from '../src/postprocess/blink.js';
import { eyeRotationQuat } from '../src/postprocess/eyes.js';
import { rigLayout } from '../src/postprocess/rig-data.js';
import { MARK_PARAMS, randomRigData, solverConfig, type RandomRigSizes } from './solver-fixtures.js';

const provenance: Provenance = {
  tool: { name: 'test', version: '0' },
  model: { id: 'mini', kind: 'nvidia-a2f-v2.3' },
  parameters: { emotion: 'neutral' },
};
const SIZES: RandomRigSizes = {
  skinVertices: 120,
  skinShapes: 5,
  skinPoses: 7,
  skinMask: 50,
  tongueVertices: 40,
  tongueShapes: 3,
  tonguePoses: 4,
  saccadeRows: 10,
};

function setup(path: 'mesh' | 'coefficients' = 'coefficients') {
  const rig = randomRigData(71, SIZES);
  return new A2FPostprocessor({
    rig,
    params: MARK_PARAMS,
    skinSolver: solverConfig(7),
    tongueSolver: solverConfig(4),
    fps: rational(30),
    path,
  });
}

describe('A2FPostprocessor', () => {
  it('derives the frame layout [skin S | tongue T | jaw 15 | eyes 4] from the rig data', () => {
    const rig = randomRigData(72, SIZES);
    expect(rigLayout(rig)).toEqual({ skin: 5, tongue: 3, jaw: 15, eyes: 4, total: 27 });
    expect(() => rigLayout({ ...rig, lipOpenPoseDelta: new Float32Array(3) })).toThrow(
      /lip_open_pose_delta has 3 floats, shapes_mean_skin 360/,
    );
    expect(() => rigLayout({ ...rig, skin: { ...rig.skin, neutral: new Float32Array(30) } })).toThrow(/bs_skin.npz neutral has 30 floats/);
    expect(() => setup().run(new Float32Array(30), { provenance })).toThrow(/30 floats, not a whole number of 27-float frames/);
  });

  it('names channels skin poses then tongue poses, joints jaw/eye_L/eye_R, and records provenance', () => {
    const anim = setup().run(new Float32Array(27 * 3), { provenance, blink: false });
    validateFaceAnimation(anim);
    expect(anim.channels).toEqual([
      ...Array.from({ length: 7 }, (_, i) => `skin${i}`),
      ...Array.from({ length: 4 }, (_, i) => `tongue${i}`),
    ]);
    expect(anim.joints.map((j) => j.name)).toEqual(['jaw', 'eye_L', 'eye_R']);
    expect(anim.frameCount).toBe(3);
    expect(anim.provenance.parameters).toMatchObject({ skin_strength: 1.1, solvePath: 'coefficients', blinks: 'off', emotion: 'neutral' });
  });

  it('zero network output: jaw at the teeth offsets, eyes at offsets + saccades, frame by frame', () => {
    const rig = randomRigData(71, SIZES);
    const anim = setup().run(new Float32Array(27 * 12), { provenance, blink: false });
    const jaw = jointTrack(anim, 'jaw')!;
    const eyeL = jointTrack(anim, 'eye_L')!;
    const eyeR = jointTrack(anim, 'eye_R')!;
    for (let f = 0; f < 12; f++) {
      [1, 0, 0, 0].forEach((v, k) => {
        expect(jaw.rotations[4 * f + k]).toBeCloseTo(v, 7);
      });
      const t = jaw.translations.subarray(3 * f, 3 * f + 3);
      expect(t[0]).toBeCloseTo(0, 6);
      expect(t[1]).toBeCloseTo(MARK_PARAMS.lower_teeth_height_offset, 6);
      expect(t[2]).toBeCloseTo(MARK_PARAMS.lower_teeth_depth_offset, 6);
      const row = f % 10; // 30 fps, seed 0, a 10-row table
      const sx = 0.9 * rig.saccadeRotMatrix[2 * row];
      const sy = 0.9 * rig.saccadeRotMatrix[2 * row + 1];
      const r = eyeRotationQuat(0 + sx, -2 + sy);
      const l = eyeRotationQuat(0 + sx, 2 + sy);
      for (let k = 0; k < 4; k++) {
        expect(eyeR.rotations[4 * f + k]).toBeCloseTo(r[k], 5);
        expect(eyeL.rotations[4 * f + k]).toBeCloseTo(l[k], 5);
      }
    }
  });

  it('feeds blinks through blink_offset: a track, synthesised blinks, or none', () => {
    const processor = setup();
    const frames = 90;
    const outputs = new Float32Array(27 * frames);
    const none = processor.run(outputs, { provenance, blink: false });
    const zeros = processor.run(outputs, { provenance, blink: new Float32Array(frames) });
    expect(zeros.weights).toEqual(none.weights); // runs are independent and reset
    const closed = processor.run(outputs, { provenance, blink: new Float32Array(frames).fill(1) });
    expect(closed.weights).not.toEqual(none.weights);
    const auto = processor.run(outputs, { provenance, blink: { seed: 4, intervalSeconds: 0.5 } });
    const track = blinkOffsetTrack({ frameCount: frames, fps: rational(30), seed: 4, intervalSeconds: 0.5 });
    expect(processor.run(outputs, { provenance, blink: track }).weights).toEqual(auto.weights);
    expect(() => processor.run(outputs, { provenance, blink: new Float32Array(3) })).toThrow(
      /blink track has 3 frames, the network outputs 90/,
    );
  });

  it('the one-shot helper equals prepare + run, on either path', () => {
    const rig = randomRigData(71, SIZES);
    const outputs = Float32Array.from({ length: 27 * 5 }, (_, i) => Math.sin(i));
    for (const path of ['mesh', 'coefficients'] as const) {
      const once = assembleFaceAnimation({
        rig,
        params: MARK_PARAMS,
        skinSolver: solverConfig(7),
        tongueSolver: solverConfig(4),
        fps: rational(30),
        path,
        outputs,
        provenance,
      });
      expect(once.weights).toEqual(setup(path).run(outputs, { provenance }).weights);
    }
  });

  it('rejects skin and tongue rigs that share a pose name', () => {
    const rig = randomRigData(73, SIZES);
    const tongue = { ...rig.tongue, poseNames: ['skin3', ...rig.tongue.poseNames.slice(1)] };
    expect(
      () =>
        new A2FPostprocessor({
          rig: { ...rig, tongue },
          params: MARK_PARAMS,
          skinSolver: solverConfig(7),
          tongueSolver: solverConfig(4),
          fps: rational(30),
        }),
    ).toThrow(/both have a pose "skin3"/);
  });
});

describe('blink track', () => {
  it('is blinkCurve with the microservice interval of 3 s by default, seeded and within [0, 1]', () => {
    const fps = rational(30);
    const track = blinkOffsetTrack({ frameCount: 900, fps, seed: 9 });
    expect(track).toEqual(blinkCurve({ frameCount: 900, fps, seed: 9, intervalSeconds: 3 }));
    expect(track.every((v) => v >= 0 && v <= 1)).toBe(true);
    expect(Math.max(...track)).toBeGreaterThan(0.9);
    expect(blinkOffsetTrack({ frameCount: 900, fps, seed: 10 })).not.toEqual(track);
  });
});
