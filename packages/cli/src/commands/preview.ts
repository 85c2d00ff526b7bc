import { statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Argv } from 'yargs';
import { AUDIO_EXTENSIONS } from '@a2f/audio';
import { checkOutputDir, type JobSettingsInput, makeDirs, namesOf, resolveRunSettings } from '@a2f/pipeline';
import { PreviewError, REVIEW_DEFAULTS, startReviewServer, writePreview, type PreviewResult } from '@a2f/preview';
import { printFatal, UsageError } from '../fatal.js';
import { expandAudioArgs } from '../inputs.js';
import { onNpmParentGone } from '../npm-parent.js';
import { settingOptions, settingsFromArgs } from '../setting-options.js';
import { shownPath } from '../shown-path.js';
import { runBatch } from './run.js';

/** An audio input runs as `a2f run` does, with every run flag from the settings table; the page is always on. */
const RUN_SETTINGS = [...namesOf('job'), ...namesOf('run')].filter((n) => n !== 'preview');
/** Declared here with the meaning they also have for a layer input; their values still go to the run as settings. */
const OWN_FLAGS: readonly string[] = ['outDir', 'skeleton'];
const LAYER_EXTENSIONS = ['.usda', '.usdc', '.usdz', '.usd'];

export const previewOptions = (y: Argv) =>
  y
    .positional('inputs', {
      type: 'string',
      array: true,
      describe: 'layers (.usda, .usdc, .usdz, .usd) to preview, or audio files (or folders of them) to run first',
    })
    .options(settingOptions(RUN_SETTINGS.filter((n) => !OWN_FLAGS.includes(n))))
    .option('skeleton', {
      type: 'string',
      describe: 'the Skeleton to show (a layer) or to animate (audio) when there are several, e.g. /Hero/Rig/Skel',
    })
    .option('out', {
      alias: 'o',
      type: 'string',
      describe:
        'for a layer: the page file (.html) or a folder for it (default: beside the layer); for audio: the output folder, as a2f run',
    })
    .option('audio', {
      type: 'string',
      describe: 'the audio the layer was made from (default: the one its report or its provenance names); --no-audio: a silent page',
    })
    .option('serve', { type: 'string', describe: 'serve a review page of this output folder instead: every line, its status, its preview' })
    .option('port', { type: 'number', default: REVIEW_DEFAULTS.port, describe: 'with --serve: the port' })
    .option('host', {
      type: 'string',
      default: REVIEW_DEFAULTS.host,
      describe: 'with --serve: the interface; anything but 127.0.0.1/localhost lets other machines read the folder',
    })
    .option('poll', { type: 'boolean', default: false, describe: 'with --serve: poll the folder (network shares deliver no events)' })
    .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' });

export type PreviewArgs = ReturnType<typeof previewOptions> extends Argv<infer T> ? T : never;

/** `a2f preview`: pages for layers, a run with pages for audio, or the review server (--serve). */
export async function previewCommand(a: PreviewArgs): Promise<number> {
  const inputs = (a.inputs ?? []) as string[];
  if (a.serve !== undefined) {
    if (inputs.length) return usage(`--serve reviews a folder; leave out the inputs (${inputs.join(' ')}) or run them first`, a.json);
    if (!a.serve) return usage('--serve needs the output folder to review, e.g. a2f preview --serve out', a.json);
    return serve(a.serve, a);
  }
  if (!inputs.length) return usage('name a layer or an audio file to preview, or --serve <folder>', a.json);
  if (a.audio === '') return usage('--audio needs the audio file the layer was made from (or --no-audio for a silent page)', a.json);

  let layers: string[];
  let audio: string[];
  try {
    ({ layers, audio } = sortInputs(inputs));
  } catch (err) {
    return printFatal(err, a.json, 'preview');
  }
  let code = 0;
  if (audio.length) {
    if (a.audio !== undefined) return usage('--audio and --no-audio are for layers; an audio input is its own audio', a.json);
    const run = resolveRunSettings(settingsFromArgs(a, namesOf('run')));
    const settings = { ...settingsFromArgs(a, namesOf('job')), preview: true } as JobSettingsInput;
    code = await runBatch(expandAudioArgs(audio), settings, {
      json: a.json,
      failFast: run.failFast,
      noClobber: !run.clobber,
      pageUrls: true,
    });
  }
  if (layers.length) code = Math.max(code, await previewLayers(layers, a));
  return code;
}

