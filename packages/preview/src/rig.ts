// A preview blob posed at a frame: the Skeleton's joint matrices from the animation (rest where a
// joint is not animated), then every mesh deformed into world space (deform.ts). The page calls
// pose(frame) once per displayed frame; the Node tests call it to check the math without a browser.
import type { PreviewBlob, PreviewMesh } from './data.js';
import { type DeformInput, deformPoints, fromTRS, inverseBinds, jointWorlds, restrictInput, skinningMatricesInto } from './deform.js';

const IDENTITY16 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

export interface PosedMesh {
  readonly mesh: PreviewMesh;
  /** World-space points, 3 per point; the same array every frame (copy it to keep one). */
  readonly points: Float32Array;
}

export class PreviewRig {
  readonly frames: number;
  private readonly inputs: DeformInput[];
  private readonly out: Float32Array[];
  private readonly scratch: Float32Array[];
  /** Per mesh, per mesh blendshape: the index of its channel in a frame's weights (−1: unbound). */
  private readonly channels: Int32Array[];
  private readonly weights?: Float32Array;
  private readonly rest: Float64Array;
  private readonly inverseBind: Float64Array;
  /** Per frame, reused: the meshes' shape weights and skinning matrices (no allocation per frame). */
  private readonly shapeWeights: Float32Array[];
  private readonly skinning: Float64Array[];
  /** The part of a mesh that a subset of its points needs (restrictInput), made once per subset array. */
  private readonly parts = new WeakMap<
    Uint32Array,
    { readonly input: DeformInput; readonly out: Float32Array; readonly scratch: Float32Array }
  >();

  constructor(private readonly blob: PreviewBlob) {
    const h = blob.header;
    this.frames = h.time.frames;
    this.rest = blob.f64(h.skeleton.rest);
    this.inverseBind = inverseBinds(blob.f64(h.skeleton.bind));
    if (h.animation.weights) this.weights = blob.f32(h.animation.weights);
    this.inputs = h.meshes.map((m) => ({
      points: blob.f32(m.points),
      shapes: m.blendShapes.map((s) => ({ offsets: blob.f32(s.offsets), ...(s.indices ? { indices: blob.u32(s.indices) } : {}) })),
      world: m.world,
      ...(m.skin
        ? {
            skin: {
              elementSize: m.skin.elementSize,
              indices: blob.u32(m.skin.indices),
              weights: blob.f32(m.skin.weights),
              geomBind: m.skin.geomBind,
            },
          }
        : {}),
    }));
    this.out = this.inputs.map((m) => new Float32Array(m.points.length));
    this.scratch = this.inputs.map((m) => new Float32Array(m.points.length));
    this.channels = h.meshes.map((m) => Int32Array.from(m.blendShapes, (s) => s.channel));
    this.shapeWeights = this.channels.map((c) => new Float32Array(c.length));
    this.skinning = this.inputs.map(() => new Float64Array(this.inverseBind.length));
  }

  /** The frame index (0 … frames − 1) shown at a time in seconds from the start: the frame whose span holds it. */
  frameAt(seconds: number): number {
    const f = Math.floor(seconds * this.blob.header.time.fps + 1e-6);
    return Math.min(this.frames - 1, Math.max(0, f));
  }

  /** The animation's weights at a frame, in `animation.blendShapes` order (empty when it has none). */
  weightsAt(frame: number): Float32Array {
    const n = this.blob.header.animation.blendShapes.length;
    return this.weights ? this.weights.subarray(frame * n, frame * n + n) : new Float32Array(0);
  }

  /** Joint-local matrices at a frame: rest, overridden by the animation's TRS where it animates a joint. */
  localsAt(frame: number): Float64Array {
    const h = this.blob.header;
    const locals = Float64Array.from(this.rest);
    const a = h.animation;
    const n = a.joints.length;
    if (n === 0) return locals;
    const t = a.translations ? this.blob.f32(a.translations) : undefined;
    const r = a.rotations ? this.blob.f32(a.rotations) : undefined;
    const s = a.scales ? this.blob.f32(a.scales) : undefined;
    for (let k = 0; k < n; k++) {
      const j = a.jointIndex[k]!;
      if (j < 0) continue;
      // UsdSkel needs all three components; one that is missing keeps the rest pose's part.
      const restT = locals.subarray(j * 16 + 12, j * 16 + 15);
      const tr = t ? t.subarray((frame * n + k) * 3, (frame * n + k) * 3 + 3) : restT;
      const rot = r ? r.subarray((frame * n + k) * 4, (frame * n + k) * 4 + 4) : [1, 0, 0, 0];
      const sc = s ? s.subarray((frame * n + k) * 3, (frame * n + k) * 3 + 3) : [1, 1, 1];
      fromTRS(tr, rot, sc, locals.subarray(j * 16, j * 16 + 16));
    }
    return locals;
  }

  /**
   * Every mesh deformed to world space at a frame. With `only`, a mesh that has an entry there (sorted,
   * distinct point indices) gets just those points rewritten, exactly as a whole pose would give them;
   * its other points keep what they held (the page's playback proxy draws only those).
   */
  pose(frame: number, only?: readonly (Uint32Array | undefined)[]): PosedMesh[] {
    const h = this.blob.header;
    const f = Math.min(this.frames - 1, Math.max(0, Math.round(frame)));
    const worlds = jointWorlds(h.skeleton.parents, this.localsAt(f));
    const weights = this.weightsAt(f);
    return h.meshes.map((mesh, i) => {
      const input = this.inputs[i]!;
      const map = this.channels[i]!;
      const shapeWeights = this.shapeWeights[i]!;
      for (let s = 0; s < map.length; s++) shapeWeights[s] = map[s]! >= 0 ? (weights[map[s]!] ?? 0) : 0;
      const skinning = input.skin
        ? skinningMatricesInto(input.skin.geomBind ?? IDENTITY16, this.inverseBind, worlds, h.skeleton.world, this.skinning[i]!)
        : null;
      const subset = only?.[i];
      if (!subset) {
        deformPoints(input, shapeWeights, skinning, this.out[i]!, this.scratch[i]!);
        return { mesh, points: this.out[i]! };
      }
      const part = this.part(i, subset);
      deformPoints(part.input, shapeWeights, skinning, part.out, part.scratch);
      const out = this.out[i]!;
      for (let k = 0; k < subset.length; k++) {
        const p = subset[k]! * 3;
        out[p] = part.out[k * 3]!;
        out[p + 1] = part.out[k * 3 + 1]!;
        out[p + 2] = part.out[k * 3 + 2]!;
      }
      return { mesh, points: out };
    });
  }

  /** Makes ahead what pose(frame, only) needs for those subsets (restrictInput), so the first such pose is not slower. */
  prepare(only: readonly (Uint32Array | undefined)[]): void {
    only.forEach((subset, i) => {
      if (subset) this.part(i, subset);
    });
  }

  private part(mesh: number, subset: Uint32Array) {
    let part = this.parts.get(subset);
    if (!part) {
      const input = restrictInput(this.inputs[mesh]!, subset);
      part = { input, out: new Float32Array(input.points.length), scratch: new Float32Array(input.points.length) };
      this.parts.set(subset, part);
    }
    return part;
  }
}
