// One line through the whole pipeline (JobContext: decode, resample, inference, post-processing,
// solve, USD write), timed per stage, for a model and inference settings.
import path from 'node:path';
import { loadAudio } from '@a2f/audio';
import { JobContext, type JobSettingsInput } from '@a2f/pipeline';
import { seconds } from './clock.js';
import type { EndToEndFigures } from './report.js';

export interface EndToEndRun {
  /** a short line processed first, untimed: per-line figures are for a line in a batch */
  readonly warmup: string;
  readonly label: string;
  readonly model: string;
  readonly modelLabel: string;
  readonly audio: string;
  readonly audioSeconds: number;
  readonly character: string;
  readonly outDir: string;
  readonly inference: { readonly batchSize: number; readonly workers: number; readonly threads: number; readonly device: 'cpu' | 'cuda' };
  readonly solvePath?: 'mesh' | 'coefficients';
  /** the line is processed again until this much processing time is behind the figure */
  readonly minSeconds: number;
}

export async function measureEndToEnd(run: EndToEndRun): Promise<EndToEndFigures> {
  // Decoding on its own first (its stage boundary is not observable from inside the line), warm as
  // the timed lines are: an untimed decode first fills the page cache and sets up the decoder and
  // resampler. Timed cold, it once came out longer than the whole warm line (docs/benchmark.md).
  await loadAudio(run.audio, { sampleRate: 16000 });
  let t = performance.now();
  await loadAudio(run.audio, { sampleRate: 16000 });
  const decode = seconds(t);

  t = performance.now();
  const settings: JobSettingsInput = {
    character: run.character,
    outDir: run.outDir,
    fps: 30,
    model: run.model,
    inference: run.inference,
    ...(run.solvePath ? { solvePath: run.solvePath } : {}),
  };
  const ctx = await JobContext.create(settings);
  try {
    // The first line of a batch also builds the post-processor for its frame rate (the solvers'
    // matrices: ~2 s for Mark's sizes, reported as postprocess.prepareSeconds), once per engine.
    const warm = await ctx.process(run.warmup, { name: 'warmup' });
    if (!warm.ok) throw new Error(`the bench warm-up line failed: ${warm.error.message}`);
    const startup = seconds(t);
    // The same line again until enough processing time is behind the figure; stages and the
    // total are means over the repetitions.
    let total = 0;
    let reps = 0;
    let frames = 0;
    const sum = { inference: 0, postprocess: 0, write: 0 };
    while (reps < 1 || total < run.minSeconds) {
      const marks: { decode?: number; lastInfer?: number; write?: number; written?: number } = {};
      t = performance.now();
      const result = await ctx.process(run.audio, {
        name: path.basename(run.audio).replace(/\.[^.]*$/, ''),
        onProgress: (p) => {
          const now = performance.now();
          if (p.stage === 'decode') marks.decode = now;
          else if (p.stage === 'infer') marks.lastInfer = now;
          else if (p.done === 0) marks.write = now;
          else marks.written = now;
        },
      });
      total += seconds(t);
      reps++;
      if (!result.ok) throw new Error(`the bench line failed: ${result.error.message}`);
      frames = result.frames;
      const { decode: d0 = t, lastInfer = t, write = t, written = performance.now() } = marks;
      sum.postprocess += (write - lastInfer) / 1000;
      sum.write += (written - write) / 1000;
      sum.inference += Math.max(0, (lastInfer - d0) / 1000 - decode);
    }
    // the solve path only exists for NVIDIA packs
    const solvePath = ctx.pack.format === 'a2f-pack/1' ? 'n/a' : (run.solvePath ?? 'coefficients');
    const { batchSize, workers, threads } = run.inference;
    return {
      label: run.label,
      model: run.modelLabel,
      settings: { batchSize, workers, threads, solvePath },
      audioSeconds: run.audioSeconds,
      frames,
      seconds: total / reps,
      sample: { seconds: total, reps },
      secondsPerMinute: (total / reps / run.audioSeconds) * 60,
      realTimeFactor: total / reps / run.audioSeconds,
      stages: { decode, inference: sum.inference / reps, postprocess: sum.postprocess / reps, write: sum.write / reps },
      startupSeconds: startup,
    };
  } finally {
    await ctx.close();
  }
}
