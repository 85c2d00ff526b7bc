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
}

export async function measureEndToEnd(run: EndToEndRun): Promise<EndToEndFigures> {
  // Decoding on its own first (its stage boundary is not observable from inside the line); this
  // also leaves the file in the page cache for the line itself, as a studio's second read would.
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
    const total = seconds(t);
    if (!result.ok) throw new Error(`the bench line failed: ${result.error.message}`);
    const { decode: d0 = t, lastInfer = t, write = t, written = performance.now() } = marks;
    const postprocess = (write - lastInfer) / 1000;
    const writeSeconds = (written - write) / 1000;
    const inference = Math.max(0, (lastInfer - d0) / 1000 - decode);
    // the solve path only exists for NVIDIA packs
    const solvePath = ctx.pack.format === 'a2f-pack/1' ? 'n/a' : run.solvePath ?? 'coefficients';
    const { batchSize, workers, threads } = run.inference;
    return {
      label: run.label,
      model: run.modelLabel,
      settings: { batchSize, workers, threads, solvePath },
      audioSeconds: run.audioSeconds,
      frames: result.frames,
      seconds: total,
      secondsPerMinute: (total / run.audioSeconds) * 60,
      realTimeFactor: total / run.audioSeconds,
      stages: { decode, inference, postprocess, write: writeSeconds },
      startupSeconds: startup,
    };
  } finally {
    await ctx.close();
  }
}
