import type { MiniPack } from '../nvidia/make-mini-pack.mjs';

/** What the cost walk (graph-cost.mjs) reports for one frame (batch 1). */
export interface GraphCost {
  parameters: number;
  macs: number;
  /** 2 · macs of Conv/MatMul */
  flops: number;
  /** element-wise operations besides (normalisations, activations, adds) */
  otherOps: number;
  macsByOp: Record<string, number>;
  outputs: Record<string, number[]>;
}
export declare const REFERENCE: { parameters: number; parametersModelCard: number; flopsPerFrame: number };
export declare function makeBenchNetwork(opts?: {
  seed?: number;
  skinShapes?: number;
  tongueShapes?: number;
  jaw?: number;
  eyes?: number;
  explicit?: number;
}): { bytes: Uint8Array; cost: GraphCost; emotionLen: number; resultLen: number };
export declare function makeBenchPack(outDir: string, opts?: { seed?: number; mini?: boolean }): MiniPack & { cost: GraphCost };
export declare function deviation(value: number, reference: number): number;
export declare function describeCost(cost: GraphCost): string[];
