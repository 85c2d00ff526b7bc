// The scene reader on a small hand-written layer whose every value is worked out by hand: fallbacks
// for time, held and linear samples, slerped rotations, rest derived from bind, an inherited
// animationSource, a left-handed quad, faceVarying indexed colours, a constant skinning primvar in a
// mesh's own joint order, xformOps on an unskinned mesh, and the posed result through PreviewRig.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeTempDirs, tempDir, thrown } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readScene } from '../src/scene.js';
import { PreviewRig, readBlob } from '../src/index.js';
import { sampleCharacter } from './fixtures.js';

const LAYER = `#usda 1.0
(
    customLayerData = {
        dictionary a2f = {
            string fps = "24"
        }
    }
    endTimeCode = 10
    framesPerSecond = 24
    metersPerUnit = 1
    startTimeCode = 0
    upAxis = "Z"
)

def SkelRoot "Root" (
    prepend apiSchemas = ["SkelBindingAPI"]
)
{
    rel skel:animationSource = </Root/Anim>
    double3 xformOp:translate = (0, 0, 5)
    uniform token[] xformOpOrder = ["xformOp:translate"]

    def Skeleton "Skel"
    {
        uniform token[] joints = ["a", "a/b"]
        uniform matrix4d[] bindTransforms = [
            ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) ),
            ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 1, 0, 1) ),
        ]
    }

    def SkelAnimation "Anim"
    {
        uniform token[] joints = ["a/b"]
        float3[] translations = [(0, 1, 0)]
        quatf[] rotations.timeSamples = {
            0: [(1, 0, 0, 0)],
            10: [(0.70710678, 0, 0, 0.70710678)],
        }
        half3[] scales = [(1, 1, 1)]
        uniform token[] blendShapes = ["up", "missing"]
        float[] blendShapeWeights.timeSamples = {
            2: [0, 1],
            6: [1, 0],
        }
    }

    def Mesh "Quad" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        point3f[] points = [(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0)]
        int[] faceVertexCounts = [4]
        int[] faceVertexIndices = [0, 1, 2, 3]
        uniform token orientation = "leftHanded"
        color3f[] primvars:displayColor = [(1, 0, 0), (0, 0, 1)] (
            interpolation = "faceVarying"
        )
        int[] primvars:displayColor:indices = [0, 0, 1, 1]
        int[] primvars:skel:jointIndices = [0] (
            elementSize = 1
            interpolation = "constant"
        )
        float[] primvars:skel:jointWeights = [1] (
            elementSize = 1
            interpolation = "constant"
        )
        uniform token[] skel:joints = ["a/b"]
        uniform token[] skel:blendShapes = ["up", "frown"]
        rel skel:blendShapeTargets = [</Root/Quad/Up>, </Root/Quad/Frown>]
        rel skel:skeleton = </Root/Skel>

        def BlendShape "Up"
        {
            uniform vector3f[] offsets = [(0, 0, 2)]
            uniform int[] pointIndices = [2]
        }

        def BlendShape "Frown"
        {
            uniform vector3f[] offsets = [(0, 0, 0), (0, 0, -1), (0, 0, 0), (0, 0, 0)]
        }
    }

    def Mesh "Plate" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        point3f[] points = [(1, 0, 0), (0, 1, 0), (0, 0, 1)]
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 2]
        color3f[] primvars:displayColor = [(0.5, 0.25, 0.125)]
        rel skel:skeleton = </Root/Skel>
        double3 xformOp:translate = (10, 0, 0)
        float3 xformOp:rotateXYZ = (0, 0, 90)
        float3 xformOp:scale = (2, 2, 2)
        uniform token[] xformOpOrder = ["xformOp:translate", "xformOp:rotateXYZ", "xformOp:scale"]
    }

    def Mesh "Tilt" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        point3f[] points = [(0, 1, 0), (1, 0, 0), (0, 0, 1)]
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 2]
        rel skel:skeleton = </Root/Skel>
        float3 xformOp:rotateXYZ = (90, 0, 90)
        uniform token[] xformOpOrder = ["xformOp:rotateXYZ"]
    }
}
`;

let layer: string;
let scene: ReturnType<typeof readScene>;
let blob: ReturnType<typeof readBlob>;

beforeAll(() => {
  layer = path.join(tempDir('preview-authored'), 'rig.usda');
  writeFileSync(layer, LAYER);
  scene = readScene(layer);
  blob = readBlob(scene.blob.finish({ ...scene.header }));
});
afterAll(removeTempDirs);

