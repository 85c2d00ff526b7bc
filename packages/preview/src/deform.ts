// UsdSkel's deformation, as the page runs it: blendshapes added to the rest points, then linear
// blend skinning in skeleton space, then the Skeleton's world transform (docs/preview.md, "How the
// face moves"). Matrices are USD's: 16 numbers row-major, points are row vectors (p' = p · M), so a
// chain of transforms reads left to right. Shared by the page and the Node tests: no DOM, no Node.

/** A 4×4 matrix in USD's row-major, row-vector layout. */
export type Mat4 = Float64Array;

export function identity(): Mat4 {
  const m = new Float64Array(16);
  m[0] = m[5] = m[10] = m[15] = 1;
  return m;
}

/** a · b: apply a, then b. */
export function multiply(a: ArrayLike<number>, b: ArrayLike<number>, out: Mat4 = new Float64Array(16)): Mat4 {
  // Through a scratch matrix, so `out` may be `a` or `b`; one shared scratch, as nothing here re-enters.
  const r = PRODUCT;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[i * 4 + k]! * b[k * 4 + j]!;
      r[i * 4 + j] = s;
    }
  }
  out.set(r);
  return out;
}

const PRODUCT = new Float64Array(16);

/** The inverse of a 4×4 matrix (cofactors); a singular matrix gives the identity rather than NaNs. */
export function invert(m: ArrayLike<number>): Mat4 {
  const a = Array.from({ length: 16 }, (_, i) => m[i]!);
  const inv = new Float64Array(16);
  inv[0] =
    a[5]! * a[10]! * a[15]! -
    a[5]! * a[11]! * a[14]! -
    a[9]! * a[6]! * a[15]! +
    a[9]! * a[7]! * a[14]! +
    a[13]! * a[6]! * a[11]! -
    a[13]! * a[7]! * a[10]!;
  inv[4] =
    -a[4]! * a[10]! * a[15]! +
    a[4]! * a[11]! * a[14]! +
    a[8]! * a[6]! * a[15]! -
    a[8]! * a[7]! * a[14]! -
    a[12]! * a[6]! * a[11]! +
    a[12]! * a[7]! * a[10]!;
  inv[8] =
    a[4]! * a[9]! * a[15]! -
    a[4]! * a[11]! * a[13]! -
    a[8]! * a[5]! * a[15]! +
    a[8]! * a[7]! * a[13]! +
    a[12]! * a[5]! * a[11]! -
    a[12]! * a[7]! * a[9]!;
  inv[12] =
    -a[4]! * a[9]! * a[14]! +
    a[4]! * a[10]! * a[13]! +
    a[8]! * a[5]! * a[14]! -
    a[8]! * a[6]! * a[13]! -
    a[12]! * a[5]! * a[10]! +
    a[12]! * a[6]! * a[9]!;
  inv[1] =
    -a[1]! * a[10]! * a[15]! +
    a[1]! * a[11]! * a[14]! +
    a[9]! * a[2]! * a[15]! -
    a[9]! * a[3]! * a[14]! -
    a[13]! * a[2]! * a[11]! +
    a[13]! * a[3]! * a[10]!;
  inv[5] =
    a[0]! * a[10]! * a[15]! -
    a[0]! * a[11]! * a[14]! -
    a[8]! * a[2]! * a[15]! +
    a[8]! * a[3]! * a[14]! +
    a[12]! * a[2]! * a[11]! -
    a[12]! * a[3]! * a[10]!;
  inv[9] =
    -a[0]! * a[9]! * a[15]! +
    a[0]! * a[11]! * a[13]! +
    a[8]! * a[1]! * a[15]! -
    a[8]! * a[3]! * a[13]! -
    a[12]! * a[1]! * a[11]! +
    a[12]! * a[3]! * a[9]!;
  inv[13] =
    a[0]! * a[9]! * a[14]! -
    a[0]! * a[10]! * a[13]! -
    a[8]! * a[1]! * a[14]! +
    a[8]! * a[2]! * a[13]! +
    a[12]! * a[1]! * a[10]! -
    a[12]! * a[2]! * a[9]!;
  inv[2] =
    a[1]! * a[6]! * a[15]! -
    a[1]! * a[7]! * a[14]! -
    a[5]! * a[2]! * a[15]! +
    a[5]! * a[3]! * a[14]! +
    a[13]! * a[2]! * a[7]! -
    a[13]! * a[3]! * a[6]!;
  inv[6] =
    -a[0]! * a[6]! * a[15]! +
    a[0]! * a[7]! * a[14]! +
    a[4]! * a[2]! * a[15]! -
    a[4]! * a[3]! * a[14]! -
    a[12]! * a[2]! * a[7]! +
    a[12]! * a[3]! * a[6]!;
  inv[10] =
    a[0]! * a[5]! * a[15]! -
    a[0]! * a[7]! * a[13]! -
    a[4]! * a[1]! * a[15]! +
    a[4]! * a[3]! * a[13]! +
    a[12]! * a[1]! * a[7]! -
    a[12]! * a[3]! * a[5]!;
  inv[14] =
    -a[0]! * a[5]! * a[14]! +
    a[0]! * a[6]! * a[13]! +
    a[4]! * a[1]! * a[14]! -
    a[4]! * a[2]! * a[13]! -
    a[12]! * a[1]! * a[6]! +
    a[12]! * a[2]! * a[5]!;
  inv[3] =
    -a[1]! * a[6]! * a[11]! +
    a[1]! * a[7]! * a[10]! +
    a[5]! * a[2]! * a[11]! -
    a[5]! * a[3]! * a[10]! -
    a[9]! * a[2]! * a[7]! +
    a[9]! * a[3]! * a[6]!;
  inv[7] =
    a[0]! * a[6]! * a[11]! -
    a[0]! * a[7]! * a[10]! -
    a[4]! * a[2]! * a[11]! +
    a[4]! * a[3]! * a[10]! +
    a[8]! * a[2]! * a[7]! -
    a[8]! * a[3]! * a[6]!;
  inv[11] =
    -a[0]! * a[5]! * a[11]! +
    a[0]! * a[7]! * a[9]! +
    a[4]! * a[1]! * a[11]! -
    a[4]! * a[3]! * a[9]! -
    a[8]! * a[1]! * a[7]! +
    a[8]! * a[3]! * a[5]!;
  inv[15] =
    a[0]! * a[5]! * a[10]! -
    a[0]! * a[6]! * a[9]! -
    a[4]! * a[1]! * a[10]! +
    a[4]! * a[2]! * a[9]! +
    a[8]! * a[1]! * a[6]! -
    a[8]! * a[2]! * a[5]!;
  const det = a[0]! * inv[0]! + a[1]! * inv[4]! + a[2]! * inv[8]! + a[3]! * inv[12]!;
  if (det === 0 || !Number.isFinite(det)) return identity();
  for (let i = 0; i < 16; i++) inv[i]! /= det;
  return inv;
}

