// The preview of a layer made the way a run makes it (buildAnimationLayers over the sample
// character): its values equal what real Pixar USD reads back from the layer, the jaw opens by the
// sculpted shape or by the jaw joint exactly as UsdSkel computes it, and the same stage exported to
// a crate (.usdc) by real USD gives the same header and arrays.
import path from 'node:path';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportCrateMany } from '../../../test/usd/export-crate.js';
import { type ReadbackResult, usdReadback, type UsdValue } from '../../../test/usd/validate.js';
import { buildPreview, type PreviewHeader, PreviewRig, readBlob, writePreview } from '../src/index.js';
import { CHANNELS, FRAMES, JAW_DEGREES, type MadeLayer, makeLayer, OPEN_FRAME, weightAt } from './fixtures.js';

type Blob = ReturnType<typeof readBlob>;
const blobOf = (html: string): Blob => {
  const b64 = /<script type="application\/octet-stream" id="a2f-data">([^<]*)<\/script>/.exec(html)![1]!;
  return readBlob(new Uint8Array(Buffer.from(b64, 'base64')));
};

const SKEL = '/Character/Skel';
const FACE = '/Character/Face';
let shape: MadeLayer;
let joint: MadeLayer;
let shapeBlob: Blob;
let jointBlob: Blob;
let usd: ReadbackResult;

beforeAll(async () => {
  const root = tempDir('preview-sample');
  shape = makeLayer(path.join(root, 'shape'), { jaw: 'blendshape' });
  joint = makeLayer(path.join(root, 'joint'), { jaw: 'joint' });
  shapeBlob = blobOf((await buildPreview(shape.layer)).html);
  jointBlob = blobOf((await buildPreview(joint.layer)).html);
  const attrs = ['/Character/line.blendShapeWeights', `${FACE}.faceVertexCounts`, `${FACE}.points`, `${SKEL}.bindTransforms`];
  usd = await usdReadback(shape.layer, [shape.character], attrs);
});
afterAll(removeTempDirs);

const flat = (v: UsdValue | undefined): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

describe('values equal the layer as real USD reads it', () => {
  it('opens in real USD', () => {
    expect(usd.errors).toEqual([]);
    expect(usd.ok).toBe(true);
  });

  it('has the frames and rate of the layer', () => {
    const t = shapeBlob.header.time;
    expect(t).toEqual({
      fps: usd.timeCodesPerSecond,
      startTimeCode: usd.startTimeCode,
      endTimeCode: usd.endTimeCode,
      frames: FRAMES,
      durationSeconds: 1.5,
    });
  });

  it("holds USD's blendShapeWeights at every frame, in the layer's channel order", () => {
    const h = shapeBlob.header;
    expect(h.animation.blendShapes).toEqual([...CHANNELS]);
    const w = shapeBlob.f32(h.animation.weights!);
    const samples = usd.samples['/Character/line.blendShapeWeights']!;
    expect(samples.length).toBe(FRAMES);
    for (const [t, v] of samples) {
      const mine = Array.from(w.subarray(t * CHANNELS.length, (t + 1) * CHANNELS.length));
      expect(mine).toEqual(flat(v).map(Math.fround));
      expect(mine[0]).toBeCloseTo(weightAt('jawOpen', t), 6);
    }
  });

  it("has the face's points, its triangles (one per vertex past two of each face) and USD's bind matrices", () => {
    const face = shapeBlob.header.meshes.find((m) => m.path === FACE)!;
    expect(Array.from(shapeBlob.f32(face.points))).toEqual(flat(usd.defaults[`${FACE}.points`]).map(Math.fround));
    const counts = flat(usd.defaults[`${FACE}.faceVertexCounts`]);
    expect(face.triangles.length).toBe(3 * counts.reduce((s, n) => s + n - 2, 0));
    expect(Array.from(shapeBlob.f64(shapeBlob.header.skeleton.bind))).toEqual(
      flat(usd.defaults[`${SKEL}.bindTransforms`]).map((x) => expect.closeTo(x, 9)),
    );
  });

  it('reads the sample rig: its joints, the jaw rest and bind, its four meshes and their roles', () => {
    const h = shapeBlob.header;
    expect(h.skeleton.joints).toEqual(['root', 'root/head', 'root/head/jaw', 'root/head/jaw/tongue', 'root/head/eye_L', 'root/head/eye_R']);
    expect(h.skeleton.parents).toEqual([-1, 0, 1, 2, 1, 1]);
    // samples/character/face.usda: the jaw sits at (0, 153, −1) in the world, (0, 3, −1) from the head, tilted 8°.
    const bind = shapeBlob.f64(h.skeleton.bind).subarray(2 * 16, 3 * 16);
    const rest = shapeBlob.f64(h.skeleton.rest).subarray(2 * 16, 3 * 16);
    expect([bind[12], bind[13], bind[14]]).toEqual([0, 153, -1]);
    expect([rest[12], rest[13], rest[14]]).toEqual([0, 3, -1]);
    expect(rest[6]).toBeCloseTo(0.139173101, 8);
    expect(h.meshes.map((m) => [m.path, m.role, m.points.length / 3, m.blendShapes.length])).toEqual([
      [FACE, 'face', 1490, 52],
      ['/Character/Tongue', 'tongue', 178, 16],
      ['/Character/Eye_L', 'eye', 178, 0],
      ['/Character/Eye_R', 'eye', 178, 0],
    ]);
    // The face (skin, lips, mouth line) and the eyes (white, iris, pupil) carry a colour per point; the tongue none.
    expect(h.meshes.map((m) => m.color?.interpolation)).toEqual(['vertex', undefined, 'vertex', 'vertex']);
    expect(h.meshes[0]!.color!.values.length).toBe(1490 * 3);
    expect(h.meshes[2]!.color!.values.length).toBe(178 * 3);
  });

  it('lists the character blendshapes the layer does not drive, and the run report beside it', () => {
    const h = shapeBlob.header;
    expect(h.unbound.length).toBe(52 + 16 - 3);
    expect(h.unbound).toContainEqual({ mesh: '/Character/Tongue', blendShape: 'tongueTipUp' });
    expect(h.unbound.map((u) => u.blendShape)).not.toContain('jawOpen');
    expect(h.binding).toMatchObject({ preset: 'arkit', jaw: { mode: 'blendshape' }, unboundShapes: ['tongueOut'] });
    expect(h.provenance).toMatchObject({
      tool: { name: 'a2f' },
      model: { id: 'fixture' },
      audio: { file: 'line.wav', sha256: shape.sha256 },
    });
    expect(h.ranges).toContainEqual({ channel: 'jawOpen', kind: 'blendShape', min: 0, max: 1 });
  });
});

