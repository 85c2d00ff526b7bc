import { rational } from '@a2f/animation';
import { createInferenceEngine, loadModelPack, type EmotionKey } from '@a2f/inference';
import { describe, expect, it } from 'vitest';
import '../src/index.js';

const fps = rational(30);
const keys: EmotionKey[] = [{ time: 0, emotions: { joy: 0.6 } }];

/** 1 s of a voiced tone: enough for the network to produce frames. */
function line(): Float32Array {
  const rate = 16000;
  return Float32Array.from({ length: rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 130 * i) / rate));
}

describe('engine options on the default model', () => {
  it('the default model takes no parameters or emotion, and says so', async () => {
    const pack = await loadModelPack('default');
    await expect(createInferenceEngine(pack, { params: { skin_strength: 1 } })).rejects.toThrow(/takes no parameter overrides.*NVIDIA/);
    const engine = await createInferenceEngine(pack, { workers: 1, threads: 1 });
    try {
      expect(engine.emotionNames).toBeNull();
      await expect(engine.animate(line(), { fps, emotion: keys, emotionSource: '--emotion' })).rejects.toThrow(
        /has no emotion input, so emotion keys from --emotion/,
      );
    } finally {
      await engine.close();
    }
  });
});
