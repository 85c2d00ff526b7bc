// USD matrix4d ↔ translation / rotation / scale. USD matrices are row-major with row vectors
// (v' = v·M, translation in the last row) and UsdSkel composes joint transforms as scale, then
// rotate, then translate: M = S·R·T.
import { quatFromMatrix3, type Quat, type Vec3 } from '@a2f/animation';

export interface JointTransform {
  readonly translation: Vec3;
  /** Unit quaternion (w, x, y, z), w ≥ 0. */
  readonly rotation: Quat;
  readonly scale: Vec3;
}

/** A 4×4 matrix as 16 numbers, row-major. */
export type Matrix4 = readonly number[];

export const IDENTITY_MATRIX: Matrix4 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];

/** Splits an affine matrix into S·R·T. Shear is not representable and is dropped. */
export function decomposeMatrix(m: Matrix4): JointTransform {
  const rows = [0, 1, 2].map((r) => [m[r * 4], m[r * 4 + 1], m[r * 4 + 2]]);
  const scale = rows.map((r) => Math.hypot(r[0], r[1], r[2])) as Vec3;
  if (scale.some((s) => !(s > 1e-12))) throw new Error('matrix has a zero scale axis; it has no rotation to decompose');
  const det =
    rows[0][0] * (rows[1][1] * rows[2][2] - rows[1][2] * rows[2][1]) -
    rows[0][1] * (rows[1][0] * rows[2][2] - rows[1][2] * rows[2][0]) +
    rows[0][2] * (rows[1][0] * rows[2][1] - rows[1][1] * rows[2][0]);
  if (det < 0) scale[0] = -scale[0]; // a mirror: put it in the X scale so R stays a rotation
  const r = rows.map((row, i) => row.map((v) => v / scale[i]));
  // R in row-vector form is the transpose of the column-vector rotation quatFromMatrix3 expects.
  const rotation = quatFromMatrix3([r[0][0], r[1][0], r[2][0], r[0][1], r[1][1], r[2][1], r[0][2], r[1][2], r[2][2]]);
  return { translation: [m[12], m[13], m[14]], rotation, scale };
}

/** S·R·T as a row-major matrix (the inverse of decomposeMatrix). */
export function composeMatrix(t: JointTransform): number[] {
  const [w, x, y, z] = t.rotation;
  // Column-vector rotation matrix of q, transposed on the fly into row-vector form.
  const rc = [
    [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y)],
    [2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x)],
    [2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)],
  ];
  const out: number[] = [];
  for (let i = 0; i < 3; i++) out.push(rc[0][i] * t.scale[i], rc[1][i] * t.scale[i], rc[2][i] * t.scale[i], 0);
  out.push(t.translation[0], t.translation[1], t.translation[2], 1);
  return out;
}

export function multiplyMatrices(a: Matrix4, b: Matrix4): number[] {
  const out: number[] = new Array(16).fill(0);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let k = 0; k < 4; k++) out[r * 4 + c] += a[r * 4 + k] * b[k * 4 + c];
  return out;
}

/** General 4×4 inverse (Gauss-Jordan with partial pivoting). */
export function invertMatrix(m: Matrix4): number[] {
  const a = [...m];
  const inv = [...IDENTITY_MATRIX];
  for (let c = 0; c < 4; c++) {
    let p = c;
    for (let r = c + 1; r < 4; r++) if (Math.abs(a[r * 4 + c]) > Math.abs(a[p * 4 + c])) p = r;
    if (Math.abs(a[p * 4 + c]) < 1e-14) throw new Error('matrix is singular');
    for (let k = 0; k < 4; k++) {
      [a[c * 4 + k], a[p * 4 + k]] = [a[p * 4 + k], a[c * 4 + k]];
      [inv[c * 4 + k], inv[p * 4 + k]] = [inv[p * 4 + k], inv[c * 4 + k]];
    }
    const d = a[c * 4 + c];
    for (let k = 0; k < 4; k++) {
      a[c * 4 + k] /= d;
      inv[c * 4 + k] /= d;
    }
    for (let r = 0; r < 4; r++) {
      if (r === c) continue;
      const f = a[r * 4 + c];
      for (let k = 0; k < 4; k++) {
        a[r * 4 + k] -= f * a[c * 4 + k];
        inv[r * 4 + k] -= f * inv[c * 4 + k];
      }
    }
  }
  return inv;
}

/** Parent index per joint token (`a/b/c` → index of `a/b`), -1 for roots. */
export function jointParents(joints: readonly string[]): number[] {
  const index = new Map(joints.map((j, i) => [j, i]));
  return joints.map((j) => {
    const cut = j.lastIndexOf('/');
    return cut < 0 ? -1 : (index.get(j.slice(0, cut)) ?? -1);
  });
}

/** Local (rest) transforms from world-space bind transforms: local = world · parentWorld⁻¹. */
export function localFromWorld(world: readonly Matrix4[], parents: readonly number[]): number[][] {
  return world.map((m, i) => (parents[i] < 0 ? [...m] : multiplyMatrices(m, invertMatrix(world[parents[i]]))));
}

/** World transforms from local ones: world = local · parentWorld (parents precede children). */
export function worldFromLocal(local: readonly Matrix4[], parents: readonly number[]): number[][] {
  const out: number[][] = [];
  local.forEach((m, i) => {
    out.push(parents[i] < 0 ? [...m] : multiplyMatrices(m, out[parents[i]]));
  });
  return out;
}