const close = (actual: ArrayLike<number>, expected: readonly number[], digits = 5): void => {
  expect(actual.length).toBe(expected.length);
  expected.forEach((v, i) => {
    expect(actual[i], `element ${i}`).toBeCloseTo(v, digits);
  });
};

describe('time and animation values', () => {
  it('takes framesPerSecond when timeCodesPerSecond is missing, and says so', () => {
    expect(scene.header.time).toEqual({ fps: 24, startTimeCode: 0, endTimeCode: 10, frames: 11, durationSeconds: 11 / 24 });
    expect(scene.header.notes.some((n) => n.includes('framesPerSecond (24)'))).toBe(true);
  });

  it('holds the first sample before it and the last after it, and blends linearly between', () => {
    const w = blob.f32(scene.header.animation.weights!);
    const at = (f: number) => Array.from(w.subarray(f * 2, f * 2 + 2));
    close(at(0), [0, 1]);
    close(at(2), [0, 1]);
    close(at(3), [0.25, 0.75]);
    close(at(4), [0.5, 0.5]);
    close(at(6), [1, 0]);
    close(at(10), [1, 0]);
  });

  it('slerps rotations: halfway between rest and 90° about Z is 45° about Z', () => {
    const r = blob.f32(scene.header.animation.rotations!);
    const h = Math.PI / 8;
    close(r.subarray(5 * 4, 5 * 4 + 4), [Math.cos(h), 0, 0, Math.sin(h)]);
    // A fifth of the way is 18°; a normalised lerp would give 17.1°.
    const q = Math.PI / 20;
    close(r.subarray(2 * 4, 2 * 4 + 4), [Math.cos(q), 0, 0, Math.sin(q)]);
  });

  it('derives the rest pose from bindTransforms, and reads the Skeleton world transform from its SkelRoot', () => {
    const rest = blob.f64(scene.header.skeleton.rest);
    close(rest.subarray(16, 32), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1, 0, 1]);
    expect(scene.header.skeleton.parents).toEqual([-1, 0]);
    expect(scene.header.skeleton.world).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 5, 1]);
    expect(scene.header.notes.some((n) => n.includes('no restTransforms'))).toBe(true);
  });

  it('reads stage metadata and provenance, and ranges per channel', () => {
    expect(scene.header.stage).toEqual({ upAxis: 'Z', metersPerUnit: 1 });
    expect(scene.header.provenance).toEqual({ fps: '24' });
    expect(scene.header.ranges).toEqual([
      { channel: 'up', kind: 'blendShape', min: 0, max: 1 },
      { channel: 'missing', kind: 'blendShape', min: 0, max: 1 },
      { channel: 'a/b', kind: 'joint', min: 0, max: expect.closeTo(90, 4) },
    ]);
  });
});

