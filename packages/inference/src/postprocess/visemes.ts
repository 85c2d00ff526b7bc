// PLACEHOLDER owned by the default-model work: replaced with the real implementation.
import type { FaceAnimation, Provenance, Rational } from '@a2f/animation';

/** The 15 Oculus visemes the default model emits, in output order. */
export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'I', 'O', 'U'] as const;

export interface VisemeTable {
  /** viseme → { ARKit blendshape name → weight at full activation } */
  readonly visemes: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** degrees the jaw joint opens (about local +X) at jawOpen = 1 */
  readonly jawOpenDegrees: number;
  /** two-stage smoothing half-life in seconds */
  readonly smoothingHalfLife: number;
}

export interface VisemePostprocessOptions {
  fps: Rational;
  table: VisemeTable;
  provenance: Provenance;
  /** seed of the procedural blink track */
  seed?: number;
  blinkIntervalSeconds?: number;
}

/** Network output (frames × 15 viseme activations) → FaceAnimation with 52 ARKit + 16 tongue channels and jaw/eye joints. */
export function visemesToFace(visemes: Float32Array, frameCount: number, opts: VisemePostprocessOptions): FaceAnimation {
  void visemes; void frameCount; void opts;
  throw new Error('visemesToFace: not implemented yet');
}

/** Validates a viseme table read from JSON; `origin` names the file in errors. */
export function parseVisemeTable(json: unknown, origin: string): VisemeTable {
  void json;
  throw new Error(`${origin}: parseVisemeTable not implemented yet`);
}
