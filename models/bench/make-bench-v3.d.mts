export declare const V3_REFERENCE: { readonly parameters: number };
export declare const V3_FULL: { readonly skinVerts: number; readonly tongueVerts: number };
export declare function makeV3BenchPack(
  outDir: string,
  opts?: { seed?: number; mini?: boolean; tiny?: boolean },
): { dir: string; parameters: number; macsPerWindow: number; frameWidth: number };
