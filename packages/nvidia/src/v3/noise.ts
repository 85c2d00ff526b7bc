import { existsSync } from 'node:fs';
import path from 'node:path';
import { InferenceError } from '@a2f/inference';
import { readNpy } from '../pack/npz.js';
import { philoxNormals } from './philox.js';

/** `--v3-noise`: how the noise input is made (docs/nvidia/v3.md#noise). */
export type V3NoiseChoice = 'philox' | 'zeros' | { readonly file: string };

export function parseNoiseChoice(value: string, origin: string): V3NoiseChoice {
  if (value === 'philox' || value === 'zeros') return value;
  if (!value.toLowerCase().endsWith('.npy')) {
    throw new InferenceError(
      'BAD_OPTION',
      origin,
      `--v3-noise "${value}" is neither philox, zeros nor a .npy file`,
      "Use --v3-noise philox (NVIDIA's default), zeros, or a path to a float32 .npy holding one noise tensor.",
    );
  }
  const file = path.resolve(value);
  if (!existsSync(file)) {
    throw new InferenceError('BAD_OPTION', file, 'the --v3-noise file does not exist', 'Give the path of an existing .npy file.');
  }
  return { file };
}

export const describeNoise = (c: V3NoiseChoice): string => (typeof c === 'string' ? c : c.file);

/**
 * The one noise tensor used for every window of every line ([steps+1, frames, width] floats), as
 * the microservice's constant_noise: one Philox draw at offset 0 and seed 0, all zeros, or a file's
 * values (float32, that many values in any shape with a leading 1 allowed).
 */
export async function makeNoise(choice: V3NoiseChoice, dims: readonly number[]): Promise<Float32Array> {
  const size = dims.reduce((a, b) => a * b, 1);
  if (choice === 'zeros') return new Float32Array(size);
  if (choice === 'philox') return philoxNormals(new Float32Array(size));
  const arr = await readNpy(choice.file);
  const shape = arr.shape.length === dims.length + 1 && arr.shape[0] === 1 ? arr.shape.slice(1) : arr.shape;
  if (arr.dtype !== 'float32' || shape.length !== dims.length || shape.some((d, i) => d !== dims[i])) {
    throw new InferenceError(
      'BAD_OPTION',
      choice.file,
      `holds ${arr.dtype} [${arr.shape.join(', ')}], the network's noise is float32 [${dims.join(', ')}]`,
      `Write the noise as a float32 .npy of shape [${dims.join(', ')}] (or [1, ${dims.join(', ')}]).`,
    );
  }
  return arr.data as Float32Array;
}
