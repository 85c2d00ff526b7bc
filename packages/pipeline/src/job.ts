import { rmSync } from 'node:fs';
import path from 'node:path';
import {
  ChannelFilterError,
  filterChannels,
  toA2fExportJson,
  validateFaceAnimation,
  type BindingPreset,
  type ChannelFilter,
  type Rational,
} from '@a2f/animation';
import { loadAudio, type Truncation } from '@a2f/audio';
import { writeFileAtomic } from '@a2f/base';
import './families.js';
import {
  createInferenceEngine,
  loadModelPack,
  modelChannels,
  parseEmotionArg,
  type EmotionKey,
  type InferenceEngine,
  type ModelPack,
} from '@a2f/inference';
import { buildAnimationLayers, type BindingReport, type CharacterInfo, type CharacterStage } from '@a2f/usd';
import { writePreview } from '@a2f/preview';
import { characterFor, openCharacterFile } from './character.js';
import { clobberError, findReplaced, settingsSha256, type ReplacedOutput } from './clobber.js';
import { JobError, summarizeError, type ErrorSummary } from './errors.js';
import { fileStem } from './names.js';
import { checkOutputDir, makeDirs } from './output-dir.js';
import { loadPreset, provenanceSettings, resolveSettings, type JobSettings, type JobSettingsInput } from './settings.js';
import { readSidecar, sidecarEmotionKeys, sidecarPath, type LineSidecar } from './sidecar.js';
import { TOOL } from './tool.js';
import { checkVoiceEmotionModel, isAutoEmotion, openVoiceEmotion, voicePackOf } from './voice-emotion.js';

export interface LineSuccess {
  readonly ok: true;
  readonly audio: string;
  readonly name: string;
  /** every file written for this line, layers first */
  readonly files: readonly string[];
  readonly layers: readonly string[];
  readonly report: string;
  /** `<name>.preview.html` beside the layers (the preview setting) */
  readonly preview?: string;
  readonly frames: number;
  readonly durationSeconds: number;
  readonly binding: BindingSummary;
  /** the line's sidecar, when it had one */
  readonly sidecar?: string;
  /** files of the same name, made from other audio or settings, that this line replaced */
  readonly replaced?: ReplacedOutput;
  /** the audio was cut short or damaged and animated anyway (allowTruncated): what is missing */
  readonly truncation?: Truncation;
}

export interface LineFailure {
  readonly ok: false;
  readonly audio: string;
  readonly error: ErrorSummary;
  /** files the line wrote before it failed, which stay (its layer and report, when only the preview page failed) */
  readonly kept?: readonly string[];
}

export type LineResult = LineSuccess | LineFailure;

export interface BindingSummary {
  readonly blendShapesBound: number;
  readonly jointsBound: number;
  readonly unmatchedChannels: readonly string[];
  readonly undrivenAssetChannels: readonly string[];
  /** our channels (blendshapes and joints) the model produces */
  readonly channels: number;
  /** of those, written onto the character */
  readonly bound: number;
  /** of the bound ones, those whose value changes during the line */
  readonly animated: number;
}

export interface LineProgress {
  readonly audio: string;
  readonly stage: 'decode' | 'infer' | 'write';
  readonly done: number;
  readonly total: number;
}

export interface ProcessOptions {
  /** output name (default: from the audio file name) */
  readonly name?: string;
  /** the line's sidecar when the caller has read it already (null: none); default: read `<audio>.a2f.json` */
  readonly sidecar?: LineSidecar | null;
  /**
   * where this line's files go (default: the batch's outDir); the watch folder renders it per line
   * from a path template (output-path.ts), already checked to stay inside the output root
   */
  readonly outDir?: string;
  readonly onProgress?: (p: LineProgress) => void;
  /** refuse (fail the line) rather than replace files of the same name made from other audio or settings */
  readonly noClobber?: boolean;
}

/** A model loaded into its workers, with the batch's --emotion parsed for its emotion names. */
export interface LoadedModel {
  readonly engine: InferenceEngine;
  readonly emotion?: EmotionKey[];
}

/**
 * What stays the same across lines of one batch: the model loaded into its workers, the composed
 * character, the preset. Create once, process many lines, close. A line whose sidecar names
 * another model or character gets it from a small cache (loaded on first use, kept until close),
 * so a batch with per-line overrides loads each model once and composes each character file once.
 */
