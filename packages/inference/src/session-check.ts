import path from 'node:path';
import { InferenceError } from './errors.js';
import type { NetworkSpec, TensorSpec } from './pack-types.js';

/** What a worker reports about its loaded session (plain data, structured-clone safe). */
export interface SessionInfo {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata: readonly TensorMetadata[];
  readonly outputMetadata: readonly TensorMetadata[];
}

export interface TensorMetadata {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string)[];
}

/**
 * The ONNX file must be the network the manifest describes: every input it takes declared (ORT
 * needs all of them fed), every declared output present, float32, same rank, a free batch axis
 * and equal fixed dims. A mismatch names both files, since either may be the wrong one.
 */
export function checkSession(spec: NetworkSpec, info: SessionInfo): void {
  const problems: string[] = [];
  const list = (names: readonly string[]) => names.map((n) => `"${n}"`).join(', ') || '(none)';
  const undeclared = info.inputNames.filter((n) => !spec.inputs.some((t) => t.name === n));
  const absentIn = spec.inputs.filter((t) => !info.inputNames.includes(t.name)).map((t) => t.name);
  const absentOut = spec.outputs.filter((t) => !info.outputNames.includes(t.name)).map((t) => t.name);
  if (undeclared.length || absentIn.length) {
    problems.push(`inputs: the network takes ${list(info.inputNames)}, the manifest declares ${list(spec.inputs.map((t) => t.name))}`);
  }
  if (absentOut.length) {
    problems.push(
      `outputs: the network produces ${list(info.outputNames)}, the manifest declares ${list(spec.outputs.map((t) => t.name))}`,
    );
  }
  const compare = (declared: readonly TensorSpec[], actual: readonly TensorMetadata[]) => {
    for (const t of declared) {
      const m = actual.find((a) => a.name === t.name);
      if (!m) continue;
      const shown = `"${t.name}" is ${m.type} [${m.shape.join(', ')}] in the network, declared float32 [${t.shape.join(', ')}]`;
      if (m.type !== 'float32') {
        problems.push(shown);
        continue;
      }
      if (m.shape.length !== t.shape.length) {
        problems.push(shown);
        continue;
      }
      const axis = t.batchAxis ?? 0;
      const batch = m.shape[axis];
      if (typeof batch === 'number' && batch > 0) {
        problems.push(`${shown}: the batch axis is fixed at ${batch}, frames need a free batch axis`);
        continue;
      }
      const fixedWrong = t.shape.some(
        (d, i) => i !== axis && typeof m.shape[i] === 'number' && (m.shape[i] as number) > 0 && m.shape[i] !== d,
      );
      if (fixedWrong) problems.push(shown);
    }
  };
  compare(spec.inputs, info.inputMetadata);
  compare(spec.outputs, info.outputMetadata);
  if (problems.length) {
    throw new InferenceError(
      'NETWORK_MISMATCH',
      spec.networkPath,
      `does not match ${path.basename(spec.manifestPath)} (${spec.manifestPath}): ${problems.join('; ')}`,
      'Use the network the pack was built with, or correct "inputs"/"outputs" in the manifest to what the network declares.',
    );
  }
}
