import type { FaceAnimation, Provenance, Rational } from '@a2f/animation';
import type { EmotionKey } from './emotion.js';
import type { LoadModelPackOptions, ModelPack, TensorSpec } from './pack-types.js';
import type { FrameInput, NetworkOutputs } from './run-network.js';

/** What a kind sees of the manifest when it checks its "postprocess" block at load time. */
export interface ValidateContext {
  /** the manifest, named in errors */
  readonly file: string;
  /** the pack folder, which relative paths are resolved against */
  readonly dir: string;
  readonly outputs: readonly TensorSpec[];
}

/** A line's explicit emotion and where it came from (the CLI option, a sidecar file), for errors and provenance. */
export interface LineEmotion {
  readonly keys: readonly EmotionKey[];
  readonly source: string;
  /** explicit emotion per frame from the voice (Audio2Emotion); keys override it where they name an emotion */
  readonly frames?: FrameEmotion;
}

/** Explicit emotion given frame by frame, in the network's explicit-emotion order (docs/nvidia/audio2emotion.md). */
export interface FrameEmotion {
  readonly width: number;
  readonly frameCount: number;
  /** frameCount × width */
  readonly values: Float32Array;
  /** what made them, recorded in the animation's provenance */
  readonly provenance: Readonly<Record<string, unknown>>;
}

/** Procedural blinks of a line (docs/animation-controls.md); absent: on, at the model's own interval. */
export interface BlinkControl {
  readonly enabled: boolean;
  /** mean seconds between blinks; absent: the model's default */
  readonly intervalSeconds?: number;
}

export interface ApplyContext {
  readonly fps: Rational;
  readonly provenance: Provenance;
  readonly seed?: number;
  readonly emotion?: LineEmotion;
  readonly blinks?: BlinkControl;
}

/** The channel names a kind's FaceAnimation has, known before any audio runs. */
export interface KindChannels {
  readonly blendShapes: readonly string[];
  readonly joints: readonly string[];
}

/** Engine-wide options that change a kind's post-processing (and possibly the network's own inputs). */
export interface KindOptions {
  /** parameter overrides by the kind's own names (the v2.3 FaceParams keys); numeric strings accepted */
  readonly params?: Readonly<Record<string, number | string>>;
  /** how the kind solves for its channels, if it offers a choice (NVIDIA packs: 'coefficients' or 'mesh') */
  readonly solvePath?: string;
  /** the kind's own named options (a multi-identity pack's identity, say), as text; each kind checks its names */
  readonly options?: Readonly<Record<string, string>>;
}

/** One tensor of a run a kind drives itself: values and dims (the batch axis where the pack declares it). */
export interface NetworkTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * The network as a kind that drives it run by run sees it (Postprocessor.animateLine). Each run
 * goes to the least busy worker; a kind awaits one run before the next where a state chains them,
 * while other lines' runs share the workers.
 */
export interface LineRunner {
  run(feeds: Readonly<Record<string, NetworkTensor>>): Promise<Record<string, NetworkTensor>>;
  readonly signal?: AbortSignal;
  onProgress?(done: number, total: number): void;
}

/** A kind made ready for one pack (its tables read once per engine, not once per line). */
export interface Postprocessor {
  /** recorded in provenance: everything of the kind's own that changes the result (tables and their hashes) */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** feeds for non-audio network inputs the kind owns (the v2.3 emotion vector); the caller's feeds override them */
  readonly inputs?: Readonly<Record<string, FrameInput>>;
  /** kinds with an emotion input: the feeds for a line's emotion keys (they replace the default emotion in `inputs`) */
  emotionInputs?(emotion: LineEmotion): Readonly<Record<string, FrameInput>>;
  apply(raw: NetworkOutputs, ctx: ApplyContext): FaceAnimation;
  /**
   * Kinds whose network is not one run per frame (windowed, recurrent models): runs the whole line
   * itself, streaming each run's output into post-processing, instead of the engine's per-frame
   * batches and `apply`.
   */
  animateLine?(samples: Float32Array, runner: LineRunner, ctx: ApplyContext): Promise<FaceAnimation>;
  /**
   * Kinds whose post-processing is causal (each frame depends only on the frames before it): a track
   * that takes a line's network outputs a few frames at a time, in order, and returns exactly the
   * frames `apply` returns for them (live streams, docs/live-engine.md). Absent: no live streams.
   */
  openTrack?(ctx: ApplyContext): PostprocessTrack;
}

