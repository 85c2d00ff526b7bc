import yargs from 'yargs';
import { printFatal, UsageError, wantsJson } from './fatal.js';
import { type JobSettingsInput, namesOf, resolveRunSettings, TOOL } from '@a2f/pipeline';
import { runBatch } from './commands/run.js';
import { runDemo } from './commands/demo.js';
import { inspectAsset } from './commands/inspect.js';
import { expandAudioArgs } from './inputs.js';
import { DEFAULT_PACKS_DIR, modelsInspect, modelsList, modelsPull, modelsVerify } from './commands/models.js';
import { INSPECT_SETTINGS, settingOptions, settingsFromArgs } from './setting-options.js';
import { watchCommand, watchOptions } from './commands/watch.js';
import { previewCommand, previewOptions } from './commands/preview.js';
import { playblastCommand, playblastOptions } from './commands/playblast.js';
import { workerCommand, workerOptions } from './commands/worker.js';
import { queueCommands } from './commands/queue.js';
import { serveCommand, serveOptions } from './commands/serve.js';

/** Exit codes: 0 all lines written, 1 some line failed (others kept), 2 bad usage or settings. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const parser = yargs(argv)
    .scriptName('a2f')
    .usage('$0 <command> [options]\n\nDialogue audio → facial animation → USD layers on your character.')
    .command(
      'run <audio...>',
      'Animate lines of dialogue onto a character; one USD layer per line',
      (y) =>
        y
          .options(settingOptions(RUN_SETTINGS, true))
          .positional('audio', {
            type: 'string',
            array: true,
            demandOption: true,
            describe: 'audio files (wav, flac, mp3, ogg) or folders of them',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' }),
      async (a) => {
        const run = resolveRunSettings(settingsFromArgs(a, namesOf('run')));
        code = await runBatch(expandAudioArgs(a.audio as string[]), settingsFromArgs(a, namesOf('job')) as JobSettingsInput, {
          json: a.json,
          failFast: run.failFast,
          noClobber: !run.clobber,
        });
      },
    )
    .command(
      'demo',
      'Run the sample dialogue onto the sample character with the embedded model',
      (y) =>
        y
          .option('out', { alias: 'o', type: 'string', default: 'out/demo', describe: 'output folder' })
          .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' }),
      async (a) => {
        code = await runDemo(a.out, a.json);
      },
    )
    .command(
      'inspect <asset>',
      'What a character offers and how our channels bind to it',
      (y) =>
        y
          .options(settingOptions(INSPECT_SETTINGS))
          .positional('asset', { type: 'string', demandOption: true, describe: 'the character asset to look at' })
          .option('json', { type: 'boolean', default: false, describe: 'print JSON on stdout' }),
      async (a) => {
        const { preset, ...binding } = settingsFromArgs(a, INSPECT_SETTINGS);
        code = await inspectAsset(a.asset, preset as string, a.json, binding as Partial<JobSettingsInput>);
      },
    )
    .command('models', 'NVIDIA Audio2Face-3D packs: list, pull, verify, inspect', (y) =>
      y
        .command(
          'list',
          'Known packs and what is installed',
          (z) => z,
          async (a) => {
            code = modelsList(a['packs-dir'] as string, { json: a.json as boolean, ...knownOpt(a) });
          },
        )
        .command(
          'pull <pack>',
          'Download a known pack from Hugging Face (resumes, checks SHA-256; HF_TOKEN for gated repos)',
          (z) =>
            z
              .positional('pack', { type: 'string', demandOption: true, describe: 'a known pack name (a2f models list)' })
              .option('force', { type: 'boolean', default: false, describe: 'replace an installed pack' })
              .option('endpoint', {
                type: 'string',
                default: process.env.HF_ENDPOINT,
                describe: 'Hugging Face endpoint or mirror (default: $HF_ENDPOINT or https://huggingface.co)',
              }),
          async (a) => {
            code = await modelsPull(a.pack, a['packs-dir'] as string, {
              json: a.json as boolean,
              force: a.force,
              ...knownOpt(a),
              ...(a.endpoint ? { endpoint: a.endpoint } : {}),
            });
          },
        )
        .command(
          'verify <dir>',
          'Load a pack, check its network with ONNX Runtime and its files against the known hashes',
          (z) => z.positional('dir', { type: 'string', demandOption: true, describe: 'the pack folder' }),
          async (a) => {
            code = await modelsVerify(a.dir, { json: a.json as boolean, ...knownOpt(a) });
          },
        )
        .command(
          'inspect <dir>',
          "Show a pack's contract, sizes, emotions, blendshapes and parameters",
          (z) =>
            z.positional('dir', { type: 'string', demandOption: true, describe: 'the pack folder' }).option('network', {
              type: 'boolean',
              default: true,
              describe: 'open network.onnx to check its tensors (--no-network skips it)',
            }),
          async (a) => {
            code = await modelsInspect(a.dir, { json: a.json as boolean, network: a.network, ...knownOpt(a) });
          },
        )
        .option('packs-dir', {
          type: 'string',
          default: DEFAULT_PACKS_DIR,
          describe: 'where packs are installed (relative to the working folder)',
        })
        .option('known-packs', { type: 'string', describe: 'known-packs JSON to use instead of the one a2f ships' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON on stdout' })
        .demandCommand(1, 'Name an action: list, pull, verify or inspect.'),
    )
    .command('watch [inbox]', 'Service: every audio file dropped in a folder becomes its layer, once', watchOptions, async (a) => {
      code = await watchCommand(a);
    })
    .command('worker', 'Service: take line jobs from a Redis queue (render farm) and run them', workerOptions, async (a) => {
      code = await workerCommand(a);
    })
    .command('queue', 'Render-farm queue on Redis: add lines, status, retry, clean', (y) =>
      queueCommands(y, (c) => {
        code = c;
      }),
    )
    .command(
      'preview [inputs...]',
      'Write <name>.preview.html beside a layer (audio inputs run first), or --serve a review page of an output folder',
      previewOptions,
      async (a) => {
        code = await previewCommand(a);
      },
    )
    .command('playblast <layer>', 'Render a layer headless to an MP4 with its audio (or to PNG frames)', playblastOptions, async (a) => {
      code = await playblastCommand(a);
    })
    .command(
      'serve',
      "Service: live animation over NVIDIA's Audio2Face-3D streaming gRPC protocol (its clients work)",
      serveOptions,
      async (a) => {
        code = await serveCommand(a);
      },
    )
    .demandCommand(1, 'Name a command: run, watch, preview, playblast, demo, inspect or models.')
    .strict()
    // main() returns the exit code; the bin sets it, so tests and embedders keep their process.
    .exitProcess(false)
    .version(TOOL.version)
    .help()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  // A bare `a2f` is someone finding their way: show every command, still a usage error for scripts.
  if (argv.length === 0) {
    parser.showHelp((text) => process.stdout.write(`${text}\n`));
    return 2;
  }
  try {
    await parser.parseAsync();
  } catch (err) {
    // With --json, a run that cannot start still answers on stdout: { ok: false, error }.
    const command = argv.find((a) => !a.startsWith('-'));
    return printFatal(err, wantsJson(argv), command && COMMANDS.includes(command) ? command : '');
  }
  return code;
}

const COMMANDS = ['run', 'demo', 'inspect', 'models', 'watch', 'worker', 'queue', 'preview', 'playblast', 'serve'];
/** `a2f run` takes every job setting and its own (fail fast, clobber), all from the settings table. */
const RUN_SETTINGS = [...namesOf('job'), ...namesOf('run')];

const knownOpt = (a: Readonly<Record<string, unknown>>): { knownPacksFile?: string } =>
  typeof a['known-packs'] === 'string' ? { knownPacksFile: a['known-packs'] } : {};
