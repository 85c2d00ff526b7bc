// The one declaration of every run setting: its type and range (a valibot schema), default, help
// text, CLI flag, where it acts and whether it changes the output. resolveSettings (settings.ts),
// the `a2f run` and `a2f watch` options, the report's settings hash and the watch key all come
// from this table, so a default or a range is changed here and nowhere else.
import path from 'node:path';
import { JAW_MODES, parseChannelGlobs, parseFps, type JawMode } from '@a2f/animation';
import * as v from 'valibot';
import { DEFAULT_PATH_TEMPLATE, DEFAULT_SHOT_PATTERN, pathTemplateNames } from './output-path.js';
import { presetNames } from './settings-presets.js';

/** Which settings a caller takes: every job (`a2f run` and `a2f watch`), `a2f run` only, or the watch service only. */
export type SettingScope = 'job' | 'run' | 'watch';

/**
 * What a setting changes.
 *  layer    what a line's layer holds: in the report's settings hash (its provenance) and the watch key
 *  outcome  whether a line fails, or the last bits of its floats, but not what an intact line's layer
 *           means: in the watch key only, so a watch folder redoes lines (a failed one included) when it changes
 *  none     where files go, how fast, how the service behaves: in neither
 */
export type SettingEffect = 'layer' | 'outcome' | 'none';

export interface SettingSpec {
  /** an accepted value: type and range; a transform turns the CLI's text into the resolved value */
  readonly schema: v.GenericSchema;
  /** the value when none is given (absent: the setting stays unset, and the library picks) */
  readonly default?: unknown;
  /** a setting without which a job cannot run */
  readonly required?: true;
  /** what a good value is, for messages: `"x" is not <expects>` */
  readonly expects: string;
  /** how to fix a bad value, in the CLI's words */
  readonly fix: string;
  /** the CLI's describe text (a function where it lists what is installed) */
  readonly help: string | (() => string);
  readonly effect: SettingEffect;
  readonly scope: SettingScope;
  /** the CLI flag without its dashes; absent: a library-only setting */
  readonly flag?: string;
  readonly alias?: string;
  /** how the CLI parses the flag */
  readonly type: 'string' | 'number' | 'boolean';
  readonly choices?: readonly string[];
  /** set inside JobSettings.inference rather than at the top */
  readonly group?: 'inference';
}

/** Where blink intervals may lie: a blink lasts 0.25 s, and beyond 10 minutes a line never blinks. */
export const BLINK_INTERVAL_RANGE = [0.5, 600] as const;
export const LAYERINGS = ['override', 'reference'] as const;
export const DEVICES = ['cpu', 'cuda'] as const;
/** NVIDIA packs: blendshape solve from PCA coefficients (default) or from the rebuilt mesh. */
export const SOLVE_PATHS = ['coefficients', 'mesh'] as const;

const spec = <const T extends SettingSpec>(s: T): T => s;

const wholeNumber = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
const milliseconds = (min: number) => v.pipe(v.number(), v.finite(), v.minValue(min));
const text = v.pipe(
  v.string(),
  v.check((s) => s.trim() !== '', 'is empty'),
);
const absolutePath = v.pipe(
  text,
  v.transform((p) => path.resolve(p)),
);
/** Parses with a function that throws; its message (e.g. "has no patterns") becomes the problem. */
const parsedBy = <I, O>(parse: (input: I) => O, keepMessage: boolean) =>
  v.rawTransform<I, O>(({ dataset, addIssue, NEVER }) => {
    try {
      return parse(dataset.value);
    } catch (err) {
      addIssue(keepMessage ? { message: (err as Error).message } : {});
      return NEVER;
    }
  });
