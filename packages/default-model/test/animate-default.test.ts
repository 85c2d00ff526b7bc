import { channelCurve, jointTrack, validateFaceAnimation } from '@a2f/animation';
import { describe, expect, it } from 'vitest';
import { animateAudio, createInferenceEngine, loadModelPack } from '@a2f/inference';
import '../src/index.js';
import { exactFrameCount } from '@a2f/test-utils';

/** 0.5 s silence, 1.5 s of a vowel-like tone (120 Hz voice, harmonics shaped by /a/ formants), 0.5 s silence. */
function vowelLine(): Float32Array {
  const rate = 16000;
  const out = new Float32Array(rate * 2.5);
  const formants = [
    [730, 90],
    [1090, 110],
    [2440, 170],
  ];
  for (let i = rate / 2; i < rate * 2; i++) {
    const t = i / rate;
    let s = 0;
    for (let h = 1; h * 120 < 4000; h++) {
      const f = h * 120;
      const gain = formants.reduce((g, [fc, bw]) => g + 1 / (1 + ((f - fc) / bw) ** 2), 0);
      s += (gain / h) * Math.sin(2 * Math.PI * f * t);
    }
    out[i] = 0.15 * s;
  }
  return out;
}

describe('the default pack end to end', () => {
  it('animates a line: 68 channels, jaw/eye joints, frame count by the A2F rule, provenance', async () => {
    const pack = await loadModelPack('default');
    const samples = vowelLine();
    const anim = await animateAudio(samples, pack, { fps: { num: 30, den: 1 }, seed: 7, tool: { name: 'test', version: '0' } });
    validateFaceAnimation(anim);
    expect(anim.frameCount).toBe(exactFrameCount(samples.length, 30, 1));
    expect(anim.channels).toHaveLength(68);
    for (const name of ['jaw', 'eye_L', 'eye_R']) {
      const j = jointTrack(anim, name)!;
      expect(j.rotations).toHaveLength(anim.frameCount * 4);
      expect(j.translations).toHaveLength(anim.frameCount * 3);
    }
    // The mouth opens for the vowel and rests in the leading silence.
    const jaw = channelCurve(anim, 'jawOpen');
    const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(jaw.subarray(30, 55))).toBeGreaterThan(mean(jaw.subarray(0, 5)) + 0.05);
    expect(anim.provenance).toMatchObject({
      tool: { name: 'test', version: '0' },
      model: { id: 'a2f-default-articulators', kind: 'articulators', version: pack.version, sha256: pack.networkSha256 },
      parameters: {
        fps: '30',
        sampleRate: 16000,
        bufferLength: 8320,
        bufferOffset: 4160,
        inputStrength: 1,
        postprocess: 'articulators',
        // A stable name with the table's hash, never a path relative to the repository.
        articulatorTable: expect.stringMatching(/^a2f-default-articulators\/articulators-to-arkit\.json@[0-9a-f]{12}$/),
        articulatorTableSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        device: 'cpu',
        seed: 7,
      },
    });
  });

  it('reuses one engine across lines and frame rates', async () => {
    const engine = await createInferenceEngine(await loadModelPack('default'), { batchSize: 16 });
    try {
      const samples = vowelLine();
      const a = await engine.animate(samples, { fps: { num: 30000, den: 1001 } });
      const b = await engine.animate(samples.subarray(0, 8000), { fps: { num: 24, den: 1 } });
      expect(a.frameCount).toBe(exactFrameCount(samples.length, 30000, 1001));
      expect(a.provenance.parameters.fps).toBe('30000/1001');
      expect(b.frameCount).toBe(12);
      const raw = await engine.run(samples, { fps: { num: 30, den: 1 } });
      expect(raw.outputs.articulators.width).toBe(11);
      expect(raw.outputs.articulators.data).toHaveLength(raw.frameCount * 11);
    } finally {
      await engine.close();
    }
    await expect(engine.animate(new Float32Array(100), { fps: { num: 30, den: 1 } })).rejects.toMatchObject({ code: 'ENGINE_CLOSED' });
  });
});
