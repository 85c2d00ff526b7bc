import path from 'node:path';
import { processLines, type JobSettingsInput, type LineResult } from '@a2f/pipeline';
import { ProgressBar } from '../progress.js';

export interface RunOutput {
  readonly json: boolean;
  readonly failFast?: boolean;
}

/** Runs a batch, prints per-line results (or one JSON summary) and returns the exit code. */
export async function runBatch(audios: string[], settings: JobSettingsInput, out: RunOutput): Promise<number> {
  const bar = new ProgressBar();
  const log = (line: string) => { bar.clear(); process.stderr.write(line + '\n'); };
  const results: LineResult[] = await processLines(audios, settings, {
    failFast: out.failFast,
    onProgress: (p) => bar.update(`${path.basename(p.audio)} ${p.stage}`, p.stage === 'infer' ? p.done : 0, p.total),
    onLineDone: (r, i, total) => {
      const head = `[${i + 1}/${total}]`;
      if (r.ok) {
        const warn = r.binding.unmatchedChannels.length ? ` (${r.binding.unmatchedChannels.length} channels matched nothing on the character: see ${path.basename(r.report)})` : '';
        log(`${head} ok    ${path.basename(r.audio)} → ${r.layers.map((l) => path.relative(process.cwd(), l)).join(', ')}  ${r.frames} frames${warn}`);
      } else {
        log(`${head} FAIL  ${r.error.message}${r.error.fix && !r.error.message.includes(r.error.fix) ? ` ${r.error.fix}` : ''}`);
      }
    },
  });
  bar.clear();
  const failed = results.filter((r) => !r.ok);
  if (out.json) {
    process.stdout.write(JSON.stringify({
      ok: failed.length === 0,
      outDir: path.resolve(settings.outDir),
      fps: settings.fps === undefined ? undefined : String(settings.fps),
      lines: results,
    }, null, 2) + '\n');
  } else if (failed.length) {
    process.stderr.write(`${failed.length} of ${results.length} line(s) failed; the other layers were written.\n`);
  }
  return failed.length ? 1 : 0;
}
