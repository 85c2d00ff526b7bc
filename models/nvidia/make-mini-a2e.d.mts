export declare const A2E_EMOTIONS: readonly string[];
export declare const A_SCALE: number;
export declare const P_SCALE: number;
export declare const WEIGHTS: { readonly w: readonly (readonly number[])[]; readonly b: readonly number[] };
export declare const A2E_CONFIG: Readonly<Record<string, unknown>> & {
  readonly output_emotion_length: number;
  readonly emotion_correspondence: Readonly<Record<string, number>>;
};
export declare function makeMiniA2e(
  outDir: string,
  opts?: { emotions?: readonly string[]; config?: Readonly<Record<string, unknown>> },
): { dir: string; files: Record<string, { size: number; sha256: string }> };
