import path from 'node:path';
import type { Argv } from 'yargs';
import { PLAYBLAST_DEFAULTS, playblast, type PlayblastResult } from '@a2f/preview';
import { printFatal, UsageError } from '../fatal.js';
import { ProgressBar } from '../progress.js';
import { shownPath } from '../shown-path.js';

const VIEWS = ['front', 'side', 'three-quarter'] as const;
/** Failures while rendering (the browser or ffmpeg gave up): the command ran, the video did not come out. */
const RUN_FAILURES = new Set(['BROWSER_FAILED', 'FFMPEG_FAILED']);

export const playblastOptions = (y: Argv) =>
  y
    .positional('layer', { type: 'string', demandOption: true, describe: 'the layer to render (.usda, .usdc, .usdz, .usd)' })
    .option('out', { alias: 'o', type: 'string', describe: 'the MP4 to write (H.264 + AAC, yuv420p)' })
    .option('frames', { type: 'string', describe: 'write frame_00000.png … into this folder instead of a video (no ffmpeg needed)' })
    .option('size', {
      type: 'string',
      default: `${PLAYBLAST_DEFAULTS.width}x${PLAYBLAST_DEFAULTS.height}`,
      describe: 'WIDTHxHEIGHT in pixels, both even (H.264 in yuv420p)',
    })
    .option('view', { type: 'string', choices: [...VIEWS], default: PLAYBLAST_DEFAULTS.view, describe: 'the camera' })
    .option('audio', {
      type: 'string',
      describe: 'the audio the layer was made from (default: the one its report or its provenance names); --no-audio: a silent video',
    })
    .option('skeleton', { type: 'string', describe: 'the Skeleton to show when the layer animates several (a prim path)' })
    .option('chromium', { type: 'string', describe: 'the Chromium to render with (default: $A2F_CHROMIUM, then /usr/bin/chromium)' })
    .option('ffmpeg', { type: 'string', describe: 'the ffmpeg to encode with (default: $A2F_FFMPEG, then ffmpeg on PATH)' })
    .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' });

export type PlayblastArgs = ReturnType<typeof playblastOptions> extends Argv<infer T> ? T : never;

/** "1280x720" → [1280, 720]; the playblast itself checks the range and that both are even. */
export function parseSize(size: string): readonly [number, number] | null {
  const m = /^\s*(\d{1,5})\s*[xX×]\s*(\d{1,5})\s*$/.exec(size);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/** `a2f playblast`: thin wiring to playblast(); a progress line per frame on a TTY, the result on stdout. */
export async function playblastCommand(a: PlayblastArgs): Promise<number> {
  const size = parseSize(a.size);
  if (!size) return usage(`--size "${a.size}" is not WIDTHxHEIGHT; give even pixel sizes such as --size 1280x720`, a.json);
  if (a.audio === '') return usage('--audio needs the audio file the layer was made from (or --no-audio for a silent video)', a.json);
  const layer = path.resolve(a.layer);
  const bar = new ProgressBar();
  let r: PlayblastResult;
  try {
    r = await playblast(layer, {
      ...(a.out === undefined ? {} : { out: path.resolve(a.out) }),
      ...(a.frames === undefined ? {} : { framesDir: path.resolve(a.frames) }),
      width: size[0],
      height: size[1],
      view: a.view as (typeof VIEWS)[number],
      ...(a.audio === undefined ? {} : { audio: audioChoice(a.audio) }),
      ...(a.skeleton === undefined ? {} : { skeleton: a.skeleton }),
      ...(a.chromium === undefined ? {} : { chromium: a.chromium }),
      ...(a.ffmpeg === undefined ? {} : { ffmpeg: a.ffmpeg }),
      onFrame: (done, total) => bar.update(`${path.basename(layer)} frame ${done}/${total}`, done, total),
    });
  } catch (err) {
    bar.clear();
    const code = printFatal(err, a.json, 'playblast');
    return RUN_FAILURES.has((err as { code?: string }).code ?? '') ? 1 : code;
  }
  bar.clear();
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, layer, ...r }, null, 2)}\n`);
  } else {
    const where = r.file ? shownPath(r.file) : `${shownPath(r.framesDir!)}${path.sep}`;
    process.stdout.write(`${where}  (${r.frames} frames at ${+r.fps.toFixed(3)} fps, ${r.durationSeconds.toFixed(3)} s)\n`);
  }
  return 0;
}

const usage = (message: string, json: boolean): number => printFatal(new UsageError(message, 'playblast'), json, 'playblast');

/** --audio <file> or --no-audio (yargs turns the negation of a string option into false). */
const audioChoice = (given: string | boolean): string | false => (given === false ? false : path.resolve(String(given)));
