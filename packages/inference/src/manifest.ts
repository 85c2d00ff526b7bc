import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe } from '@a2f/base';
import { InferenceError } from './errors.js';
import { rowWidth, type AudioParams, type ModelPack, type TensorDim, type TensorSpec } from './pack-types.js';
import { postprocessKind, postprocessKinds } from './registry.js';

export const MANIFEST_FILE = 'pack.json';
export const MANIFEST_FORMAT = 'a2f-pack/1';

const TOP_KEYS = [
  'format',
  'id',
  'name',
  'version',
  'license',
  'network',
  'sha256',
  'audio',
  'inputs',
  'outputs',
  'postprocess',
  'provenance',
];
const AUDIO_KEYS = ['sampleRate', 'bufferLength', 'bufferOffset', 'inputStrength'];
const TENSOR_KEYS = ['name', 'type', 'shape'];

type Obj = Readonly<Record<string, unknown>>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validates a parsed pack.json; `file` is its path, named in every error, and anchors relative paths. */
export function parseManifest(json: unknown, file: string): Omit<ModelPack, 'verified'> {
  const dir = path.dirname(file);
  const fail = (field: string, expected: string, found: unknown, fix = `Correct "${field}" in the manifest.`): never => {
    throw new InferenceError('PACK_FIELD', file, `"${field}" must be ${expected}, found ${describe(found)}`, fix);
  };
  const object = (v: unknown, field: string, keys?: readonly string[]): Obj => {
    if (!isObj(v)) return fail(field, 'an object', v);
    if (keys) {
      const unknown = Object.keys(v).find((k) => !keys.includes(k));
      if (unknown !== undefined) {
        throw new InferenceError(
          'PACK_FIELD',
          file,
          `unknown field "${field ? `${field}.` : ''}${unknown}"`,
          `Remove it or fix its spelling; known fields: ${keys.join(', ')}.`,
        );
      }
    }
    return v;
  };
  const string = (v: unknown, field: string): string =>
    typeof v === 'string' && v.trim() !== '' ? v : fail(field, 'a non-empty string', v);
  const int = (v: unknown, field: string, min: number, what: string): number =>
    typeof v === 'number' && Number.isInteger(v) && v >= min ? v : fail(field, `an integer ≥ ${min} (${what})`, v);

  const root = object(json, '', TOP_KEYS);
  for (const key of TOP_KEYS)
    if (!(key in root)) fail(key, 'present', undefined, `Add "${key}" to the manifest (see packages/inference/README.md for the format).`);
  if (root.format !== MANIFEST_FORMAT)
    fail('format', `"${MANIFEST_FORMAT}"`, root.format, `This version reads "${MANIFEST_FORMAT}" manifests only.`);
  const id = string(root.id, 'id');
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id))
    fail('id', 'letters, digits, ".", "_" or "-" (it names the model in provenance and file names)', id);

  const network = string(root.network, 'network');
  const networkPath = path.resolve(dir, network);
  if (!existsSync(networkPath) || !statSync(networkPath).isFile()) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      file,
      `the network "${network}" it names does not exist (looked for ${networkPath})`,
      'Put the ONNX file next to pack.json or correct "network".',
    );
  }

  const hashes = object(root.sha256, 'sha256');
  const sha256: Record<string, string> = {};
  for (const [rel, hex] of Object.entries(hashes)) {
    if (typeof hex !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hex)) fail(`sha256.${rel}`, 'a 64-digit hex SHA-256', hex);
    const target = path.resolve(dir, rel);
    if (!existsSync(target)) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        file,
        `"sha256" lists "${rel}", which does not exist (looked for ${target})`,
        'Add the file or remove its entry.',
      );
    }
    sha256[rel] = (hex as string).toLowerCase();
  }
  const networkKey = Object.keys(sha256).find((rel) => path.resolve(dir, rel) === networkPath);
  if (networkKey === undefined)
    fail('sha256', `an object listing the network "${network}"`, hashes, `Add "${network}": "<sha256sum of the file>" to "sha256".`);

  const a = object(root.audio, 'audio', AUDIO_KEYS);
  const bufferLength = int(a.bufferLength, 'audio.bufferLength', 1, 'samples per window');
  const audio: AudioParams = {
    sampleRate: int(a.sampleRate, 'audio.sampleRate', 1, 'Hz of the windowed audio'),
    bufferLength,
    bufferOffset: int(a.bufferOffset, 'audio.bufferOffset', 0, 'samples of the window before the frame'),
    inputStrength:
      typeof a.inputStrength === 'number' && Number.isFinite(a.inputStrength) && a.inputStrength > 0
        ? a.inputStrength
        : fail('audio.inputStrength', 'a positive number (the gain applied to every window)', a.inputStrength),
  };
  if (audio.bufferOffset > bufferLength) fail('audio.bufferOffset', `at most bufferLength (${bufferLength})`, audio.bufferOffset);

  const tensors = (v: unknown, field: string): TensorSpec[] => {
    if (!Array.isArray(v) || v.length === 0) return fail(field, 'a non-empty array of tensors', v);
    const list = v.map((t, i): TensorSpec => {
      const at = `${field}[${i}]`;
      const o = object(t, at, TENSOR_KEYS);
      const name = string(o.name, `${at}.name`);
      if (o.type !== 'float32') fail(`${at}.type`, '"float32"', o.type);
      const shape = o.shape;
      if (!Array.isArray(shape) || shape.length < 2) return fail(`${at}.shape`, 'an array [batch, ...dims] of at least 2 entries', shape);
      if (typeof shape[0] !== 'string' || shape[0] === '') {
        fail(`${at}.shape[0]`, 'a name for the batch axis such as "batch" (frames are batched along it)', shape[0]);
      }
      shape.slice(1).forEach((d: unknown, j: number) => {
        int(d, `${at}.shape[${j + 1}]`, 1, 'a fixed size');
      });
      return { name, type: 'float32', shape: shape as TensorDim[] };
    });
    const seen = new Set<string>();
    for (const t of list) {
      if (seen.has(t.name)) fail(field, 'tensors with distinct names', t.name, `Rename the second "${t.name}".`);
      seen.add(t.name);
    }
    return list;
  };
  const inputs = tensors(root.inputs, 'inputs');
  const outputs = tensors(root.outputs, 'outputs');
  for (const o of outputs) if (inputs.some((i) => i.name === o.name)) fail('outputs', 'names different from the inputs', o.name);

  // The audio input is the one whose frame row is one window; every other input (the v2.3 emotion) is per-frame conditioning.
  const windowInputs = inputs.filter((t) => rowWidth(t) === bufferLength);
  if (windowInputs.length !== 1) {
    throw new InferenceError(
      'PACK_FIELD',
      file,
      `exactly one input must take one audio window (${bufferLength} = audio.bufferLength values per frame), found ${windowInputs.length} among ${inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ')}`,
      'Make the audio input\'s shape ["batch", 1, bufferLength] and check audio.bufferLength.',
    );
  }

  const pp = object(root.postprocess, 'postprocess');
  const kindName = string(pp.kind, 'postprocess.kind');
  const kind = postprocessKind(kindName);
  if (!kind)
    fail(
      'postprocess.kind',
      `one of ${postprocessKinds()
        .map((k) => `"${k}"`)
        .join(', ')}`,
      kindName,
      'Use a post-processing kind this version knows.',
    );
  const config = kind!.validate(pp, { file, dir, outputs });

  return {
    format: MANIFEST_FORMAT,
    id,
    name: string(root.name, 'name'),
    version: string(root.version, 'version'),
    license: string(root.license, 'license'),
    dir,
    manifestPath: file,
    networkPath,
    networkSha256: sha256[networkKey!],
    sha256,
    audio,
    audioInput: windowInputs[0].name,
    inputs,
    outputs,
    postprocess: { kind: kindName, config },
    provenance: object(root.provenance, 'provenance'),
  };
}
