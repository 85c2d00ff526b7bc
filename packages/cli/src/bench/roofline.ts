// The machine's fp32 matrix-multiply peak as ONNX Runtime reaches it: a chain of large MatMuls run
// through the same worker pool, session options and layouts as the network, so the network's
// fraction of it compares like with like.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { runNetwork, type NetworkSpec } from '@a2f/inference';
import { GraphBuilder } from '../../../../models/lib/onnx.mjs';
import { ProgressClock } from './clock.js';
import type { BenchPlan } from './plan.js';
import type { RooflineFigures } from './report.js';

const RATE = 16000;

/** input [B,1,K] → K×K MatMul `depth` times → output [B,1,K]; weights scaled to keep values O(1) (no overflow, no denormals). */
function matmulChain(size: number, depth: number): Uint8Array {
  const g = new GraphBuilder('roofline');
  g.input('input', ['batch', 1, size]);
  g.output('output', ['batch', 1, size]);
  let x = g.node('Reshape', ['input', g.ints('rows', [-1, size])]);
  let state = 12345;
  const scale = Math.sqrt(3 / size);
  for (let d = 0; d < depth; d++) {
    const w = new Float32Array(size * size);
    for (let i = 0; i < w.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      w[i] = (state / 2 ** 31 - 1) * scale;
    }
    x = g.node('MatMul', [x, g.const('w', [size, size], w)]);
  }
  g.node('Reshape', [x, g.ints('frames', [-1, 1, size])], 'output');
  return g.toBytes({ opset: 14, producer: 'a2f bench roofline' });
}

export async function measureRoofline(plan: BenchPlan, workDir: string): Promise<RooflineFigures> {
  const best = new Map<string, { workers: number; threads: number; gflops: number; shape: string }>();
  for (const { size, depth, rows, batches } of plan.roofline) {
    const file = path.join(workDir, `roofline-matmul-${size}x${depth}.onnx`);
    writeFileSync(file, matmulChain(size, depth));
    const spec: NetworkSpec = {
      id: 'roofline',
      manifestPath: file,
      networkPath: file,
      audio: { sampleRate: RATE, bufferLength: size, bufferOffset: 0, inputStrength: 1 },
      audioInput: 'input',
      inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, size] }],
      outputs: [{ name: 'output', type: 'float32', shape: ['batch', 1, size] }],
    };
    const flopsPerRow = 2 * size * size * depth;
    const shape = `${rows}×${size} · ${size}×${size} ×${depth}`;
    for (const { workers, threads } of plan.layouts) {
      // whole rounds of batches for every worker, so none idles at the end
      const frames = Math.ceil(batches / workers) * workers * rows;
      const samples = new Float32Array(Math.ceil((frames * RATE) / 30));
      for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i * 0.37) * 0.5;
      const clock = new ProgressClock();
      await runNetwork(samples, spec, { fps: { num: 30, den: 1 }, batchSize: rows, workers, threads, device: plan.device, onProgress: clock.onProgress });
      const gflops = (clock.framesPerSecond() * flopsPerRow) / 1e9;
      const key = `${workers}x${threads}`;
      if (gflops > (best.get(key)?.gflops ?? 0)) best.set(key, { workers, threads, gflops, shape });
    }
  }
  const layouts = [...best.values()].map(({ workers, threads, gflops }) => ({ workers, threads, gflops }));
  const top = [...best.values()].reduce((a, b) => (b.gflops > a.gflops ? b : a));
  return { gflops: top.gflops, layouts, shape: `fp32 MatMul chains, best of ${plan.roofline.map((r) => `${r.rows}×${r.size}·${r.size}² ×${r.depth}`).join(', ')} (peak with ${top.shape})` };
}

/**
 * A peak is the best a layout reached: other work on the machine can only lower a measurement,
 * so of several the highest is the least disturbed.
 */
export function bestOf(a: RooflineFigures, b: RooflineFigures): RooflineFigures {
  const layouts = a.layouts.map((l) => {
    const other = b.layouts.find((m) => m.workers === l.workers && m.threads === l.threads);
    return other && other.gflops > l.gflops ? other : l;
  });
  return { ...a, gflops: Math.max(...layouts.map((l) => l.gflops)), layouts };
}
