// samples/character/face.usda: reproducible from its script, valid for real USD and TinyUSDZ,
// and anatomically plausible where the animation relies on it.
import { ARKIT_BLENDSHAPES, TONGUE_BLENDSHAPES } from '@a2f/animation';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tinyusdzCheck, usdReadback, type ReadbackResult, type TinyusdzResult } from '../../../test/usd/validate.js';
import { parseUsda, type UsdaPrim } from '../src/index.js';
import { tempDir } from '@a2f/test-utils';
import { repoRoot, sampleCharacterPath } from './fixtures.js';

const text = fs.readFileSync(sampleCharacterPath, 'utf8');
const character = parseUsda(text, 'face.usda').prims[0];
const child = (name: string): UsdaPrim => character.children.find((c) => c.name === name)!;
const face = child('Face');
const numbers = (prim: UsdaPrim, name: string): number[] => (prim.properties.get(name)!.default as number[][]).flat() as number[];
const points = numbers(face, 'points');
const point = (i: number): number[] => points.slice(i * 3, i * 3 + 3);
const shapeOf = (mesh: UsdaPrim, name: string): { index: number[]; offset: number[][] } => {
  const s = mesh.children.find((c) => c.name === name)!;
  return { index: s.properties.get('pointIndices')!.default as number[], offset: s.properties.get('offsets')!.default as number[][] };
};
const shape = (name: string): { index: number[]; offset: number[][] } => shapeOf(face, name);
const meshPoints = (mesh: UsdaPrim): number[][] => mesh.properties.get('points')!.default as number[][];
const JOINTS = ['root', 'root/head', 'root/head/jaw', 'root/head/jaw/tongue', 'root/head/eye_L', 'root/head/eye_R'];
/** Inside the head: the face is a UV ellipsoid centred at (0, 156, 0) with radii (8.5, 11, 9.5). */
const inHead = (p: readonly number[]): boolean => (p[0] / 8.5) ** 2 + ((p[1] - 156) / 11) ** 2 + (p[2] / 9.5) ** 2 < 1;
/** World → a joint's frame, for a rigid bind matrix (row-vector convention: world = local · bind). */
const toJoint = (m: number[][], p: readonly number[]): number[] => {
  const d = [0, 1, 2].map((k) => p[k] - m[3][k]);
  return [0, 1, 2].map((r) => d[0] * m[r][0] + d[1] * m[r][1] + d[2] * m[r][2]);
};
const vecToJoint = (m: number[][], v: readonly number[]): number[] =>
  [0, 1, 2].map((r) => v[0] * m[r][0] + v[1] * m[r][1] + v[2] * m[r][2]);
const MESHES = ['Face', 'Tongue', 'Eye_L', 'Eye_R'];
const binding = (mesh: string): string[] => [
  `/Character/${mesh}.skel:skeleton`,
  `/Character/${mesh}.primvars:skel:jointIndices`,
  `/Character/${mesh}.primvars:skel:jointWeights`,
];

let usd: ReadbackResult;
let tiny: TinyusdzResult;
beforeAll(async () => {
  [usd, tiny] = await Promise.all([
    usdReadback(
      sampleCharacterPath,
      [],
      [
        '/Character/Skel.joints',
        '/Character/Skel.bindTransforms',
        '/Character/Face.skel:blendShapes',
        '/Character/Face.skel:blendShapeTargets',
        '/Character/Tongue.skel:blendShapes',
        '/Character/Tongue.skel:blendShapeTargets',
        ...MESHES.flatMap(binding),
      ],
    ),
    tinyusdzCheck(sampleCharacterPath),
  ]);
});

