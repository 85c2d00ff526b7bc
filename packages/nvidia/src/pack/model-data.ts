import { float32Array } from './arrays.js';
import { npyError } from './npy.js';
import { NpzFile } from './npz.js';
import type { ModelData, NetworkInfo } from './types.js';

/**
 * The SDK requires exactly these arrays and no others (`RegressionAnimatorDataNoUnexpectedTensors`, docs/nvidia/pack-format.md#model-data).
 */
export const MODEL_DATA_KEYS = [
  'shapes_matrix_skin',
  'shapes_mean_skin',
  'lip_open_pose_delta',
  'eye_close_pose_delta',
  'shapes_matrix_tongue',
  'shapes_mean_tongue',
  'neutral_jaw',
  'saccade_rot_matrix',
] as const;

/**
 * Reads `model_data.npz`, checking every shape against network_info.json. Per-vertex arrays may be
 * [V, 3] or flat [3V], PCA matrices [S, V, 3] or [S, 3V] (the SDK only counts floats); data is
 * returned flat either way. The skin matrix (200 MB for Mark) is a view on its entry's buffer.
 */
export async function readModelData(file: string, info: NetworkInfo): Promise<ModelData> {
  const npz = await NpzFile.open(file);
  try {
    const keys = npz.keys();
    const missing = MODEL_DATA_KEYS.filter((k) => !keys.includes(k));
    const extra = keys.filter((k) => !(MODEL_DATA_KEYS as readonly string[]).includes(k));
    if (missing.length || extra.length) {
      const fix = 'Use the model_data.npz shipped with this pack (a2f models pull downloads it).';
      const parts = [
        missing.length ? `missing ${missing.map((k) => `"${k}"`).join(', ')}` : '',
        extra.length ? `unexpected ${extra.map((k) => `"${k}"`).join(', ')}` : '',
      ];
      throw npyError({ file }, `expected exactly the arrays ${MODEL_DATA_KEYS.join(', ')}; ${parts.filter(Boolean).join('; ')}`, fix);
    }
    const { numShapesSkin: S, numVertsSkin: V, numShapesTongue: T, numVertsTongue: W, resultJawSize: J } = info;
    const verts = (n: number) => [[n, 3], [3 * n]];
    const matrix = (s: number, n: number) => [
      [s, n, 3],
      [s, 3 * n],
    ];
    const read = async (key: string, shapes: number[][], meaning: string) => float32Array(await npz.read(key), file, key, shapes, meaning);
    const skinVerts = 'num_verts_skin × xyz, from network_info.json';
    const tongueVerts = 'num_verts_tongue × xyz, from network_info.json';

    const saccade = await npz.read('saccade_rot_matrix');
    const frames = saccade.shape.length === 2 ? saccade.shape[0] : Math.floor((saccade.shape[0] ?? 0) / 2);
    if (frames < 1)
      throw npyError(
        { file, entry: 'saccade_rot_matrix' },
        `shape [${saccade.shape.join(', ')}], expected [frames, 2] with frames ≥ 1`,
        'Use the model_data.npz shipped with this pack.',
      );
    return {
      shapesMatrixSkin: await read('shapes_matrix_skin', matrix(S, V), 'num_shapes_skin × num_verts_skin × xyz, from network_info.json'),
      shapesMeanSkin: await read('shapes_mean_skin', verts(V), skinVerts),
      lipOpenPoseDelta: await read('lip_open_pose_delta', verts(V), skinVerts),
      eyeClosePoseDelta: await read('eye_close_pose_delta', verts(V), skinVerts),
      shapesMatrixTongue: await read(
        'shapes_matrix_tongue',
        matrix(T, W),
        'num_shapes_tongue × num_verts_tongue × xyz, from network_info.json',
      ),
      shapesMeanTongue: await read('shapes_mean_tongue', verts(W), tongueVerts),
      neutralJaw: await read('neutral_jaw', [[J / 3, 3], [J]], 'result_jaw_size / 3 key points × xyz, from network_info.json'),
      saccadeRotMatrix: float32Array(saccade, file, 'saccade_rot_matrix', [[frames, 2], [2 * frames]], 'frames × (x, y)'),
      saccadeFrames: frames,
    };
  } finally {
    await npz.close();
  }
}
