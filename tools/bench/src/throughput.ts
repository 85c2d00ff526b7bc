// Network frames per second over batch sizes and worker layouts, through the engine the pipeline
// uses (windows cut per batch, worker threads, transfer both ways): what a line actually gets.
import { createInferenceEngine, type ModelPack } from '@a2f/inference';
import type { CpuCeiling } from './ceiling.js';
import { dialogueSamples } from './dialogue.js';
import { perSecond, repeatFor, share, underCeiling } from './guards.js';
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
export function withRoofline(points: readonly ThroughputPoint[], rooflineGflops: number | null): ThroughputPoint[] {
  return points.map((p) => {
    const { shareNote: _old, ...rest } = p;
    const s = share(p.gflops, rooflineGflops);
    return { ...rest, rooflineFraction: s.value, ...(s.note ? { shareNote: s.note } : {}) };
  });
}

export async function measureThroughput(
  plan: BenchPlan,
  pack: ModelPack,
  emotion: Float32Array,
  flopsPerFrame: number,
  ceiling: CpuCeiling | null,
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
        // Warm-up batches, twice: ORT sizes its buffers on the first run of a shape, so only the
        // second's rate sizes the timed runs (about a quarter of measureSeconds each, repeated until
        // it is reached).
        const warm = audioFor(plan.warmupRounds * round);
        await engine.run(warm, { fps: FPS, batchSize: batch, inputs: { emotion } });
        const t0 = performance.now();
        await engine.run(warm, { fps: FPS, batchSize: batch, inputs: { emotion } });
        const rough = (plan.warmupRounds * round * 1000) / (performance.now() - t0);
        const rounds = Math.max(plan.minRounds, Math.ceil((rough * plan.measureSeconds) / 4 / round));
        const frames = rounds * round;
        const input = audioFor(frames);
        let done = 0;
        // Whole runs timed from call to return (windows cut, sent, run, gathered): every counted
        // frame's work lies inside the time, which per-batch progress marks cannot promise when
        // several batches are in flight.
        const sample = await repeatFor(plan.measureSeconds, 1, async () => {
          const run = await engine.run(input, { fps: FPS, batchSize: batch, inputs: { emotion } });
          outputs ??= run.outputs.result?.data ?? null;
          done += run.frameCount;
        });
        const gflops = underCeiling(perSecond((done * flopsPerFrame) / 1e9, sample), ceiling);
        const fps = gflops.value === null ? null : done / sample.seconds;
        points.push({
          batch,
          workers,
          threads,
          framesPerSecond: fps,
          msPerFrame: fps === null ? null : 1000 / fps,
          gflops: gflops.value,
          ...(gflops.note ? { note: gflops.note } : {}),
          rooflineFraction: null,
          frames,
          sample,
        });
        log(
          `  network ${workers}×${threads} batch ${String(batch).padStart(2)}: ` +
            `${fps === null ? `refused: ${gflops.note}` : `${fps.toFixed(1)} frames/s (${gflops.value!.toFixed(0)} GFLOP/s)`}` +
            ` over ${sample.reps} run(s), ${sample.seconds.toFixed(1)} s`,
        );
      }
    } finally {
      await engine.close();
    }
  }
  if (!outputs) throw new Error('the network produced no "result" output');
  return { points, outputs };
}
