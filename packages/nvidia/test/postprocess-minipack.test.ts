// Post-processing + solve on a generated mini pack in NVIDIA's exact layout (the pack engineer's
// generator and loader), with the pack's own model_config.json and Mark's solver configs.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ARKIT_BLENDSHAPES, rational, seededRandom, TONGUE_BLENDSHAPES, validateFaceAnimation, type Provenance } from '@a2f/animation';
import { makeMiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { A2FPostprocessor, loadNvidiaPack } from '../src/index.js';
import type { A2FRigData } from '../src/postprocess/rig-data.js';

const dir = mkdtempSync(path.join(tmpdir(), 'a2f-postprocess-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const provenance: Provenance = {
  tool: { name: 'test', version: '0' },
  model: { id: 'mini-mark', kind: 'nvidia-a2f-v2.3' },
  parameters: {},
};

describe('A2FPostprocessor on a mini pack', () => {
  it('solves with the pack data on both paths (≤ 1e-4 apart) and writes A2F-ordered channels', async () => {
    const made = makeMiniPack(path.join(dir, 'mark'), { variant: 'mark', seed: 3 });
    const pack = await loadNvidiaPack(made.dir);
    const rig: A2FRigData = { ...pack.modelData, skin: pack.skin, tongue: pack.tongue };
    const rand = seededRandom(5);
    const total = pack.networkInfo.resultLength;
    const frames = 45;
    const outputs = new Float32Array(frames * total);
    for (let i = 0; i < outputs.length; i++) outputs[i] = (rand() - 0.5) * 4;
    for (const fps of [rational(30), rational(60)]) {
      const opts = { rig, params: pack.params, skinSolver: pack.skin.config, tongueSolver: pack.tongue.config, fps };
      const mesh = new A2FPostprocessor({ ...opts, path: 'mesh' }).run(outputs, { provenance, blink: { seed: 2, intervalSeconds: 0.5 } });
      const fast = new A2FPostprocessor({ ...opts, path: 'coefficients' }).run(outputs, {
        provenance,
        blink: { seed: 2, intervalSeconds: 0.5 },
      });
      validateFaceAnimation(fast);
      expect(fast.channels).toEqual([...ARKIT_BLENDSHAPES, ...TONGUE_BLENDSHAPES]);
      let worst = 0;
      for (let i = 0; i < fast.weights.length; i++) worst = Math.max(worst, Math.abs(fast.weights[i] - mesh.weights[i]));
      expect(worst).toBeLessThan(1e-4);
      // inactive poses (eye looks, tongueOut in the skin set) stay at their offset, 0 for Mark
      const channels = fast.channels.length;
      pack.skin.config.bsSolveActivePoses.forEach((on, p) => {
        if (on) return;
        for (let f = 0; f < frames; f++) expect(fast.weights[f * channels + p]).toBe(pack.skin.config.bsWeightOffsets[p]);
      });
    }
  });
});
