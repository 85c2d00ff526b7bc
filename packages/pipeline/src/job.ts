import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { toA2fExportJson, validateFaceAnimation, type BindingPreset } from '@a2f/animation';
import { loadAudio } from '@a2f/audio';
import { createInferenceEngine, loadModelPack, type InferenceEngine, type ModelPack } from '@a2f/inference';
import { buildAnimationLayers, inspectCharacter, type BindingReport, type CharacterInfo } from '@a2f/usd';
import { writeFileAtomic } from './atomic.js';
import { JobError, summarizeError, type ErrorSummary } from './errors.js';
import { loadPreset, resolveSettings, type JobSettings, type JobSettingsInput } from './settings.js';
import { TOOL } from './tool.js';

export interface LineSuccess {
  readonly ok: true;
  readonly audio: string;
  readonly name: string;
  /** every file written for this line, layers first */
  readonly files: readonly string[];
  readonly layers: readonly string[];
  readonly report: string;
  readonly frames: number;
  readonly durationSeconds: number;
  readonly binding: BindingSummary;
}

export interface LineFailure {
  readonly ok: false;
  readonly audio: string;
  readonly error: ErrorSummary;
}

export type LineResult = LineSuccess | LineFailure;

export interface BindingSummary {
  readonly blendShapesBound: number;
  readonly jointsBound: number;
  readonly unmatchedChannels: readonly string[];
  readonly undrivenAssetChannels: readonly string[];
}

export interface LineProgress {
  readonly audio: string;
  readonly stage: 'decode' | 'infer' | 'write';
  readonly done: number;
  readonly total: number;
}

/**
 * What stays the same across lines of one batch: the model loaded into its workers, the parsed
 * character, the preset. Create once, process many lines, close.
 */
export class JobContext {
  private constructor(
    readonly settings: JobSettings,
    readonly pack: ModelPack,
    readonly character: CharacterInfo,
    readonly preset: BindingPreset,
    private readonly engine: InferenceEngine,
  ) {}

  static async create(input: JobSettingsInput): Promise<JobContext> {
    const settings = resolveSettings(input);
    const preset = loadPreset(settings.preset);
    const character = readCharacter(settings.character);
    const pack = await loadModelPack(settings.model);
    const engine = await createInferenceEngine(pack, { ...settings.inference, tool: TOOL });
    return new JobContext(settings, pack, character, preset, engine);
  }

  /** Processes one line. Never throws for a bad line: the failure is the result. */
  async process(audio: string, opts: { name?: string; onProgress?: (p: LineProgress) => void } = {}): Promise<LineResult> {
    const file = path.resolve(audio);
    try {
      return await this.run(file, opts.name ?? outputName(file), opts.onProgress);
    } catch (err) {
      return { ok: false, audio: file, error: summarizeError(err) };
    }
  }

  private async run(file: string, name: string, onProgress?: (p: LineProgress) => void): Promise<LineSuccess> {
    const { settings } = this;
    onProgress?.({ audio: file, stage: 'decode', done: 0, total: 1 });
    const loaded = await loadAudio(file, { sampleRate: 16000 });
    const anim = await this.engine.animate(loaded.samples, {
      fps: settings.fps,
      seed: settings.seed,
      audio: {
        file: path.basename(file),
        sha256: loaded.info.sha256,
        sampleRate: loaded.info.sampleRate,
        channels: loaded.info.channels,
        durationSeconds: loaded.info.durationSeconds,
      },
      onProgress: (done, total) => onProgress?.({ audio: file, stage: 'infer', done, total }),
    });
    validateFaceAnimation(anim);

    onProgress?.({ audio: file, stage: 'write', done: 0, total: 1 });
    mkdirSync(settings.outDir, { recursive: true });
    const { layers, report } = buildAnimationLayers(anim, this.character, {
      layering: settings.layering,
      preset: this.preset,
      name,
      characterAssetPath: relativeAssetPath(settings.outDir, settings.character),
      sublayerCharacter: settings.sublayerCharacter,
    });
    const layerFiles = layers.map((layer) => {
      const out = path.join(settings.outDir, layer.fileName);
      writeFileAtomic(out, (sink) => layer.write(sink));
      return out;
    });
    const files = [...layerFiles];
    if (settings.exportJson) {
      const json = path.join(settings.outDir, `${name}.a2f.json`);
      writeFileAtomic(json, JSON.stringify(toA2fExportJson(anim), null, 1) + '\n');
      files.push(json);
    }
    const binding = summarizeBinding(report);
    const reportFile = path.join(settings.outDir, `${name}.report.json`);
    writeFileAtomic(reportFile, JSON.stringify({
      audio: file,
      layers: layerFiles.map((f) => path.basename(f)),
      layering: settings.layering,
      frames: anim.frameCount,
      fps: settings.fps,
      durationSeconds: loaded.info.durationSeconds,
      character: settings.character,
      preset: this.preset.name,
      binding: report,
      provenance: anim.provenance,
    }, null, 2) + '\n');
    files.push(reportFile);
    onProgress?.({ audio: file, stage: 'write', done: 1, total: 1 });
    return {
      ok: true, audio: file, name, files, layers: layerFiles, report: reportFile,
      frames: anim.frameCount, durationSeconds: loaded.info.durationSeconds, binding,
    };
  }

  async close(): Promise<void> {
    await this.engine.close();
  }
}

function readCharacter(file: string): CharacterInfo {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new JobError('CHARACTER_NOT_FOUND', file, code === 'EISDIR' ? 'is a folder, not a .usda layer' : 'cannot be read',
      'Pass --character the path of the character asset (.usda) the animation should drive.');
  }
  if (!file.toLowerCase().endsWith('.usda') && !text.startsWith('#usda')) {
    throw new JobError('CHARACTER_FORMAT', file, 'is not a text USD layer (.usda)',
      'Export the character as .usda (usdcat character.usd -o character.usda); binary .usdc/.usdz are not read yet.');
  }
  return inspectCharacter(text, file);
}

function summarizeBinding(report: BindingReport): BindingSummary {
  return {
    blendShapesBound: report.blendShapes.matches.length,
    jointsBound: report.joints.matches.length,
    unmatchedChannels: [...report.blendShapes.unmatchedSource, ...report.joints.unmatchedSource],
    undrivenAssetChannels: [...report.blendShapes.unmatchedTarget],
  };
}

/** A file-system-safe stem from the audio file name (spaces and odd characters become _). */
export function outputName(audio: string): string {
  const stem = path.basename(audio).replace(/\.[^.]*$/, '');
  return stem.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '') || 'line';
}

/** The character as a layer in outDir refers to it: relative, forward slashes, "./" prefixed. */
export function relativeAssetPath(fromDir: string, target: string): string {
  const rel = path.relative(fromDir, target).split(path.sep).join('/');
  return rel.startsWith('../') ? rel : `./${rel}`;
}
