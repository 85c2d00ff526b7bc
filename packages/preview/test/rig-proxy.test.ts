// The playback proxy's Node-side parts (docs/preview.md, "The page"): the rig posing only a subset of
// a mesh's points gives exactly what a whole pose gives there, normals over a part of the triangles,
// the per-frame skinning matrices from inverse binds made once, and the simplifier's index buffer
// over a mesh's own points.
import path from 'node:path';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  deformPoints,
  fromTRS,
  identity,
  inverseBinds,
  jointWorlds,
  restrictInput,
  skinningMatrices,
  skinningMatricesInto,
  vertexNormals,
} from '../src/deform.js';
import { buildPreview, PreviewRig, readBlob } from '../src/index.js';
import { makeProxy } from '../src/viewer/proxy.js';
import { FRAMES, makeLayer, OPEN_FRAME } from './fixtures.js';

type Blob = ReturnType<typeof readBlob>;
let blob: Blob;

beforeAll(async () => {
  // The joint jaw: the face is skinned and carries blendshapes, so both parts of the deformer run.
  const made = makeLayer(path.join(tempDir('preview-rig-proxy'), 'joint'), { jaw: 'joint' });
  const html = (await buildPreview(made.layer)).html;
  blob = readBlob(new Uint8Array(Buffer.from(/id="a2f-data">([^<]*)</.exec(html)![1]!, 'base64')));
});
afterAll(removeTempDirs);

/** Every third point of a mesh of `count` points: a subset that cuts through every shape and joint region. */
const everyThird = (count: number) => Uint32Array.from({ length: Math.ceil(count / 3) }, (_, k) => k * 3);

describe('posing a subset of the points', () => {
  it('gives, at every frame, exactly the whole pose at those points', () => {
    const whole = new PreviewRig(blob);
    const part = new PreviewRig(blob);
    const subsets = blob.header.meshes.map((m) => everyThird(m.points.length / 3));
    const first = Float32Array.from(whole.pose(0)[0]!.points);
    let moved = 0;
    for (let f = 0; f < FRAMES; f++) {
      const a = whole.pose(f);
      const b = part.pose(f, subsets);
      a.forEach((posed, i) => {
        for (const v of subsets[i]!) {
          expect(Array.from(b[i]!.points.subarray(v * 3, v * 3 + 3)), `mesh ${i} point ${v} frame ${f}`).toEqual(
            Array.from(posed.points.subarray(v * 3, v * 3 + 3)),
          );
        }
      });
      if (f === OPEN_FRAME) moved = a[0]!.points.reduce((n, x, k) => n + (x !== first[k] ? 1 : 0), 0);
    }
    // The check means something only if the open frame moves points of the face.
    expect(moved).toBeGreaterThan(100);
  });

  it('leaves the other points as the last pose left them', () => {
    const rig = new PreviewRig(blob);
    const face = blob.header.meshes[0]!;
    const subset = everyThird(face.points.length / 3);
    const rest = Float32Array.from(rig.pose(0)[0]!.points);
    const open = rig.pose(OPEN_FRAME, [subset])[0]!.points;
    const inSubset = new Set(subset);
    let changedInSubset = 0;
    for (let v = 0; v < face.points.length / 3; v++) {
      const same = [0, 1, 2].every((c) => open[v * 3 + c] === rest[v * 3 + c]);
      if (!inSubset.has(v)) expect(same, `point ${v} outside the subset`).toBe(true);
      else if (!same) changedInSubset++;
    }
    expect(changedInSubset).toBeGreaterThan(30);
  });

  it('restrictInput keeps the offsets that land on the subset, renumbered, for dense and sparse shapes', () => {
    const I = Array.from(identity());
    const mesh = {
      points: Float32Array.from([0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 0, 0]),
      shapes: [
        { offsets: Float32Array.from([0, 1, 0, 0, 2, 0, 0, 3, 0, 0, 4, 0]) },
        { indices: Uint32Array.from([1, 3]), offsets: Float32Array.from([0, 0, 5, 0, 0, 7]) },
      ],
      world: I,
    };
    const sub = restrictInput(mesh, Uint32Array.from([1, 3]));
    expect(Array.from(sub.points)).toEqual([1, 0, 0, 3, 0, 0]);
    expect(Array.from(sub.shapes[0]!.offsets)).toEqual([0, 2, 0, 0, 4, 0]);
    expect(Array.from(sub.shapes[0]!.indices!)).toEqual([0, 1]);
    expect(Array.from(sub.shapes[1]!.indices!)).toEqual([0, 1]);
    const out = new Float32Array(6);
    deformPoints(sub, [0.5, 2], null, out);
    expect(Array.from(out)).toEqual([1, 1, 10, 3, 2, 14]);
  });
});

