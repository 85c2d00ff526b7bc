export interface A2eBenchSize {
  dim: number;
  heads: number;
  ffn: number;
  layers: number;
  conv: number;
  posKernel: number;
  posGroups: number;
}
export declare const A2E_SIZES: Readonly<Record<'base' | 'large' | 'tiny', A2eBenchSize>>;
export declare function a2eFrames(samples: number): number;
export declare function buildA2eBenchGraph(opts?: {
  size?: 'base' | 'large' | 'tiny';
  seed?: number;
  window?: number;
  emotions?: number;
}): { bytes: Uint8Array; parameters: number; macsPerRun: number; frames: number };
export declare function makeA2eBenchPack(
  outDir: string,
  opts?: { size?: 'base' | 'large' | 'tiny'; seed?: number; window?: number },
): { dir: string; parameters: number; macsPerRun: number; frames: number };
