import path from 'node:path';
import {
  inspectA2ePack,
  inspectPack,
  isA2ePack,
  knownPacks,
  listPacks,
  pullPack,
  verifyPack,
  type KnownPack,
  type PackInspection,
  type VerifyReport,
} from '@a2f/nvidia';
import { checkOutputDir } from '@a2f/pipeline';
import { ProgressBar } from '../progress.js';
import { fatalError } from '../fatal.js';
import { shownPath } from '../shown-path.js';

/**
 * Where `a2f models pull` installs packs and `list` looks, under the folder it runs in: an installed
 * CLI has no repository to keep them in, and run from a clone's top folder it is the git-ignored
 * models/packs the README names.
 */
export const DEFAULT_PACKS_DIR = path.join('models', 'packs');

export interface ModelsOptions {
  readonly json: boolean;
  /** a known-packs JSON other than the one @a2f/nvidia ships (a mirror's revisions, say) */
  readonly knownPacksFile?: string;
}

const known = (o: ModelsOptions): KnownPack[] => (o.knownPacksFile ? knownPacks(path.resolve(o.knownPacksFile)) : knownPacks());
const print = (text: string) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));
const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;

/**
 * Reports a failure of the operation itself (download, hash, load) and returns 1. Problems with how
 * the command was called are thrown and end as exit 2 in main().
 */
function failed(err: unknown, o: ModelsOptions): number {
  const e = err as Error & { code?: string; fix?: string };
  if (o.json) printJson({ ok: false, error: fatalError(err, 'models') });
  process.stderr.write(`a2f: ${e.message}${e.fix && !e.message.includes(e.fix) ? ` ${e.fix}` : ''}\n`);
  return 1;
}

export function modelsList(packsDir: string, o: ModelsOptions): number {
  const packs = listPacks(packsDir, known(o));
  if (o.json) {
    printJson({ ok: true, packsDir: path.resolve(packsDir), packs });
    return 0;
  }
  const width = Math.max(4, ...packs.map((p) => p.name.length));
  const lines = [`packs in ${path.resolve(packsDir)}:`];
  for (const p of packs) {
    const status = p.status === 'partial' ? `partial download (${mib(p.partialBytes ?? 0)}; pull again to resume)` : p.status;
    const source = p.repo ? `${p.repo}${p.revision ? `@${p.revision.slice(0, 8)}` : ''}` : '';
    lines.push(`  ${p.name.padEnd(width)}  ${(p.title ?? '(not a known pack)').padEnd(34)} ${status.padEnd(14)} ${source}`.trimEnd());
  }
  if (packs.every((p) => !p.installed)) lines.push('Install one with "a2f models pull <name>", then run with --model <packs dir>/<name>.');
  print(lines.join('\n'));
  return 0;
}