describe('meshes', () => {
  const mesh = (name: string) => scene.header.meshes.find((m) => m.path === `/Root/${name}`)!;

  it('fan-triangulates and flips the winding of a leftHanded mesh', () => {
    expect(Array.from(blob.u32(mesh('Quad').triangles))).toEqual([0, 2, 1, 0, 3, 2]);
    expect(Array.from(blob.u32(mesh('Plate').triangles))).toEqual([0, 1, 2]);
  });

  it('averages an indexed faceVarying displayColor onto points, and keeps a constant one', () => {
    const quad = mesh('Quad').color!;
    expect(quad.interpolation).toBe('vertex');
    close(blob.f32(quad.values), [1, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 1]);
    expect(mesh('Plate').color!.interpolation).toBe('constant');
    close(blob.f32(mesh('Plate').color!.values), [0.5, 0.25, 0.125]);
  });

  it("expands a constant skinning primvar to every point, in the Skeleton's joint order", () => {
    const skin = mesh('Quad').skin!;
    expect(skin.elementSize).toBe(1);
    expect(Array.from(blob.u32(skin.indices))).toEqual([1, 1, 1, 1]);
    expect(Array.from(blob.f32(skin.weights))).toEqual([1, 1, 1, 1]);
    expect(mesh('Plate').skin).toBeUndefined();
  });

  it('maps blendshapes to channels, lists the unbound ones, and names the face by its blendshapes', () => {
    expect(mesh('Quad').blendShapes.map((s) => [s.name, s.channel])).toEqual([
      ['up', 0],
      ['frown', -1],
    ]);
    expect(scene.header.unbound).toEqual([{ mesh: '/Root/Quad', blendShape: 'frown' }]);
    // "frown" is authored densely (an offset per point, three of them zero): only the point it moves is kept.
    const frown = mesh('Quad').blendShapes[1]!;
    expect(Array.from(blob.u32(frown.indices!))).toEqual([1]);
    expect(Array.from(blob.f32(frown.offsets))).toEqual([0, 0, -1]);
    expect(Array.from(blob.u32(mesh('Quad').blendShapes[0]!.indices!))).toEqual([2]);
    expect(mesh('Quad').role).toBe('face');
    expect(mesh('Plate').role).toBe('other');
  });

  it('composes xformOps in order (translate · rotateXYZ · scale) under the SkelRoot transform', () => {
    const rig = new PreviewRig(blob);
    const plate = rig.pose(0).find((p) => p.mesh.path === '/Root/Plate')!;
    // (1,0,0) scaled ×2, turned 90° about Z to (0,2,0), moved to (10,2,0), then up 5 by the SkelRoot.
    close(plate.points, [10, 2, 5, 8, 0, 5, 10, 0, 7]);
  });

  it('turns about X before Z for rotateXYZ (the first axis named is the most local)', () => {
    const tilt = new PreviewRig(blob).pose(0).find((p) => p.mesh.path === '/Root/Tilt')!;
    // y → z (X first), then Z leaves it; x → y; z → −y → x; then up 5 by the SkelRoot.
    close(tilt.points, [0, 0, 6, 0, 1, 5, 1, 0, 5]);
  });

  it('poses the skinned quad: joint b turned 90° about Z at frame 10, with the "up" shape fully on', () => {
    const quad = new PreviewRig(blob).pose(10).find((p) => p.mesh.path === '/Root/Quad')!;
    // p · inverse(bind b) · (rotate 90° Z, then translate (0,1,0)) · translate (0,0,5):
    // (0,0,0) → (0,−1,0) → (1,0,0) → (1,1,0) → (1,1,5); point 2 first gets +2 in Z from "up".
    close(quad.points, [1, 1, 5, 1, 2, 5, 0, 2, 7, 0, 1, 5]);
  });
});

describe('PreviewRig.frameAt', () => {
  it('shows the frame whose span holds the time, clamped to the animation', () => {
    const rig = new PreviewRig(blob);
    expect([rig.frameAt(-1), rig.frameAt(0), rig.frameAt(1 / 24), rig.frameAt(2.99 / 24), rig.frameAt(10 / 24), rig.frameAt(5)]).toEqual([
      0, 0, 1, 2, 10, 10,
    ]);
  });
});

describe('an animation with rotations only', () => {
  it("takes each joint's translation and scale from the rest pose, and says so", () => {
    const file = path.join(path.dirname(layer), 'rotations-only.usda');
    writeFileSync(file, LAYER.replace('float3[] translations = [(0, 1, 0)]', '').replace('half3[] scales = [(1, 1, 1)]', ''));
    const only = readScene(file);
    const b = readBlob(only.blob.finish({ ...only.header }));
    close(b.f32(only.header.animation.translations!).subarray(10 * 3, 11 * 3), [0, 1, 0]);
    close(b.f32(only.header.animation.scales!).subarray(0, 3), [1, 1, 1]);
    expect(only.header.notes).toContain("</Root/Anim> has no translations for its joints; the rest pose's are used");
    // Posed as the full animation is: joint b's rest translation is the one the full layer authors.
    const quad = (bl: typeof blob) => Array.from(new PreviewRig(bl).pose(10).find((p) => p.mesh.path === '/Root/Quad')!.points);
    close(quad(b), quad(blob));
  });
});

describe('what cannot be previewed', () => {
  it('refuses a character with no animation bound, with a fix', () => {
    const e = thrown(() => readScene(sampleCharacter));
    expect(e.code).toBe('NO_ANIMATION');
    expect(e.file).toBe(sampleCharacter);
    expect(e.fix).toContain('a2f run');
  });

  it('refuses a --skeleton that is not animated, naming the ones that are', () => {
    const e = thrown(() => readScene(layer, { skeleton: '/Root/Other' }));
    expect(e.code).toBe('NO_ANIMATION');
    expect(e.problem).toContain('</Root/Skel>');
  });
});