export class JobContext {
  private readonly models = new Map<string, Promise<LoadedModel>>();
  /** character file → its composed stage; read once per batch, never per line */
  private readonly stages = new Map<string, CharacterStage>();
  /** character file and model → the character as bound for that model's channels (the Skeleton choice) */
  private readonly characters = new Map<string, CharacterInfo>();
  /** the batch's Audio2Emotion runner (--a2e): emotion from the voice for every line */
  private voice?: Awaited<ReturnType<typeof openVoiceEmotion>>;
  /** Audio2Emotion packs named by sidecars ("a2e"), loaded on first use and kept until close */
  private readonly voices = new Map<string, ReturnType<typeof openVoiceEmotion>>();

  private constructor(
    readonly settings: JobSettings,
    /** the batch's model as it runs (parameter overrides applied) */
    readonly pack: ModelPack,
    readonly character: CharacterInfo,
    readonly preset: BindingPreset,
    primary: LoadedModel,
    stage: CharacterStage,
  ) {
    this.models.set(modelKey(settings.model), Promise.resolve(primary));
    this.stages.set(settings.character, stage);
    this.characters.set(characterKey(settings.character, settings.model), character);
  }

  static async create(input: JobSettingsInput): Promise<JobContext> {
    const settings = resolveSettings(input);
    // First, and cheap: a bad output folder is one clear error before anything loads.
    checkOutputDir(settings.outDir);
    const preset = loadPreset(settings.preset);
    // The character is composed before the model loads: a bad asset is one clear error, early.
    const stage = openCharacterFile(settings.character, settings);
    const pack = await loadModelPack(settings.model);
    // Which rig to animate depends on the model's channel names; a character without one stops the batch here.
    const character = characterFor(stage, settings, modelChannels(pack), preset);
    // Bad overrides or an --emotion the model cannot take stop the batch before any line runs.
    const primary = await loadModel(settings, settings.model, pack);
    const ctx = new JobContext(settings, primary.engine.pack, character, preset, primary, stage);
    try {
      // Emotion from the voice (--a2e, --emotion auto): its pack is found and loaded once per batch.
      if (voicePackOf(settings) !== undefined) {
        checkVoiceEmotionModel(primary.engine, settings.model);
        ctx.voice = await openVoiceEmotion(settings);
      }
    } catch (err) {
      await ctx.close();
      throw err;
    }
    return ctx;
  }

  /** Processes one line. Never throws for a bad line: the failure is the result. */
  async process(audio: string, opts: ProcessOptions = {}): Promise<LineResult> {
    const file = path.resolve(audio);
    try {
      return await this.run(file, opts.name ?? outputName(file), opts);
    } catch (err) {
      return { ok: false, audio: file, error: summarizeError(err) };
    }
  }

  private model(model: string): Promise<LoadedModel> {
    const key = modelKey(model);
    let loading = this.models.get(key);
    if (!loading) {
      loading = loadModel(this.settings, model);
      // A model that fails to load is not cached: the next line that names it reports it again.
      loading.catch(() => this.models.delete(key));
      this.models.set(key, loading);
    }
    return loading;
  }

  private characterAt(file: string, model: string, pack: ModelPack): CharacterInfo {
    const key = characterKey(file, model);
    let info = this.characters.get(key);
    if (!info) {
      let stage = this.stages.get(file);
      if (!stage) {
        stage = openCharacterFile(file, this.settings);
        this.stages.set(file, stage);
      }
      info = characterFor(stage, this.settings, modelChannels(pack), this.preset);
      this.characters.set(key, info);
    }
    return info;
  }

