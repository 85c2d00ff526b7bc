import { parseSolverConfig } from '../params.js';
import { float32Array, int32Array, stringArray, ARRAY_FIX } from './arrays.js';
import { readJson } from './json-file.js';
import { npyError } from './npy.js';
import { NpzFile } from './npz.js';
import type { BlendshapeRig } from './types.js';

const RESERVED = ['poseNames', 'neutral', 'frontalMask', 'rig_version'];

/**
 * Reads a blendshape rig (`bs_skin.npz` / `bs_tongue.npz`, docs/nvidia/solver.md#rig) and its solver config (docs/nvidia/solver.md#config).
 * poseNames[0] must be "neutral" (the `neutral` array); every other name needs a [V, 3] delta
 * array, V being the network's vertex count so the solve target and the rig line up.
 */
export async function readBlendshapeRig(
  dataFile: string,
  configFile: string,
  vertexCount: number,
  vertsField: string,
  notes: string[] = [],
): Promise<BlendshapeRig> {
  const npz = await NpzFile.open(dataFile);
  let rig: Omit<BlendshapeRig, 'config'>;
  try {
    if (!npz.has('poseNames'))
      throw npyError({ file: dataFile, entry: 'poseNames' }, `missing: the archive holds ${npz.keys().join(', ')}`, ARRAY_FIX);
    const names = stringArray(await npz.read('poseNames'), dataFile, 'poseNames', 'the pose names, "neutral" first');
    if (names[0] !== 'neutral') {
      throw npyError(
        { file: dataFile, entry: 'poseNames' },
        `poseNames[0] is ${names.length ? JSON.stringify(names[0]) : 'absent (empty array)'}, expected "neutral"`,
        ARRAY_FIX,
      );
    }
    const poseNames = names.slice(1);
    const dup = poseNames.find((n, i) => poseNames.indexOf(n) !== i || RESERVED.includes(n));
    if (dup !== undefined)
      throw npyError({ file: dataFile, entry: 'poseNames' }, `pose "${dup}" is listed twice or reuses a reserved array name`, ARRAY_FIX);
    const shape = [[vertexCount, 3]];
    const meaning = `${vertsField} × xyz, from network_info.json`;
    const neutral = float32Array(await npz.read('neutral'), dataFile, 'neutral', shape, meaning);
    const absent = poseNames.filter((n) => !npz.has(n));
    if (absent.length) {
      throw npyError(
        { file: dataFile },
        `poseNames lists ${absent.map((n) => `"${n}"`).join(', ')} but the archive has no such delta array`,
        ARRAY_FIX,
      );
    }
    const deltas: Float32Array[] = [];
    for (const name of poseNames) deltas.push(float32Array(await npz.read(name), dataFile, name, shape, meaning));

    let frontalMask: Int32Array | undefined;
    if (npz.has('frontalMask')) {
      const mask = await npz.read('frontalMask');
      frontalMask =
        mask.dtype === 'bool' && mask.data.length === vertexCount
          ? maskIndices(mask.data)
          : int32Array(mask, dataFile, 'frontalMask', undefined, 'vertex indices');
      const bad = frontalMask.findIndex((i) => i < 0 || i >= vertexCount);
      if (bad >= 0)
        throw npyError(
          { file: dataFile, entry: 'frontalMask' },
          `index ${frontalMask[bad]} at position ${bad} is outside 0…${vertexCount - 1}`,
          ARRAY_FIX,
        );
    }
    let rigVersion: string | undefined;
    if (npz.has('rig_version')) {
      const v = await npz.read('rig_version');
      rigVersion = v.dtype === 'string' ? v.data.join(' ') : Array.from(v.data as ArrayLike<number>).join('.');
    }
    for (const k of npz.keys()) {
      if (!RESERVED.includes(k) && !poseNames.includes(k)) notes.push(`${dataFile}: ignoring array "${k}" (not in poseNames)`);
    }
    rig = { poseNames, neutral, deltas, frontalMask, rigVersion, vertexCount };
  } finally {
    await npz.close();
  }
  const config = parseSolverConfig(await readJson(configFile, 'the blendshape solver config'), configFile, rig.poseNames.length, notes);
  return { ...rig, config };
}

/** A boolean per-vertex mask as the index list the SDK's solver uses. */
function maskIndices(mask: Uint8Array): Int32Array {
  const idx: number[] = [];
  mask.forEach((on, i) => {
    if (on) idx.push(i);
  });
  return Int32Array.from(idx);
}