/** Index of the face point that jawOpen moves down the most. */
function chinPoint(h: PreviewHeader, blob: Blob): { point: number; drop: number[] } {
  const face = h.meshes.find((m) => m.path === FACE)!;
  const jaw = face.blendShapes.find((s) => s.name === 'jawOpen')!;
  const offsets = blob.f32(jaw.offsets);
  const indices = blob.u32(jaw.indices!);
  let best = 0;
  for (let k = 1; k < indices.length; k++) if (offsets[k * 3 + 1]! < offsets[best * 3 + 1]!) best = k;
  return { point: indices[best]!, drop: Array.from(offsets.subarray(best * 3, best * 3 + 3)) };
}

/** A face point with every blendshape of the layer added at a frame (weights × offsets, by hand), before skinning. */
function shaped(blob: Blob, point: number, frame: number): number[] {
  const h = blob.header;
  const face = h.meshes[0]!;
  const out = Array.from(blob.f32(face.points).subarray(point * 3, point * 3 + 3));
  const weights = blob.f32(h.animation.weights!);
  for (const s of face.blendShapes) {
    if (s.channel < 0) continue;
    const k = Array.from(blob.u32(s.indices!)).indexOf(point);
    if (k < 0) continue;
    const w = weights[frame * h.animation.blendShapes.length + s.channel]!;
    for (const c of [0, 1, 2]) out[c]! += w * blob.f32(s.offsets)[k * 3 + c]!;
  }
  return out;
}

