import type { FaceAnimation, Provenance, Rational } from '@a2f/animation';
import type { ModelPack, TensorSpec } from '../pack.js';
import type { FrameInput, NetworkOutputs } from '../run-network.js';
import { visemesKind } from './visemes-kind.js';

/** What a kind sees of the manifest when it checks its "postprocess" block at load time. */
export interface ValidateContext {
  /** the manifest, named in errors */
  readonly file: string;
  /** the pack folder, which relative paths are resolved against */
  readonly dir: string;
  readonly outputs: readonly TensorSpec[];
}

export interface ApplyContext {
  readonly fps: Rational;
  readonly provenance: Provenance;
  readonly seed?: number;
}

/** A kind made ready for one pack (its tables read once per engine, not once per line). */
export interface Postprocessor {
  /** recorded in provenance: everything of the kind's own that changes the result (tables and their hashes) */
  readonly parameters: Readonly<Record<string, unknown>>;
  /** feeds for non-audio network inputs the kind owns (the v2.3 emotion vector); the caller's feeds override them */
  readonly inputs?: Readonly<Record<string, FrameInput>>;
  apply(raw: NetworkOutputs, ctx: ApplyContext): FaceAnimation;
}

export interface PostprocessKind {
  /** Checks the manifest's "postprocess" block against the pack and returns the normalised config (paths made absolute). */
  validate(block: Readonly<Record<string, unknown>>, ctx: ValidateContext): Record<string, unknown>;
  prepare(pack: ModelPack): Promise<Postprocessor>;
}

const KINDS: ReadonlyMap<string, PostprocessKind> = new Map([['visemes', visemesKind]]);

export const postprocessKind = (name: string): PostprocessKind | undefined => KINDS.get(name);
export const postprocessKinds = (): string[] => [...KINDS.keys()];
