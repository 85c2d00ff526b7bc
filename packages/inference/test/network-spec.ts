import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AUDIO } from '@a2f/test-utils';
import type { NetworkSpec } from '../src/index.js';

/** Writes `bytes` as `<dir>/<name>` and describes it as a NetworkSpec with one audio input. */
export function networkSpec(
  dir: string,
  name: string,
  bytes: Uint8Array,
  outputs: { name: string; width: number }[] = [{ name: 'result', width: 3 }],
  extraInputs: { name: string; width: number }[] = [],
): NetworkSpec {
  mkdirSync(dir, { recursive: true });
  const networkPath = path.join(dir, name);
  writeFileSync(networkPath, bytes);
  return {
    id: name.replace(/\.onnx$/, ''),
    manifestPath: path.join(dir, 'pack.json'),
    networkPath,
    audio: AUDIO,
    audioInput: 'input',
    inputs: [
      { name: 'input', type: 'float32', shape: ['batch', 1, 8320] },
      ...extraInputs.map((t) => ({ name: t.name, type: 'float32' as const, shape: ['batch', 1, t.width] })),
    ],
    outputs: outputs.map((o) => ({ name: o.name, type: 'float32' as const, shape: ['batch', 1, o.width] })),
  };
}