describe('the jaw opens', () => {
  it('by the jawOpen shape: at the open frame the chin is its rest position plus the full offset (and the funnel shape)', () => {
    const h = shapeBlob.header;
    const { point, drop } = chinPoint(h, shapeBlob);
    expect(drop[1]).toBeLessThan(-1);
    const rig = new PreviewRig(shapeBlob);
    const silent = rig.pose(0)[0]!.points.slice(point * 3, point * 3 + 3);
    const open = rig.pose(OPEN_FRAME)[0]!.points.slice(point * 3, point * 3 + 3);
    const [atRest, atOpen] = [shaped(shapeBlob, point, 0), shaped(shapeBlob, point, OPEN_FRAME)];
    [0, 1, 2].forEach((c) => {
      expect(silent[c]).toBeCloseTo(atRest[c]!, 4);
      expect(open[c]).toBeCloseTo(atOpen[c]!, 4);
    });
    expect(silent[1]! - open[1]!).toBeGreaterThan(1);
  });

  it(`by the jaw joint: a chin point skinned to it turns ${JAW_DEGREES}° about X around the jaw's bind position`, () => {
    const h = jointBlob.header;
    expect(h.animation.blendShapes).not.toContain('jawOpen');
    const face = h.meshes[0]!;
    const skin = face.skin!;
    const idx = jointBlob.u32(skin.indices);
    const wts = jointBlob.f32(skin.weights);
    const pts = jointBlob.f32(face.points);
    // The lowest point that only the jaw (joint 2) moves.
    let chin = -1;
    for (let p = 0; p < pts.length / 3; p++) {
      const onJaw = [0, 1].every((e) => wts[p * 2 + e] === 0 || idx[p * 2 + e] === 2);
      if (onJaw && wts[p * 2]! + wts[p * 2 + 1]! > 0.999 && (chin < 0 || pts[p * 3 + 1]! < pts[chin * 3 + 1]!)) chin = p;
    }
    expect(chin).toBeGreaterThanOrEqual(0);
    const [x, y, z] = shaped(jointBlob, chin, OPEN_FRAME) as [number, number, number];
    const atRest = shaped(jointBlob, chin, 0);
    const rig = new PreviewRig(jointBlob);
    const silent = rig.pose(0)[0]!.points.slice(chin * 3, chin * 3 + 3);
    const open = rig.pose(OPEN_FRAME)[0]!.points.slice(chin * 3, chin * 3 + 3);
    const a = (JAW_DEGREES * Math.PI) / 180;
    const [dy, dz] = [y - 153, z - -1];
    const expected = [x, 153 + dy * Math.cos(a) - dz * Math.sin(a), -1 + dy * Math.sin(a) + dz * Math.cos(a)];
    [0, 1, 2].forEach((c) => {
      expect(silent[c]).toBeCloseTo(atRest[c]!, 3);
      expect(open[c]).toBeCloseTo(expected[c]!, 3);
    });
    expect(silent[1]! - open[1]!).toBeGreaterThan(1);
    expect(h.ranges).toContainEqual({
      channel: 'root/head/jaw',
      kind: 'joint',
      min: expect.closeTo(0, 4),
      max: expect.closeTo(JAW_DEGREES, 4),
    });
  });

  it('moves nothing the animation does not drive: the eyes stay where they are', () => {
    const rig = new PreviewRig(jointBlob);
    const eye = (f: number) => Array.from(rig.pose(f)[2]!.points);
    expect(eye(OPEN_FRAME)).toEqual(eye(0));
  });
});

describe('crate files (.usdc, written by real USD)', () => {
  const strip = (h: PreviewHeader) => ({ ...h, layer: undefined, binding: undefined, notes: undefined, provenance: undefined });
  let flat: string;
  let overCrate: MadeLayer;

  beforeAll(async () => {
    const dir = tempDir('preview-crate');
    flat = path.join(dir, 'flat/line.usdc');
    const character = path.join(dir, 'face.usdc');
    const results = await exportCrateMany([
      { root: shape.layer, out: flat, others: [shape.character] },
      { root: shape.character, out: character },
    ]);
    expect(results.flatMap((r) => r.errors)).toEqual([]);
    overCrate = makeLayer(path.join(dir, 'over'), { jaw: 'blendshape', character });
  });

  it('a layer over a crate character gives the same header and arrays as over the text one', async () => {
    const text = await buildPreview(shape.layer, { audio: false });
    const crate = await buildPreview(overCrate.layer, { audio: false });
    expect(strip(crate.header)).toEqual(strip(text.header));
    expect(crate.header.provenance).toMatchObject({ binding: { character: '../character/face.usdc' } });
    sameArrays(blobOf(crate.html), blobOf(text.html));
  });

  it('the whole stage flattened into one crate gives the same header and arrays as the text layer', async () => {
    const text = await buildPreview(shape.layer, { audio: false });
    const crate = await buildPreview(flat, { audio: false });
    expect({ ...strip(crate.header) }).toEqual(strip(text.header));
    expect(crate.header.provenance).toEqual(text.header.provenance);
    sameArrays(blobOf(crate.html), blobOf(text.html));
  });
});

function sameArrays(b: Blob, a: Blob): void {
  expect(Array.from(b.f32(b.header.animation.weights!))).toEqual(Array.from(a.f32(a.header.animation.weights!)));
  expect(Array.from(b.f64(b.header.skeleton.rest))).toEqual(Array.from(a.f64(a.header.skeleton.rest)));
  b.header.meshes.forEach((m, i) => {
    const t = a.header.meshes[i]!;
    expect(Array.from(b.f32(m.points))).toEqual(Array.from(a.f32(t.points)));
    expect(Array.from(b.u32(m.triangles))).toEqual(Array.from(a.u32(t.triangles)));
    for (const [k, s] of m.blendShapes.entries())
      expect(Array.from(b.f32(s.offsets))).toEqual(Array.from(a.f32(t.blendShapes[k]!.offsets)));
  });
}

describe('the page file', () => {
  it('is written beside the layer as <stem>.preview.html and says how big and how long it is', async () => {
    const r = await writePreview(shape.layer);
    expect(r.file).toBe(path.join(shape.dir, 'line.preview.html'));
    expect(r.frames).toBe(FRAMES);
    expect(r.bytes).toBeGreaterThan(100_000);
  });
});
