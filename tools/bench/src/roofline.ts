// The machine's fp32 matrix-multiply peak as ONNX Runtime reaches it: a chain of large MatMuls run
// through the same worker pool, session options and layouts as the network, so the network's
// fraction of it compares like with like.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInferenceEngine, type ModelPack } from '@a2f/inference';
import { GraphBuilder } from '../../../models/lib/onnx.mjs';
import type { CpuCeiling } from './ceiling.js';
import { perSecond, repeatFor, underCeiling } from './guards.js';
import type { BenchPlan } from './plan.js';
import type { RooflineFigures, RooflineLayout } from './report.js';

const RATE = 16000;
const FPS = { num: 30, den: 1 };

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

/** A ModelPack around the bare network, so the roofline runs through the same engine as the network. */
function rooflinePack(file: string, size: number): ModelPack {
  return {
    format: 'bench',
    id: 'roofline',
    name: 'roofline',
    version: '0',
    license: 'none',
    dir: path.dirname(file),
    manifestPath: file,
    networkPath: file,
    networkSha256: '',
    sha256: {},
    verified: [],
    audio: { sampleRate: RATE, bufferLength: size, bufferOffset: 0, inputStrength: 1 },
    audioInput: 'input',
    inputs: [{ name: 'input', type: 'float32', shape: ['batch', 1, size] }],
    outputs: [{ name: 'output', type: 'float32', shape: ['batch', 1, size] }],
    // never applied: the roofline only calls engine.run
    postprocess: { kind: 'visemes', config: {} },
    provenance: {},
  };
}

export async function measureRoofline(plan: BenchPlan, workDir: string, ceiling: CpuCeiling | null): Promise<RooflineFigures> {
  const best = new Map<string, RooflineLayout & { shape: string }>();
  for (const { size, depth, rows, batches } of plan.roofline) {
    const file = path.join(workDir, `roofline-matmul-${size}x${depth}.onnx`);
    writeFileSync(file, matmulChain(size, depth));
    const flopsPerRow = 2 * size * size * depth;
    const shape = `${rows}×${size} · ${size}×${size} ×${depth}`;
    for (const layout of plan.layouts) {
      const engine = await createInferenceEngine(rooflinePack(file, size), { ...layout, device: plan.device });
      try {
        const { workers, threads } = engine.plan;
        // whole rounds of batches for every worker, so none idles at the end
        const frames = Math.ceil(batches / workers) * workers * rows;
        const samples = new Float32Array(Math.ceil((frames * RATE) / 30));
        for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i * 0.37) * 0.5;
        const run = () => engine.run(samples, { fps: FPS, batchSize: rows });
        // untimed first run: ORT sizes its buffers and the workers' JIT warms up
        const { frameCount } = await run();
        // Whole runs timed from call to return: every counted frame's work lies inside the time.
        const sample = await repeatFor(plan.rooflineSeconds, 1, run);
        const gflops = underCeiling(perSecond((frameCount * sample.reps * flopsPerRow) / 1e9, sample), ceiling);
        const key = `${workers}x${threads}`;
        const entry = {
          workers,
          threads,
          gflops: gflops.value,
          seconds: sample.seconds,
          ...(gflops.note ? { note: gflops.note } : {}),
          shape,
        };
        const prev = best.get(key);
        if (!prev || (entry.gflops ?? -1) > (prev.gflops ?? -1)) best.set(key, entry);
      } finally {
        await engine.close();
      }
    }
  }
  const layouts = [...best.values()].map(({ shape: _shape, ...l }) => l);
  const top = [...best.values()].reduce((a, b) => ((b.gflops ?? -1) > (a.gflops ?? -1) ? b : a));
  return {
    gflops: top.gflops,
    layouts,
    shape:
      `fp32 MatMul chains, best of ${plan.roofline.map((r) => `${r.rows}×${r.size}·${r.size}² ×${r.depth}`).join(', ')}` +
      `${top.gflops === null || plan.roofline.length < 2 ? '' : ` (peak with ${top.shape})`}`,
    ...(top.gflops === null ? { note: `every layout's measurement was refused: ${top.note ?? ''}` } : {}),
  };
}

/**
 * A peak is the best a layout reached: other work on the machine can only lower a measurement,
 * so of several the highest is the least disturbed.
 */
export function bestOf(a: RooflineFigures, b: RooflineFigures): RooflineFigures {
  const layouts = a.layouts.map((l) => {
    const other = b.layouts.find((m) => m.workers === l.workers && m.threads === l.threads);
    return other && (other.gflops ?? -1) > (l.gflops ?? -1) ? other : l;
  });
  const measured = layouts.filter((l) => l.gflops !== null).map((l) => l.gflops!);
  if (measured.length === 0) return { ...a, gflops: null, layouts, note: a.note ?? b.note ?? 'every measurement was refused' };
  const { note: _note, ...rest } = a;
  return { ...rest, gflops: Math.max(...measured), layouts };
}
