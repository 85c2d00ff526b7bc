import type { NvidiaPack } from '../pack/types.js';
import type { BlendshapeRig } from '../solver/blendshape-solver.js';

/**
 * Everything post-processing needs from an NVIDIA v2.3 pack, as plain typed arrays. The pack
 * loader fills it from `model_data.npz` (docs/nvidia/pack-format.md#model-data) and `bs_skin.npz` / `bs_tongue.npz`
 * (docs/nvidia/solver.md#rig); names follow the npz keys. All float data is float32 as stored.
 */
export interface A2FRigData {
  /** `shapes_matrix_skin`, [S, Vskin, 3] */
  readonly shapesMatrixSkin: Float32Array;
  /** `shapes_mean_skin`, Vskin·3: the skin neutral */
  readonly shapesMeanSkin: Float32Array;
  /** `lip_open_pose_delta`, Vskin·3 */
  readonly lipOpenPoseDelta: Float32Array;
  /** `eye_close_pose_delta`, Vskin·3 */
  readonly eyeClosePoseDelta: Float32Array;
  /** `shapes_matrix_tongue`, [T, Vtongue, 3] */
  readonly shapesMatrixTongue: Float32Array;
  /** `shapes_mean_tongue`, Vtongue·3 */
  readonly shapesMeanTongue: Float32Array;
  /** `neutral_jaw`, key points × 3 (5 × 3 for the v2.3 packs) */
  readonly neutralJaw: Float32Array;
  /** `saccade_rot_matrix`, rows × (x, y), 30 fps (5000 rows for Mark) */
  readonly saccadeRotMatrix: Float32Array;
  /** `bs_skin.npz`: same topology as `shapes_mean_skin` */
  readonly skin: BlendshapeRig;
  /** `bs_tongue.npz`: same topology as `shapes_mean_tongue` */
  readonly tongue: BlendshapeRig;
}

/** Where each part sits in one frame of the network's `result` (docs/nvidia/pack-format.md#tensors): [skin S | tongue T | jaw | eyes]. */
export interface NetworkLayout {
  readonly skin: number;
  readonly tongue: number;
  readonly jaw: number;
  readonly eyes: number;
  /** floats per frame */
  readonly total: number;
}

/** Number of eye values per frame: (R.x, R.y, L.x, L.y). */
export const EYES_SIZE = 4;

/** Checks sizes agree with each other and derives the per-frame output layout. */
export function rigLayout(rig: A2FRigData): NetworkLayout {
  const fail = (what: string): never => {
    throw new Error(`NVIDIA pack data: ${what}. Check that model_data.npz, bs_skin.npz and bs_tongue.npz come from the same pack`);
  };
  const skinSize = rig.shapesMeanSkin.length;
  const tongueSize = rig.shapesMeanTongue.length;
  if (skinSize === 0 || skinSize % 3) fail(`shapes_mean_skin has ${skinSize} floats, expected vertices × 3`);
  if (tongueSize === 0 || tongueSize % 3) fail(`shapes_mean_tongue has ${tongueSize} floats, expected vertices × 3`);
  if (rig.shapesMatrixSkin.length % skinSize)
    fail(`shapes_matrix_skin (${rig.shapesMatrixSkin.length} floats) is not a whole number of ${skinSize}-float shapes`);
  if (rig.shapesMatrixTongue.length % tongueSize)
    fail(`shapes_matrix_tongue (${rig.shapesMatrixTongue.length} floats) is not a whole number of ${tongueSize}-float shapes`);
  if (rig.lipOpenPoseDelta.length !== skinSize)
    fail(`lip_open_pose_delta has ${rig.lipOpenPoseDelta.length} floats, shapes_mean_skin ${skinSize}`);
  if (rig.eyeClosePoseDelta.length !== skinSize)
    fail(`eye_close_pose_delta has ${rig.eyeClosePoseDelta.length} floats, shapes_mean_skin ${skinSize}`);
  if (rig.neutralJaw.length === 0 || rig.neutralJaw.length % 3)
    fail(`neutral_jaw has ${rig.neutralJaw.length} floats, expected key points × 3`);
  if (rig.saccadeRotMatrix.length === 0 || rig.saccadeRotMatrix.length % 2)
    fail(`saccade_rot_matrix has ${rig.saccadeRotMatrix.length} floats, expected rows × 2`);
  if (rig.skin.neutral.length !== skinSize)
    fail(
      `bs_skin.npz neutral has ${rig.skin.neutral.length} floats but shapes_mean_skin ` +
        `has ${skinSize}: the blendshape rig must share the network's skin topology`,
    );
  if (rig.tongue.neutral.length !== tongueSize)
    fail(`bs_tongue.npz neutral has ${rig.tongue.neutral.length} floats but shapes_mean_tongue has ${tongueSize}`);
  const skin = rig.shapesMatrixSkin.length / skinSize;
  const tongue = rig.shapesMatrixTongue.length / tongueSize;
  const jaw = rig.neutralJaw.length;
  return { skin, tongue, jaw, eyes: EYES_SIZE, total: skin + tongue + jaw + EYES_SIZE };
}

/** The arrays post-processing (A2FPostprocessor) takes; skinSolver/tongueSolver are `pack.skin.config`/`pack.tongue.config`. */
export function toRigData(pack: NvidiaPack): A2FRigData {
  const d = pack.modelData;
  return {
    shapesMatrixSkin: d.shapesMatrixSkin,
    shapesMeanSkin: d.shapesMeanSkin,
    lipOpenPoseDelta: d.lipOpenPoseDelta,
    eyeClosePoseDelta: d.eyeClosePoseDelta,
    shapesMatrixTongue: d.shapesMatrixTongue,
    shapesMeanTongue: d.shapesMeanTongue,
    neutralJaw: d.neutralJaw,
    saccadeRotMatrix: d.saccadeRotMatrix,
    skin: pack.skin,
    tongue: pack.tongue,
  };
}