/** Layers by extension; everything else must be audio (a file with an audio extension, or a folder). */
function sortInputs(inputs: readonly string[]): { layers: string[]; audio: string[] } {
  const layers: string[] = [];
  const audio: string[] = [];
  for (const input of inputs) {
    const ext = path.extname(input).toLowerCase();
    let st: ReturnType<typeof statSync> | undefined;
    try {
      st = statSync(input);
    } catch {
      throw new PreviewError(
        'BAD_OPTION',
        path.resolve(input),
        'does not exist',
        'Name a layer (.usda, .usdc, .usdz, .usd) or an audio file',
      );
    }
    if (st.isDirectory() || AUDIO_EXTENSIONS.includes(ext)) audio.push(input);
    else if (LAYER_EXTENSIONS.includes(ext)) layers.push(input);
    else {
      throw new PreviewError(
        'BAD_OPTION',
        path.resolve(input),
        `is neither a layer (${LAYER_EXTENSIONS.join(', ')}) nor audio (${AUDIO_EXTENSIONS.join(', ')})`,
        'Preview a layer a2f wrote (a2f preview take.usda), or give the audio with --character to run it first',
      );
    }
  }
  return { layers, audio };
}

async function previewLayers(layers: readonly string[], a: PreviewArgs): Promise<number> {
  if (layers.length > 1 && a.out !== undefined && /\.html?$/i.test(a.out)) {
    return usage(`--out ${a.out} names one page, but ${layers.length} layers were given: give a folder, or one layer`, a.json);
  }
  const skeleton = (a as Record<string, unknown>).skeleton;
  if (a.out !== undefined) {
    // The page's folder is checked and made as an output folder is (docs/output-folder.md).
    const dir = /\.html?$/i.test(a.out) ? path.dirname(path.resolve(a.out)) : path.resolve(a.out);
    try {
      checkOutputDir(dir, { label: 'page folder (--out)' });
      makeDirs(dir, { label: 'page folder (--out)' });
    } catch (err) {
      return printFatal(err, a.json, 'preview');
    }
  }
  const pages: (PreviewResult & { layer: string; url: string })[] = [];
  for (const layer of layers) {
    let r: PreviewResult;
    try {
      r = await writePreview(path.resolve(layer), {
        ...(a.audio === undefined ? {} : { audio: audioChoice(a.audio) }),
        ...(a.out === undefined ? {} : { out: path.resolve(a.out) }),
        ...(typeof skeleton === 'string' ? { skeleton } : {}),
      });
    } catch (err) {
      // The pages written so far stay; the first that cannot be made stops the rest, as a bad option would.
      if (pages.length)
        process.stderr.write(`a2f preview: written before the failure: ${pages.map((p) => shownPath(p.file)).join(', ')}\n`);
      return printFatal(err, a.json, 'preview');
    }
    const url = pathToFileURL(r.file).href;
    pages.push({ ...r, layer: path.resolve(layer), url });
    if (!a.json) {
      process.stdout.write(`${shownPath(r.file)}  (${r.frames} frames, ${(r.bytes / 1e6).toFixed(1)} MB)\n  ${url}\n`);
      for (const note of r.notes) process.stderr.write(`  note: ${note}\n`);
    }
  }
  if (a.json) process.stdout.write(`${JSON.stringify({ ok: true, pages }, null, 2)}\n`);
  return 0;
}

/** The review server until SIGINT or SIGTERM (or the npm parent going away). */
async function serve(folder: string, a: PreviewArgs): Promise<number> {
  const port = a.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535) return usage(`--port ${port} is not a port number (0–65535)`, a.json);
  let server: Awaited<ReturnType<typeof startReviewServer>>;
  try {
    server = await startReviewServer({ folder, host: a.host, port, poll: a.poll });
  } catch (err) {
    return printFatal(err, a.json, 'preview');
  }
  if (!server.local) {
    process.stderr.write(
      `a2f preview: warning: serving on ${server.host}, so anyone who can reach this machine on that network can read ` +
        `${server.folder} (its layers, reports and audio). Leave out --host to keep it on this machine.\n`,
    );
  }
  process.stdout.write(a.json ? `${JSON.stringify({ ok: true, url: server.url, folder: server.folder })}\n` : `${server.url}\n`);
  process.stderr.write(`a2f preview: reviewing ${shownPath(server.folder)} at ${server.url} (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => {
    let unwatchParent = () => {};
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      unwatchParent();
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    unwatchParent = onNpmParentGone(stop);
  });
  await server.close();
  return 0;
}

const usage = (message: string, json: boolean): number => printFatal(new UsageError(message, 'preview'), json, 'preview');

/** --audio <file> or --no-audio (yargs turns the negation of a string option into false). */
const audioChoice = (given: string | boolean): string | false => (given === false ? false : path.resolve(String(given)));
