// One mesh bound to the previewed Skeleton, read into the blob: points, fan-triangulated faces,
// displayColor, skinning (jointIndices/jointWeights remapped to the Skeleton's joint order) and
// blendshapes with the animation channel that drives each (docs/preview.md, "The page's data").
import type { UsdaPrim, UsdaProperty, UsdaValue } from '@a2f/usd';
import type { BlobBuilder, MeshRole, PreviewBlendShape, PreviewMesh, PreviewSkin } from './data.js';
import { flatNumbers, numbersAt, propMeta, tokens } from './scene-values.js';
import { worldTransform } from './scene-xform.js';

const IDENTITY16 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

export interface MeshContext {
  readonly blob: BlobBuilder;
  /** The Skeleton's joint tokens, which skinning indices end up pointing into. */
  readonly joints: readonly string[];
  /** The SkelAnimation's blendShapes tokens: the channels. */
  readonly channels: readonly string[];
  /** Composed prims by path, for blendshape targets. */
  readonly prims: ReadonlyMap<string, UsdaPrim>;
  /** The time whose value a time-sampled point or transform is read at. */
  readonly time: number;
  readonly notes: string[];
  readonly unbound: { mesh: string; blendShape: string }[];
}

/** A mesh read into the blob, and how many blendshapes it has (the face is the one with most). */
export function readMesh(chain: readonly UsdaPrim[], ctx: MeshContext): PreviewMesh | null {
  const prim = chain[chain.length - 1]!;
  const { blob, notes } = ctx;
  const points = numbersAt(prim.properties.get('points'), ctx.time);
  if (!points || points.length === 0 || points.length % 3 !== 0) {
    notes.push(`mesh <${prim.path}> has no points (a float3[] of positions); it is not shown`);
    return null;
  }
  const count = points.length / 3;
  const faces = readFaces(prim, count, notes);
  const inherited = (name: string): UsdaProperty | undefined => {
    for (let i = chain.length - 1; i >= 0; i--) {
      const p = chain[i]!.properties.get(name);
      if (p) return p;
    }
    return undefined;
  };
  const skin = readSkin(prim, inherited, count, ctx);
  const color = readColor(prim, count, faces, notes);
  return {
    path: prim.path,
    role: roleByName(prim.path),
    points: blob.add('f32', points),
    triangles: blob.add('u32', faces.triangles),
    ...(color ? { color: { interpolation: color.interpolation, values: blob.add('f32', color.values) } } : {}),
    world: Array.from(worldTransform(chain, ctx.time, notes)),
    ...(skin ? { skin } : {}),
    blendShapes: readBlendShapes(prim, count, ctx),
  };
}

/** A role from the prim's name; the face is decided later (the mesh with the most blendshapes). */
export function roleByName(path: string): MeshRole {
  const name = path.slice(path.lastIndexOf('/') + 1).toLowerCase();
  if (name.includes('tongue')) return 'tongue';
  if (/teeth|tooth|gum/.test(name)) return 'teeth';
  if (/eye(?!lash|brow|lid)|cornea|iris|pupil/.test(name)) return 'eye';
  return 'other';
}

interface Faces {
  readonly triangles: Uint32Array;
  /** Per face its vertex count, and the face-vertex → point indices (for faceVarying primvars). */
  readonly counts: readonly number[];
  readonly indices: readonly number[];
}

function readFaces(prim: UsdaPrim, points: number, notes: string[]): Faces {
  const counts = flatNumbers(prim.properties.get('faceVertexCounts')?.default) ?? [];
  const indices = flatNumbers(prim.properties.get('faceVertexIndices')?.default) ?? [];
  const total = counts.reduce((a, b) => a + b, 0);
  if (total !== indices.length) {
    notes.push(
      `mesh <${prim.path}> has ${indices.length} faceVertexIndices for faceVertexCounts summing to ${total}; it is drawn as points only`,
    );
    return { triangles: new Uint32Array(0), counts: [], indices: [] };
  }
  // USD's default winding is counter-clockwise seen from the front (rightHanded); leftHanded is the mirror.
  const left = prim.properties.get('orientation')?.default === 'leftHanded';
  const tris: number[] = [];
  let at = 0;
  let bad = 0;
  for (const n of counts) {
    for (let k = 1; k + 1 < n; k++) {
      const a = indices[at]!;
      const b = indices[at + k]!;
      const c = indices[at + k + 1]!;
      if (a >= points || b >= points || c >= points || a < 0 || b < 0 || c < 0) bad++;
      else if (left) tris.push(a, c, b);
      else tris.push(a, b, c);
    }
    at += n;
  }
  if (bad > 0) notes.push(`mesh <${prim.path}> has ${bad} triangles with a point index past its ${points} points; they are left out`);
  return { triangles: Uint32Array.from(tris), counts, indices };
}

