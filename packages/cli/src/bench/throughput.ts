// Network frames per second over batch sizes and worker layouts, through the engine the pipeline
// uses (windows cut per batch, worker threads, transfer both ways): what a line actually gets.
import { createInferenceEngine, type ModelPack } from '@a2f/inference';
import { ProgressClock } from './clock.js';
import { dialogueSamples } from './dialogue.js';
import type { BenchPlan } from './plan.js';
import type { ThroughputPoint } from './report.js';

const RATE = 16000;
const FPS = { num: 30, den: 1 };
const samplesFor = (frames: number): number => Math.floor(((frames - 1) * RATE) / 30) + 1;

export interface ThroughputResult {
  readonly points: ThroughputPoint[];
  /** `result` rows of a measured run (frames × width): realistic input for the post-processing bench */
  readonly outputs: Float32Array;
}

/** Points carry their share of the roofline: set with the final roofline, once it is known. */
export const withRoofline = (points: readonly ThroughputPoint[], rooflineGflops: number): ThroughputPoint[] =>
  points.map((p) => ({ ...p, rooflineFraction: p.gflops / rooflineGflops }));

export async function measureThroughput(
  plan: BenchPlan,
  pack: ModelPack,
  emotion: Float32Array,
  flopsPerFrame: number,
  rooflineGflops: number,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  let audio = dialogueSamples(20, RATE, plan.seed);
  const audioFor = (frames: number): Float32Array => {
    const n = samplesFor(frames);
    if (n > audio.length) audio = dialogueSamples(Math.ceil((n / RATE) * 1.5), RATE, plan.seed);
    return audio.subarray(0, n);
  };
  const points: ThroughputPoint[] = [];
  let outputs: Float32Array | null = null;
  for (const layout of plan.layouts) {
    const engine = await createInferenceEngine(pack, { ...layout, device: plan.device });
    try {
      const { workers, threads } = engine.plan;
      for (const batch of plan.batchSizes) {
        const round = batch * workers;
        // Warm-up batches (ORT sizes its buffers on the first run of a shape); their average rate
        // sizes the timed run.
        const t0 = performance.now();
        await engine.run(audioFor(plan.warmupRounds * round), { fps: FPS, batchSize: batch, inputs: { emotion } });
        const rough = (plan.warmupRounds * round * 1000) / (performance.now() - t0);
        const rounds = Math.max(plan.minRounds, Math.ceil((rough * plan.measureSeconds) / round));
        const frames = rounds * round;
        const clock = new ProgressClock();
        const run = await engine.run(audioFor(frames), { fps: FPS, batchSize: batch, inputs: { emotion }, onProgress: clock.onProgress });
        outputs ??= run.outputs.result?.data ?? null;
        const fps = clock.framesPerSecond();
        const gflops = (fps * flopsPerFrame) / 1e9;
        points.push({ batch, workers, threads, framesPerSecond: fps, msPerFrame: 1000 / fps, gflops, rooflineFraction: gflops / rooflineGflops, frames });
        log(`  network ${workers}×${threads} batch ${String(batch).padStart(2)}: ${fps.toFixed(1)} frames/s (${gflops.toFixed(0)} GFLOP/s, ${((100 * gflops) / rooflineGflops).toFixed(0)} % of the first roofline measurement)`);
      }
    } finally {
      await engine.close();
    }
  }
  if (!outputs) throw new Error('the network produced no "result" output');
  return { points, outputs };
}
