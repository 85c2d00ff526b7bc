import { float32Array, int32Array, stringArray, ARRAY_FIX } from './arrays.js';
import { npyError } from './npy.js';
import { NpzFile } from './npz.js';
import type { EmotionDatabase, EmotionShot } from './types.js';

const KEYS = ['emo_db', 'emo_spec_names', 'emo_spec_start', 'emo_spec_size'];

/**
 * Reads `implicit_emo_db.npz` (SDK `emotion.cpp` `InitFromNpz`, docs/nvidia/emotion.md): `emo_db` [frames, width]
 * float32 and, per shot, its name, first row and row count. Every shot must lie inside the table.
 */
export async function readEmotionDatabase(file: string, width: number, notes: string[] = []): Promise<EmotionDatabase> {
  const npz = await NpzFile.open(file);
  try {
    for (const k of npz.keys()) if (!KEYS.includes(k)) notes.push(`${file}: ignoring array "${k}" (not read by the Audio2Face-3D SDK)`);
    const db = await npz.read('emo_db');
    const frames = db.shape[0] ?? 0;
    const rows = float32Array(db, file, 'emo_db', [[frames, width]], `frames × implicit_emotion_len (${width}, from network_info.json)`);
    const names = stringArray(await npz.read('emo_spec_names'), file, 'emo_spec_names', 'one name per shot');
    const starts = int32Array(
      await npz.read('emo_spec_start'),
      file,
      'emo_spec_start',
      names.length,
      'one first row per shot in emo_spec_names',
    );
    const sizes = int32Array(
      await npz.read('emo_spec_size'),
      file,
      'emo_spec_size',
      names.length,
      'one row count per shot in emo_spec_names',
    );
    const shots: EmotionShot[] = names.map((name, i) => {
      const start = starts[i],
        size = sizes[i];
      if (start < 0 || size < 0 || start + size > frames) {
        throw npyError(
          { file, entry: 'emo_spec_start' },
          `shot "${name}" spans rows ${start}…${start + size - 1}, outside emo_db's ${frames} rows`,
          ARRAY_FIX,
        );
      }
      return { name, start, size };
    });
    return { file, rows, width, shots };
  } finally {
    await npz.close();
  }
}