/**
 * A joint-local matrix from translation, rotation (quaternion as USD spells it: real, i, j, k) and
 * scale, composed as UsdSkel does: scale, then rotate, then translate.
 */
export function fromTRS(t: ArrayLike<number>, q: ArrayLike<number>, s: ArrayLike<number>, out: Mat4 = new Float64Array(16)): Mat4 {
  const [w, x, y, z] = [q[0]!, q[1]!, q[2]!, q[3]!];
  const n = Math.hypot(w, x, y, z) || 1;
  const [qw, qx, qy, qz] = [w / n, x / n, y / n, z / n];
  // Rows are the images of the x, y and z axes (row-vector form of the rotation), scaled per axis.
  const rows = [
    [1 - 2 * (qy * qy + qz * qz), 2 * (qx * qy + qw * qz), 2 * (qx * qz - qw * qy)],
    [2 * (qx * qy - qw * qz), 1 - 2 * (qx * qx + qz * qz), 2 * (qy * qz + qw * qx)],
    [2 * (qx * qz + qw * qy), 2 * (qy * qz - qw * qx), 1 - 2 * (qx * qx + qy * qy)],
  ];
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) out[r * 4 + c] = rows[r]![c]! * s[r]!;
    out[r * 4 + 3] = 0;
  }
  out[12] = t[0]!;
  out[13] = t[1]!;
  out[14] = t[2]!;
  out[15] = 1;
  return out;
}