/** A line's post-processing fed in order (Postprocessor.openTrack); its state is its own, so tracks run side by side. */
export interface PostprocessTrack {
  /** the next frames' raw outputs (frameCount of them) → their animation: those frames only, at the line's frame rate */
  push(raw: NetworkOutputs): FaceAnimation;
  /** The line is over: a kind may keep the track's state for the next track (building it can take seconds). */
  close?(): void;
}

export interface PostprocessKind {
  /** Checks the manifest's "postprocess" block against the pack and returns the normalised config (paths made absolute). */
  validate(block: Readonly<Record<string, unknown>>, ctx: ValidateContext): Record<string, unknown>;
  prepare(pack: ModelPack): Promise<Postprocessor>;
  /**
   * Applies KindOptions before the workers start, returning the pack as it will run (checked
   * overrides in its config, input gain changed where a parameter sets it). Kinds without it take no options.
   */
  configure?(pack: ModelPack, opts: KindOptions): ModelPack;
  /** The channels its animations carry, for binding before a line runs (a2f inspect, filter checks). */
  channels(pack: ModelPack): KindChannels;
  /** The explicit emotion names the network's emotion input takes; kinds without it have no emotion input. */
  emotionNames?(pack: ModelPack): readonly string[];
}

/**
 * A layout of model folder that a family package reads (NVIDIA's model.json folders, say): found
 * by `detect`, turned into a ModelPack by `load`. Folders with a pack.json need no format: they are
 * the generic manifest (docs/pack-format.md).
 */
export interface PackFormat {
  readonly name: string;
  /** the file that marks a folder in this format (NVIDIA's "model.json"), named in "not found" errors */
  readonly marker: string;
  /** whether `dir` (a folder or a file in it) is in this format; cheap, no parsing */
  detect(dir: string): boolean;
  load(dir: string, opts: LoadModelPackOptions): Promise<ModelPack>;
}

// Model families register themselves when their package is imported (docs/architecture.md#model-families):
// this package knows no family, so nothing here names one.
const KINDS = new Map<string, PostprocessKind>();
const FORMATS = new Map<string, PackFormat>();
const NAMED = new Map<string, string>();

/** Registers a post-processing kind under the name manifests use in "postprocess.kind". Re-registering the same object is a no-op. */
export function registerKind(name: string, kind: PostprocessKind): void {
  const had = KINDS.get(name);
  if (had && had !== kind) throw new Error(`post-processing kind "${name}" is registered twice by different packages`);
  KINDS.set(name, kind);
}

export function registerPackFormat(format: PackFormat): void {
  const had = FORMATS.get(format.name);
  if (had && had !== format) throw new Error(`pack format "${format.name}" is registered twice by different packages`);
  FORMATS.set(format.name, format);
}

/** A model name users can pass instead of a folder (the embedded model registers "default"). */
export function registerNamedPack(name: string, dir: string): void {
  NAMED.set(name, dir);
}

export const postprocessKind = (name: string): PostprocessKind | undefined => KINDS.get(name);
export const postprocessKinds = (): string[] => [...KINDS.keys()];
export const packFormats = (): readonly PackFormat[] => [...FORMATS.values()];
export const namedPack = (name: string): string | undefined => NAMED.get(name);
export const namedPacks = (): string[] => [...NAMED.keys()];

/** The blendshape and joint channels `pack`'s animations carry. */
export function modelChannels(pack: ModelPack): KindChannels {
  const kind = KINDS.get(pack.postprocess.kind);
  if (!kind) throw new Error(`${pack.manifestPath}: post-processing kind "${pack.postprocess.kind}" is not known`);
  return kind.channels(pack);
}