const globs = v.pipe(
  v.union([v.string(), v.array(v.string())]),
  parsedBy((g: string | string[]) => parseChannelGlobs(typeof g === 'string' ? g : g.join(',')), true),
);
/** A prim path as USD writes it (`/Hero/Rig/Skel`); the leading slash may be left out. */
const primPath = v.pipe(
  text,
  v.check((p) => /^\/?[^\s/]+(\/[^\s/]+)*\/?$/.test(p.trim()), 'is not a prim path such as /Hero/Rig/Skel'),
  v.transform((p) => `/${p.trim().replace(/^\/+|\/+$/g, '')}`),
);
/** `set=name` → { set: name }: one selection per variant set. */
function parseVariantSelections(given: string | string[] | Record<string, string>): Record<string, string> {
  if (typeof given === 'object' && !Array.isArray(given)) return { ...given };
  const out: Record<string, string> = {};
  for (const item of typeof given === 'string' ? [given] : given) {
    const m = /^\s*([^=\s]+)\s*=\s*(\S+)\s*$/.exec(item);
    if (!m) throw new Error(`"${item}" is not set=name`);
    if (Object.hasOwn(out, m[1])) throw new Error(`names variant set "${m[1]}" twice`);
    out[m[1]] = m[2];
  }
  return out;
}
const variantSelections = v.pipe(
  v.union([v.string(), v.array(v.string()), v.record(v.string(), v.string())]),
  parsedBy(parseVariantSelections, true),
);
const GLOBS_FIX = 'Give comma-separated channel name patterns such as "jaw*,mouth*" (a2f inspect lists the names).';
const TRUNCATED_HELP =
  'animate what is there of audio that is cut short or damaged instead ' +
  'of failing the line; the report and the layer record what is missing';

/**
 * Every setting, in the order the report's settings hash lists them (docs/output-folder.md: a
 * reordering changes that hash, and reruns would call their own layers "made from other settings").
 */
