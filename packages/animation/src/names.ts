/**
 * The 52 ARKit blendshapes in NVIDIA Audio2Face order (not Apple's enum order): the order of
 * `bs_skin.npz` poseNames and of the SDK's 68-float weight vector (skin first).
 */
export const ARKIT_BLENDSHAPES = [
  'eyeBlinkLeft',
  'eyeLookDownLeft',
  'eyeLookInLeft',
  'eyeLookOutLeft',
  'eyeLookUpLeft',
  'eyeSquintLeft',
  'eyeWideLeft',
  'eyeBlinkRight',
  'eyeLookDownRight',
  'eyeLookInRight',
  'eyeLookOutRight',
  'eyeLookUpRight',
  'eyeSquintRight',
  'eyeWideRight',
  'jawForward',
  'jawLeft',
  'jawRight',
  'jawOpen',
  'mouthClose',
  'mouthFunnel',
  'mouthPucker',
  'mouthLeft',
  'mouthRight',
  'mouthSmileLeft',
  'mouthSmileRight',
  'mouthFrownLeft',
  'mouthFrownRight',
  'mouthDimpleLeft',
  'mouthDimpleRight',
  'mouthStretchLeft',
  'mouthStretchRight',
  'mouthRollLower',
  'mouthRollUpper',
  'mouthShrugLower',
  'mouthShrugUpper',
  'mouthPressLeft',
  'mouthPressRight',
  'mouthLowerDownLeft',
  'mouthLowerDownRight',
  'mouthUpperUpLeft',
  'mouthUpperUpRight',
  'browDownLeft',
  'browDownRight',
  'browInnerUp',
  'browOuterUpLeft',
  'browOuterUpRight',
  'cheekPuff',
  'cheekSquintLeft',
  'cheekSquintRight',
  'noseSneerLeft',
  'noseSneerRight',
  'tongueOut',
] as const;

/** The 16 tongue poses of `bs_tongue.npz`, in A2F order (after the 52 skin weights). */
export const TONGUE_BLENDSHAPES = [
  'tongueTipUp',
  'tongueTipDown',
  'tongueTipLeft',
  'tongueTipRight',
  'tongueRollUp',
  'tongueRollDown',
  'tongueRollLeft',
  'tongueRollRight',
  'tongueUp',
  'tongueDown',
  'tongueLeft',
  'tongueRight',
  'tongueIn',
  'tongueStretch',
  'tongueWide',
  'tongueNarrow',
] as const;

export type ArkitBlendshape = (typeof ARKIT_BLENDSHAPES)[number];
export type TongueBlendshape = (typeof TONGUE_BLENDSHAPES)[number];

/**
 * Our joint channel names: the defaults of NVIDIA's own a2f_export writer. Bindings map them onto
 * an asset's joint paths (e.g. "Root/head/jaw").
 */
export const JOINT_CHANNELS = ['jaw', 'eye_L', 'eye_R', 'tongue'] as const;
export type JointChannel = (typeof JOINT_CHANNELS)[number];

/** NVIDIA's PascalCase spelling (NIM, SDK samples) of an ARKit name. */
export const pascalCase = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);