describe('samples/character/face.usda', () => {
  it('is exactly what make-character.mjs writes (byte-identical, deterministic)', () => {
    const out = path.join(tempDir('char'), 'face.usda');
    execFileSync(process.execPath, [path.join(repoRoot, 'samples/character/make-character.mjs'), out], { stdio: 'pipe' });
    expect(fs.readFileSync(out).equals(fs.readFileSync(sampleCharacterPath))).toBe(true);
    expect(fs.statSync(sampleCharacterPath).size).toBeLessThan(600 * 1024);
  });

  it('opens in real USD without errors, with the expected prims and bindings', () => {
    expect(usd.errors).toEqual([]);
    expect(usd.ok).toBe(true);
    expect(usd.metadata).toMatchObject({ defaultPrim: 'Character', metersPerUnit: 0.01, upAxis: 'Y' });
    expect(usd.prims['/Character']).toEqual({ specifier: 'def', type: 'SkelRoot' });
    expect(usd.prims['/Character/Skel'].type).toBe('Skeleton');
    expect(usd.missing).toEqual([]);
    expect(usd.defaults['/Character/Skel.joints']).toEqual(JOINTS);
    // the SkelRoot holds the skeleton and four meshes, and nothing else
    expect(Object.keys(usd.prims).filter((p) => p.split('/').length === 3)).toEqual([
      '/Character/Skel',
      ...MESHES.map((m) => `/Character/${m}`),
    ]);
    for (const m of MESHES) {
      expect(usd.prims[`/Character/${m}`].type, m).toBe('Mesh');
      expect(usd.targets[`/Character/${m}.skel:skeleton`], m).toEqual(['/Character/Skel']);
      // skel:* properties need SkelBindingAPI applied (usdchecker's SkelBindingAPIAppliedChecker)
      expect(
        child(m).metadata.find((md) => md.key === 'apiSchemas'),
        m,
      ).toMatchObject({ op: 'prepend', value: ['SkelBindingAPI'] });
    }
    for (const [mesh, names] of [
      ['Face', ARKIT_BLENDSHAPES],
      ['Tongue', TONGUE_BLENDSHAPES],
    ] as const) {
      expect(usd.defaults[`/Character/${mesh}.skel:blendShapes`]).toEqual([...names]);
      const targets = usd.targets[`/Character/${mesh}.skel:blendShapeTargets`];
      expect(targets).toEqual(names.map((n) => `/Character/${mesh}/${n}`));
      // every target resolves to a BlendShape prim, and the mesh has no other children
      for (const t of targets) expect(usd.prims[t]?.type, t).toBe('BlendShape');
      expect(Object.keys(usd.prims).filter((p) => p.startsWith(`/Character/${mesh}/`))).toEqual(targets);
    }
    // the eyes carry no blendshapes
    expect(Object.keys(usd.prims).filter((p) => p.startsWith('/Character/Eye_'))).toEqual(['/Character/Eye_L', '/Character/Eye_R']);
  });

  it('converts in TinyUSDZ all the way to a render scene (single-rooted skeleton, typed prims)', () => {
    expect(tiny.layerError).toBe('');
    expect(tiny.stageError).toBe('');
    expect(tiny.stageOk).toBe(true);
  });

  it('skins every vertex to head and jaw with weights summing to 1; the jaw region lies below the mouth', () => {
    const weights = usd.defaults['/Character/Face.primvars:skel:jointWeights'] as number[];
    const indices = usd.defaults['/Character/Face.primvars:skel:jointIndices'] as number[];
    expect(points.length / 3).toBeGreaterThan(300);
    expect(points.length / 3).toBeLessThan(2000);
    expect(weights).toHaveLength((points.length / 3) * 2);
    expect(indices).toHaveLength(weights.length);
    for (let v = 0; v < points.length / 3; v++) {
      expect(Math.abs(weights[2 * v] + weights[2 * v + 1] - 1)).toBeLessThan(1e-6);
      if (weights[2 * v + 1] > 0) expect(point(v)[1]).toBeLessThan(149.5);
    }
    expect(weights.filter((w, i) => i % 2 === 1 && w === 1).length).toBeGreaterThan(20);
  });

  it('has sparse, plausible shapes: jawOpen drops the chin, pucker pushes lips forward, blink closes the left eye', () => {
    for (const n of ARKIT_BLENDSHAPES) {
      const s = shape(n);
      expect(s.index.length, n).toBeGreaterThan(0);
      expect(s.index.length, n).toBeLessThan(points.length / 3 / 4);
      expect(s.offset).toHaveLength(s.index.length);
    }
    const jaw = shape('jawOpen');
    expect(Math.min(...jaw.offset.map((o) => o[1]))).toBeLessThan(-0.5);
    jaw.index.forEach((i) => {
      expect(point(i)[1]).toBeLessThan(149.5);
    });
    // A rotation about the hinge lifts points level with it a hair; the chin as a whole drops.
    expect(jaw.offset.filter((o) => o[1] < 0).length / jaw.offset.length).toBeGreaterThan(0.9);
    expect(Math.max(...jaw.offset.map((o) => o[1]))).toBeLessThan(0.01);
    const pucker = shape('mouthPucker');
    expect(pucker.offset.every((o) => o[2] > 0)).toBe(true);
    const blink = shape('eyeBlinkLeft');
    blink.index.forEach((i) => {
      expect(point(i)[0]).toBeGreaterThanOrEqual(0);
    }); // character left is +X
    expect(Math.min(...blink.offset.map((o) => o[1]))).toBeLessThan(-1);
    const smileL = shape('mouthSmileLeft');
    expect(smileL.offset.every((o) => o[1] > 0 && o[0] >= 0)).toBe(true);
  });

  describe('tongue mesh', () => {
    const tongue = child('Tongue');
    const tp = meshPoints(tongue);
    const bind = (): number[][] => (usd.defaults['/Character/Skel.bindTransforms'] as number[][][])[3];
    let localPoints: number[][] | undefined;
    /** The tongue's points in the tongue joint's frame (needs the readback, so computed on first use). */
    const local = (): number[][] => (localPoints ??= tp.map((p) => toJoint(bind(), p)));
    /** A tongue shape's offsets in the tongue joint's frame, with the points they move (also in that frame). */
    const moved = (name: string): { p: number[]; d: number[] }[] => {
      const s = shapeOf(tongue, name);
      return s.index.map((i, k) => ({ p: local()[i], d: vecToJoint(bind(), s.offset[k]) }));
    };
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

    it('is a closed ~180-point body rigidly bound to the tongue joint', () => {
      expect(tp.length).toBeGreaterThanOrEqual(100);
      expect(tp.length).toBeLessThanOrEqual(300);
      const counts = tongue.properties.get('faceVertexCounts')!.default as number[];
      const indices = tongue.properties.get('faceVertexIndices')!.default as number[];
      expect(indices).toHaveLength(counts.reduce((a, b) => a + b, 0));
      expect(new Set(indices).size).toBe(tp.length);
      expect(usd.defaults['/Character/Tongue.primvars:skel:jointIndices']).toEqual(tp.map(() => JOINTS.indexOf('root/head/jaw/tongue')));
      expect(usd.defaults['/Character/Tongue.primvars:skel:jointWeights']).toEqual(tp.map(() => 1));
    });

    it("lies inside the mouth, laid out along the tongue joint's bind frame", () => {
      // all inside the closed head, around the mouth line (y 149.5), in front of the head's centre
      expect(tp.every(inHead)).toBe(true);
      for (const p of tp) {
        expect(p[1]).toBeGreaterThan(148);
        expect(p[1]).toBeLessThan(151);
        expect(p[2]).toBeGreaterThan(1);
      }
      // in the joint's frame: it runs along +Z from just behind the joint to a tip in front of it,
      // hangs below the joint, is symmetric in X, and is wider than it is thick
      const l = local();
      const range = (k: number): [number, number] => [Math.min(...l.map((p) => p[k])), Math.max(...l.map((p) => p[k]))];
      const [x, y, z] = [range(0), range(1), range(2)];
      expect(z[0]).toBeLessThan(-1);
      expect(z[1]).toBeGreaterThan(2.5);
      expect(y[1]).toBeLessThan(0);
      expect(x[0]).toBeCloseTo(-x[1], 6);
      expect(z[1] - z[0]).toBeGreaterThan(x[1] - x[0]);
      expect(x[1] - x[0]).toBeGreaterThan(2 * (y[1] - y[0]));
    });

    it('has 16 plausible, sparse-where-local poses that keep it inside the head', () => {
      for (const n of TONGUE_BLENDSHAPES) {
        const s = shapeOf(tongue, n);
        expect(s.index.length, n).toBeGreaterThan(0);
        expect(s.offset, n).toHaveLength(s.index.length);
        expect(new Set(s.index).size, n).toBe(s.index.length);
        s.index.forEach((i, k) => {
          expect(i, n).toBeLessThan(tp.length);
          expect(inHead(tp[i].map((c, a) => c + s.offset[k][a])), `${n} pushes point ${i} out of the head`).toBe(true);
        });
      }
      const tipZ = Math.max(...local().map((p) => p[2]));
      // tip poses move only the front of the tongue, the most at the tip
      for (const [n, axis, sign] of [
        ['tongueTipUp', 1, 1],
        ['tongueTipDown', 1, -1],
        ['tongueTipLeft', 0, 1],
        ['tongueTipRight', 0, -1],
      ] as const) {
        const m = moved(n);
        expect(m.length, n).toBeLessThan(tp.length * 0.6);
        expect(
          m.every(({ p }) => p[2] > 0),
          n,
        ).toBe(true);
        expect(
          m.every(({ d }) => sign * d[axis] >= 0),
          n,
        ).toBe(true);
        const most = m.reduce((a, b) => (Math.abs(b.d[axis]) > Math.abs(a.d[axis]) ? b : a));
        expect(most.p[2], n).toBeCloseTo(tipZ, 6);
        expect(Math.abs(most.d[axis]), n).toBeGreaterThan(0.5);
      }
      // rolls up/down lift/lower the edges, not the midline
      for (const [n, sign] of [
        ['tongueRollUp', 1],
        ['tongueRollDown', -1],
      ] as const) {
        const m = moved(n);
        expect(
          m.every(({ d }) => sign * d[1] >= 0),
          n,
        ).toBe(true);
        expect(
          m.filter(({ p }) => Math.abs(p[0]) < 0.3).every(({ d }) => Math.abs(d[1]) < 0.05),
          n,
        ).toBe(true);
        expect(Math.max(...m.map(({ d }) => Math.abs(d[1]))), n).toBeGreaterThan(0.4);
      }
      // rolls left/right twist about the long axis, more towards the tip: the top turns to that side
      // (the underside the other way), that side's edge drops and the other edge rises
      for (const [n, sign] of [
        ['tongueRollLeft', 1],
        ['tongueRollRight', -1],
      ] as const) {
        const m = moved(n);
        const axisY = mean(local().map((p) => p[1]));
        expect(sign * mean(m.filter(({ p }) => p[1] > axisY).map(({ d }) => d[0])), n).toBeGreaterThan(0.01);
        expect(sign * mean(m.filter(({ p }) => p[1] < axisY).map(({ d }) => d[0])), n).toBeLessThan(-0.01);
        expect(sign * mean(m.filter(({ p }) => p[0] > 1).map(({ d }) => d[1])), n).toBeLessThan(-0.1);
        expect(sign * mean(m.filter(({ p }) => p[0] < -1).map(({ d }) => d[1])), n).toBeGreaterThan(0.1);
        const front = m.filter(({ p }) => p[2] > 2 && p[0] > 1);
        const back = m.filter(({ p }) => p[2] < 0 && p[0] > 1);
        expect(mean(front.map(({ d }) => Math.abs(d[1]))), n).toBeGreaterThan(mean(back.map(({ d }) => Math.abs(d[1]))));
      }
      // up/down/left/right move the whole body one way (character left is +X)
      for (const [n, axis, sign] of [
        ['tongueUp', 1, 1],
        ['tongueDown', 1, -1],
        ['tongueLeft', 0, 1],
        ['tongueRight', 0, -1],
      ] as const) {
        const m = moved(n);
        expect(m, n).toHaveLength(tp.length);
        expect(
          m.every(({ d }) => sign * d[axis] > 0.2),
          n,
        ).toBe(true);
      }
      // in retracts everything along -Z; stretch extends along +Z, the tip the most
      expect(moved('tongueIn').every(({ d }) => d[2] < 0)).toBe(true);
      const stretch = moved('tongueStretch');
      expect(stretch.every(({ d }) => d[2] >= 0)).toBe(true);
      expect(stretch.reduce((a, b) => (b.d[2] > a.d[2] ? b : a)).p[2]).toBeCloseTo(tipZ, 6);
      // wide/narrow scale X about the midline
      expect(moved('tongueWide').every(({ p, d }) => p[0] * d[0] >= 0)).toBe(true);
      expect(moved('tongueNarrow').every(({ p, d }) => p[0] * d[0] <= 0)).toBe(true);
      expect(Math.max(...moved('tongueWide').map(({ d }) => d[0]))).toBeGreaterThan(0.4);
    });
  });

  it('has eyeballs centred on the eye joints, rigidly bound to them, their coloured fronts showing through the skin', () => {
    const binds = usd.defaults['/Character/Skel.bindTransforms'] as number[][][];
    for (const [mesh, joint] of [
      ['Eye_L', 'root/head/eye_L'],
      ['Eye_R', 'root/head/eye_R'],
    ] as const) {
      const prim = child(mesh);
      const ep = meshPoints(prim);
      const j = JOINTS.indexOf(joint);
      expect(usd.defaults[`/Character/${mesh}.primvars:skel:jointIndices`], mesh).toEqual(ep.map(() => j));
      expect(usd.defaults[`/Character/${mesh}.primvars:skel:jointWeights`], mesh).toEqual(ep.map(() => 1));
      // a sphere about the joint (the gaze pivot), its front pole on the joint's +Z
      const l = ep.map((p) => toJoint(binds[j], p));
      for (const p of l) expect(Math.hypot(...p)).toBeGreaterThan(2);
      for (const p of l) expect(Math.hypot(...p)).toBeLessThan(2.6);
      const front = l.reduce((a, b) => (b[2] > a[2] ? b : a));
      expect(Math.hypot(front[0], front[1])).toBeLessThan(1e-3);
      // dark pupil and iris around the front pole, light sclera elsewhere; the front pokes out of the skin
      const colors = prim.properties.get('primvars:displayColor')!.default as number[][];
      expect(colors).toHaveLength(ep.length);
      const dark = colors.map((c) => Math.max(...c) < 0.6);
      expect(dark.filter(Boolean).length).toBeGreaterThan(16);
      l.forEach((p, i) => {
        if (dark[i]) expect(p[2]).toBeGreaterThan(2);
      });
      ep.forEach((p, i) => {
        if (dark[i] && l[i][2] > 2.3) expect(inHead(p)).toBe(false);
      });
      expect(ep.filter((p) => !inHead(p)).length).toBeGreaterThan(20);
    }
  });
});