/** displayColor as the page draws it: one colour, or one per point (faceVarying and uniform averaged onto points). */
function readColor(
  prim: UsdaPrim,
  points: number,
  faces: Faces,
  notes: string[],
): { interpolation: 'constant' | 'vertex'; values: Float32Array } | null {
  const prop = prim.properties.get('primvars:displayColor');
  let values = flatNumbers(prop?.default);
  if (!prop || !values || values.length < 3) return null;
  const idx = flatNumbers(prim.properties.get('primvars:displayColor:indices')?.default);
  if (idx && idx.length > 0) values = idx.flatMap((i) => values!.slice(i * 3, i * 3 + 3));
  const interp = String(propMeta(prop, 'interpolation') ?? 'constant');
  const n = values.length / 3;
  if (interp === 'constant') return { interpolation: 'constant', values: Float32Array.from(values.slice(0, 3)) };
  if ((interp === 'vertex' || interp === 'varying') && n === points) return { interpolation: 'vertex', values: Float32Array.from(values) };
  if (interp === 'uniform' && n === faces.counts.length) {
    const mean = [0, 1, 2].map((c) => values!.reduce((s, v, i) => (i % 3 === c ? s + v : s), 0) / n);
    if (values.some((v, i) => Math.abs(v - mean[i % 3]!) > 1e-6))
      notes.push(`mesh <${prim.path}>: displayColor per face is shown as its mean colour`);
    return { interpolation: 'constant', values: Float32Array.from(mean) };
  }
  if (interp === 'faceVarying' && n === faces.indices.length) {
    const sum = new Float32Array(points * 3);
    const hits = new Uint32Array(points);
    faces.indices.forEach((p, k) => {
      for (let c = 0; c < 3; c++) sum[p * 3 + c] = sum[p * 3 + c]! + values![k * 3 + c]!;
      hits[p] = hits[p]! + 1;
    });
    for (let p = 0; p < points; p++) for (let c = 0; c < 3; c++) sum[p * 3 + c] = hits[p] ? sum[p * 3 + c]! / hits[p]! : 0.7;
    notes.push(`mesh <${prim.path}>: faceVarying displayColor is shown averaged per point`);
    return { interpolation: 'vertex', values: sum };
  }
  notes.push(`mesh <${prim.path}>: displayColor has ${n} values for "${interp}" interpolation; it is drawn grey`);
  return null;
}

