import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createInferenceEngine, loadModelPack } from '@a2f/inference';
import { DEFAULT_PACK_DIR } from '../src/index.js';
// Both families registered, as the pipeline loads models: a model.json folder is read as NVIDIA's.
import '@a2f/nvidia';
import { probeNetwork, rejection, removeTempDirs, sha256, tempDir, visemeShapedNetwork, writePack } from '@a2f/test-utils';

const root = tempDir('default-model');
afterAll(removeTempDirs);
let counter = 0;
/** A pack with one manifest edit; returns its folder and manifest path. */
function pack(edit: (m: Record<string, any>) => void = () => {}, network?: Uint8Array): { dir: string; manifest: string } {
  const dir = writePack(root, `p${counter++}`, edit, network);
  return { dir, manifest: path.join(dir, 'pack.json') };
}

/** Loads and returns the error, asserting it names the manifest (or `file`). */
async function loadError(dir: string, file = path.join(dir, 'pack.json')): Promise<Error & { code: string }> {
  const err = await rejection(loadModelPack(dir));
  expect(err.message.startsWith(`${file}: `)).toBe(true);
  return err;
}

describe('loadModelPack', () => {
  it('loads a valid pack with absolute paths, hashes checked and the audio input found', async () => {
    const { dir, manifest } = pack();
    const p = await loadModelPack(dir);
    expect(p).toMatchObject({
      format: 'a2f-pack/1',
      id: 'test-p0',
      version: '1.0.0',
      license: 'MIT',
      dir,
      manifestPath: manifest,
      networkPath: path.join(dir, 'model.onnx'),
      networkSha256: sha256(visemeShapedNetwork()),
      verified: ['model.onnx'],
      audio: { sampleRate: 16000, bufferLength: 8320, bufferOffset: 4160, inputStrength: 1 },
      audioInput: 'input',
      postprocess: { kind: 'visemes', config: { table: path.join(dir, 'table.json'), tableRef: 'table.json', output: 'visemes' } },
      provenance: { source: 'generated in test setup' },
    });
    // The manifest file itself is accepted too.
    expect((await loadModelPack(manifest)).id).toBe('test-p0');
  });

  it("resolves 'default' to the package's own assets/, a copy of models/default and its articulator table", async () => {
    expect(DEFAULT_PACK_DIR).toBe(path.resolve(import.meta.dirname, '../assets') + path.sep);
    const p = await loadModelPack('default');
    expect(path.resolve(p.dir)).toBe(path.resolve(DEFAULT_PACK_DIR));
    expect(p.postprocess.kind).toBe('articulators');
    expect(p.postprocess.config).toMatchObject({ table: path.join(DEFAULT_PACK_DIR, 'articulators-to-arkit.json') });
    const source = (f: string) => readFileSync(path.resolve(import.meta.dirname, '../../..', f));
    for (const [copy, original] of [
      ['model.onnx', 'models/default/model.onnx'],
      ['pack.json', 'models/default/pack.json'],
      ['oculus-to-arkit.json', 'templates/visemes/oculus-to-arkit.json'],
      ['articulators-to-arkit.json', 'templates/articulators/articulators-to-arkit.json'],
    ]) {
      expect(Buffer.compare(readFileSync(path.join(DEFAULT_PACK_DIR, copy)), source(original)), copy).toBe(0);
    }
  });

  it('finds the audio input among several by its window width (the v2.3 layout adds emotion)', async () => {
    const { dir } = pack((m) => {
      m.inputs = [{ name: 'emotion', type: 'float32', shape: ['batch', 1, 26] }, ...m.inputs];
    });
    expect((await loadModelPack(dir)).audioInput).toBe('input');
  });

  it('explains a missing folder or manifest, and reads a model.json folder as an NVIDIA pack', async () => {
    const missing = path.join(root, 'nowhere');
    expect((await loadError(missing)).message).toMatch(/no pack\.json or model\.json here/);
    const nvidia = path.join(root, 'nvidia');
    mkdirSync(nvidia);
    writeFileSync(path.join(nvidia, 'model.json'), '{}');
    const err = await loadError(nvidia, path.join(nvidia, 'model.json'));
    expect(err.code).toBe('PACK_FIELD');
  });

  it('reports bad JSON', async () => {
    const { dir, manifest } = pack();
    writeFileSync(manifest, '{ "format": "a2f-pack/1", ');
    const err = await loadError(dir);
    expect(err.code).toBe('PACK_JSON');
    expect(err.message).toMatch(/is not valid JSON .*Fix the JSON syntax/);
  });

  const fieldCases: [string, (m: Record<string, any>) => void, RegExp][] = [
    [
      'a missing field',
      (m) => {
        delete m.license;
      },
      /"license" must be present, found nothing\. Add "license"/,
    ],
    [
      'an unknown field',
      (m) => {
        m.netwrok = 'x';
      },
      /unknown field "netwrok"/,
    ],
    [
      'a wrong format',
      (m) => {
        m.format = 'a2f-pack/2';
      },
      /"format" must be "a2f-pack\/1", found the string "a2f-pack\/2"/,
    ],
    [
      'a bad id',
      (m) => {
        m.id = 'my model';
      },
      /"id" must be letters, digits/,
    ],
    [
      'a number as a string',
      (m) => {
        m.audio.bufferLength = '8320';
      },
      /"audio\.bufferLength" must be an integer ≥ 1 \(samples per window\), found the string "8320"/,
    ],
    [
      'a negative offset, with the fix naming the field',
      (m) => {
        m.audio.bufferOffset = -1;
      },
      /"audio\.bufferOffset" must be an integer ≥ 0 \(samples of the window .*\), found number -1\. Correct "audio\.bufferOffset"/,
    ],
    [
      'a zero strength',
      (m) => {
        m.audio.inputStrength = 0;
      },
      /"audio\.inputStrength" must be a positive number/,
    ],
    [
      'an offset past the window',
      (m) => {
        m.audio.bufferOffset = 9000;
      },
      /"audio\.bufferOffset" must be at most bufferLength \(8320\), found number 9000/,
    ],
    [
      'a missing audio field',
      (m) => {
        delete m.audio.sampleRate;
      },
      /"audio\.sampleRate" must be an integer ≥ 1 \(Hz of the windowed audio\), found nothing/,
    ],
    [
      'a non-float tensor',
      (m) => {
        m.inputs[0].type = 'int64';
      },
      /"inputs\[0\]\.type" must be "float32", found the string "int64"/,
    ],
    [
      'a fixed batch axis',
      (m) => {
        m.inputs[0].shape = [1, 1, 8320];
      },
      /"inputs\[0\]\.shape\[0\]" must be a name for the batch axis/,
    ],
    [
      'a symbolic feature dim',
      (m) => {
        m.outputs[0].shape = ['batch', 1, 'n'];
      },
      /"outputs\[0\]\.shape\[2\]" must be an integer ≥ 1/,
    ],
    [
      'no audio-window input',
      (m) => {
        m.inputs[0].shape = ['batch', 1, 8000];
      },
      /exactly one input must take one audio window \(8320 = audio\.bufferLength values per frame\), found 0 among input \[batch, 1, 8000]/,
    ],
    [
      'duplicate tensor names',
      (m) => {
        m.inputs.push({ ...m.inputs[0], shape: ['batch', 26] });
      },
      /"inputs" must be tensors with distinct names/,
    ],
    [
      'empty outputs',
      (m) => {
        m.outputs = [];
      },
      /"outputs" must be a non-empty array of tensors/,
    ],
    [
      'an unknown post-processing kind',
      (m) => {
        m.postprocess.kind = 'blendshapes';
      },
      /"postprocess\.kind" must be one of "visemes", "articulators", "a2e-v2\.2", "a2f-v2\.3", "a2f-v3\.0", found the string "blendshapes"/,
    ],
    [
      'a missing viseme table',
      (m) => {
        m.postprocess.table = 'nope.json';
      },
      /"postprocess\.table" names "nope\.json", which does not exist/,
    ],
    [
      'an output of the wrong width for visemes',
      (m) => {
        m.outputs[0].shape = ['batch', 1, 52];
      },
      /output "visemes" has 52 values per frame .* needs 15/,
    ],
    [
      'a viseme table that is not a path',
      (m) => {
        m.postprocess.table = 3;
      },
      /"postprocess\.table" must be the path of a viseme table JSON, found number 3\. Point it at a viseme table JSON \(the default model/,
    ],
    [
      'an unknown post-processing field',
      (m) => {
        m.postprocess.smoothing = 2;
      },
      /"postprocess\.smoothing" is not a field of the visemes post-processing/,
    ],
    [
      'a network missing from the hashes',
      (m) => {
        m.sha256 = {};
      },
      /"sha256" must be an object listing the network "model\.onnx"/,
    ],
    [
      'a malformed hash',
      (m) => {
        m.sha256['model.onnx'] = 'abc';
      },
      /"sha256\.model\.onnx" must be a 64-digit hex SHA-256/,
    ],
    [
      'a missing provenance',
      (m) => {
        delete m.provenance;
      },
      /"provenance" must be present/,
    ],
  ];
  for (const [what, edit, message] of fieldCases) {
    it(`names the file and the field for ${what}`, async () => {
      const { dir } = pack(edit);
      const err = await loadError(dir);
      expect(err.code).toBe('PACK_FIELD');
      expect(err.message).toMatch(message);
    });
  }

  it('reports a missing network file', async () => {
    const { dir } = pack();
    rmSync(path.join(dir, 'model.onnx'));
    const err = await loadError(dir);
    expect(err.code).toBe('PACK_NOT_FOUND');
    expect(err.message).toContain(`the network "model.onnx" it names does not exist (looked for ${path.join(dir, 'model.onnx')})`);
  });

  it("checks the network's SHA-256, and skips the check with verify: 'never'", async () => {
    const { dir } = pack();
    writeFileSync(path.join(dir, 'model.onnx'), probeNetwork());
    const err = await rejection(loadModelPack(dir));
    expect(err).toMatchObject({ code: 'PACK_HASH', file: path.join(dir, 'model.onnx') });
    expect(err.message).toContain(`SHA-256 is ${sha256(probeNetwork())}`);
    expect((await loadModelPack(dir, { verify: 'never' })).verified).toEqual([]);
  });

  it('loads a pack whose network does not match only to fail at engine start, naming both files', async () => {
    const { dir } = pack((m) => {
      m.inputs[0].name = 'audio';
      m.postprocess.kind = 'visemes';
    });
    const p = await loadModelPack(dir);
    const err = await rejection(createInferenceEngine(p));
    expect(err.code).toBe('NETWORK_MISMATCH');
    expect(err.message).toContain(path.join(dir, 'model.onnx'));
    expect(err.message).toContain(path.join(dir, 'pack.json'));
    expect(err.message).toContain('the network takes "input", the manifest declares "audio"');
  });
});
