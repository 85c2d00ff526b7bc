import yargs from 'yargs';
import { printFatal, UsageError, wantsJson } from './fatal.js';
import { presetNames, TOOL } from '@a2f/pipeline';
import { runBatch } from './commands/run.js';
import { runDemo } from './commands/demo.js';
import { inspectAsset } from './commands/inspect.js';
import { expandAudioArgs } from './inputs.js';
import { DEFAULT_PACKS_DIR, modelsInspect, modelsList, modelsPull, modelsVerify } from './commands/models.js';
import { parseParamArgs } from './param-args.js';
import { ANIMATION_CONTROL_OPTIONS, BINDING_CONTROL_OPTIONS, controlSettings } from './animation-options.js';
import { watchCommand, watchOptions } from './commands/watch.js';
import { benchCommand, benchOptions } from './commands/bench.js';

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
          .positional('audio', {
            type: 'string',
            array: true,
            demandOption: true,
            describe: 'audio files (wav, flac, mp3, ogg) or folders of them',
          })
          .option('character', {
            alias: 'c',
            type: 'string',
            demandOption: true,
            describe: 'character asset (.usda) with a SkelRoot, Skeleton and ARKit blendshapes',
          })
          .option('out', { alias: 'o', type: 'string', demandOption: true, describe: 'output folder for layers and reports' })
          .option('fps', { type: 'string', default: '30', describe: 'frame rate: 24, 25, 30, 29.97, 60 or a ratio such as 30000/1001' })
          .option('model', { alias: 'm', type: 'string', default: 'default', describe: '"default" (embedded) or a model pack folder' })
          .option('layering', {
            choices: ['override', 'reference'] as const,
            default: 'override' as const,
            describe: 'override: one layer sublayering the character; reference: animation asset + shot layer',
          })
          .option('preset', {
            type: 'string',
            default: 'arkit',
            describe: `binding preset (${presetNames().join(', ')}) or a preset JSON path`,
          })
          .option('sublayer', {
            type: 'boolean',
            default: true,
            describe: 'override layers sublayer the character (use --no-sublayer for shot stacks)',
          })
          .option('seed', { type: 'number', default: 0, describe: 'seed of procedural motion (blinks)' })
          .option('export-json', { type: 'boolean', default: false, describe: "also write NVIDIA's a2f_export JSON per line" })
          .option('allow-truncated', {
            type: 'boolean',
            default: false,
            describe:
              'animate what is there of audio that is cut short or damaged instead of failing the line; the report and the layer record what is missing',
          })
          .option('batch-size', { type: 'number', describe: 'frames per network run' })
          .option('threads', { type: 'number', describe: 'ONNX Runtime threads per worker' })
          .option('device', {
            choices: ['cpu', 'cuda'] as const,
            default: 'cpu' as const,
            describe: 'execution device (cuda needs the GPU build of onnxruntime-node; see README)',
          })
          .option('emotion', {
            type: 'string',
            describe:
              "explicit emotion for every line, e.g. joy=0.6,anger=0.2 (NVIDIA packs; a line's <name>.a2f.json sidecar overrides it)",
          })
          .option('param', {
            type: 'string',
            describe:
              'post-processing parameter override key=value, repeatable (NVIDIA packs: model_config.json keys, e.g. lower_face_strength=1.2)',
          })
          .option('solver', {
            choices: ['coefficients', 'mesh'] as const,
            describe: "NVIDIA packs: blendshape solve from PCA coefficients (default, fast) or from the rebuilt mesh (the SDK's way)",
          })
          .options(ANIMATION_CONTROL_OPTIONS)
          .option('fail-fast', { type: 'boolean', default: false, describe: 'stop at the first failed line (already written lines stay)' })
          .option('clobber', {
            type: 'boolean',
            default: true,
            describe:
              'replace layers of the same name made from other audio or settings, and say so (--no-clobber: fail that line instead)',
          })
          .option('json', { type: 'boolean', default: false, describe: 'print a JSON summary on stdout' }),
      async (a) => {
        const inference = Object.fromEntries(
          Object.entries({ batchSize: a['batch-size'], threads: a.threads, device: a.device }).filter(([, v]) => v !== undefined),
        );
        code = await runBatch(
          expandAudioArgs(a.audio as string[]),
          {
            character: a.character,
            outDir: a.out,
            fps: a.fps,
            model: a.model,
            layering: a.layering,
            preset: a.preset,
            sublayerCharacter: a.sublayer,
            seed: a.seed,
            exportJson: a['export-json'],
            allowTruncated: a['allow-truncated'],
            inference,
            params: parseParamArgs(a.param as string[] | string | undefined),
            ...(a.emotion === undefined ? {} : { emotion: a.emotion }),
            ...(a.solver === undefined ? {} : { solvePath: a.solver }),
            ...controlSettings(a),
          },
          { json: a.json, failFast: a['fail-fast'], noClobber: !a.clobber },
        );
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
          .positional('asset', { type: 'string', demandOption: true, describe: 'the character asset to look at' })
          .option('preset', {
            type: 'string',
            default: 'arkit',
            describe: `binding preset (${presetNames().join(', ')}) or a preset JSON path`,
          })
          .option('model', {
            alias: 'm',
            type: 'string',
            default: 'default',
            describe: 'the model whose channels are bound: "default" (embedded) or a model pack folder',
          })
          .options(BINDING_CONTROL_OPTIONS)
          .option('json', { type: 'boolean', default: false, describe: 'print JSON on stdout' }),
      async (a) => {
        code = await inspectAsset(a.asset, a.preset, a.json, { model: a.model, ...controlSettings(a) });
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
        .option('packs-dir', { type: 'string', default: DEFAULT_PACKS_DIR, describe: 'where packs are installed' })
        .option('known-packs', { type: 'string', describe: 'known-packs JSON to use instead of models/nvidia/packs.json' })
        .option('json', { type: 'boolean', default: false, describe: 'print JSON on stdout' })
        .demandCommand(1, 'Name an action: list, pull, verify or inspect.'),
    )
    .command('watch [inbox]', 'Service: every audio file dropped in a folder becomes its layer, once', watchOptions, async (a) => {
      code = await watchCommand(a);
    })
    .command('bench', 'Measure this machine: roofline, network speed, end to end, memory', benchOptions, async (a) => {
      code = await benchCommand(a);
    })
    .demandCommand(1, 'Name a command: run, watch, demo, inspect, models or bench.')
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

const COMMANDS = ['run', 'demo', 'inspect', 'models', 'watch', 'bench'];

const knownOpt = (a: Readonly<Record<string, unknown>>): { knownPacksFile?: string } =>
  typeof a['known-packs'] === 'string' ? { knownPacksFile: a['known-packs'] } : {};