  private async run(file: string, name: string, opts: ProcessOptions): Promise<LineResult> {
    const { settings } = this;
    const outDir = opts.outDir === undefined ? settings.outDir : path.resolve(opts.outDir);
    const onProgress = opts.onProgress;
    // The sidecar first: a bad one fails this line before any decoding.
    const sidecar = opts.sidecar === undefined ? readSidecar(file) : opts.sidecar;
    const exportFile = path.join(outDir, `${name}.a2f.json`);
    if (settings.exportJson && exportFile === sidecarPath(file)) {
      throw new JobError(
        'OUTPUT_CLASH',
        exportFile,
        'the a2f_export JSON of this line would overwrite its sidecar (the output folder is the audio folder)',
        'Write outputs to another folder (--out), or leave out --export-json.',
      );
    }
    // The settings the table marks as changing a layer (settings-schema.ts); where and how fast are not.
    const settingsSha = settingsSha256({ ...provenanceSettings(settings), sidecar: sidecar ?? null });
    const modelName = sidecar?.model ?? settings.model;
    const { engine, emotion: batchEmotion } = await this.model(modelName);
    const characterFile = sidecar?.character ?? settings.character;
    const character = this.characterAt(characterFile, modelName, engine.pack);
    const fps: Rational = sidecar?.fps ?? settings.fps;
    const sidecarEmotion = sidecar ? sidecarEmotionKeys(sidecar, engine.emotionNames, modelName) : undefined;
    const emotion = sidecarEmotion ?? batchEmotion;
    const voice = sidecar?.a2e === undefined ? this.voice : await this.sidecarVoice(sidecar.a2e);
    if (voice) checkVoiceEmotionModel(engine, modelName);

    onProgress?.({ audio: file, stage: 'decode', done: 0, total: 1 });
    // A promise chain, not awaits: an async function keeps its locals alive until it returns, and
    // the 16 kHz samples (230 MB for an hour) must not outlive the network while post-processing
    // and the layer write run. Only `info` is kept.
    const { anim, info, replaced } = await loadAudio(file, { sampleRate: 16000, allowTruncated: settings.allowTruncated }).then(
      (loaded) => {
        const { info } = loaded;
        // Before the network runs: what this line's name already holds, and whether it may be
        // replaced, compared by the hash the loader took while reading (the audio is read once).
        const replaced = findReplaced(outDir, name, info.sha256, settingsSha);
        if (replaced && opts.noClobber) throw clobberError(replaced);
        // Emotion from the voice first (--a2e), at the line's frame rate; it feeds the network's emotion input.
        const frames = voice ? voice.emotions(loaded.samples, fps, { sampleRate: 16000 }) : Promise.resolve(undefined);
        return frames
          .then((emotionFrames) =>
            engine.animate(loaded.samples, {
              fps,
              seed: settings.seed,
              blinks: {
                enabled: settings.blinks,
                ...(settings.blinkIntervalSeconds === undefined ? {} : { intervalSeconds: settings.blinkIntervalSeconds }),
              },
              // The sidecar as the layer sees it: a path that still means something beside the layer.
              ...(emotion ? { emotion, emotionSource: sidecarEmotion ? relativeAssetPath(outDir, sidecar!.file) : '--emotion' } : {}),
              ...(emotionFrames ? { emotionFrames } : {}),
              audio: {
                file: path.basename(file),
                sha256: info.sha256,
                sampleRate: info.sampleRate,
                channels: info.channels,
                durationSeconds: info.durationSeconds,
                ...(info.truncation ? { truncation: info.truncation } : {}),
              },
              onProgress: (done, total) => onProgress?.({ audio: file, stage: 'infer', done, total }),
            }),
          )
          .then((anim) => ({ anim, info, replaced }));
      },
    );
    validateFaceAnimation(anim);

    onProgress?.({ audio: file, stage: 'write', done: 0, total: 1 });
    makeDirs(outDir);
    const { layers, report } = buildAnimationLayers(anim, character, {
      layering: settings.layering,
      preset: this.preset,
      // The prim name comes from the same stem; dots kept apart so take.wav's prim is not take.mp3's (docs/output-names.md).
      name: name.replaceAll('.', '_'),
      fileStem: name,
      characterAssetPath: relativeAssetPath(outDir, characterFile),
      sublayerCharacter: settings.sublayerCharacter,
      bind: { jaw: settings.jaw, channels: channelFilter(settings) },
    });
    const layerFiles = layers.map((layer) => {
      const out = path.join(outDir, layer.fileName);
      writeFileAtomic(out, (sink) => layer.write(sink));
      return out;
    });
    const files = [...layerFiles];
    if (settings.exportJson) {
      writeFileAtomic(exportFile, JSON.stringify(toA2fExportJson(anim), null, 1) + '\n');
      files.push(exportFile);
    }
    // After the layers, before the report: the report, written last, lists every file the line has.
    const preview = settings.preview ? await writeLinePreview(outDir, name, layers, layerFiles, file) : undefined;
    if (preview?.ok) files.push(preview.file);
    const binding = summarizeBinding(report);
    const reportFile = path.join(outDir, `${name}.report.json`);
    writeFileAtomic(
      reportFile,
      JSON.stringify(
        {
          audio: file,
          origin: { audioSha256: info.sha256, settingsSha256: settingsSha },
          ...(replaced ? { replaced } : {}),
          layers: layerFiles.map((f) => path.basename(f)),
          ...(preview?.ok ? { preview: path.basename(preview.file) } : {}),
          ...(preview && !preview.ok ? { previewError: summarizeError(preview.error) } : {}),
          layering: settings.layering,
          frames: anim.frameCount,
          fps,
          durationSeconds: info.durationSeconds,
          // Audio cut short or damaged, animated anyway (--allow-truncated): what is missing.
          ...(info.truncation ? { truncation: info.truncation } : {}),
          character: characterFile,
          model: modelName,
          ...(sidecar ? { sidecar: sidecar.file } : {}),
          ...(sidecar?.output !== undefined && opts.outDir === undefined
            ? { notes: [`the sidecar's "output" template is for the watch folder; this run wrote to ${outDir}`] }
            : {}),
          preset: this.preset.name,
          controls: {
            blinks: settings.blinks ? (anim.provenance.parameters.blinks ?? 'on') : 'off',
            jaw: report.jaw,
            ...(settings.channels ? { channels: settings.channels } : {}),
            ...(settings.excludeChannels ? { excludeChannels: settings.excludeChannels } : {}),
          },
          binding: report,
          provenance: anim.provenance,
        },
        null,
        2,
      ) + '\n',
    );
    files.push(reportFile);
    if (preview && !preview.ok) {
      return { ok: false, audio: file, error: summarizeError(previewFailure(preview.file, layerFiles, preview.error)), kept: files };
    }
    onProgress?.({ audio: file, stage: 'write', done: 1, total: 1 });
    return {
      ok: true,
      audio: file,
      name,
      files,
      layers: layerFiles,
      report: reportFile,
      ...(preview?.ok ? { preview: preview.file } : {}),
      frames: anim.frameCount,
      durationSeconds: info.durationSeconds,
      binding,
      ...(sidecar ? { sidecar: sidecar.file } : {}),
      ...(info.truncation ? { truncation: info.truncation } : {}),
      ...(replaced ? { replaced } : {}),
    };
  }

