// `a2f models` for Audio2Emotion packs: the known entry (NVIDIA's sizes and full hashes), pull from a
// loopback server into a pack that loads, verify against a known entry, inspect.
import { cpSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { makeMiniA2e } from '../../../models/nvidia/make-mini-a2e.mjs';
import { inspectA2ePack, isA2ePack, knownPacks, listPacks, loadA2ePack, pullPack, verifyPack } from '../src/index.js';
import type { MiniPack } from '../../../models/nvidia/make-mini-pack.mjs';
import { knownEntry, servePack, type PackServer } from './models-server.js';

afterAll(removeTempDirs);
let server: PackServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** The generated pack in the shape the loopback server and knownEntry take. */
function miniPack(): MiniPack {
  const made = makeMiniA2e(path.join(tempDir('a2e'), 'a2e'));
  const sizes = { actor: 'audio2emotion', version: '2.2', skinShapes: null } as unknown as MiniPack['sizes'];
  return { ...made, variant: 'mark', sizes };
}

describe('Audio2Emotion in a2f models', () => {
  it('knows nvidia/Audio2Emotion-v2.2 at its pinned revision with every file size and full SHA-256', () => {
    const a2e = knownPacks().find((p) => p.name === 'audio2emotion')!;
    expect(a2e).toMatchObject({ repo: 'nvidia/Audio2Emotion-v2.2', version: '2.2', revision: 'ce1358310179ed7f6b6ea63fe4fa9de5694c1b87' });
    expect(a2e.files.map((f) => [f.path, f.size])).toEqual([
      ['model.json', 125],
      ['network_info.json', 133],
      ['network.onnx', 1271318264],
      ['model_config.json', 626],
      ['trt_info.json', 493],
    ]);
    for (const f of a2e.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(a2e.files.find((f) => f.path === 'trt_info.json')!.optional).toBe(true);
  });

  it('pulls a pack into a folder that loads as Audio2Emotion and lists it verified', async () => {
    const made = miniPack();
    const known = [knownEntry(made, 'testa2e')];
    server = await servePack(made);
    const packsDir = tempDir();
    const result = await pullPack('testa2e', { packsDir, baseUrl: server.baseUrl, known, retryDelayMs: 5 });
    expect(isA2ePack(result.dir)).toBe(true);
    expect((await loadA2ePack(result.dir)).emotions).toHaveLength(6);
    expect(listPacks(packsDir, known)).toEqual([expect.objectContaining({ name: 'testa2e', installed: true, status: 'verified' })]);
  });

  it('verifies against the known entry and checks the network contract; a changed file is a warning naming it', async () => {
    const made = miniPack();
    const packsDir = tempDir();
    const dir = path.join(packsDir, 'testa2e');
    cpSync(made.dir, dir, { recursive: true });
    const known = [knownEntry(made, 'testa2e')];
    const report = await verifyPack(dir, { known });
    expect(report).toMatchObject({ ok: true, actor: 'audio2emotion', version: '2.2', known: 'testa2e', warnings: [] });
    expect(report.network!.inputNames).toEqual(['input_values']);
    expect(report.network!.outputNames).toEqual(['output']);
    writeFileSync(path.join(dir, 'trt_info.json'), '{"trt_build_param": {}}');
    const changed = await verifyPack(dir, { known, record: false });
    expect(changed.ok).toBe(false);
    expect(changed.warnings.join('\n')).toMatch(/^trt_info.json: /);
    expect(changed.files.find((f) => f.path === 'trt_info.json')!.status).toBe('mismatch');
  });

  it('inspects the emotions, their A2F indices, the defaults and the parameters', async () => {
    const info = await inspectA2ePack(miniPack().dir);
    expect(info.emotions).toEqual([
      { name: 'angry', a2fIndex: 1 },
      { name: 'disgust', a2fIndex: 3 },
      { name: 'fear', a2fIndex: 4 },
      { name: 'happy', a2fIndex: 6 },
      { name: 'neutral', a2fIndex: -1 },
      { name: 'sad', a2fIndex: 9 },
    ]);
    expect(info.defaults).toEqual({ window: 60000, skip: 30 });
    expect(info.trtShapes).toEqual({ min: 5000, opt: 30000, max: 60000 });
    expect(info.tensors.network!.inputNames).toEqual(['input_values']);
    expect(info.params.emotion_strength).toBe(0.6);
    expect(info.files.map((f) => f.path)).toEqual([
      'model.json',
      'model_config.json',
      'network.onnx',
      'network_info.json',
      'trt_info.json',
    ]);
  });
});
