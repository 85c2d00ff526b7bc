// A prim's local-to-world transform from the xformOps it and its ancestors author, composed as
// UsdGeomXformable does: the ops in xformOpOrder, the first one outermost (so with row vectors
// local = op[n−1] · … · op[0]), `!invert!` ops inverted, `!resetXformStack!` dropping the parents,
// world = local · parentWorld (docs/preview.md, "The page's data").
import type { UsdaPrim } from '@a2f/usd';
import { fromTRS, identity, invert, type Mat4, multiply } from './deform.js';
import { numbersAt, tokens } from './scene-values.js';

const RESET = '!resetXformStack!';
const INVERT = '!invert!';

/** One prim's own transform at `time` (the default, else the first sample at or before it); notes what it could not apply. */
export function localTransform(prim: UsdaPrim, time: number, notes: string[]): { matrix: Mat4; reset: boolean } {
  const order = tokens(prim.properties.get('xformOpOrder')?.default) ?? [];
  let matrix = identity();
  let reset = false;
  for (const entry of order) {
    if (entry === RESET) {
      reset = true;
      matrix = identity();
      continue;
    }
    const inverted = entry.startsWith(INVERT);
    const name = inverted ? entry.slice(INVERT.length) : entry;
    const prop = prim.properties.get(name);
    const value = numbersAt(prop, time);
    const op = value ? opMatrix(name, value) : null;
    if (!op) {
      notes.push(`<${prim.path}> xformOp "${name}" ${value ? 'is not one the preview applies' : 'has no value'}; it was left out`);
      continue;
    }
    // Earlier ops are outer: each new op applies to the point before the ones already gathered.
    matrix = multiply(inverted ? invert(op) : op, matrix);
  }
  return { matrix, reset };
}

const DEG = Math.PI / 180;

function axisRotation(axis: 0 | 1 | 2, degrees: number): Mat4 {
  const h = (degrees * DEG) / 2;
  const q = [Math.cos(h), 0, 0, 0];
  q[axis + 1] = Math.sin(h);
  return fromTRS([0, 0, 0], q, [1, 1, 1]);
}

/** The matrix of one op from its value, or null for an op type the preview does not apply. */
function opMatrix(name: string, v: readonly number[]): Mat4 | null {
  const type = name.split(':')[1] ?? '';
  const at = (i: number) => v[i] ?? 0;
  switch (type) {
    case 'transform':
      return v.length === 16 ? Float64Array.from(v) : null;
    case 'translate':
      return v.length === 3 ? fromTRS(v, [1, 0, 0, 0], [1, 1, 1]) : null;
    case 'scale':
      return v.length === 3
        ? fromTRS([0, 0, 0], [1, 0, 0, 0], v)
        : v.length === 1
          ? fromTRS([0, 0, 0], [1, 0, 0, 0], [at(0), at(0), at(0)])
          : null;
    case 'orient':
      return v.length === 4 ? fromTRS([0, 0, 0], v, [1, 1, 1]) : null;
    case 'rotateX':
    case 'rotateY':
    case 'rotateZ':
      return v.length === 1 ? axisRotation((type.charCodeAt(6) - 88) as 0 | 1 | 2, at(0)) : null;
    default: {
      // rotateXYZ, rotateZYX…: the first letter's axis turns the point first (row vectors: left to right).
      const m = /^rotate([XYZ])([XYZ])([XYZ])$/.exec(type);
      if (!m || v.length !== 3) return null;
      let r = identity();
      for (let i = 0; i < 3; i++) {
        const axis = (m[i + 1]!.charCodeAt(0) - 88) as 0 | 1 | 2;
        r = multiply(r, axisRotation(axis, v[axis]!));
      }
      return r;
    }
  }
}

/** Local-to-world of the last prim in `chain` (root first), from every prim's own ops. */
export function worldTransform(chain: readonly UsdaPrim[], time: number, notes: string[]): Mat4 {
  let world = identity();
  for (const prim of chain) {
    const { matrix, reset } = localTransform(prim, time, notes);
    world = reset ? matrix : multiply(matrix, world);
  }
  return world;
}