  /** A sidecar's Audio2Emotion pack, with the batch's window, skip and overrides; a pack that fails to load is not kept. */
  private sidecarVoice(pack: string): ReturnType<typeof openVoiceEmotion> {
    let loading = this.voices.get(pack);
    if (!loading) {
      loading = openVoiceEmotion(this.settings, pack);
      loading.catch(() => this.voices.delete(pack));
      this.voices.set(pack, loading);
    }
    return loading;
  }

  async close(): Promise<void> {
    const voice = this.voice;
    this.voice = undefined;
    await voice?.close();
    const voices = await Promise.allSettled(this.voices.values());
    this.voices.clear();
    await Promise.all(voices.map((v) => (v.status === 'fulfilled' ? v.value?.close() : undefined)));
    const loaded = await Promise.allSettled(this.models.values());
    this.models.clear();
    await Promise.all(loaded.map((m) => (m.status === 'fulfilled' ? m.value.engine.close() : undefined)));
  }
}

type PagePreview = { readonly ok: true; readonly file: string } | { readonly ok: false; readonly file: string; readonly error: unknown };

/**
 * The line's preview page, `<name>.preview.html`: one per line, of the layer that composes the whole
 * line (the shot layer when the layering is "reference"), with the line's own audio. A failure is
 * returned, not thrown, so the report is still written; a page left from an earlier run is removed
 * then, as it shows the layer this line just replaced (docs/review-server.md, "Pages beside layers").
 */
async function writeLinePreview(
  outDir: string,
  name: string,
  layers: readonly { readonly role: string }[],
  layerFiles: readonly string[],
  audio: string,
): Promise<PagePreview> {
  const file = path.join(outDir, `${name}.preview.html`);
  const shot = layers.findIndex((l) => l.role === 'shot');
  const layer = layerFiles[Math.max(shot, 0)]!;
  try {
    await writePreview(layer, { audio, out: file });
    return { ok: true, file };
  } catch (error) {
    try {
      rmSync(file, { force: true });
    } catch {
      // The folder refuses changes: the failure already says the page is not this line's.
    }
    return { ok: false, file, error };
  }
}

/**
 * A page that could not be written fails the line: its outputs are incomplete, and a TD who asked for
 * previews must hear of it (exit 1, an error file in the watch folder). The layer and report stay.
 * The cause's code is kept, so a full disk is still retried as transient by the watch folder.
 */
