/** Quaternions are [w, x, y, z] (USD quatf text order). */
export type Quat = [number, number, number, number];
export type Vec3 = [number, number, number];

export const IDENTITY_QUAT: Quat = [1, 0, 0, 0];

export function quatMultiply(a: Quat, b: Quat): Quat {
  const [aw, ax, ay, az] = a;
  const [bw, bx, by, bz] = b;
  return [
    aw * bw - ax * bx - ay * by - az * bz,
    aw * bx + ax * bw + ay * bz - az * by,
    aw * by - ax * bz + ay * bw + az * bx,
    aw * bz + ax * by - ay * bx + az * bw,
  ];
}

export function quatNormalize(q: Quat): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  if (n === 0 || !Number.isFinite(n)) throw new RangeError('cannot normalise a zero or non-finite quaternion');
  return [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

export function quatFromAxisAngle(axis: Vec3, radians: number): Quat {
  const n = Math.hypot(axis[0], axis[1], axis[2]);
  const s = Math.sin(radians / 2) / n;
  return [Math.cos(radians / 2), axis[0] * s, axis[1] * s, axis[2] * s];
}

/**
 * Euler angles in degrees, applied X (pitch) first, then Y (yaw), then Z: USD's `rotateXYZ` and
 * Maya's "xyz" rotate order, the convention of A2F's eye output (q = qz · qy · qx).
 */
export function quatFromEulerXYZDegrees(x: number, y: number, z = 0): Quat {
  const d = Math.PI / 180;
  const qx = quatFromAxisAngle([1, 0, 0], x * d);
  const qy = quatFromAxisAngle([0, 1, 0], y * d);
  const qz = quatFromAxisAngle([0, 0, 1], z * d);
  return quatMultiply(qz, quatMultiply(qy, qx));
}

/** Rotation matrix (row-major 3×3, column-vector convention v' = R v) to a unit quaternion. */
export function quatFromMatrix3(m: ArrayLike<number>): Quat {
  const [m00, m01, m02, m10, m11, m12, m20, m21, m22] = Array.from(m);
  const tr = m00 + m11 + m22;
  let q: Quat;
  if (tr > 0) {
    const s = Math.sqrt(tr + 1) * 2;
    q = [0.25 * s, (m21 - m12) / s, (m02 - m20) / s, (m10 - m01) / s];
  } else if (m00 > m11 && m00 > m22) {
    const s = Math.sqrt(1 + m00 - m11 - m22) * 2;
    q = [(m21 - m12) / s, 0.25 * s, (m01 + m10) / s, (m02 + m20) / s];
  } else if (m11 > m22) {
    const s = Math.sqrt(1 + m11 - m00 - m22) * 2;
    q = [(m02 - m20) / s, (m01 + m10) / s, 0.25 * s, (m12 + m21) / s];
  } else {
    const s = Math.sqrt(1 + m22 - m00 - m11) * 2;
    q = [(m10 - m01) / s, (m02 + m20) / s, (m12 + m21) / s, 0.25 * s];
  }
  const n = quatNormalize(q);
  return n[0] < 0 ? [-n[0], -n[1], -n[2], -n[3]] : n;
}

/** Rotates v by unit quaternion q. */
export function quatRotate(q: Quat, v: Vec3): Vec3 {
  const p = quatMultiply(quatMultiply(q, [0, v[0], v[1], v[2]]), [q[0], -q[1], -q[2], -q[3]]);
  return [p[1], p[2], p[3]];
}
