import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectPack, knownPacks, listPacks, loadNvidiaPack, parseKnownPacks, RECORD_FILE, verifyPack } from '../src/index.js';
import { knownEntry } from './models-server.js';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { packCopy } from './pack-helpers.js';

afterAll(removeTempDirs);

describe('known packs manifest (models/nvidia/packs.json)', () => {
  it("lists Mark v2.3 and Claire/James v2.3.1 with pinned revisions and Mark's known sizes/hashes", () => {
    const packs = knownPacks();
    expect(packs.map((p) => [p.name, p.repo, p.version])).toEqual([
      ['mark', 'nvidia/Audio2Face-3D-v2.3-Mark', '2.3'],
      ['claire', 'nvidia/Audio2Face-3D-v2.3.1-Claire', '2.3.1'],
      ['james', 'nvidia/Audio2Face-3D-v2.3.1-James', '2.3.1'],
      ['audio2emotion', 'nvidia/Audio2Emotion-v2.2', '2.2'],
    ]);
    for (const p of packs) expect(p.revision).toMatch(/^[0-9a-f]{40}$/);
    const mark = packs[0];
    expect(mark.files.find((f) => f.path === 'model_data.npz')).toMatchObject({ size: 203797682, sha256Prefix: '03790f24', sha256: null });
    expect(mark.files.find((f) => f.path === 'network.onnx')).toMatchObject({ size: 75751144, sha256Prefix: 'dcd16d3b' });
    // No invented values for the v2.3.1 packs.
    for (const f of packs[1].files) expect([f.size, f.sha256Prefix]).toEqual([null, null]);
    expect(packs[1].skinShapes).toBe(140);
  });

  it('rejects a malformed manifest with the field named', () => {
    expect(() => parseKnownPacks({ format: 'a2f-known-packs/1', packs: [{ name: 'x', files: [{ path: '../up' }] }] }, 'k.json')).toThrow(
      /k\.json: "packs\[0\]\.files\[0\]\.path" must be a path inside the pack, found the string "\.\.\/up"\. Reinstall @a2f\/nvidia/,
    );
    expect(() => parseKnownPacks({ format: 'other' }, 'k.json')).toThrow(/"format" must be "a2f-known-packs\/1"/);
  });
});