function previewFailure(page: string, layerFiles: readonly string[], err: unknown): JobError {
  const cause = summarizeError(err);
  const e = err as { problem?: unknown };
  const problem = typeof e.problem === 'string' ? e.problem : cause.message;
  // The shot layer when there are two: the one the page shows.
  const layerFile = layerFiles[layerFiles.length - 1]!;
  const layer = path.basename(layerFile);
  const out = `${layer.replace(/\.[^.]*$/, '')}.preview.html` === path.basename(page) ? '' : ` --out "${page}"`;
  return new JobError(
    cause.code,
    page,
    `the preview page was not written (${problem}); the layer ${layer} and its report were`,
    `${cause.fix ? `${cause.fix.replace(/\.$/, '')}, then r` : 'R'}un \`a2f preview "${layerFile}"${out}\` ` +
      'to write the page, or leave out --preview.',
    { cause: err },
  );
}

const modelKey = (model: string): string => (model === 'default' ? model : path.resolve(model));
const characterKey = (file: string, model: string): string => `${file}\n${modelKey(model)}`;

/** The model kind's own options (KindOptions.options) that are set: the v3.0 identity, noise and resampling. */
function modelOptions(settings: JobSettings): { modelOptions?: Record<string, string> } {
  const options: Record<string, string> = {};
  for (const key of ['identity', 'v3Noise', 'v3Resample'] as const) {
    const value = settings[key];
    if (value !== undefined) options[key] = value;
  }
  return Object.keys(options).length ? { modelOptions: options } : {};
}

/** Loads a model with the batch's overrides and parses the batch's --emotion for its emotion names (live streams load theirs here too). */
export async function loadModel(settings: JobSettings, model: string, loaded?: ModelPack): Promise<LoadedModel> {
  const pack = loaded ?? (await loadModelPack(model));
  checkChannelFilter(settings, pack, model);
  const engine = await createInferenceEngine(pack, {
    ...settings.inference,
    tool: TOOL,
    params: settings.params,
    ...(settings.solvePath ? { solvePath: settings.solvePath } : {}),
    ...modelOptions(settings),
  });
  // --emotion auto is emotion from the voice (voice-emotion.ts), not keys.
  if (settings.emotion === undefined || isAutoEmotion(settings.emotion)) return { engine };
  try {
    if (engine.emotionNames === null) {
      throw new JobError(
        'BAD_SETTING',
        '--emotion',
        `the model "${model}" has no emotion input (only NVIDIA Audio2Face-3D packs take emotion)`,
        'Leave out --emotion, or run with an NVIDIA pack (--model models/packs/<name>).',
      );
    }
    return { engine, emotion: [{ time: 0, emotions: parseEmotionArg(settings.emotion, engine.emotionNames, '--emotion') }] };
  } catch (err) {
    await engine.close();
    throw err;
  }
}

function channelFilter(settings: JobSettings): ChannelFilter | undefined {
  if (!settings.channels && !settings.excludeChannels) return undefined;
  return {
    ...(settings.channels ? { include: settings.channels } : {}),
    ...(settings.excludeChannels ? { exclude: settings.excludeChannels } : {}),
  };
}

/** An unknown channel pattern stops the batch before any line runs, naming the pattern. */
function checkChannelFilter(settings: JobSettings, pack: ModelPack, model: string): void {
  const filter = channelFilter(settings);
  if (!filter) return;
  const names = modelChannels(pack);
  try {
    filterChannels([...names.blendShapes, ...names.joints], filter, `the model "${model}"`);
  } catch (err) {
    if (err instanceof ChannelFilterError) throw new JobError('UNKNOWN_CHANNEL', err.option, err.problem, err.fix);
    throw err;
  }
}

function summarizeBinding(report: BindingReport): BindingSummary {
  return {
    blendShapesBound: report.blendShapes.matches.length,
    jointsBound: report.joints.matches.length,
    unmatchedChannels: [...report.blendShapes.unmatchedSource, ...report.joints.unmatchedSource],
    undrivenAssetChannels: [...report.blendShapes.unmatchedTarget],
    channels: report.channels?.length ?? 0,
    bound: report.channels?.filter((c) => c.boundTo !== null).length ?? 0,
    animated: report.channels?.filter((c) => c.boundTo !== null && c.animated).length ?? 0,
  };
}

/** The output stem of an audio file: its name as given, only what a file system forbids replaced (docs/output-names.md). */
export const outputName = fileStem;

/** The character as a layer in outDir refers to it: relative, forward slashes, "./" prefixed. */
export function relativeAssetPath(fromDir: string, target: string): string {
  const rel = path.relative(fromDir, target).split(path.sep).join('/');
  return rel.startsWith('../') ? rel : `./${rel}`;
}