/** Skeleton-space joint matrices from joint-local ones: world = local · world(parent), parents first. */
export function jointWorlds(parents: readonly number[], locals: Float64Array): Float64Array {
  const worlds = new Float64Array(locals.length);
  for (let j = 0; j < parents.length; j++) {
    const local = locals.subarray(j * 16, j * 16 + 16);
    const p = parents[j]!;
    if (p < 0) worlds.set(local, j * 16);
    else multiply(local, worlds.subarray(p * 16, p * 16 + 16), worlds.subarray(j * 16, j * 16 + 16));
  }
  return worlds;
}

/** The part of a mesh the deformer needs (views onto the preview blob). */
export interface DeformInput {
  /** 3 per point, as authored. */
  readonly points: Float32Array;
  readonly shapes: readonly { readonly indices?: Uint32Array; readonly offsets: Float32Array }[];
  readonly skin?: {
    readonly elementSize: number;
    readonly indices: Uint32Array;
    readonly weights: Float32Array;
    readonly geomBind: ArrayLike<number>;
  };
  /** Where the points end up when the mesh is not skinned: the mesh's local-to-world. */
  readonly world: ArrayLike<number>;
}

/** Shape weights below this are skipped: they move no point by a visible amount. */
const NEGLIGIBLE = 1e-6;

/**
 * Deforms one mesh into world space. `skinning` holds, per Skeleton joint, 16 numbers of
 * geomBind · inverse(bind) · jointWorld · skeletonWorld (see skinningMatrices); null for an unskinned mesh.
 * `scratch` (3 per point) avoids an allocation per frame.
 */
export function deformPoints(
  mesh: DeformInput,
  shapeWeights: ArrayLike<number>,
  skinning: Float64Array | null,
  out: Float32Array,
  scratch: Float32Array = new Float32Array(mesh.points.length),
): void {
  const shaped = mesh.skin && skinning ? scratch : out;
  shaped.set(mesh.points);
  for (let s = 0; s < mesh.shapes.length; s++) {
    const w = shapeWeights[s] ?? 0;
    if (Math.abs(w) < NEGLIGIBLE) continue;
    const { indices, offsets } = mesh.shapes[s]!;
    const n = offsets.length / 3;
    for (let k = 0; k < n; k++) {
      const p = indices ? indices[k]! * 3 : k * 3;
      shaped[p] = shaped[p]! + w * offsets[k * 3]!;
      shaped[p + 1] = shaped[p + 1]! + w * offsets[k * 3 + 1]!;
      shaped[p + 2] = shaped[p + 2]! + w * offsets[k * 3 + 2]!;
    }
  }
  if (mesh.skin && skinning) {
    skin(shaped, mesh.skin.elementSize, mesh.skin.indices, mesh.skin.weights, skinning, out);
  } else {
    transformInPlace(out, mesh.world);
  }
}

/** Every joint's inverse bind matrix, 16 numbers each: computed once, as binds do not change. */
export function inverseBinds(bind: Float64Array): Float64Array {
  const out = new Float64Array(bind.length);
  for (let j = 0; j < bind.length / 16; j++) out.set(invert(bind.subarray(j * 16, j * 16 + 16)), j * 16);
  return out;
}

/**
 * Per joint: geomBind · inverse(bind_j) · world_j · skeletonWorld, so a skinned point is one weighted
 * sum of point · matrix (the geomBind is the mesh's; pass identity and apply it yourself otherwise).
 */