export const SETTINGS = {
  character: spec({
    schema: absolutePath,
    required: true,
    expects: 'a path to a character asset',
    fix: 'Name the character asset (.usda, .usdc, .usd or .usdz) the layers drive, e.g. --character face.usd.',
    help:
      'character asset (.usda, .usdc, .usd or .usdz; composed as USD does) with a SkelRoot, Skeleton and ARKit blendshapes ' +
      "(a line's sidecar may name another)",
    effect: 'layer',
    scope: 'job',
    flag: 'character',
    alias: 'c',
    type: 'string',
  }),
  // Which character: variant selections compose it, and the SkelRoot/Skeleton pick among its rigs (docs/usd-reading.md).
  variants: spec({
    schema: variantSelections,
    expects: 'variant selections (set=name)',
    fix: 'Give --variant set=name, e.g. --variant lod=high; repeat it for more sets (a2f inspect --json lists them).',
    help: "a variant selection set=name over the character's own, repeatable (e.g. --variant lod=high)",
    effect: 'layer',
    scope: 'job',
    flag: 'variant',
    type: 'string',
  }),
  skelRoot: spec({
    schema: primPath,
    expects: 'a prim path',
    fix: 'Give the path of a SkelRoot on the composed character, e.g. --skel-root /Hero (a2f inspect lists them).',
    help:
      'animate a Skeleton under this SkelRoot (characters with several rigs; ' +
      "default: the rig whose meshes carry the most of the model's channels)",
    effect: 'layer',
    scope: 'job',
    flag: 'skel-root',
    type: 'string',
  }),
  skeleton: spec({
    schema: primPath,
    expects: 'a prim path',
    fix: 'Give the path of a Skeleton on the composed character, e.g. --skeleton /Hero/Rig/Skel (a2f inspect lists them).',
    help: 'animate this Skeleton (characters with several rigs; see --skel-root)',
    effect: 'layer',
    scope: 'job',
    flag: 'skeleton',
    type: 'string',
  }),
  outDir: spec({
    schema: absolutePath,
    required: true,
    expects: 'a folder path',
    fix: 'Name the output folder for layers and reports, e.g. --out layers.',
    help: 'output folder (root) for layers, reports and error files',
    effect: 'none',
    scope: 'job',
    flag: 'out',
    alias: 'o',
    type: 'string',
  }),
  fps: spec({
    schema: v.pipe(v.union([v.string(), v.number(), v.object({ num: v.number(), den: v.number() })]), parsedBy(parseFps, false)),
    default: '30',
    expects: 'a frame rate',
    fix: 'Use a number such as 30, 29.97 or a ratio such as 30000/1001.',
    help: 'frame rate: 24, 25, 30, 29.97, 60 or a ratio such as 30000/1001',
    effect: 'layer',
    scope: 'job',
    flag: 'fps',
    type: 'string',
  }),
  model: spec({
    schema: text,
    default: 'default',
    expects: 'a model name or folder',
    fix: 'Use "default" (the embedded model) or a model pack folder.',
    help: '"default" (embedded) or a model pack folder',
    effect: 'layer',
    scope: 'job',
    flag: 'model',
    alias: 'm',
    type: 'string',
  }),
  layering: spec({
    schema: v.picklist(LAYERINGS),
    default: 'override',
    expects: 'a layering',
    fix: 'Use "override" or "reference".',
    help: 'override: one layer sublayering the character; reference: animation asset + shot layer',
    effect: 'layer',
    scope: 'job',
    flag: 'layering',
    type: 'string',
    choices: LAYERINGS,
  }),
  preset: spec({
    schema: text,
    default: 'arkit',
    expects: 'a binding preset name or path',
    fix: 'Name a preset a2f ships (`a2f run --help` lists them under --preset) or a path to a preset JSON.',
    help: () => `binding preset (${presetNames().join(', ')}) or a preset JSON path`,
    effect: 'layer',
    scope: 'job',
    flag: 'preset',
    type: 'string',
  }),
  sublayerCharacter: spec({
    schema: v.boolean(),
    default: true,
    expects: 'true or false',
    fix: 'Use --sublayer or --no-sublayer.',
    help: 'override layers sublayer the character, so they open on their own (use --no-sublayer for shot stacks)',
    effect: 'layer',
    scope: 'job',
    flag: 'sublayer',
    type: 'boolean',
  }),
  seed: spec({
    schema: wholeNumber(0),
    default: 0,
    expects: 'a whole number >= 0',
    fix: 'Pass a whole number such as 0 or 42.',
    help: 'seed of procedural motion (blinks)',
    effect: 'layer',
    scope: 'job',
    flag: 'seed',
    type: 'number',
  }),
  exportJson: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --export-json or leave it out.',
    help: "also write NVIDIA's a2f_export JSON per line, for engines that do not read USD",
    effect: 'layer',
    scope: 'job',
    flag: 'export-json',
    type: 'boolean',
  }),
  // The page does not change what the layer holds, so not `layer`: a rerun with --preview must not
  // call its own layer "made from other settings". But it is one of the line's outputs and a page
  // that cannot be written fails the line, so `outcome`: a watch folder started with --preview redoes
  // the lines it did without, and every line gets its page (docs/review-server.md, "Pages beside layers").
  preview: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --preview or leave it out.',
    help: 'also write <name>.preview.html beside each layer: the face with its audio and curves, opened by double-click',
    effect: 'outcome',
    scope: 'job',
    flag: 'preview',
    type: 'boolean',
  }),
  // An intact file gives the same layer with it or without; a damaged one fails or is animated (docs/audio-input.md).
  allowTruncated: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --allow-truncated or leave it out.',
    help: TRUNCATED_HELP,
    effect: 'outcome',
    scope: 'job',
    flag: 'allow-truncated',
    type: 'boolean',
  }),
  batchSize: spec({
    schema: wholeNumber(1),
    expects: 'a whole number >= 1',
    fix: 'Give frames per network run, e.g. --batch-size 64, or leave it out.',
    help: 'frames per network run',
    effect: 'none',
    scope: 'job',
    flag: 'batch-size',
    type: 'number',
    group: 'inference',
  }),
  workers: spec({
    schema: wholeNumber(1),
    expects: 'a whole number >= 1',
    fix: 'Give the number of inference worker threads, or leave it out.',
    help: 'inference worker threads',
    effect: 'none',
    scope: 'job',
    type: 'number',
    group: 'inference',
  }),
  threads: spec({
    schema: wholeNumber(1),
    expects: 'a whole number >= 1',
    fix: 'Give ONNX Runtime threads per worker, e.g. --threads 2, or leave it out.',
    help: 'ONNX Runtime threads per worker',
    effect: 'none',
    scope: 'job',
    flag: 'threads',
    type: 'number',
    group: 'inference',
  }),
  // GPU and CPU kernels round differently: the same line may differ in its last bits.
  device: spec({
    schema: v.picklist(DEVICES),
    default: 'cpu',
    expects: 'an execution device',
    fix: 'Use "cpu" or "cuda".',
    help: 'execution device (cuda needs the GPU build of onnxruntime-node; see README)',
    effect: 'outcome',
    scope: 'job',
    flag: 'device',
    type: 'string',
    choices: DEVICES,
    group: 'inference',
  }),
  emotion: spec({
    schema: text,
    expects: 'emotion weights',
    fix: 'Write name=value pairs such as joy=0.6,anger=0.2, or leave the option out.',
    help:
      'explicit emotion for every line, e.g. joy=0.6,anger=0.2, or auto: from the voice (--a2e, else models/packs/audio2emotion) ' +
      "(NVIDIA packs; a line's <name>.a2f.json sidecar overrides it)",
    effect: 'layer',
    scope: 'job',
    flag: 'emotion',
    type: 'string',
  }),
  // Values stay as given: the model checks each key and range when it loads, so errors name its rules.
  params: spec({
    schema: v.record(v.string(), v.union([v.string(), v.number()])),
    default: {},
    expects: 'parameter overrides (key=value)',
    fix: 'Give --param key=value, e.g. --param lower_face_strength=1.2.',
    help: 'post-processing parameter override key=value, repeatable (NVIDIA packs: model_config.json keys, e.g. lower_face_strength=1.2)',
    effect: 'layer',
    scope: 'job',
    flag: 'param',
    type: 'string',
  }),
  solvePath: spec({
    schema: v.picklist(SOLVE_PATHS),
    expects: 'a solver path',
    fix: 'Use "coefficients" or "mesh".',
    help: "NVIDIA packs: blendshape solve from PCA coefficients (default, fast) or from the rebuilt mesh (the SDK's way)",
    effect: 'layer',
    scope: 'job',
    flag: 'solver',
    type: 'string',
    choices: SOLVE_PATHS,
  }),
  // Audio2Face-3D v3.0 packs (docs/nvidia/v3.md); unset: the pack's first identity, Philox noise, no resampling.
  identity: spec({
    schema: text,
    expects: 'an identity name',
    fix: "Give one of the pack's identities, e.g. --identity James (a2f models inspect lists them).",
    help: "NVIDIA v3.0 packs: the identity to animate (Claire, James, Mark); default: the pack's first, as NVIDIA's sample",
    effect: 'layer',
    scope: 'job',
    flag: 'identity',
    type: 'string',
  }),
  v3Noise: spec({
    schema: text,
    expects: 'philox, zeros or a .npy file',
    fix: 'Use --v3-noise philox, zeros, or the path of a float32 .npy noise tensor.',
    help: "NVIDIA v3.0 packs: the diffusion noise: philox (default, NVIDIA's constant noise), zeros, or a .npy file, for exact comparisons",
    effect: 'layer',
    scope: 'job',
    flag: 'v3-noise',
    type: 'string',
  }),
  v3Resample: spec({
    schema: v.picklist(['nearest']),
    expects: 'a resampling choice',
    fix: 'Use --v3-resample nearest, or a frame rate that divides 60.',
    help: 'NVIDIA v3.0 packs: deliver a rate that does not divide 60 fps (24, 25) by taking the nearest network frame',
    effect: 'layer',
    scope: 'job',
    flag: 'v3-resample',
    type: 'string',
    choices: ['nearest'],
  }),
  // Emotion from the voice (docs/nvidia/audio2emotion.md). No defaults here: unset, the library takes the SDK
  // sample's 60 000 / 30, and a line without --a2e keeps the settings hash it had before these rows existed.
  a2e: spec({
    schema: absolutePath,
    expects: 'an Audio2Emotion pack folder',
    fix: 'Name the Audio2Emotion v2.2 pack folder (a2f models pull audio2emotion), e.g. --a2e models/packs/audio2emotion.',
    help: "NVIDIA packs: emotion from the voice with an Audio2Emotion v2.2 pack folder; a line's emotion keys hold the emotions they name",
    effect: 'layer',
    scope: 'job',
    flag: 'a2e',
    type: 'string',
  }),
  a2eWindow: spec({
    schema: wholeNumber(2),
    expects: 'a whole number of samples >= 2',
    fix: 'Give samples at 16 kHz, e.g. --a2e-window 60000 (3.75 s, the SDK sample).',
    help: "with --a2e: samples per emotion window, centred on the frame (default 60000, the SDK sample's)",
    effect: 'layer',
    scope: 'job',
    flag: 'a2e-window',
    type: 'number',
  }),
  a2eSkip: spec({
    schema: wholeNumber(0),
    expects: 'a whole number >= 0',
    fix: 'Give frames to skip between emotion runs, e.g. --a2e-skip 30 (the SDK sample).',
    help: "with --a2e: frames between two emotion runs (default 30: one run every 31 frames, the SDK sample's)",
    effect: 'layer',
    scope: 'job',
    flag: 'a2e-skip',
    type: 'number',
  }),
  a2eParams: spec({
    schema: v.record(v.string(), v.union([v.string(), v.number(), v.boolean()])),
    expects: 'Audio2Emotion parameter overrides (key=value)',
    fix: 'Give --a2e-param key=value, e.g. --a2e-param max_emotions=3.',
    help: 'with --a2e: post_processing_config override key=value, repeatable (e.g. max_emotions=3, emotion_strength=0.8)',
    effect: 'layer',
    scope: 'job',
    flag: 'a2e-param',
    type: 'string',
  }),
  // The animation controls (docs/animation-controls.md).
  blinks: spec({
    schema: v.boolean(),
    default: true,
    expects: 'true or false',
    fix: 'Use --blinks or --no-blinks.',
    help: 'procedural blinks; --no-blinks keeps the eyes open (eyeBlink channels held at 0) for every model',
    effect: 'layer',
    scope: 'job',
    flag: 'blinks',
    type: 'boolean',
  }),
  jaw: spec({
    schema: v.picklist(JAW_MODES as readonly (JawMode | 'auto')[]),
    default: 'auto',
    expects: 'a jaw mode',
    fix: `Use one of: ${JAW_MODES.join(', ')}.`,
    help:
      'what opens the jaw: the jaw joint, the jaw blendshapes (jawOpen…) or both; auto: ' +
      'blendshape when the mesh carrying jawOpen is skinned to the jaw joint, else both',
    effect: 'layer',
    scope: 'job',
    flag: 'jaw',
    type: 'string',
    choices: JAW_MODES,
  }),
  blinkIntervalSeconds: spec({
    schema: v.pipe(v.number(), v.finite(), v.minValue(BLINK_INTERVAL_RANGE[0]), v.maxValue(BLINK_INTERVAL_RANGE[1])),
    expects: `a number of seconds in [${BLINK_INTERVAL_RANGE[0]}, ${BLINK_INTERVAL_RANGE[1]}]`,
    fix: 'Give the mean seconds between blinks, e.g. --blink-interval 4 (people blink every 3–4 s).',
    help: "mean seconds between blinks (default: the model's, 3.5 s embedded model, 3 s NVIDIA packs)",
    effect: 'layer',
    scope: 'job',
    flag: 'blink-interval',
    type: 'number',
  }),
  channels: spec({
    schema: globs,
    expects: 'channel name patterns',
    fix: GLOBS_FIX,
    help: 'write only channels matching these globs, e.g. "jaw*,mouth*" (our channel names, case ignored)',
    effect: 'layer',
    scope: 'job',
    flag: 'channels',
    type: 'string',
  }),
  excludeChannels: spec({
    schema: globs,
    expects: 'channel name patterns',
    fix: GLOBS_FIX,
    help: 'leave out channels matching these globs, e.g. "eyeLook*"',
    effect: 'layer',
    scope: 'job',
    flag: 'exclude-channels',
    type: 'string',
  }),

  // `a2f run` only.
  failFast: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --fail-fast or leave it out.',
    help: 'stop at the first failed line (already written lines stay)',
    effect: 'none',
    scope: 'run',
    flag: 'fail-fast',
    type: 'boolean',
  }),
  clobber: spec({
    schema: v.boolean(),
    default: true,
    expects: 'true or false',
    fix: 'Use --clobber or --no-clobber.',
    help: 'replace layers of the same name made from other audio or settings, and say so (--no-clobber: fail that line instead)',
    effect: 'none',
    scope: 'run',
    flag: 'clobber',
    type: 'boolean',
  }),

  // The watch service only. Where a line's files go is in its key; how the service runs is not.
  paths: spec({
    schema: text,
    default: DEFAULT_PATH_TEMPLATE,
    expects: 'a path template',
    fix:
      'Name a template a2f ships (`a2f watch --help` lists them under --paths), a ' +
      'template file, or write one inline such as "{shot}/{character}/{name}.usda".',
    help: () => `output path template: ${pathTemplateNames().join(', ')}, a file, or inline such as "{shot}/{character}/{name}.usda"`,
    effect: 'layer',
    scope: 'watch',
    flag: 'paths',
    type: 'string',
  }),
  shotPattern: spec({
    schema: text,
    default: DEFAULT_SHOT_PATTERN,
    expects: 'a regular expression',
    fix: 'Give a regular expression with a named group "shot", e.g. "^(?<shot>[^/]+)/".',
    help: 'regular expression with a named group "shot", matched against the path in the watch folder (the default takes its first folder)',
    effect: 'layer',
    scope: 'watch',
    flag: 'shot-pattern',
    type: 'string',
  }),
  concurrency: spec({
    schema: wholeNumber(1),
    default: 2,
    expects: 'a whole number >= 1',
    fix: 'Give the lines to run at once, e.g. --concurrency 2.',
    help: 'lines in flight at once',
    effect: 'none',
    scope: 'watch',
    flag: 'concurrency',
    alias: 'j',
    type: 'number',
  }),
  settleMs: spec({
    schema: milliseconds(0),
    default: 2000,
    expects: 'a number of milliseconds >= 0',
    fix: 'Give milliseconds, e.g. --settle-ms 2000.',
    help: 'a file is taken once its size and mtime stayed the same this long',
    effect: 'none',
    scope: 'watch',
    flag: 'settle-ms',
    type: 'number',
  }),
  poll: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --poll or leave it out.',
    help: 'poll instead of OS events (network shares: SMB/NFS deliver no events for remote writes)',
    effect: 'none',
    scope: 'watch',
    flag: 'poll',
    type: 'boolean',
  }),
  pollIntervalMs: spec({
    schema: milliseconds(1),
    default: 1000,
    expects: 'a number of milliseconds >= 1',
    fix: 'Give milliseconds, e.g. --poll-ms 1000.',
    help: 'polling interval with --poll',
    effect: 'none',
    scope: 'watch',
    flag: 'poll-ms',
    type: 'number',
  }),
  retries: spec({
    schema: wholeNumber(0),
    default: 3,
    expects: 'a whole number >= 0',
    fix: 'Give the extra attempts, e.g. --retries 3 (0: none).',
    help: 'extra attempts for transient failures (busy/full disk, a crashed inference worker)',
    effect: 'none',
    scope: 'watch',
    flag: 'retries',
    type: 'number',
  }),
  retryBaseMs: spec({
    schema: milliseconds(0),
    default: 2000,
    expects: 'a number of milliseconds >= 0',
    fix: 'Give milliseconds, e.g. --retry-ms 2000.',
    help: 'first retry delay; doubles per attempt, up to 60 s',
    effect: 'none',
    scope: 'watch',
    flag: 'retry-ms',
    type: 'number',
  }),
  lockStaleMs: spec({
    schema: milliseconds(1000),
    default: 30_000,
    expects: 'a number of milliseconds >= 1000',
    fix: 'Give milliseconds far above clock skew, e.g. --lock-stale-ms 30000.',
    help: 'a watcher silent this long is dead; its files are taken over (keep far above clock skew and NFS attribute caching)',
    effect: 'none',
    scope: 'watch',
    flag: 'lock-stale-ms',
    type: 'number',
  }),
  rescanMs: spec({
    schema: milliseconds(0),
    default: 60_000,
    expects: 'a number of milliseconds >= 0',
    fix: 'Give milliseconds, e.g. --rescan-ms 60000 (0: never).',
    help: 'full rescan of the watch folder this often, for events a file system dropped (0: never)',
    effect: 'none',
    scope: 'watch',
    flag: 'rescan-ms',
    type: 'number',
  }),
  maxCrashes: spec({
    schema: wholeNumber(1),
    default: 3,
    expects: 'a whole number >= 1',
    fix: 'Give a count, e.g. --max-crashes 3.',
    help: 'a file during which the watcher died this many times is failed instead of retried',
    effect: 'none',
    scope: 'watch',
    flag: 'max-crashes',
    type: 'number',
  }),
  depth: spec({
    schema: wholeNumber(0),
    default: 8,
    expects: 'a whole number >= 0',
    fix: 'Give how many folder levels to watch, e.g. 8.',
    help: 'how deep to watch subfolders',
    effect: 'none',
    scope: 'watch',
    type: 'number',
  }),
  instance: spec({
    schema: text,
    expects: 'an instance name',
    fix: 'Use letters, digits, dot, dash and underscore (at most 64).',
    help: "this watcher's name in the state folder (default: host name, then host-2…)",
    effect: 'none',
    scope: 'watch',
    flag: 'instance',
    type: 'string',
  }),
  stateDir: spec({
    schema: absolutePath,
    expects: 'a folder path',
    fix: 'Name a folder for the watcher state, or leave it out.',
    help: 'state folder (default: <out>/.a2f-watch); watchers sharing it never process a file twice',
    effect: 'none',
    scope: 'watch',
    flag: 'state',
    type: 'string',
  }),
  once: spec({
    schema: v.boolean(),
    default: false,
    expects: 'true or false',
    fix: 'Use --once or leave it out.',
    help: 'process what is there, then exit once idle (cron, batch)',
    effect: 'none',
    scope: 'watch',
    flag: 'once',
    type: 'boolean',
  }),
} as const;

