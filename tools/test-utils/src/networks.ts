// Test networks and packs, generated per run (never committed) with the repo's deterministic ONNX writer.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GraphBuilder } from '../../../models/lib/onnx.mjs';

export const AUDIO = { sampleRate: 16000, bufferLength: 8320, bufferOffset: 4160, inputStrength: 1 } as const;
/** Window positions the probe network reads: first, centre (the frame's target sample) and last. */
export const PROBE_INDICES = [0, 4160, 8319] as const;

/** input [B,1,8320] → result [B,1,3]: the window's samples at PROBE_INDICES, bit for bit. */
export function probeNetwork(
  opts: { inputName?: string; outputName?: string; outputShape?: (number | string)[]; batch?: number | string } = {},
): Uint8Array {
  const g = new GraphBuilder('probe');
  const x = g.input(opts.inputName ?? 'input', [opts.batch ?? 'batch', 1, 8320]);
  const idx = g.const('idx', [3], BigInt64Array.from(PROBE_INDICES, BigInt));
  const out = opts.outputName ?? 'result';
  g.node('Gather', [x, idx], out, { axis: 2 });
  g.output(out, opts.outputShape ?? [opts.batch ?? 'batch', 1, 3]);
  return g.toBytes();
}

/**
 * input [B,1,8320] + emotion [B,1,26] → result [B,1,2]: the window centre and the sum of the
 * emotion row, to prove per-frame conditioning inputs arrive in frame order.
 */
export function conditionedNetwork(): Uint8Array {
  const g = new GraphBuilder('conditioned');
  const x = g.input('input', ['batch', 1, 8320]);
  const e = g.input('emotion', ['batch', 1, 26]);
  const centre = g.node('Gather', [x, g.const('idx', [1], BigInt64Array.of(4160n))], 1, { axis: 2 });
  const sum = g.node('ReduceSum', [e, g.ints('axes', [2])], 1, { keepdims: 1 });
  g.node('Concat', [centre, sum], 'result', { axis: 2 });
  g.output('result', ['batch', 1, 2]);
  return g.toBytes();
}

/**
 * input [B,1,8320] → result [B,1,4] through `layers` 128×128 MatMul+Tanh layers on 65 rows per
 * frame: ~2·65·128·128·layers FLOPs per frame, for tests that need a run to last.
 */
export function heavyNetwork(layers: number, outputs = 4): Uint8Array {
  const g = new GraphBuilder('heavy');
  const x = g.input('input', ['batch', 1, 8320]);
  const rows = g.node('Reshape', [x, g.ints('shape', [-1, 65, 128])]);
  let h = rows;
  const w = new Float32Array(128 * 128);
  // Deterministic, well-scaled weights: tanh stays out of saturation.
  for (let i = 0; i < w.length; i++) w[i] = Math.sin(i * 12.9898) * 0.12;
  const W = g.const('w', [128, 128], w);
  // Residual layers: each frame's own audio stays in the result, so frames stay distinguishable.
  for (let l = 0; l < layers; l++) h = g.node('Add', [rows, g.node('Tanh', [g.node('MatMul', [h, W])])]);
  // opset 17: ReduceMean still takes its axes as an attribute.
  const pooled = g.node('ReduceMean', [h], 1, { axes: [1], keepdims: 1 });
  g.node('Slice', [pooled, g.ints('starts', [0]), g.ints('ends', [outputs]), g.ints('axes', [2])], 'result');
  g.output('result', ['batch', 1, outputs]);
  return g.toBytes();
}

/** input [B,1,8320] → visemes [B,1,15]: a shape-correct stand-in network for manifest tests. */
export function visemeShapedNetwork(): Uint8Array {
  const g = new GraphBuilder('viseme-shaped');
  const x = g.input('input', ['batch', 1, 8320]);
  g.node('Slice', [x, g.ints('starts', [0]), g.ints('ends', [15]), g.ints('axes', [2])], 'visemes');
  g.output('visemes', ['batch', 1, 15]);
  return g.toBytes();
}

export const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/** A valid pack folder (viseme-shaped network, a table file); `edit` changes the manifest before it is written. */
export function writePack(
  root: string,
  name: string,
  edit: (m: Record<string, any>) => void = () => {},
  network = visemeShapedNetwork(),
): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'model.onnx'), network);
  writeFileSync(path.join(dir, 'table.json'), '{}\n');
  const manifest: Record<string, any> = {
    format: 'a2f-pack/1',
    id: `test-${name}`,
    name: 'Test pack',
    version: '1.0.0',
    license: 'MIT',
    network: 'model.onnx',
    sha256: { 'model.onnx': sha256(network) },
    audio: { ...AUDIO },
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, 8320] }],
    outputs: [{ name: 'visemes', type: 'float32', shape: ['batch', 1, 15] }],
    postprocess: { kind: 'visemes', table: 'table.json' },
    provenance: { source: 'generated in test setup' },
  };
  edit(manifest);
  writeFileSync(path.join(dir, 'pack.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** 1, 2, 3, …: every sample names its own index + 1 and is exact in float32 up to 2^24. */
export function ramp(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = i + 1;
  return out;
}

/** t_k = floor(k·rate·den/num), in exact integer arithmetic (independent of the code under test). */
export function exactTarget(k: number, num: number, den: number, rate = 16000): number {
  return Number((BigInt(k) * BigInt(rate) * BigInt(den)) / BigInt(num));
}

/** ceil(N·num/(rate·den)), exact. */
export function exactFrameCount(n: number, num: number, den: number, rate = 16000): number {
  const a = BigInt(n) * BigInt(num);
  const b = BigInt(rate) * BigInt(den);
  return Number((a + b - 1n) / b);
}

/** Sample `i` of a ramp as the network sees it (0 outside the audio). */
export const rampAt = (i: number, n: number, gain = 1): number => (i >= 0 && i < n ? Math.fround((i + 1) * Math.fround(gain)) : 0);

export const FPS_CASES = [
  { num: 24, den: 1 },
  { num: 25, den: 1 },
  { num: 30, den: 1 },
  { num: 50, den: 1 },
  { num: 60, den: 1 },
  { num: 30000, den: 1001 },
] as const;

/** Where two arrays first differ (undefined when equal); far faster than a deep toEqual on 100k+ values. */
export function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): string | undefined {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected[i]) return `index ${i}: ${actual[i]} ≠ ${expected[i]}`;
  return undefined;
}
