import { npyError, type NpyArray } from './npy.js';

const FIX = 'Use the file shipped with this pack; it does not belong to the same model (or is damaged).';

const dims = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/**
 * Checks dtype and shape of a float array. `shapes` lists the accepted shapes (the first is the
 * one named in errors; a flat form is usually accepted too, since the SDK only counts floats).
 */
export function float32Array(
  arr: NpyArray,
  file: string,
  key: string,
  shapes: readonly (readonly number[])[],
  meaning: string,
): Float32Array {
  if (arr.dtype !== 'float32') {
    throw npyError({ file, entry: key }, `dtype ${arr.descr}, expected float32 (<f4)`, FIX);
  }
  if (!shapes.some((s) => s.length === arr.shape.length && s.every((d, i) => d === arr.shape[i]))) {
    throw npyError({ file, entry: key }, `shape ${dims(arr.shape)}, expected ${dims(shapes[0])} (${meaning})`, FIX);
  }
  return arr.data;
}

/** Integer arrays (int32, or int64 that fit) as Int32Array. */
export function int32Array(arr: NpyArray, file: string, key: string, length: number | undefined, meaning: string): Int32Array {
  if (arr.dtype !== 'int32') throw npyError({ file, entry: key }, `dtype ${arr.descr}, expected integers (<i4 or <i8)`, FIX);
  if (arr.shape.length !== 1 || (length !== undefined && arr.shape[0] !== length)) {
    throw npyError({ file, entry: key }, `shape ${dims(arr.shape)}, expected [${length ?? 'n'}] (${meaning})`, FIX);
  }
  return arr.data;
}

export function stringArray(arr: NpyArray, file: string, key: string, meaning: string): string[] {
  if (arr.dtype !== 'string') throw npyError({ file, entry: key }, `dtype ${arr.descr}, expected a unicode string array (<U…)`, FIX);
  if (arr.shape.length > 1) throw npyError({ file, entry: key }, `shape ${dims(arr.shape)}, expected one dimension (${meaning})`, FIX);
  return arr.data;
}

export { FIX as ARRAY_FIX };