describe('verifyPack / listPacks / inspectPack', () => {
  it('verifies a pack matching its known entry, records it, and listPacks then reports it verified', async () => {
    const made = packCopy('mark');
    const packsDir = tempDir();
    const dir = path.join(packsDir, 'testmark');
    cpSync(made.dir, dir, { recursive: true });
    const known = [knownEntry(made)];
    expect(listPacks(packsDir, known)[0]).toMatchObject({ installed: true, status: 'unverified' });
    const report = await verifyPack(dir, { known });
    expect(report).toMatchObject({ ok: true, known: 'testmark', actor: 'mark', warnings: [] });
    expect(report.files.filter((f) => f.status !== 'ok')).toEqual([]);
    expect(report.network!.inputNames.slice().sort()).toEqual(['emotion', 'input']);
    expect(existsSync(path.join(dir, RECORD_FILE))).toBe(true);
    expect(listPacks(packsDir, known)[0].status).toBe('verified');

    // A record that does not match its schema only means "not verified" (the pack is hashed again).
    const record = path.join(dir, RECORD_FILE);
    const good = readFileSync(record, 'utf8');
    const json = JSON.parse(good);
    json.files['network.onnx'].size = 'big';
    writeFileSync(record, JSON.stringify(json));
    expect(listPacks(packsDir, known)[0].status).toBe('unverified');
    writeFileSync(record, '[]');
    expect(listPacks(packsDir, known)[0].status).toBe('unverified');
    writeFileSync(record, good);
    expect(listPacks(packsDir, known)[0].status).toBe('verified');

    // A file that changes size after verification shows up as modified without rehashing.
    writeFileSync(path.join(dir, 'bs_tongue_config.json'), '{"blendshape_params":{}}');
    expect(listPacks(packsDir, known)[0].status).toBe('modified');
  });

  it('warns (not fails) when a pack loads but differs from the known one: other hashes, other skin-shape count', async () => {
    const claire = packCopy('claire');
    const mark = packCopy('mark');
    const dir = path.join(tempDir(), 'testmark');
    cpSync(claire.dir, dir, { recursive: true });
    // The known entry says "mark with mark's files"; the folder holds the claire variant.
    const report = await verifyPack(dir, { known: [knownEntry(mark)], network: false });
    expect(report.ok).toBe(false);
    expect(report.known).toBe('testmark');
    expect(report.files.find((f) => f.path === 'model_data.npz')!.status).toBe('mismatch');
    expect(report.warnings.join('\n')).toMatch(
      /model_data\.npz: \d+ bytes, Test mark has \d+ \(revision 0123456789ab\); results may differ/,
    );
    expect(report.warnings.join('\n')).toMatch(
      new RegExp(
        `network_info\\.json declares ${claire.sizes.skinShapes} skin shapes; Test ` +
          `mark has ${mark.sizes.skinShapes}: this folder holds a different model`,
      ),
    );
    expect(existsSync(path.join(dir, RECORD_FILE))).toBe(false);
  });

  it('says when a pack is not a known one; lists unknown pack folders and ignores other folders', async () => {
    const made = packCopy('claire');
    const packsDir = tempDir();
    cpSync(made.dir, path.join(packsDir, 'my-claire'), { recursive: true });
    mkdirSync(path.join(packsDir, 'notes'));
    const report = await verifyPack(path.join(packsDir, 'my-claire'), { known: [], network: false });
    expect(report.warnings).toEqual(['not one of the known packs (claire v2.3.1); its files cannot be compared with reference hashes']);
    expect(report.files.every((f) => f.status === 'unknown' && f.sha256 !== null)).toBe(true);
    expect(listPacks(packsDir, [])).toEqual([
      expect.objectContaining({ name: 'my-claire', installed: true, status: 'unverified', title: null }),
    ]);
    const listing = listPacks(packsDir, knownPacks());
    expect(listing.map((l) => [l.name, l.status])).toEqual([
      ['mark', 'not-installed'],
      ['claire', 'not-installed'],
      ['james', 'not-installed'],
      ['audio2emotion', 'not-installed'],
      ['my-claire', 'unverified'],
    ]);
  });

  it('inspectPack reports the contract, sizes and parameters', async () => {
    const made = packCopy('mark');
    const info = await inspectPack(made.dir);
    const pack = await loadNvidiaPack(made.dir);
    expect(info.id.actor).toBe('mark');
    expect(info.tensors.declared.inputs.map((t) => [t.name, t.shape])).toEqual([
      ['input', ['batch_size', 1, 8320]],
      ['emotion', ['batch_size', 1, made.sizes.emotionLen]],
    ]);
    expect(info.tensors.network!.outputMetadata).toEqual([
      { name: 'result', type: 'float32', shape: ['batch_size', 1, made.sizes.resultLen] },
    ]);
    expect(info.sizes).toMatchObject({ skinShapes: made.sizes.skinShapes, skinVerts: made.sizes.skinVerts, saccadeFrames: 5000 });
    expect(info.audio).toMatchObject({ sampleRate: 16000, inputStrength: 1.3, lookaheadSeconds: 0.26 });
    expect(info.emotion.shots.map((s) => s.name)).toEqual(pack.emotionDb.shots.map((s) => s.name));
    expect(info.blendshapes.skin).toMatchObject({ vertexCount: made.sizes.skinVerts, activePoses: 43, rigVersion: '1.0' });
    expect(info.blendshapes.skin.frontalMaskSize).toBe(pack.skin.frontalMask!.length);
    expect(info.blendshapes.tongue).toMatchObject({ activePoses: 16, frontalMaskSize: null });
    expect(info.files.map((f) => f.path)).toContain('network.onnx');
    expect(info.params.skin_strength).toBe(1.1);
  });
});
