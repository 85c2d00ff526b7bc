#!/usr/bin/env node
// Generates samples/character/face.usda: a small procedural face asset shaped like a studio
// character: a SkelRoot holding a single-rooted Skeleton (root, head, jaw, tongue, eyes), a skinned
// face Mesh (a deformed UV ellipsoid, jaw region weighted to the jaw joint) carrying all 52 ARKit
// blendshapes as sparse BlendShape prims, a tongue Mesh rigidly bound to the tongue joint carrying
// the 16 Audio2Face tongue poses, and two eyeballs rigidly bound to the eye joints. Pure
// arithmetic, no randomness: the output is byte-identical on every run (a test checks it against
// the committed file).
//
//   node samples/character/make-character.mjs [OUT.usda]      (default: face.usda next to this script)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARKIT_BLENDSHAPES, TONGUE_BLENDSHAPES } from '../../packages/animation/dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, 'face.usda'));

// ---- numbers: fixed decimals, so the text never depends on float printing details -------------
const fix = (x, d = 4) => {
  const r = Math.round(x * 10 ** d) / 10 ** d;
  return r === 0 ? '0' : String(r);
};
const tuple = (v, d) => `(${v.map((x) => fix(x, d)).join(', ')})`;
/** One array, `perLine` items a line, indented to sit inside a prim body at `indent`. */
const list = (items, perLine, indent) => {
  if (items.length <= perLine) return `[${items.join(', ')}]`;
  const lines = [];
  for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
  const pad = ' '.repeat(indent + 4);
  return `[\n${pad}${lines.join(`,\n${pad}`)}\n${' '.repeat(indent)}]`;
};

// ---- skeleton (centimetres, Y up, the face looks down +Z; character left is +X) ---------------
const deg = Math.PI / 180;
const rotX = (a) => [1, 0, 0, 0, 0, Math.cos(a), Math.sin(a), 0, 0, -Math.sin(a), Math.cos(a), 0, 0, 0, 0, 1]; // row-vector form
const translate = (m, t) => {
  const r = [...m];
  r[12] = t[0];
  r[13] = t[1];
  r[14] = t[2];
  return r;
};
const identity = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
const mul = (a, b) => {
  const o = new Array(16).fill(0);
  for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) for (let k = 0; k < 4; k++) o[r * 4 + c] += a[r * 4 + k] * b[k * 4 + c];
  return o;
};
const round9 = (m) => m.map((x) => Number(fix(x, 9)));

// The jaw's rest pose is tilted 8° so that rest·delta composition is exercised by the tests.
const joints = [
  { token: 'root', parent: -1, local: identity },
  { token: 'root/head', parent: 0, local: translate(identity, [0, 150, 0]) },
  { token: 'root/head/jaw', parent: 1, local: translate(rotX(8 * deg), [0, 3, -1]) },
  { token: 'root/head/jaw/tongue', parent: 2, local: translate(identity, [0, -2, 5]) },
  { token: 'root/head/eye_L', parent: 1, local: translate(identity, [3.2, 9, 6.4]) },
  { token: 'root/head/eye_R', parent: 1, local: translate(identity, [-3.2, 9, 6.4]) },
].map((j) => ({ ...j, local: round9(j.local) }));
for (const j of joints) j.world = round9(j.parent < 0 ? j.local : mul(j.local, joints[j.parent].world));
const matrix = (m) =>
  `( ${[0, 1, 2, 3]
    .map(
      (r) =>
        `(${m
          .slice(r * 4, r * 4 + 4)
          .map((x) => fix(x, 9))
          .join(', ')})`,
    )
    .join(', ')} )`;
const jawPivot = joints[2].world.slice(12, 15);

// ---- face mesh: a UV ellipsoid ----------------------------------------------------------------
const C = [0, 156, 0];
const R = [8.5, 11, 9.5];
const RINGS = 32;
const SEGMENTS = 48;
/**
 * A UV sphere topology: a pole, `rings - 1` rings of `segments` points (ring i at polar angle
 * ringT(i)), the opposite pole; triangle fans at the poles, quads between, all wound the same way
 * (outward for a right-handed `at`). `at(t, p)` places the point at polar angle t, azimuth p.
 * Positions are rounded to the 4 decimals they are stored with.
 */
