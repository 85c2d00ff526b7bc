import { createFaceAnimation, type FaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import type { FaceParams, SolverConfig } from '../params.js';
import { BlendshapeSolver } from '../solver/blendshape-solver.js';
import { SkinCoefficientPath, TongueCoefficientPath } from './coefficient-path.js';
import { blinkOffsetStream, DEFAULT_BLINK_INTERVAL_SECONDS } from './blink.js';
import { EyeAnimator, eyeRotationQuat } from './eyes.js';
import { JawAnimator, jawJointFromMatrix } from './jaw.js';
import { pcaReconstruct } from './pca.js';
import { rigLayout, type A2FRigData, type NetworkLayout } from './rig-data.js';
import { SkinAnimator } from './skin.js';
import { animateTongue } from './tongue.js';

/**
 * 'coefficients' (default) feeds the solver straight from PCA coefficients (solver/coefficient-path.ts);
 * 'mesh' rebuilds every vertex per frame exactly as the SDK does (reference / cross-check path).
 */
export type SolvePath = 'mesh' | 'coefficients';

export interface PostprocessorOptions {
  readonly rig: A2FRigData;
  readonly params: FaceParams;
  readonly skinSolver: SolverConfig;
  readonly tongueSolver: SolverConfig;
  readonly fps: Rational;
  readonly path?: SolvePath;
  /** Pivot of the `jaw` joint in model space; default: centroid of `neutral_jaw`. */
  readonly jawPivot?: readonly [number, number, number];
}

/**
 * Blink input per run: `false` = none (only the constant `blink_offset` parameter), a Float32Array =
 * a per-frame blink_offset track, an object = synthesised from `blinkCurve`. Default: synthesised,
 * seed 0, every 3 s on average. Each frame's offset is max(the `blink_offset` parameter, the track),
 * so the parameter acts as a floor (it is a constant in the SDK, docs/nvidia/postprocess.md#blinks).
 */
export type BlinkInput =
  | false
  | Float32Array
  | { readonly seed?: number; readonly intervalSeconds?: number; readonly durationSeconds?: number };

export interface RunOptions {
  readonly provenance: Provenance;
  readonly blink?: BlinkInput;
}

/** Joint channels this produces. */
export const A2F_JOINTS = ['jaw', 'eye_L', 'eye_R'] as const;

/**
 * Turns per-frame network outputs [skin S | tongue T | jaw | eyes 4] into a FaceAnimation: skin and
 * tongue blendshape weights from the solver (channels: skin poseNames, then tongue poseNames), the
 * jaw joint from the rigid transform (docs/nvidia/postprocess.md#jaw) and eye_L/eye_R from the eye animator
 * (docs/nvidia/postprocess.md#eyes). Build it once per pack + parameters + frame rate (preparing the solvers is the expensive part), then
 * `run` once per track; every run starts from reset state.
 */
export class A2FPostprocessor {
  readonly layout: NetworkLayout;
  readonly channels: readonly string[];
  readonly path: SolvePath;
  private readonly skinSolver: BlendshapeSolver;
  private readonly tongueSolver: BlendshapeSolver;
  private readonly skinAnimator: SkinAnimator | null;
  private readonly skinCoefs: SkinCoefficientPath | null;
  private readonly tongueCoefs: TongueCoefficientPath | null;
  private readonly jaw: JawAnimator;
  private readonly eyes: EyeAnimator;
  private readonly pivot: readonly number[];

  constructor(private readonly opts: PostprocessorOptions) {
    const { rig, params, fps } = opts;
    this.layout = rigLayout(rig);
    this.path = opts.path ?? 'coefficients';
    this.skinSolver = new BlendshapeSolver(rig.skin, opts.skinSolver, 'bs_skin.npz');
    this.tongueSolver = new BlendshapeSolver(rig.tongue, opts.tongueSolver, 'bs_tongue.npz');
    this.channels = [...rig.skin.poseNames, ...rig.tongue.poseNames];
    const clash = rig.tongue.poseNames.find((name) => rig.skin.poseNames.includes(name));
    if (clash !== undefined)
      throw new Error(`bs_skin.npz and bs_tongue.npz both have a pose "${clash}"; blendshape channel names must be unique`);
    const skinModel = {
      shapesMatrix: rig.shapesMatrixSkin,
      neutral: rig.shapesMeanSkin,
      eyeClosePoseDelta: rig.eyeClosePoseDelta,
      lipOpenPoseDelta: rig.lipOpenPoseDelta,
    };
    if (this.path === 'mesh') {
      this.skinAnimator = new SkinAnimator(skinModel, params, fps);
      this.skinCoefs = null;
      this.tongueCoefs = null;
    } else {
      this.skinAnimator = null;
      this.skinCoefs = new SkinCoefficientPath(this.skinSolver, skinModel, params, fps);
      this.tongueCoefs = new TongueCoefficientPath(
        this.tongueSolver,
        { shapesMatrix: rig.shapesMatrixTongue, neutral: rig.shapesMeanTongue },
        params,
      );
    }
    this.jaw = new JawAnimator(rig.neutralJaw, params);
    this.eyes = new EyeAnimator(rig.saccadeRotMatrix, params, fps);
    this.pivot = opts.jawPivot ?? Array.from(this.jaw.neutralCentroid);
  }

  /** `outputs`: frame-major network results, `layout.total` floats per frame. */
  run(outputs: Float32Array, run: RunOptions): FaceAnimation {
    const frames = this.frameCountOf(outputs);
    if (run.blink instanceof Float32Array && run.blink.length !== frames)
      throw new Error(`blink track has ${run.blink.length} frames, the network outputs ${frames}`);
    return this.track(run).push(outputs);
  }

  /**
   * A track fed a few frames at a time, in order (a live stream, docs/live-engine.md): every step
   * is causal, so the pushes together equal `run` on all their frames. Starts from reset state,
   * which this instance holds: one track (or run) at a time per instance.
   */
  track(run: RunOptions): { push(outputs: Float32Array): FaceAnimation } {
    const { layout, opts } = this;
    const { rig, params, fps } = opts;
    const blinkInput = run.blink;
    const blinkAt: ((first: number, count: number) => ArrayLike<number>) | null =
      blinkInput === false
        ? null
        : blinkInput instanceof Float32Array
          ? (first, count) => blinkInput.subarray(first, first + count)
          : blinkOffsetStream({
              fps,
              seed: blinkInput?.seed ?? 0,
              intervalSeconds: blinkInput?.intervalSeconds,
              durationSeconds: blinkInput?.durationSeconds,
            });
    const provenance = {
      ...run.provenance,
      parameters: {
        ...params,
        solvePath: this.path,
        blinks: describeBlink(run.blink),
        ...run.provenance.parameters,
      },
    };
    const skinPoses = this.skinSolver.poseCount;
    const channelCount = this.channels.length;
    this.skinSolver.reset();
    this.tongueSolver.reset();
    this.skinAnimator?.reset();
    this.skinCoefs?.reset();
    this.eyes.reset();

    const mesh = this.path === 'mesh';
    const skinDelta = mesh ? new Float64Array(rig.shapesMeanSkin.length) : null;
    const skinPos = mesh ? new Float32Array(rig.shapesMeanSkin.length) : null;
    const tongueDelta = mesh ? new Float64Array(rig.shapesMeanTongue.length) : null;
    const tonguePos = mesh ? new Float32Array(rig.shapesMeanTongue.length) : null;
    const skinDtr = new Float64Array(this.skinSolver.activeCount);
    const tongueDtr = new Float64Array(this.tongueSolver.activeCount);
    const matrix = new Float32Array(16);
    const eyes = new Float32Array(6);
    const tongueAt = layout.skin;
    const jawAt = layout.skin + layout.tongue;
    const eyesAt = jawAt + layout.jaw;
    let done = 0;

    const push = (outputs: Float32Array): FaceAnimation => {
      const frameCount = this.frameCountOf(outputs);
      const blink = blinkAt ? blinkAt(done, frameCount) : null;
      done += frameCount;
      const anim = createFaceAnimation({ fps, frameCount, channels: this.channels, joints: [...A2F_JOINTS], provenance });
      const [jawTrack, eyeL, eyeR] = anim.joints;
      for (let f = 0; f < frameCount; f++) {
        const base = f * layout.total;
        const row = f * channelCount;
        const blinkOffset = blink ? Math.max(params.blink_offset, blink[f]) : params.blink_offset;
        if (mesh) {
          pcaReconstruct(rig.shapesMatrixSkin, outputs, base, skinDelta!);
          this.skinAnimator!.animate(skinDelta!, blinkOffset, skinPos!);
          this.skinSolver.solve(skinPos!, anim.weights, row);
          pcaReconstruct(rig.shapesMatrixTongue, outputs, base + tongueAt, tongueDelta!);
          animateTongue(tongueDelta!, rig.shapesMeanTongue, params, tonguePos!);
          this.tongueSolver.solve(tonguePos!, anim.weights, row + skinPoses);
        } else {
          this.skinCoefs!.project(outputs, base, blinkOffset, skinDtr);
          this.skinSolver.solveProjected(skinDtr, anim.weights, row);
          this.tongueCoefs!.project(outputs, base + tongueAt, tongueDtr);
          this.tongueSolver.solveProjected(tongueDtr, anim.weights, row + skinPoses);
        }
        this.jaw.transform(outputs, base + jawAt, matrix);
        jawJointFromMatrix(matrix, 0, this.pivot, jawTrack.rotations, f * 4, jawTrack.translations, f * 3);
        this.eyes.step(outputs, base + eyesAt, eyes);
        eyeR.rotations.set(eyeRotationQuat(eyes[0], eyes[1]), f * 4);
        eyeL.rotations.set(eyeRotationQuat(eyes[3], eyes[4]), f * 4);
      }
      return anim;
    };
    return { push };
  }

  private frameCountOf(outputs: Float32Array): number {
    const { layout } = this;
    if (outputs.length % layout.total !== 0) {
      throw new Error(
        `network outputs have ${outputs.length} floats, not a whole number of ${layout.total}-float ` +
          `frames (skin ${layout.skin} | tongue ${layout.tongue} | jaw ${layout.jaw} | eyes ${layout.eyes})`,
      );
    }
    return outputs.length / layout.total;
  }
}

function describeBlink(input: BlinkInput | undefined): unknown {
  if (input === false) return 'off';
  if (input instanceof Float32Array) return 'track';
  return {
    seed: input?.seed ?? 0,
    intervalSeconds: input?.intervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS,
    durationSeconds: input?.durationSeconds ?? 'default',
  };
}

/** One-shot convenience: prepare and run once. */
export function assembleFaceAnimation(opts: PostprocessorOptions & RunOptions & { readonly outputs: Float32Array }): FaceAnimation {
  return new A2FPostprocessor(opts).run(opts.outputs, opts);
}
