export declare const IDENTITIES: readonly string[];
export declare const V3_MINI: Readonly<Record<string, number>>;
export interface MiniV3Dims {
  L: number;
  C: number;
  F: number;
  D: number;
  E: number;
  I: number;
  Q: number;
  S: number;
  G: number;
  H: number;
  left: number;
  centre: number;
  right: number;
}
export interface MiniV3Weights {
  audio: Float32Array;
  latent: Float32Array;
  identity: Float32Array;
  emotion: Float32Array;
  state: Float32Array;
}
export declare function makeMiniV3Pack(
  outDir: string,
  opts?: {
    seed?: number;
    sizes?: { skinVerts?: number; tongueVerts?: number; latent?: number };
    network?: (dims: MiniV3Dims) => Uint8Array;
  },
): { dir: string; dims: MiniV3Dims; weights: MiniV3Weights | null };