function uvMesh(rings, segments, at, ringT = (i) => (i * Math.PI) / rings) {
  const pts = [at(0, 0)];
  for (let i = 1; i < rings; i++) {
    const t = ringT(i);
    for (let j = 0; j < segments; j++) pts.push(at(t, (j * 2 * Math.PI) / segments));
  }
  pts.push(at(Math.PI, 0));
  for (const p of pts) for (let k = 0; k < 3; k++) p[k] = Number(fix(p[k]));
  const ring = (i, j) => 1 + (i - 1) * segments + (j % segments);
  const faceCounts = [];
  const faceIndices = [];
  for (let j = 0; j < segments; j++) {
    faceCounts.push(3);
    faceIndices.push(0, ring(1, j), ring(1, j + 1));
  }
  for (let i = 1; i < rings - 1; i++) {
    for (let j = 0; j < segments; j++) {
      faceCounts.push(4);
      faceIndices.push(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1), ring(i, j + 1));
    }
  }
  const last = pts.length - 1;
  for (let j = 0; j < segments; j++) {
    faceCounts.push(3);
    faceIndices.push(ring(rings - 1, j), last, ring(rings - 1, j + 1));
  }
  return { points: pts, counts: faceCounts, indices: faceIndices };
}
// Positions are stored at 4 decimals; every offset below is computed from the stored positions.
const { points, counts, indices } = uvMesh(RINGS, SEGMENTS, (t, p) => [
  C[0] + R[0] * Math.sin(t) * Math.sin(p),
  C[1] + R[1] * Math.cos(t),
  C[2] + R[2] * Math.sin(t) * Math.cos(p),
]);

