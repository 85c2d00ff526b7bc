import type { FaceParams } from '../params.js';

/**
 * Tongue post-processing (docs/nvidia/postprocess.md#tongue, SDK `AnimateTongueKernel`):
 * pos = neutral + delta·tongue_strength, plus tongue_height_offset on y and tongue_depth_offset on z.
 */
export function animateTongue(
  delta: ArrayLike<number>,
  neutral: Float32Array,
  params: Pick<FaceParams, 'tongue_strength' | 'tongue_height_offset' | 'tongue_depth_offset'>,
  out: Float32Array,
): void {
  const strength = params.tongue_strength;
  const height = params.tongue_height_offset;
  const depth = params.tongue_depth_offset;
  for (let i = 0; i < neutral.length; i += 3) {
    out[i] = neutral[i] + delta[i] * strength;
    out[i + 1] = neutral[i + 1] + delta[i + 1] * strength + height;
    out[i + 2] = neutral[i + 2] + delta[i + 2] * strength + depth;
  }
}
