import { InferenceError } from '@a2f/inference';
import type { EmotionDatabase } from './pack/types.js';

/** Row `emo_spec_start[shot] + frame` of the database, bounds-checked like the SDK. */
export function implicitEmotion(db: EmotionDatabase, shot: string, frame: number, origin = 'model_config.json'): Float32Array {
  const s = db.shots.find((x) => x.name === shot);
  const known = db.shots.map((x) => `"${x.name}" (${x.size} frames)`).join(', ');
  if (!s) {
    throw new InferenceError(
      'PACK_FIELD',
      origin,
      `source_shot "${shot}" is not a shot of ${db.file}; it has ${known}`,
      'Set "source_shot" to one of those names (the pack\'s own model_config.json has a valid one).',
    );
  }
  if (!Number.isInteger(frame) || frame < 0 || frame >= s.size) {
    throw new InferenceError(
      'PACK_FIELD',
      origin,
      `source_frame ${frame} is outside shot "${shot}", which has frames 0…${s.size - 1}`,
      `Set "source_frame" to an integer from 0 to ${s.size - 1}.`,
    );
  }
  const row = s.start + frame;
  return db.rows.slice(row * db.width, (row + 1) * db.width);
}