export type SettingsTable = typeof SETTINGS;
export type SettingName = keyof SettingsTable;
/** The table as a list, in its order, for code that walks every setting. */
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

type Out<K extends SettingName> = v.InferOutput<SettingsTable[K]['schema']>;
type In<K extends SettingName> = v.InferInput<SettingsTable[K]['schema']>;
type Where<K extends SettingName, Shape> = SettingsTable[K] extends Shape ? K : never;
type Keys<Shape> = { [K in SettingName]: Where<K, Shape> }[SettingName];
/** Settings that always have a value once resolved: a default, or required. */
type Always = Keys<{ default: unknown }> | Keys<{ required: true }>;
type Top<Scope extends SettingScope> = Exclude<Keys<{ scope: Scope }>, Keys<{ group: 'inference' }>>;

/** The resolved values of one scope: every setting with a default is set. */
export type Resolved<Scope extends SettingScope> = { readonly [K in Top<Scope> & Always]: Out<K> } & {
  readonly [K in Exclude<Top<Scope>, Always>]?: Out<K>;
};
/** What a caller passes for one scope: required settings, and any others. */
export type Given<Scope extends SettingScope> = { readonly [K in Top<Scope> & Keys<{ required: true }>]: In<K> } & {
  readonly [K in Exclude<Top<Scope>, Keys<{ required: true }>>]?: In<K>;
};
export type InferenceKey = Keys<{ group: 'inference' }>;
export type InferenceSettings = { readonly [K in InferenceKey]?: Out<K> };
export type InferenceSettingsInput = { readonly [K in InferenceKey]?: In<K> };
