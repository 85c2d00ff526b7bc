import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { checkJson, describe, expects, jsonObject, jsonRecord } from '@a2f/base';
import * as v from 'valibot';
import { InferenceError } from './errors.js';
import { rowWidth, type AudioParams, type ModelPack, type TensorDim, type TensorSpec } from './pack-types.js';
import { postprocessKind, postprocessKinds } from './registry.js';

export const MANIFEST_FILE = 'pack.json';
export const MANIFEST_FORMAT = 'a2f-pack/1';

const FORMAT_DOC = 'see docs/pack-format.md in the a2f repository';
const text = (what = 'a non-empty string') =>
  v.pipe(
    v.string(what),
    v.check((s) => s.trim() !== '', what),
  );
const int = (min: number, what: string) => expects(v.pipe(v.number(), v.integer(), v.minValue(min)), `an integer ≥ ${min} (${what})`);

const TENSOR = jsonObject({
  name: text(),
  type: expects(v.literal('float32'), '"float32"'),
  shape: v.pipe(
    v.array(v.unknown(), 'an array [batch, ...dims] of at least 2 entries'),
    v.minLength(2, 'an array [batch, ...dims] of at least 2 entries'),
    v.tupleWithRest([text('a name for the batch axis such as "batch" (frames are batched along it)')], int(1, 'a fixed size')),
  ),
});
const TENSORS = v.pipe(v.array(TENSOR, 'a non-empty array of tensors'), v.minLength(1, 'a non-empty array of tensors'));

/** pack.json as a schema; what needs the file system or several fields at once is checked after it. */
const MANIFEST = jsonObject(
  {
    format: expects(v.literal(MANIFEST_FORMAT), `"${MANIFEST_FORMAT}"`, `This version reads "${MANIFEST_FORMAT}" manifests only.`),
    id: v.pipe(
      text(),
      v.regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" or "-" (it names the model in provenance and file names)'),
    ),
    name: text(),
    version: text(),
    license: text(),
    network: text(),
    sha256: jsonRecord(expects(v.pipe(v.string(), v.regex(/^[0-9a-fA-F]{64}$/)), 'a 64-digit hex SHA-256')),
    audio: jsonObject({
      bufferLength: int(1, 'samples per window'),
      sampleRate: int(1, 'Hz of the windowed audio'),
      bufferOffset: int(0, 'samples of the window before the frame'),
      inputStrength: expects(v.pipe(v.number(), v.finite(), v.gtValue(0)), 'a positive number (the gain applied to every window)'),
    }),
    inputs: TENSORS,
    outputs: TENSORS,
    postprocess: jsonObject({ kind: text() }, 'an object', { extraKeys: true }),
    provenance: jsonObject({}, 'an object', { extraKeys: true }),
  },
  'an object',
);

/** Validates a parsed pack.json; `file` is its path, named in every error, and anchors relative paths. */
export function parseManifest(json: unknown, file: string): Omit<ModelPack, 'verified'> {
  const dir = path.dirname(file);
  const fail = (field: string, expected: string, found: unknown, fix = `Correct "${field}" in the manifest.`): never => {
    throw new InferenceError('PACK_FIELD', file, `"${field}" must be ${expected}, found ${describe(found)}`, fix);
  };
  const root = checkJson(MANIFEST, json, (i) => {
    if (i.unknownKey) return new InferenceError('PACK_FIELD', file, `unknown field "${i.field}"`, i.fix);
    const field = i.field === '' ? 'the manifest' : `"${i.field}"`;
    if (i.missing && i.keys.length === 1)
      return new InferenceError(
        'PACK_FIELD',
        file,
        `${field} must be present, found nothing`,
        `Add ${field} to the manifest (${FORMAT_DOC}).`,
      );
    return new InferenceError(
      'PACK_FIELD',
      file,
      `${field} must be ${i.expected}, found ${i.foundText}`,
      i.fix || `Correct ${field} in the manifest.`,
    );
  });
  const id = root.id;

  const network = root.network;
  const networkPath = path.resolve(dir, network);
  if (!existsSync(networkPath) || !statSync(networkPath).isFile()) {
    throw new InferenceError(
      'PACK_NOT_FOUND',
      file,
      `the network "${network}" it names does not exist (looked for ${networkPath})`,
      'Put the ONNX file next to pack.json or correct "network".',
    );
  }

  const hashes = root.sha256;
  const sha256: Record<string, string> = {};
  for (const [rel, hex] of Object.entries(hashes)) {
    const target = path.resolve(dir, rel);
    if (!existsSync(target)) {
      throw new InferenceError(
        'PACK_NOT_FOUND',
        file,
        `"sha256" lists "${rel}", which does not exist (looked for ${target})`,
        'Add the file or remove its entry.',
      );
    }
    sha256[rel] = hex.toLowerCase();
  }
  const networkKey = Object.keys(sha256).find((rel) => path.resolve(dir, rel) === networkPath);
  if (networkKey === undefined)
    fail('sha256', `an object listing the network "${network}"`, hashes, `Add "${network}": "<sha256sum of the file>" to "sha256".`);

  const { sampleRate, bufferLength, bufferOffset, inputStrength } = root.audio;
  const audio: AudioParams = { sampleRate, bufferLength, bufferOffset, inputStrength };
  if (audio.bufferOffset > bufferLength) fail('audio.bufferOffset', `at most bufferLength (${bufferLength})`, audio.bufferOffset);

  const tensors = (list: readonly { name: string; shape: readonly unknown[] }[], field: string): TensorSpec[] => {
    const seen = new Set<string>();
    for (const t of list) {
      if (seen.has(t.name)) fail(field, 'tensors with distinct names', t.name, `Rename the second "${t.name}".`);
      seen.add(t.name);
    }
    return list.map((t) => ({ name: t.name, type: 'float32', shape: t.shape as TensorDim[] }));
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
      `exactly one input must take one audio window (${bufferLength} = audio.bufferLength values per frame), ` +
        `found ${windowInputs.length} among ${inputs.map((t) => `${t.name} [${t.shape.join(', ')}]`).join(', ')}`,
      'Make the audio input\'s shape ["batch", 1, bufferLength] and check audio.bufferLength.',
    );
  }

  const pp = root.postprocess;
  const kindName = pp.kind;
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
    name: root.name,
    version: root.version,
    license: root.license,
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
    provenance: root.provenance,
  };
}