/** Skinning primvars (own or inherited) expanded per point, indices into the Skeleton's joints. */
function readSkin(
  prim: UsdaPrim,
  inherited: (name: string) => UsdaProperty | undefined,
  points: number,
  ctx: MeshContext,
): PreviewSkin | undefined {
  const ip = inherited('primvars:skel:jointIndices');
  const wp = inherited('primvars:skel:jointWeights');
  if (!ip || !wp) return undefined;
  const idx = flatNumbers(ip.default);
  const wts = flatNumbers(wp.default);
  const size = Number(propMeta(ip, 'elementSize') ?? propMeta(wp, 'elementSize') ?? 1);
  const where = `mesh <${prim.path}>`;
  if (!idx || !wts || idx.length !== wts.length || !(size >= 1)) {
    ctx.notes.push(`${where}: jointIndices and jointWeights do not pair up (${idx?.length} and ${wts?.length}); it is not skinned`);
    return undefined;
  }
  const constant = propMeta(ip, 'interpolation') === 'constant';
  if (constant ? idx.length !== size : idx.length !== points * size) {
    ctx.notes.push(
      `${where}: ${idx.length} joint influences for ${constant ? '' : `${points} points × `}elementSize ${size}; it is not skinned`,
    );
    return undefined;
  }
  // A mesh's own skel:joints lists the joints its indices count in; map them to the Skeleton's order.
  const own = tokens(inherited('skel:joints')?.default);
  const map = own && own.length > 0 ? own.map((j) => ctx.joints.indexOf(j)) : null;
  if (map?.some((j) => j < 0)) {
    ctx.notes.push(
      `${where}: skel:joints names joints the Skeleton lacks (${own!.filter((_, i) => map[i]! < 0).join(', ')}); they do not move it`,
    );
  }
  const indices = new Uint32Array(points * size);
  const weights = new Float32Array(points * size);
  for (let p = 0; p < points; p++) {
    for (let e = 0; e < size; e++) {
      const k = constant ? e : p * size + e;
      const j = map ? (map[idx[k]!] ?? -1) : idx[k]!;
      const ok = j >= 0 && j < ctx.joints.length;
      indices[p * size + e] = ok ? j : 0;
      weights[p * size + e] = ok ? wts[k]! : 0;
    }
  }
  const gb = flatNumbers(inherited('primvars:skel:geomBindTransform')?.default);
  return {
    elementSize: size,
    indices: ctx.blob.add('u32', indices),
    weights: ctx.blob.add('f32', weights),
    geomBind: gb && gb.length === 16 ? gb : IDENTITY16,
  };
}

function readBlendShapes(prim: UsdaPrim, points: number, ctx: MeshContext): PreviewBlendShape[] {
  const names = tokens(prim.properties.get('skel:blendShapes')?.default) ?? [];
  const targets = prim.properties.get('skel:blendShapeTargets')?.targets ?? [];
  const out: PreviewBlendShape[] = [];
  names.forEach((name, i) => {
    const target = targets[i] ? ctx.prims.get(targets[i]!) : undefined;
    const offsets = flatNumbers(target?.properties.get('offsets')?.default as UsdaValue | undefined);
    if (!target || !offsets) {
      ctx.notes.push(`mesh <${prim.path}> blendshape "${name}" has no BlendShape target with offsets; it is left out`);
      return;
    }
    const indices = flatNumbers(target.properties.get('pointIndices')?.default);
    const n = offsets.length / 3;
    if (indices && indices.length > 0 ? indices.length !== n || indices.some((p) => p < 0 || p >= points) : n !== points) {
      ctx.notes.push(
        `mesh <${prim.path}> blendshape "${name}" (<${target.path}>): its offsets do not fit the mesh's ${points} points; left out`,
      );
      return;
    }
    if ([...target.properties.keys()].some((k) => k.startsWith('inbetweens:'))) {
      ctx.notes.push(`<${target.path}> has inbetween shapes; the preview blends the full shape linearly`);
    }
    const channel = ctx.channels.indexOf(name);
    if (channel < 0) ctx.unbound.push({ mesh: prim.path, blendShape: name });
    const sparse = moving(offsets, indices && indices.length > 0 ? indices : null);
    out.push({
      name,
      channel,
      ...(sparse.indices ? { indices: ctx.blob.add('u32', sparse.indices) } : {}),
      offsets: ctx.blob.add('f32', sparse.offsets),
    });
  });
  return out;
}

/**
 * Only the points a shape moves: shapes authored densely (an offset for every point, most of them
 * zero) become sparse, so the page carries and adds only what moves. Dense shapes that move every
 * point stay dense (no index array).
 */
function moving(offsets: readonly number[], indices: readonly number[] | null): { offsets: Float32Array; indices?: Uint32Array } {
  const n = offsets.length / 3;
  const keep: number[] = [];
  for (let k = 0; k < n; k++) if (offsets[k * 3] !== 0 || offsets[k * 3 + 1] !== 0 || offsets[k * 3 + 2] !== 0) keep.push(k);
  if (!indices && keep.length === n) return { offsets: Float32Array.from(offsets) };
  const out = new Float32Array(keep.length * 3);
  for (const [i, k] of keep.entries()) out.set(offsets.slice(k * 3, k * 3 + 3), i * 3);
  return { offsets: out, indices: Uint32Array.from(keep, (k) => (indices ? indices[k]! : k)) };
}