export async function modelsPull(
  name: string,
  packsDir: string,
  o: ModelsOptions & { readonly force: boolean; readonly endpoint?: string },
): Promise<number> {
  // Before any download: a file, a dangling link, /proc or a read-only folder is one clear error (exit 2).
  checkOutputDir(packsDir, { label: 'packs folder (--packs-dir)' });
  const bar = new ProgressBar();
  const abort = new AbortController();
  // Ctrl-C stops cleanly: the partial files stay and the next pull resumes them.
  const onSigint = () => abort.abort(new Error('interrupted; the partial download is kept and "a2f models pull" resumes it'));
  process.once('SIGINT', onSigint);
  try {
    const token = process.env.HF_TOKEN?.trim();
    const result = await pullPack(name, {
      packsDir,
      known: known(o),
      force: o.force,
      signal: abort.signal,
      ...(token ? { token } : {}),
      ...(o.endpoint ? { baseUrl: o.endpoint } : {}),
      onProgress: (p) => {
        const label =
          p.phase === 'install'
            ? `${p.pack}: installing`
            : `${p.pack} ${p.index + 1}/${p.count} ${p.file}${p.phase === 'verify' ? ' (SHA-256)' : ''}`;
        bar.update(label, p.phase === 'download' ? p.received : 1, p.phase === 'download' ? (p.total ?? 0) : 1);
      },
    });
    bar.clear();
    if (o.json) {
      printJson({ ok: true, ...result });
      return 0;
    }
    if (result.alreadyInstalled) {
      print(`${result.name} is already installed in ${result.dir} (run "a2f models verify ${shownPath(result.dir)}" to rehash it)`);
      return 0;
    }
    const bytes = result.files.reduce((n, f) => n + f.size, 0);
    const resumed = result.files.reduce((n, f) => n + f.resumedFrom, 0);
    const lines = [
      `installed ${result.name} in ${result.dir}: ${result.files.length} files, ${mib(bytes)}` +
        `${resumed ? ` (${mib(resumed)} resumed from an earlier pull)` : ''}`,
    ];
    for (const f of result.files) lines.push(`  ${f.path.padEnd(22)} ${String(f.size).padStart(11)} B  checked by ${f.checkedBy}`);
    for (const note of result.notes) lines.push(`  note: ${note}`);
    // An Audio2Emotion pack drives emotion beside a face model; it is not a model itself.
    const flag = isA2ePack(result.dir) ? '--model <A2F pack> --a2e' : '--model';
    lines.push(`Use it with: a2f run <audio> ${flag} ${shownPath(result.dir)} …`);
    print(lines.join('\n'));
    return 0;
  } catch (err) {
    bar.clear();
    return failed(err, o);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

export async function modelsVerify(dir: string, o: ModelsOptions): Promise<number> {
  let report: VerifyReport;
  try {
    report = await verifyPack(dir, { known: known(o) });
  } catch (err) {
    return failed(err, o);
  }
  if (o.json) {
    printJson(report);
  } else {
    const lines = [
      `${report.dir}: ${report.actor} v${report.version}${report.known ? ` (compared with the known pack "${report.known}")` : ''}`,
    ];
    for (const f of report.files) lines.push(`  ${f.status.padEnd(8)} ${f.path}${f.sha256 ? `  ${f.sha256.slice(0, 12)}…` : ''}`);
    if (report.network)
      lines.push(
        `  network: inputs ${report.network.inputNames.join(', ')}; ` +
          `outputs ${report.network.outputNames.join(', ')} (matches network_info.json)`,
      );
    for (const w of report.warnings) lines.push(`  warning: ${w}`);
    for (const n of report.notes) lines.push(`  note: ${n}`);
    lines.push(report.ok ? 'ok: every file matches the known pack' : 'not verified: the pack loads, but see the warnings above');
    print(lines.join('\n'));
  }
  return report.ok ? 0 : 1;
}

export async function modelsInspect(dir: string, o: ModelsOptions & { readonly network: boolean }): Promise<number> {
  if (isA2ePack(dir)) return inspectA2e(dir, o);
  let info: PackInspection;
  try {
    info = await inspectPack(dir, { network: o.network });
  } catch (err) {
    return failed(err, o);
  }
  if (o.json) {
    printJson({ ok: true, ...info });
    return 0;
  }
  const { id, audio, emotion, sizes, blendshapes, params } = info;
  const lines = [
    `${info.dir}: Audio2Face-3D ${id.type} v${id.version} "${id.actor}" (${id.output})`,
    `  files      ${info.files.map((f) => f.path).join(', ')}`,
    `  audio      ${audio.sampleRate} Hz, window ${audio.bufferLength} samples (frame at ${audio.bufferOffset}), ` +
      `input_strength ${audio.inputStrength}, look-ahead ${audio.lookaheadSeconds} s`,
    `  result     skin ${sizes.skinShapes} + tongue ${sizes.tongueShapes} PCA + jaw ${sizes.jaw} + eyes ${sizes.eyes}; ` +
      `meshes ${sizes.skinVerts} / ${sizes.tongueVerts} vertices; saccade table ${sizes.saccadeFrames} frames`,
    `  emotion    implicit ${emotion.implicitLength} (shot "${emotion.sourceShot}" frame ${emotion.sourceFrame}) ` +
      `+ explicit: ${emotion.explicit.join(', ')}`,
    `  skin       ${blendshapes.skin.poses.length} blendshapes (${blendshapes.skin.activePoses} solved), ` +
      `frontal mask ${blendshapes.skin.frontalMaskSize ?? 'none'}`,
    `  tongue     ${blendshapes.tongue.poses.length} blendshapes (${blendshapes.tongue.activePoses} solved)`,
    `  network    ${
      info.tensors.network
        ? `checked with ONNX Runtime: ${info.tensors.network.inputNames.join(', ')} → ${info.tensors.network.outputNames.join(', ')}`
        : 'not opened (--no-network)'
    }`,
    '  parameters (model_config.json; override with a2f run --param key=value):',
    ...Object.entries(params).map(([k, v]) => `    ${k.padEnd(26)} ${v}`),
    ...info.notes.map((n) => `  note: ${n}`),
  ];
  print(lines.join('\n'));
  return 0;
}

/** `a2f models inspect` of an Audio2Emotion pack: its contract, emotions and post-processing values. */
async function inspectA2e(dir: string, o: ModelsOptions & { readonly network: boolean }): Promise<number> {
  let info: Awaited<ReturnType<typeof inspectA2ePack>>;
  try {
    info = await inspectA2ePack(dir, { network: o.network });
  } catch (err) {
    return failed(err, o);
  }
  if (o.json) {
    printJson({ ok: true, ...info });
    return 0;
  }
  const net = info.tensors.network;
  const tensors = net ? `${net.inputNames.join(', ')} → ${net.outputNames.join(', ')}` : '';
  const checked = net ? `checked with ONNX Runtime: ${tensors}` : 'not opened (--no-network)';
  const lines = [
    `${info.dir}: Audio2Emotion v2.2 (emotion from the voice; use it as a2f run --a2e)`,
    `  files      ${info.files.map((f) => f.path).join(', ')}`,
    `  audio      ${info.sampleRate} Hz; window ${info.defaults.window} samples centred on the frame, ` +
      `one run every ${info.defaults.skip + 1} frames (--a2e-window, --a2e-skip)`,
    `  emotions   ${info.emotions.map((e) => `${e.name}→${e.a2fIndex < 0 ? 'dropped' : e.a2fIndex}`).join(', ')}`,
    `  network    ${checked}`,
    '  parameters (model_config.json post_processing_config; override with a2f run --a2e-param key=value):',
    ...Object.entries(info.params).map(([k, v]) => `    ${k.padEnd(26)} ${JSON.stringify(v)}`),
    ...info.notes.map((n) => `  note: ${n}`),
  ];
  print(lines.join('\n'));
  return 0;
}