describe('normals over a part of the triangles', () => {
  it('writes only the given points, as the whole computation over those triangles does', () => {
    // Two triangles sharing the edge 1–2 of a unit square, and a third, apart, that is not asked for.
    const points = Float32Array.from([0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 5, 5, 5, 6, 5, 5, 5, 6, 5]);
    const part = Uint32Array.from([0, 1, 2, 1, 3, 2]);
    const full = new Float32Array(points.length);
    vertexNormals(points, part, full);
    const out = new Float32Array(points.length).fill(9);
    vertexNormals(points, part, out, Uint32Array.from([0, 1, 2, 3]));
    expect(Array.from(out.subarray(0, 12))).toEqual(Array.from(full.subarray(0, 12)));
    expect(Array.from(out.subarray(12))).toEqual([9, 9, 9, 9, 9, 9, 9, 9, 9]);
    expect(Array.from(out.subarray(0, 3))).toEqual([0, 0, 1]);
    for (let v = 0; v < 4; v++) expect(Math.hypot(out[v * 3]!, out[v * 3 + 1]!, out[v * 3 + 2]!)).toBeCloseTo(1, 6);
  });
});

describe('skinning matrices from inverse binds made once', () => {
  it('equal skinningMatrices, written into the array given', () => {
    const bind = new Float64Array([...identity(), ...fromTRS([0, 1, 0], [Math.SQRT1_2, 0.5, 0, 0.5], [1, 2, 1])]);
    const worlds = jointWorlds(
      [-1, 0],
      new Float64Array([...fromTRS([1, 0, 0], [1, 0, 0, 0], [1, 1, 1]), ...fromTRS([0, 2, 0], [0.9, 0, 0.1, 0], [1, 1, 1])]),
    );
    const geomBind = fromTRS([0, 0, 3], [1, 0, 0, 0], [2, 2, 2]);
    const world = fromTRS([0, 5, 0], [1, 0, 0, 0], [1, 1, 1]);
    const out = new Float64Array(32);
    const got = skinningMatricesInto(geomBind, inverseBinds(bind), worlds, world, out);
    expect(got).toBe(out);
    const want = skinningMatrices(geomBind, bind, worlds, world);
    want.forEach((x, i) => {
      expect(got[i]).toBeCloseTo(x, 12);
    });
  });
});

describe('the simplified index buffer (meshoptimizer)', () => {
  /** A w × h grid of points in the z = 0 plane, two triangles per cell. */
  function grid(w: number, h: number) {
    const points = new Float32Array(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) points.set([x / (w - 1), y / (h - 1), 0.02 * Math.sin(x / 7) * Math.cos(y / 5)], (y * w + x) * 3);
    const tris: number[] = [];
    for (let y = 0; y < h - 1; y++) {
      for (let x = 0; x < w - 1; x++) {
        const a = y * w + x;
        tris.push(a, a + 1, a + w, a + 1, a + w + 1, a + w);
      }
    }
    return { points, triangles: Uint32Array.from(tris) };
  }

  it('comes down to about the budget, over the mesh own points, keeping its border', async () => {
    const { points, triangles } = grid(120, 100);
    expect(triangles.length / 3).toBe(23562);
    const p = await makeProxy(points, triangles, 3000);
    const n = p.triangles.length / 3;
    expect(n).toBeGreaterThan(1500);
    expect(n).toBeLessThanOrEqual(3000);
    // vertices: exactly the points the triangles use, sorted, each once.
    const used = [...new Set(p.triangles)].sort((a, b) => a - b);
    expect(Array.from(p.vertices)).toEqual(used);
    expect(Math.max(...used)).toBeLessThan(120 * 100);
    // Every border point of the grid is still there (a lip line stays where it is).
    const has = new Set(p.vertices);
    for (let x = 0; x < 120; x++) expect(has.has(x) && has.has(99 * 120 + x), `border column ${x}`).toBe(true);
    expect(p.error).toBeGreaterThanOrEqual(0);
    expect(p.error).toBeLessThan(0.02);
  });
});
