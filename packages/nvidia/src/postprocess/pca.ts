/**
 * PCA reconstruction without the mean (docs/nvidia/postprocess.md#pca, SDK `AnimatorPcaReconstruction`):
 * delta = Σ_j coef_j · shapes[j], with `shapes` stored [S, V, 3] row-major. The neutral
 * (`shapes_mean_*`) is added later, after post-processing in delta space.
 */
export function pcaReconstruct(shapes: Float32Array, coefs: ArrayLike<number>, coefOffset: number, out: Float32Array | Float64Array): void {
  const size = out.length;
  const count = shapes.length / size;
  if (!Number.isInteger(count)) throw new Error(`PCA basis of ${shapes.length} floats is not a multiple of the pose size ${size}`);
  out.fill(0);
  for (let j = 0; j < count; j++) {
    const c = coefs[coefOffset + j];
    if (c === 0) continue;
    const base = j * size;
    for (let i = 0; i < size; i++) out[i] += c * shapes[base + i];
  }
}
