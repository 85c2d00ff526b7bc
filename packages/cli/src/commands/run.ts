import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeReplaced, processLines, type JobSettingsInput, type LineResult, type LineSuccess } from '@a2f/pipeline';
import { ProgressBar } from '../progress.js';
import { shownPath } from '../shown-path.js';

export interface RunOutput {
  readonly json: boolean;
  readonly failFast?: boolean;
  /** fail a line rather than replace a layer of its name made from other audio or settings */
  readonly noClobber?: boolean;
  /** after each line, its preview page's file:// URL (a2f preview with audio inputs) */
  readonly pageUrls?: boolean;
}

/** Runs a batch, prints per-line results (or one JSON summary) and returns the exit code. */
export async function runBatch(audios: string[], settings: JobSettingsInput, out: RunOutput): Promise<number> {
  const bar = new ProgressBar();
  const log = (line: string) => {
    bar.clear();
    process.stderr.write(line + '\n');
  };
  const rel = (f: string) => shownPath(f);
  const results: LineResult[] = await processLines(audios, settings, {
    failFast: out.failFast,
    noClobber: out.noClobber,
    onProgress: (p) => bar.update(`${path.basename(p.audio)} ${p.stage}`, p.stage === 'infer' ? p.done : 0, p.total),
    onLineDone: (r, i, total) => {
      const head = `[${i + 1}/${total}]`;
      if (r.ok) {
        const warn = r.binding.unmatchedChannels.length
          ? ` (${r.binding.unmatchedChannels.length} channels matched nothing on the character: see ${path.basename(r.report)})`
          : '';
        const replaced = r.replaced
          ? `; replaced ${r.replaced.files.map((f) => path.basename(f)).join(', ')}, ${describeReplaced(r.replaced)}`
          : '';
        const t = r.truncation;
        const cut = t
          ? `; audio ${t.code === 'CORRUPT' ? 'damaged' : 'cut short'}, animated ${t.decodedSeconds.toFixed(3)} ` +
            `s${t.declaredSeconds === undefined ? '' : ` of ${t.declaredSeconds.toFixed(3)} s`} ` +
            `(--allow-truncated; see ${path.basename(r.report)})`
          : '';
        const page = r.preview ? ` + ${rel(r.preview)}` : '';
        log(
          `${head} ok    ${path.basename(r.audio)} → ${r.layers.map(rel).join(', ')}${page}  ${r.frames} frames, bound ` +
            `${r.binding.bound} of ${r.binding.channels}, ${r.binding.animated} animated by this model${warn}${replaced}${cut}`,
        );
        if (out.pageUrls && r.preview) log(`  ${pathToFileURL(r.preview).href}`);
      } else {
        const kept = r.kept?.length ? ` (kept: ${r.kept.map(rel).join(', ')})` : '';
        log(`${head} FAIL  ${r.error.message}${r.error.fix && !r.error.message.includes(r.error.fix) ? ` ${r.error.fix}` : ''}${kept}`);
      }
    },
  });
  bar.clear();
  const written = results.filter((r): r is LineSuccess => r.ok);
  const failed = results.filter((r) => !r.ok);
  // --fail-fast stops after a failure: the lines after it were never started.
  const notRun = audios.slice(results.length).map((a) => path.resolve(a));
  const replaced = written.filter((r) => r.replaced);
  if (out.json) {
    process.stdout.write(
      JSON.stringify(
        {
          ok: failed.length === 0 && notRun.length === 0,
          outDir: path.resolve(settings.outDir),
          fps: settings.fps === undefined ? undefined : String(settings.fps),
          counts: {
            lines: audios.length,
            written: written.length,
            failed: failed.length,
            notRun: notRun.length,
            replaced: replaced.length,
          },
          lines: results,
          notRun,
        },
        null,
        2,
      ) + '\n',
    );
  } else {
    if (replaced.length) {
      process.stderr.write(
        `replaced ${replaced.length} existing layer(s) of the same name: ` +
          `${replaced.map((r) => `${path.basename(r.layers[0]!)} (${describeReplaced(r.replaced!)})`).join('; ')}.\n`,
      );
    }
    if (failed.length || notRun.length) process.stderr.write(batchSummary(audios.length, written.length, failed, notRun) + '\n');
  }
  return failed.length || notRun.length ? 1 : 0;
}

/** "4 lines: 1 written, 1 failed (b.wav), 2 not run after it (--fail-fast): c.wav, d.wav." */
export function batchSummary(total: number, written: number, failed: readonly LineResult[], notRun: readonly string[]): string {
  // A line whose preview page failed keeps its layer: the summary must not say none was written.
  const kept = failed.filter((r) => !r.ok && r.kept?.length).length;
  const parts = [written ? `${written} written` : kept ? 'no line complete' : 'no layer written'];
  if (failed.length) {
    const keptNote = kept ? `; ${kept} of them kept their layer, only the preview page failed` : '';
    parts.push(`${failed.length} failed (${names(failed.map((r) => r.audio))}${keptNote})`);
  }
  if (notRun.length) parts.push(`${notRun.length} not run after the failure (--fail-fast): ${names(notRun)}`);
  return `${total} line(s): ${parts.join(', ')}.`;
}

function names(files: readonly string[]): string {
  const shown = files
    .slice(0, 10)
    .map((f) => path.basename(f))
    .join(', ');
  return files.length > 10 ? `${shown} and ${files.length - 10} more` : shown;
}