export function skinningMatrices(
  geomBind: ArrayLike<number>,
  bind: Float64Array,
  worlds: Float64Array,
  skeletonWorld: ArrayLike<number>,
): Float64Array {
  return skinningMatricesInto(geomBind, inverseBinds(bind), worlds, skeletonWorld, new Float64Array(bind.length));
}

/** skinningMatrices from inverse binds made once (inverseBinds), into `out`: what the page runs every frame. */
export function skinningMatricesInto(
  geomBind: ArrayLike<number>,
  inverseBind: Float64Array,
  worlds: Float64Array,
  skeletonWorld: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const tmp = JOINT;
  for (let j = 0; j < inverseBind.length / 16; j++) {
    multiply(inverseBind.subarray(j * 16, j * 16 + 16), worlds.subarray(j * 16, j * 16 + 16), tmp);
    multiply(tmp, skeletonWorld, tmp);
    multiply(geomBind, tmp, out.subarray(j * 16, j * 16 + 16));
  }
  return out;
}

const JOINT = new Float64Array(16);

/**
 * The part of a mesh that moves `vertices` (sorted, distinct point indices), as a mesh of its own whose
 * point k is the mesh's point vertices[k]: the points, the blendshape offsets that land on them and
 * their skinning. Deforming it gives exactly those points of the whole mesh, at the cost of the part
 * (the page's playback proxy: docs/preview.md, "The page").
 */
export function restrictInput(mesh: DeformInput, vertices: Uint32Array): DeformInput {
  const count = mesh.points.length / 3;
  const slot = new Int32Array(count).fill(-1);
  for (let k = 0; k < vertices.length; k++) slot[vertices[k]!] = k;
  const points = new Float32Array(vertices.length * 3);
  for (let k = 0; k < vertices.length; k++) points.set(mesh.points.subarray(vertices[k]! * 3, vertices[k]! * 3 + 3), k * 3);
  const shapes = mesh.shapes.map(({ indices, offsets }) => {
    const n = offsets.length / 3;
    const keep: number[] = [];
    for (let k = 0; k < n; k++) {
      const p = indices ? indices[k]! : k;
      if (p < count && slot[p]! >= 0) keep.push(k);
    }
    const sub = new Float32Array(keep.length * 3);
    const at = new Uint32Array(keep.length);
    keep.forEach((k, i) => {
      sub.set(offsets.subarray(k * 3, k * 3 + 3), i * 3);
      at[i] = slot[indices ? indices[k]! : k]!;
    });
    return { indices: at, offsets: sub };
  });
  let skin: DeformInput['skin'];
  if (mesh.skin) {
    const size = mesh.skin.elementSize;
    const indices = new Uint32Array(vertices.length * size);
    const weights = new Float32Array(vertices.length * size);
    for (let k = 0; k < vertices.length; k++) {
      const v = vertices[k]!;
      indices.set(mesh.skin.indices.subarray(v * size, v * size + size), k * size);
      weights.set(mesh.skin.weights.subarray(v * size, v * size + size), k * size);
    }
    skin = { elementSize: size, indices, weights, geomBind: mesh.skin.geomBind };
  }
  return { points, shapes, world: mesh.world, ...(skin ? { skin } : {}) };
}

