// UsdSkel's deformation as deform.ts and rig.ts run it, against values worked out by hand: a joint
// turned 90°, a blendshape at half weight, weights split between two joints, geomBindTransform, and
// a point no joint influences.
import { describe, expect, it } from 'vitest';
import { deformPoints, fromTRS, identity, invert, jointWorlds, multiply, skinningMatrices, vertexNormals } from '../src/deform.js';

const I = Array.from(identity());
const translate = (x: number, y: number, z: number) => fromTRS([x, y, z], [1, 0, 0, 0], [1, 1, 1]);
const quarterZ = [Math.SQRT1_2, 0, 0, Math.SQRT1_2];
const close = (actual: ArrayLike<number>, expected: readonly number[]): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => {
    expect(actual[i], `element ${i}`).toBeCloseTo(v, 5);
  });
};

/** Two joints: a root at the origin and a child at (0, 1, 0); bind = rest. */
const parents = [-1, 0];
const bind = new Float64Array([...I, ...translate(0, 1, 0)]);

function skinned(points: number[], indices: number[], weights: number[], size: number, locals: Float64Array, geomBind = I): Float32Array {
  const out = new Float32Array(points.length);
  const mats = skinningMatrices(geomBind, bind, jointWorlds(parents, locals), I);
  deformPoints(
    {
      points: Float32Array.from(points),
      shapes: [],
      skin: { elementSize: size, indices: Uint32Array.from(indices), weights: Float32Array.from(weights), geomBind },
      world: I,
    },
    [],
    mats,
    out,
  );
  return out;
}

describe('matrices', () => {
  it('fromTRS turns the x axis onto y for 90° about Z, then translates (row vectors: p · M)', () => {
    const m = fromTRS([0, 1, 0], quarterZ, [1, 1, 1]);
    close([m[0]!, m[1]!, m[2]!], [0, 1, 0]);
    close([m[4]!, m[5]!, m[6]!], [-1, 0, 0]);
    close([m[12]!, m[13]!, m[14]!], [0, 1, 0]);
  });

  it('scales before it rotates: (2,1,1) scale then 90° about Z sends x to 2y', () => {
    const m = fromTRS([0, 0, 0], quarterZ, [2, 1, 1]);
    close([m[0]!, m[1]!, m[2]!], [0, 2, 0]);
  });

  it('invert undoes multiply, and a singular matrix inverts to the identity rather than NaNs', () => {
    const m = multiply(fromTRS([1, 2, 3], quarterZ, [2, 2, 2]), translate(4, 5, 6));
    close(multiply(m, invert(m)), I);
    close(invert(new Float64Array(16)), I);
  });

  it('jointWorlds chains local · parent world', () => {
    const w = jointWorlds(parents, new Float64Array([...translate(1, 0, 0), ...translate(0, 1, 0)]));
    close(w.subarray(16, 32), Array.from(translate(1, 1, 0)));
  });
});

describe('skinning', () => {
  it('a point on a joint turned 90° about Z swings around the joint: (1,1,0) → (0,2,0)', () => {
    const locals = new Float64Array([...I, ...fromTRS([0, 1, 0], quarterZ, [1, 1, 1])]);
    close(skinned([1, 1, 0], [1], [1], 1, locals), [0, 2, 0]);
  });

  it('weights split 50/50 between a still joint and one moved +2 in x move the point +1', () => {
    const locals = new Float64Array([...I, ...translate(2, 1, 0)]);
    close(skinned([0, 0, 0], [0, 1], [0.5, 0.5], 2, locals), [1, 0, 0]);
  });

  it('geomBindTransform places the mesh in skeleton space first: a +5 z bind moves the point +5 z at rest', () => {
    const rest = new Float64Array([...I, ...translate(0, 1, 0)]);
    close(skinned([1, 2, 3], [0], [1], 1, rest, Array.from(translate(0, 0, 5))), [1, 2, 8]);
  });

  it('a point with no weight stays at its rest position', () => {
    const locals = new Float64Array([...I, ...translate(9, 9, 9)]);
    close(skinned([1, 2, 3], [1], [0], 1, locals), [1, 2, 3]);
  });
});

describe('blendshapes', () => {
  it('add weight × offset to the points they list, before skinning; an unskinned mesh then gets its world transform', () => {
    const out = new Float32Array(6);
    deformPoints(
      {
        points: Float32Array.from([0, 0, 0, 1, 0, 0]),
        shapes: [
          { indices: Uint32Array.from([1]), offsets: Float32Array.from([0, 2, 0]) },
          { offsets: Float32Array.from([1, 0, 0, 1, 0, 0]) },
        ],
        world: Array.from(translate(0, 0, 10)),
      },
      [0.5, 0.25],
      null,
      out,
    );
    close(out, [0.25, 0, 10, 1.25, 1, 10]);
  });
});

describe('normals', () => {
  it('of a counter-clockwise triangle in the xy plane point along +z', () => {
    const n = new Float32Array(9);
    vertexNormals(Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0]), Uint32Array.from([0, 1, 2]), n);
    close(n, [0, 0, 1, 0, 0, 1, 0, 0, 1]);
  });
});
