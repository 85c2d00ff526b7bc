import { createFaceAnimation, type FaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import type { V3Identity } from '../pack/v3-load.js';
import type { FaceParams } from '../params.js';
import { A2F_JOINTS } from '../postprocess/assemble.js';
import { EyeAnimator, eyeRotationQuat } from '../postprocess/eyes.js';
import { JawAnimator, jawJointFromMatrix } from '../postprocess/jaw.js';
import { SkinAnimator } from '../postprocess/skin.js';
import { animateTongue } from '../postprocess/tongue.js';
import { BlendshapeSolver } from '../solver/blendshape-solver.js';

export interface V3FrameLayout {
  readonly skin: number;
  readonly tongue: number;
  readonly jaw: number;
  readonly eyes: number;
}

/**
 * Post-processing of v3.0 frames, streamed one network frame at a time: the network gives vertex
 * deltas (no PCA), so skin, tongue, jaw and eyes run as the v2.3 mesh path does (docs/nvidia/postprocess.md)
 * on every internal frame at the network's rate, as the SDK's executor does; the blendshape solve
 * runs only for the frames delivered at the requested rate (`sources[k]` = the internal frame of
 * output frame k, ascending).
 */
export class V3Postprocessor {
  readonly channels: readonly string[];
  private readonly skin: SkinAnimator;
  private readonly jaw: JawAnimator;
  private readonly eyes: EyeAnimator;
  private readonly skinSolver: BlendshapeSolver;
  private readonly tongueSolver: BlendshapeSolver;
  private readonly pivot: readonly number[];
  private readonly skinPos: Float32Array;
  private readonly tonguePos: Float32Array;
  private readonly matrix = new Float32Array(16);
  private readonly eyeOut = new Float32Array(6);

  constructor(
    private readonly id: V3Identity,
    private readonly params: FaceParams,
    private readonly layout: V3FrameLayout,
    internalFps: Rational,
  ) {
    this.skin = new SkinAnimator(
      { neutral: id.neutralSkin, eyeClosePoseDelta: id.eyeClosePoseDelta, lipOpenPoseDelta: id.lipOpenPoseDelta },
      params,
      internalFps,
    );
    this.jaw = new JawAnimator(id.neutralJaw, params);
    this.eyes = new EyeAnimator(id.saccadeRotMatrix, params, internalFps);
    this.skinSolver = new BlendshapeSolver(id.skin, id.skin.config, `bs_skin_${id.name}.npz`);
    this.tongueSolver = new BlendshapeSolver(id.tongue, id.tongue.config, `bs_tongue_${id.name}.npz`);
    this.channels = [...id.skin.poseNames, ...id.tongue.poseNames];
    this.pivot = Array.from(this.jaw.neutralCentroid);
    this.skinPos = new Float32Array(id.neutralSkin.length);
    this.tonguePos = new Float32Array(id.neutralTongue.length);
  }

  /** A run over one line: feed every internal frame in order with `frame`, then take `anim`. */
  begin(fps: Rational, sources: Int32Array, provenance: Provenance, blink: Float32Array | null): V3Run {
    this.skin.reset();
    this.eyes.reset();
    this.skinSolver.reset();
    this.tongueSolver.reset();
    const anim = createFaceAnimation({ fps, frameCount: sources.length, channels: this.channels, joints: [...A2F_JOINTS], provenance });
    let next = 0;
    const { layout, params, id } = this;
    const skinPoses = this.skinSolver.poseCount;
    const n = this.channels.length;
    const [jawTrack, eyeL, eyeR] = anim.joints;
    return {
      anim,
      frame: (row: Float32Array, offset: number, internal: number) => {
        const blinkOffset = blink ? Math.max(params.blink_offset, blink[internal] ?? 0) : params.blink_offset;
        this.skin.animate(row.subarray(offset, offset + layout.skin), blinkOffset, this.skinPos);
        const tongueAt = offset + layout.skin;
        animateTongue(row.subarray(tongueAt, tongueAt + layout.tongue), id.neutralTongue, params, this.tonguePos);
        this.jaw.transform(row, tongueAt + layout.tongue, this.matrix);
        this.eyes.step(row, tongueAt + layout.tongue + layout.jaw, this.eyeOut);
        while (next < sources.length && sources[next] === internal) {
          const f = next++;
          this.skinSolver.solve(this.skinPos, anim.weights, f * n);
          this.tongueSolver.solve(this.tonguePos, anim.weights, f * n + skinPoses);
          jawJointFromMatrix(this.matrix, 0, this.pivot, jawTrack.rotations, f * 4, jawTrack.translations, f * 3);
          eyeR.rotations.set(eyeRotationQuat(this.eyeOut[0], this.eyeOut[1]), f * 4);
          eyeL.rotations.set(eyeRotationQuat(this.eyeOut[3], this.eyeOut[4]), f * 4);
        }
      },
    };
  }
}

export interface V3Run {
  readonly anim: FaceAnimation;
  frame(row: Float32Array, offset: number, internal: number): void;
}