function skin(src: Float32Array, size: number, indices: Uint32Array, weights: Float32Array, mats: Float64Array, out: Float32Array): void {
  const n = src.length / 3;
  const joints = mats.length / 16;
  for (let i = 0; i < n; i++) {
    const x = src[i * 3]!;
    const y = src[i * 3 + 1]!;
    const z = src[i * 3 + 2]!;
    let ox = 0;
    let oy = 0;
    let oz = 0;
    let total = 0;
    for (let e = 0; e < size; e++) {
      const w = weights[i * size + e]!;
      const j = indices[i * size + e]!;
      if (w === 0 || j >= joints) continue;
      const m = j * 16;
      ox += w * (x * mats[m]! + y * mats[m + 4]! + z * mats[m + 8]! + mats[m + 12]!);
      oy += w * (x * mats[m + 1]! + y * mats[m + 5]! + z * mats[m + 9]! + mats[m + 13]!);
      oz += w * (x * mats[m + 2]! + y * mats[m + 6]! + z * mats[m + 10]! + mats[m + 14]!);
      total += w;
    }
    // A point with no influence stays where it is (UsdSkel leaves it at its rest position).
    if (total === 0) {
      ox = x;
      oy = y;
      oz = z;
    }
    out[i * 3] = ox;
    out[i * 3 + 1] = oy;
    out[i * 3 + 2] = oz;
  }
}

function transformInPlace(p: Float32Array, m: ArrayLike<number>): void {
  if (isIdentity(m)) return;
  for (let i = 0; i < p.length; i += 3) {
    const x = p[i]!;
    const y = p[i + 1]!;
    const z = p[i + 2]!;
    p[i] = x * m[0]! + y * m[4]! + z * m[8]! + m[12]!;
    p[i + 1] = x * m[1]! + y * m[5]! + z * m[9]! + m[13]!;
    p[i + 2] = x * m[2]! + y * m[6]! + z * m[10]! + m[14]!;
  }
}

function isIdentity(m: ArrayLike<number>): boolean {
  for (let i = 0; i < 16; i++) if (m[i] !== (i % 5 === 0 ? 1 : 0)) return false;
  return true;
}

/**
 * Smooth vertex normals: each triangle's area-weighted normal summed onto its corners, normalised.
 * With `vertices` (every corner of `triangles`, e.g. the playback proxy's), only those entries of `out`
 * are written, so a part of a mesh costs only its part.
 */
export function vertexNormals(points: Float32Array, triangles: Uint32Array, out: Float32Array, vertices?: Uint32Array): void {
  if (vertices) for (let k = 0; k < vertices.length; k++) out.fill(0, vertices[k]! * 3, vertices[k]! * 3 + 3);
  else out.fill(0);
  for (let t = 0; t < triangles.length; t += 3) {
    const a = triangles[t]! * 3;
    const b = triangles[t + 1]! * 3;
    const c = triangles[t + 2]! * 3;
    const ax = points[a]!;
    const ay = points[a + 1]!;
    const az = points[a + 2]!;
    const ux = points[b]! - ax;
    const uy = points[b + 1]! - ay;
    const uz = points[b + 2]! - az;
    const vx = points[c]! - ax;
    const vy = points[c + 1]! - ay;
    const vz = points[c + 2]! - az;
    const nx = uy * vz - uz * vy;
    const ny = uz * vx - ux * vz;
    const nz = ux * vy - uy * vx;
    out[a] = out[a]! + nx;
    out[a + 1] = out[a + 1]! + ny;
    out[a + 2] = out[a + 2]! + nz;
    out[b] = out[b]! + nx;
    out[b + 1] = out[b + 1]! + ny;
    out[b + 2] = out[b + 2]! + nz;
    out[c] = out[c]! + nx;
    out[c + 1] = out[c + 1]! + ny;
    out[c + 2] = out[c + 2]! + nz;
  }
  if (vertices) for (let k = 0; k < vertices.length; k++) normalise(out, vertices[k]! * 3);
  else for (let i = 0; i < out.length; i += 3) normalise(out, i);
}

function normalise(v: Float32Array, i: number): void {
  const x = v[i]!;
  const y = v[i + 1]!;
  const z = v[i + 2]!;
  // sqrt, not Math.hypot: hypot's guard against overflow costs several times more, and a normal's
  // squared length is far from overflow.
  const l = Math.sqrt(x * x + y * y + z * z) || 1;
  v[i] = x / l;
  v[i + 1] = y / l;
  v[i + 2] = z / l;
}
