// The curves the chart draws, built from the blob as they are: blendshape weights exactly as the layer
// holds them, and for each animated joint the angle of its rotation away from its rest pose in degrees.
import type { PreviewBlob } from '../data.js';
import { fromTRS } from '../deform.js';
import type { PreviewCurves } from '../page-api.js';
import { type ChannelGroup, groupOf } from './groups.js';

/** A channel moves when its max − min passes this (the binding panel uses the same test). */
export const STILL = 1e-4;

export interface Curve {
  readonly name: string;
  readonly group: ChannelGroup;
  readonly kind: 'blendShape' | 'joint';
  readonly values: number[];
  readonly moves: boolean;
}

export interface CurveSet {
  readonly seconds: number[];
  readonly curves: Curve[];
}

export function buildCurves(blob: PreviewBlob): CurveSet {
  const h = blob.header;
  const frames = h.time.frames;
  const seconds = Array.from({ length: frames }, (_, f) => f / h.time.fps);
  const curves: Curve[] = [];
  const a = h.animation;
  if (a.weights) {
    const w = blob.f32(a.weights);
    const n = a.blendShapes.length;
    a.blendShapes.forEach((name, c) => {
      const values = new Array<number>(frames);
      for (let f = 0; f < frames; f++) values[f] = w[f * n + c]!;
      curves.push(curve(name, 'blendShape', values));
    });
  }
  if (a.rotations) {
    const r = blob.f32(a.rotations);
    const rest = blob.f64(h.skeleton.rest);
    const n = a.joints.length;
    const m = new Float64Array(16);
    a.joints.forEach((name, k) => {
      const j = a.jointIndex[k]!;
      const restRows = j >= 0 ? unitRows(rest.subarray(j * 16, j * 16 + 16)) : [1, 0, 0, 0, 1, 0, 0, 0, 1];
      const values = new Array<number>(frames);
      for (let f = 0; f < frames; f++) {
        const q = r.subarray((f * n + k) * 4, (f * n + k) * 4 + 4);
        fromTRS([0, 0, 0], q, [1, 1, 1], m);
        values[f] = angleBetween(restRows, m);
      }
      curves.push(curve(name, 'joint', values));
    });
  }
  return { seconds, curves };
}

/** What window.a2fPreview.curves() returns: the chart's data, no more. */
export function toApiCurves(set: CurveSet): PreviewCurves {
  return {
    seconds: set.seconds.slice(),
    series: set.curves.map((c) => ({ name: c.name, group: c.group, kind: c.kind, values: c.values.slice() })),
  };
}

function curve(name: string, kind: 'blendShape' | 'joint', values: number[]): Curve {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { name, kind, group: groupOf(name, kind), values, moves: values.length > 0 && hi - lo > STILL };
}

/** The rotation part of a rest matrix with its scale taken out: 9 numbers, rows. */
function unitRows(m: ArrayLike<number>): number[] {
  const rows: number[] = [];
  for (let r = 0; r < 3; r++) {
    const len = Math.hypot(m[r * 4]!, m[r * 4 + 1]!, m[r * 4 + 2]!) || 1;
    rows.push(m[r * 4]! / len, m[r * 4 + 1]! / len, m[r * 4 + 2]! / len);
  }
  return rows;
}

/**
 * Degrees between two rotations, from P = rest · animᵀ: cos θ = (trace P − 1) / 2 and sin θ = half the
 * length of P's antisymmetric part; atan2 of the two keeps small angles exact where acos alone would not.
 */
function angleBetween(rest: readonly number[], anim: Float64Array): number {
  const p = (r: number, c: number) =>
    rest[r * 3]! * anim[c * 4]! + rest[r * 3 + 1]! * anim[c * 4 + 1]! + rest[r * 3 + 2]! * anim[c * 4 + 2]!;
  const cos = (p(0, 0) + p(1, 1) + p(2, 2) - 1) / 2;
  const sin = 0.5 * Math.hypot(p(2, 1) - p(1, 2), p(0, 2) - p(2, 0), p(1, 0) - p(0, 1));
  return (Math.atan2(sin, cos) * 180) / Math.PI;
}