// ---- facial regions ---------------------------------------------------------------------------
const surface = (x, y) => [x, y, C[2] + R[2] * Math.sqrt(Math.max(0, 1 - (x / R[0]) ** 2 - ((y - C[1]) / R[1]) ** 2))];
const MOUTH_Y = 149.5;
const F = {
  mouth: surface(0, MOUTH_Y),
  upperLip: surface(0, 150.3),
  lowerLip: surface(0, 148.7),
  chin: surface(0, 146),
  corner: (s) => surface(3 * s, MOUTH_Y),
  lipSide: (s) => surface(1.8 * s, MOUTH_Y),
  upperSide: (s) => surface(1.5 * s, 150.3),
  lowerSide: (s) => surface(1.5 * s, 148.7),
  eye: (s) => surface(3.2 * s, 159),
  brow: (s) => surface(3.2 * s, 162),
  innerBrow: (s) => surface(1.3 * s, 161.8),
  outerBrow: (s) => surface(4.6 * s, 161.5),
  cheek: (s) => surface(5.2 * s, 152.5),
  nose: (s) => surface(1.4 * s, 153.5),
};
/** Gaussian falloff around `c` on the front of the face (0 on the back). */
const near = (p, c, sigma) => (p[2] <= 0 ? 0 : Math.exp(-((p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2 + (p[2] - c[2]) ** 2) / sigma ** 2));
/** Left/right shapes stay on their own side; midline vertices get half. */
const sided = (p, c, sigma) => (c[0] === 0 ? 1 : Math.sign(p[0]) === Math.sign(c[0]) ? 1 : p[0] === 0 ? 0.5 : 0) * near(p, c, sigma);
const ramp = (x, a, b) => Math.min(1, Math.max(0, (x - a) / (b - a)));
/** How much a vertex follows the jaw: below the mouth line, on the front half of the head. */
const jawWeight = (p) => ramp(p[1], MOUTH_Y, MOUTH_Y - 2) * ramp(p[2], 0, 4);
const normal = (p) => {
  const n = [0, 1, 2].map((k) => (p[k] - C[k]) / R[k] ** 2);
  const l = Math.hypot(...n);
  return n.map((x) => x / l);
};

const eyes = (s, fn) => (p) => {
  const w = sided(p, F.eye(s), 1.8);
  return fn(w, p, F.eye(s));
};
const lid = (upper, amount) => (w, p, e) => [0, (upper ? p[1] >= e[1] : p[1] < e[1]) ? amount * w : 0, 0];
const shapes = {};
for (const [side, s] of [
  ['Left', 1],
  ['Right', -1],
]) {
  shapes[`eyeBlink${side}`] = eyes(s, (w, p, e) => [0, p[1] >= e[1] ? -1.4 * w : 0.3 * w, 0]);
  shapes[`eyeLookDown${side}`] = eyes(s, (w) => [0, -0.35 * w, -0.05 * w]);
  shapes[`eyeLookIn${side}`] = eyes(s, (w) => [-s * 0.3 * w, 0, 0]);
  shapes[`eyeLookOut${side}`] = eyes(s, (w) => [s * 0.3 * w, 0, 0]);
  shapes[`eyeLookUp${side}`] = eyes(s, (w) => [0, 0.35 * w, 0]);
  shapes[`eyeSquint${side}`] = eyes(s, lid(false, 0.5));
  shapes[`eyeWide${side}`] = eyes(s, lid(true, 0.5));
  const corner = (fn) => (p) => fn(sided(p, F.corner(s), 1.8), p);
  shapes[`mouthSmile${side}`] = corner((w) => [s * 0.5 * w, 0.9 * w, -0.3 * w]);
  shapes[`mouthFrown${side}`] = corner((w) => [0, -0.8 * w, 0]);
  shapes[`mouthDimple${side}`] = corner((w) => [s * 0.4 * w, 0, -0.5 * w]);
  shapes[`mouthStretch${side}`] = corner((w) => [s * 0.9 * w, -0.3 * w, 0]);
  shapes[`mouthPress${side}`] = (p) => {
    const w = sided(p, F.lipSide(s), 1.5);
    return [0, (p[1] >= MOUTH_Y ? -0.4 : 0.4) * w, -0.1 * w];
  };
  shapes[`mouthLowerDown${side}`] = (p) => [0, -0.8 * sided(p, F.lowerSide(s), 1.5), 0];
  shapes[`mouthUpperUp${side}`] = (p) => [0, 0.8 * sided(p, F.upperSide(s), 1.5), 0];
  shapes[`browDown${side}`] = (p) => {
    const w = sided(p, F.brow(s), 2);
    return [-s * 0.2 * w, -0.8 * w, 0];
  };
  shapes[`browOuterUp${side}`] = (p) => [0, 0.9 * sided(p, F.outerBrow(s), 1.6), 0];
  shapes[`cheekSquint${side}`] = (p) => [0, 0.6 * sided(p, F.cheek(s), 1.8), 0];
  shapes[`noseSneer${side}`] = (p) => {
    const w = sided(p, F.nose(s), 1.3);
    return [0, 0.6 * w, 0.1 * w];
  };
}
shapes.jawForward = (p) => [0, 0, 0.8 * jawWeight(p)];
shapes.jawLeft = (p) => [0.9 * jawWeight(p), 0, 0];
shapes.jawRight = (p) => [-0.9 * jawWeight(p), 0, 0];
shapes.jawOpen = (p) => {
  // 18° about the jaw pivot's X axis: the chin swings down and back.
  const a = 18 * deg;
  const r = [p[0] - jawPivot[0], p[1] - jawPivot[1], p[2] - jawPivot[2]];
  const w = jawWeight(p);
  return [0, (r[1] * Math.cos(a) - r[2] * Math.sin(a) - r[1]) * w, (r[1] * Math.sin(a) + r[2] * Math.cos(a) - r[2]) * w];
};
const lips = (sigma, fn) => (p) => fn(near(p, F.mouth, sigma), p);
shapes.mouthClose = lips(2.5, (w, p) => [0, (p[1] < MOUTH_Y ? 0.4 : -0.3) * w, 0]);
shapes.mouthFunnel = lips(2.2, (w, p) => [
  0.35 * w * Math.sign(p[0]) * Math.min(1, Math.abs(p[0]) / 2),
  0.35 * w * Math.sign(p[1] - MOUTH_Y),
  0.7 * w,
]);
shapes.mouthPucker = lips(2.2, (w, p) => [-0.6 * w * Math.sign(p[0]) * Math.min(1, Math.abs(p[0]) / 2), 0, 1.0 * w]);
shapes.mouthLeft = lips(2.8, (w) => [1.0 * w, 0, 0]);
shapes.mouthRight = lips(2.8, (w) => [-1.0 * w, 0, 0]);
shapes.mouthRollLower = (p) => {
  const w = near(p, F.lowerLip, 1.8);
  return [0, 0.3 * w, -0.6 * w];
};
shapes.mouthRollUpper = (p) => {
  const w = near(p, F.upperLip, 1.8);
  return [0, -0.3 * w, -0.6 * w];
};
shapes.mouthShrugLower = (p) => {
  const w = near(p, F.lowerLip, 1.8);
  return [0, 0.6 * w, 0.2 * w];
};
shapes.mouthShrugUpper = (p) => [0, 0.5 * near(p, F.upperLip, 1.8), 0];
shapes.browInnerUp = (p) => [0, 1.0 * Math.max(sided(p, F.innerBrow(1), 1.5), sided(p, F.innerBrow(-1), 1.5)), 0];
shapes.cheekPuff = (p) => {
  const w = Math.max(sided(p, F.cheek(1), 2.2), sided(p, F.cheek(-1), 2.2));
  return normal(p).map((n) => 0.9 * w * n);
};
// tongueOut is a face shape: it parts the lower lip where the tongue pushes. (The Tongue mesh below
// carries only the 16 Audio2Face tongue poses.)
shapes.tongueOut = (p) => {
  const w = near(p, F.lowerLip, 1.6);
  return [0, -0.4 * w, 0.3 * w];
};

const missing = ARKIT_BLENDSHAPES.filter((n) => !shapes[n]);
if (missing.length || Object.keys(shapes).length !== ARKIT_BLENDSHAPES.length)
  throw new Error(`shape set differs from ARKit: ${missing.join(', ')}`);

// ---- tongue and eyes: small meshes rigidly bound to their joints -------------------------------
// Each is modelled in its joint's frame and placed by the joint's bind (world) transform, so it sits
// where the joint says and turns with it. Row-vector matrices: world = local · bind.
const jointAt = (token) => joints.findIndex((j) => j.token === token);
const toWorld = (m, p) => [0, 1, 2].map((k) => p[0] * m[k] + p[1] * m[4 + k] + p[2] * m[8 + k] + m[12 + k]);
const vecToWorld = (m, v) => [0, 1, 2].map((k) => v[0] * m[k] + v[1] * m[4 + k] + v[2] * m[8 + k]);
/** The inverse of toWorld for a rigid bind (rotation rows are orthonormal). */
const toLocal = (m, p) => {
  const d = [0, 1, 2].map((k) => p[k] - m[12 + k]);
  return [0, 1, 2].map((r) => d[0] * m[r * 4] + d[1] * m[r * 4 + 1] + d[2] * m[r * 4 + 2]);
};

// Tongue: a flattened ellipsoid along the tongue joint's +Z (forward, tilted 8° down with the jaw),
// from 1.5 cm behind the joint to a tip 3 cm in front of it, slung 0.7 cm below it. Thicker at the
// root than at the tip, flatter on top than underneath. Its tip rests about 0.9 cm behind the lips'
// surface, and no shape at full weight pushes it through the (closed) skin.
const tongueJoint = jointAt('root/head/jaw/tongue');
const tongueBind = joints[tongueJoint].world;
const TG = { back: -1.5, tip: 3, cy: -0.7, W: 1.7, H: 0.55 };
const tongueMid = (TG.back + TG.tip) / 2;
const tongueHalf = (TG.tip - TG.back) / 2;
const tongue = uvMesh(12, 16, (t, p) => {
  const u = (1 + Math.cos(t)) / 2; // 1 at the tip, 0 at the root
  const up = Math.sin(p);
  const local = [
    TG.W * Math.sin(t) * Math.cos(p),
    TG.cy + TG.H * (1.25 - 0.5 * u) * Math.sin(t) * up * (up > 0 ? 0.8 : 1),
    tongueMid + tongueHalf * Math.cos(t),
  ];
  return toWorld(tongueBind, local);
});
const ramp01 = (x) => Math.min(1, Math.max(0, x));
/** A tongue shape written in the tongue joint's frame: fn(local point relative to the body axis, u = 1 at the tip … 0 at the root). */
const tongueShape = (fn) => (p) => {
  const l = toLocal(tongueBind, p);
  const rel = [l[0], l[1] - TG.cy, l[2] - tongueMid];
  return vecToWorld(tongueBind, fn(rel, ramp01((l[2] - TG.back) / (TG.tip - TG.back))));
};
const tip = (u) => ramp01((u - 0.45) / 0.55) ** 2; // the front ~half, most at the tip
const sides = (r, u) => (r[0] / TG.W) ** 2 * ramp01(u / 0.3); // the edges, not the root
const body = (u) => 0.5 + 0.5 * u; // the whole tongue, the root anchored a little
/** Twist about the long axis, growing to `a` degrees at the tip (positive turns the top towards -X). */
const twist = (a) => (r, u) => {
  const th = a * deg * u;
  return [r[0] * Math.cos(th) - r[1] * Math.sin(th) - r[0], r[0] * Math.sin(th) + r[1] * Math.cos(th) - r[1], 0];
};
const tongueShapes = {
  tongueTipUp: tongueShape((_r, u) => [0, 1.0 * tip(u), -0.25 * tip(u)]),
  tongueTipDown: tongueShape((_r, u) => [0, -0.8 * tip(u), -0.15 * tip(u)]),
  tongueTipLeft: tongueShape((_r, u) => [0.9 * tip(u), 0, -0.1 * tip(u)]),
  tongueTipRight: tongueShape((_r, u) => [-0.9 * tip(u), 0, -0.1 * tip(u)]),
  // Rolls curl the edges up into a trough (up) or down over the body (down).
  tongueRollUp: tongueShape((r, u) => [-0.15 * Math.sign(r[0]) * sides(r, u), 0.6 * sides(r, u), 0]),
  tongueRollDown: tongueShape((r, u) => [-0.1 * Math.sign(r[0]) * sides(r, u), -0.5 * sides(r, u), 0]),
  // Roll left/right twist the body about its long axis, the top turning towards that side.
  tongueRollLeft: tongueShape(twist(-25)),
  tongueRollRight: tongueShape(twist(25)),
  tongueUp: tongueShape((_r, u) => [0, 0.6 * body(u), 0]),
  tongueDown: tongueShape((_r, u) => [0, -0.6 * body(u), 0]),
  tongueLeft: tongueShape((_r, u) => [0.7 * body(u), 0, 0]),
  tongueRight: tongueShape((_r, u) => [-0.7 * body(u), 0, 0]),
  // In pulls the tongue back and bunches it up; stretch pushes the tip 0.8 cm forward and thins it.
  tongueIn: tongueShape((r, u) => [0, 0.25 * r[1], -(0.25 + 0.75 * u)]),
  tongueStretch: tongueShape((r, u) => [-0.12 * r[0], -0.15 * r[1], 0.8 * u]),
  // Wide/narrow scale the width by ±30 %, flattening or thickening it a little.
  tongueWide: tongueShape((r) => [0.3 * r[0], -0.2 * r[1], 0]),
  tongueNarrow: tongueShape((r) => [-0.3 * r[0], 0.15 * r[1], 0]),
};
const missingTongue = TONGUE_BLENDSHAPES.filter((n) => !tongueShapes[n]);
if (missingTongue.length || Object.keys(tongueShapes).length !== TONGUE_BLENDSHAPES.length)
  throw new Error(`tongue shape set differs: ${missingTongue.join(', ')}`);

// Eyes: spheres centred on the eye joints with a cornea bulge on their +Z pole and a vertex colour
// for pupil, iris and sclera, so the eye joints' rotation (gaze) shows. The face has no sockets, so
// they are big enough (2.3 cm radius) that their fronts show through the skin. Rings crowd towards
// the front pole so the iris is round.
const EYE_R = 2.3;
const eye = (token) => {
  const bind = joints[jointAt(token)].world;
  const mesh = uvMesh(
    12,
    16,
    (t, p) => {
      const r = EYE_R + 0.18 * Math.max(0, Math.cos(t * 3.2)); // cornea: up to ~28° off the pole
      return toWorld(bind, [r * Math.sin(t) * Math.cos(p), r * Math.sin(t) * Math.sin(p), r * Math.cos(t)]);
    },
    (i) => Math.PI * (i / 12) ** 1.4,
  );
  const colour = (p) => {
    const l = toLocal(bind, p);
    const off = Math.acos(Math.min(1, l[2] / Math.hypot(...l))) / deg;
    return off < 8 ? [0.02, 0.02, 0.02] : off < 27 ? [0.2, 0.36, 0.5] : [0.93, 0.92, 0.88];
  };
  return { ...mesh, joint: jointAt(token), colors: mesh.points.map(colour) };
};

// ---- write ------------------------------------------------------------------------------------
const L = [];
const line = (depth, text) => L.push('    '.repeat(depth) + text);
/** Sparse BlendShape offsets: vertices that move less than 0.002 cm (a falloff's tail) are left out. */
const sparse = (name, pts, fn) => {
  const idx = [];
  const off = [];
  pts.forEach((p, i) => {
    const d = fn(p).map((x) => Number(fix(x)));
    if (d.some((x) => Math.abs(x) >= 0.002)) {
      idx.push(i);
      off.push(d);
    }
  });
  if (idx.length === 0) throw new Error(`blendshape ${name} moves no vertex`);
  return { idx, off };
};
/**
 * One skinned Mesh under the SkelRoot. `skin` is either { pair: [joint, joint], weights: [[w0, w1]…] }
 * (two influences per vertex) or { rigid: joint } (every vertex fully on that one joint).
 */
function writeMesh(name, mesh, skin, blendShapes = {}, colors) {
  const { points: pts } = mesh;
  const names = Object.keys(blendShapes);
  line(1, `def Mesh "${name}" (`);
  line(2, 'prepend apiSchemas = ["SkelBindingAPI"]');
  line(1, ')');
  line(1, '{');
  const ext = [0, 1, 2].map((k) => [Math.min(...pts.map((p) => p[k])), Math.max(...pts.map((p) => p[k]))]);
  line(2, `float3[] extent = [${tuple(ext.map((e) => e[0]))}, ${tuple(ext.map((e) => e[1]))}]`);
  line(2, `int[] faceVertexCounts = ${list(mesh.counts, 32, 8)}`);
  line(2, `int[] faceVertexIndices = ${list(mesh.indices, 32, 8)}`);
  line(
    2,
    `point3f[] points = ${list(
      pts.map((p) => tuple(p)),
      8,
      8,
    )}`,
  );
  if (colors) {
    line(
      2,
      `color3f[] primvars:displayColor = ${list(
        colors.map((c) => tuple(c, 3)),
        8,
        8,
      )} (`,
    );
    line(3, 'interpolation = "vertex"');
    line(2, ')');
  }
  line(2, 'uniform token subdivisionScheme = "none"');
  if (skin.rigid !== undefined) {
    // Rigid, but spelled per vertex: TinyUSDZ's render conversion rejects constant skinning primvars.
    line(
      2,
      `int[] primvars:skel:jointIndices = ${list(
        pts.map(() => skin.rigid),
        32,
        8,
      )} (`,
    );
    line(3, 'elementSize = 1');
    line(3, 'interpolation = "vertex"');
    line(2, ')');
    line(
      2,
      `float[] primvars:skel:jointWeights = ${list(
        pts.map(() => 1),
        32,
        8,
      )} (`,
    );
    line(3, 'elementSize = 1');
    line(3, 'interpolation = "vertex"');
    line(2, ')');
  } else {
    line(
      2,
      `int[] primvars:skel:jointIndices = ${list(
        pts.map(() => skin.pair.join(', ')),
        16,
        8,
      )} (`,
    );
    line(3, 'elementSize = 2');
    line(3, 'interpolation = "vertex"');
    line(2, ')');
    line(
      2,
      `float[] primvars:skel:jointWeights = ${list(
        skin.weights.map((w) => w.map((x) => fix(x)).join(', ')),
        12,
        8,
      )} (`,
    );
    line(3, 'elementSize = 2');
    line(3, 'interpolation = "vertex"');
    line(2, ')');
  }
  line(2, `matrix4d primvars:skel:geomBindTransform = ${matrix(identity)}`);
  if (names.length) {
    line(
      2,
      `uniform token[] skel:blendShapes = ${list(
        names.map((n) => JSON.stringify(n)),
        6,
        8,
      )}`,
    );
    line(
      2,
      `rel skel:blendShapeTargets = ${list(
        names.map((n) => `</Character/${name}/${n}>`),
        3,
        8,
      )}`,
    );
  }
  line(2, 'rel skel:skeleton = </Character/Skel>');
  for (const n of names) {
    const { idx, off } = sparse(n, pts, blendShapes[n]);
    line(0, '');
    line(2, `def BlendShape "${n}"`);
    line(2, '{');
    // Normal offsets are required by the schema; the meshes author no normals, so they are zero.
    line(
      3,
      `uniform vector3f[] normalOffsets = ${list(
        off.map(() => '(0, 0, 0)'),
        8,
        12,
      )}`,
    );
    line(
      3,
      `uniform vector3f[] offsets = ${list(
        off.map((d) => tuple(d)),
        6,
        12,
      )}`,
    );
    line(3, `uniform int[] pointIndices = ${list(idx, 16, 12)}`);
    line(2, '}');
  }
  line(1, '}');
}

line(0, '#usda 1.0');
line(0, '(');
line(1, 'defaultPrim = "Character"');
line(1, 'doc = "Procedural sample face for a2f: generated by samples/character/make-character.mjs; do not edit by hand"');
line(1, 'metersPerUnit = 0.01');
line(1, 'upAxis = "Y"');
line(0, ')');
line(0, '');
line(0, 'def SkelRoot "Character" (');
line(1, 'kind = "component"');
line(0, ')');
line(0, '{');
line(1, 'def Skeleton "Skel"');
line(1, '{');
line(
  2,
  `uniform token[] joints = ${list(
    joints.map((j) => JSON.stringify(j.token)),
    8,
    8,
  )}`,
);
line(
  2,
  `uniform matrix4d[] bindTransforms = ${list(
    joints.map((j) => matrix(j.world)),
    1,
    8,
  )}`,
);
line(
  2,
  `uniform matrix4d[] restTransforms = ${list(
    joints.map((j) => matrix(j.local)),
    1,
    8,
  )}`,
);
line(1, '}');
line(0, '');
const jw = points.map(jawWeight).map((w) => Number(fix(w)));
// Plain skin with darker lips and a dark line where the mouth opens, so a preview shows the mouth
// (the shell has no opening): mixed by distance from the mouth line, on the front only. Linear
// values, as displayColor is (renderers show them brighter, in sRGB).
const SKIN = [0.7, 0.4, 0.28];
const LIPS = [0.36, 0.08, 0.07];
const MOUTH = [0.03, 0.006, 0.006];
const mix = (a, b, w) => a.map((x, k) => x + (b[k] - x) * w);
const faceColour = (p) => {
  const across = p[2] <= 0 ? 0 : Math.exp(-((p[0] / 2.8) ** 4));
  const d = p[1] - MOUTH_Y;
  return mix(mix(SKIN, LIPS, across * Math.exp(-((d / 1.4) ** 2))), MOUTH, across * Math.exp(-((d / 0.6) ** 2)));
};
writeMesh(
  'Face',
  { points, counts, indices },
  { pair: [jointAt('root/head'), jointAt('root/head/jaw')], weights: jw.map((w) => [1 - w, w]) },
  Object.fromEntries(ARKIT_BLENDSHAPES.map((n) => [n, shapes[n]])),
  points.map(faceColour),
);
line(0, '');
writeMesh('Tongue', tongue, { rigid: tongueJoint }, Object.fromEntries(TONGUE_BLENDSHAPES.map((n) => [n, tongueShapes[n]])));
const eyeMeshes = [
  ['Eye_L', eye('root/head/eye_L')],
  ['Eye_R', eye('root/head/eye_R')],
];
for (const [name, e] of eyeMeshes) {
  line(0, '');
  writeMesh(name, e, { rigid: e.joint }, {}, e.colors);
}
line(0, '}');
fs.writeFileSync(out, L.join('\n') + '\n');
const meshes = [
  ['Face', points, ARKIT_BLENDSHAPES],
  ['Tongue', tongue.points, TONGUE_BLENDSHAPES],
  ...eyeMeshes.map(([n, e]) => [n, e.points, []]),
];
console.log(
  `${path.relative(process.cwd(), out)}: ${joints.length} joints; ` +
    `${meshes.map(([n, p, b]) => `${n} ${p.length} points${b.length ? `, ${b.length} blendshapes` : ''}`).join('; ')}`,
);
