export declare const SKIN_POSES: readonly string[];
export declare const TONGUE_POSES: readonly string[];
export declare const EXPLICIT_EMOTIONS: readonly string[];
export interface PackSizes {
  skinVerts: number;
  tongueVerts: number;
  skinShapes: number;
  tongueShapes: number;
}
export declare const VARIANTS: Readonly<Record<'mark' | 'claire', PackSizes & { actor: string; version: string }>>;
export declare const FULL_SIZE: PackSizes;
export declare const MARK_CONFIG: Readonly<Record<string, number | string>>;
export declare function skinSolverConfig(): { blendshape_params: Record<string, unknown> };
export declare function tongueSolverConfig(): { blendshape_params: Record<string, unknown> };
export interface MiniPack {
  dir: string;
  variant: 'mark' | 'claire';
  sizes: PackSizes & { actor: string; version: string; emotionLen: number; resultLen: number };
  /** every file written: name → size and full SHA-256 */
  files: Record<string, { size: number; sha256: string }>;
}
export interface NetworkShape {
  skinShapes: number;
  tongueShapes: number;
  emotionLen: number;
  resultLen: number;
}
export declare function makeMiniPack(
  outDir: string,
  opts?: { variant?: 'mark' | 'claire'; seed?: number; sizes?: Partial<PackSizes>; network?: (shape: NetworkShape) => Uint8Array },
): MiniPack;
