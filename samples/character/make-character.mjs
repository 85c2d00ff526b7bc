#!/usr/bin/env node
// Generates samples/character/face.usda: a small procedural face asset shaped like a studio
// character: a SkelRoot holding a single-rooted Skeleton (root, head, jaw, tongue, eyes) and a
// skinned face Mesh (a deformed UV ellipsoid, jaw region weighted to the jaw joint) carrying all
// 52 ARKit blendshapes as sparse BlendShape prims. Pure arithmetic, no randomness: the output is
// byte-identical on every run (a test checks it against the committed file).
//
//   node samples/character/make-character.mjs [OUT.usda]      (default: face.usda next to this script)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARKIT_BLENDSHAPES } from '../../packages/animation/dist/index.js';

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
const translate = (m, t) => { const r = [...m]; r[12] = t[0]; r[13] = t[1]; r[14] = t[2]; return r; };
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
const matrix = (m) => `( ${[0, 1, 2, 3].map((r) => `(${m.slice(r * 4, r * 4 + 4).map((x) => fix(x, 9)).join(', ')})`).join(', ')} )`;
const jawPivot = joints[2].world.slice(12, 15);

// ---- face mesh: a UV ellipsoid ----------------------------------------------------------------
const C = [0, 156, 0];
const R = [8.5, 11, 9.5];
const RINGS = 32;
const SEGMENTS = 48;
const points = [[C[0], C[1] + R[1], C[2]]];
for (let i = 1; i < RINGS; i++) {
  const t = (i * Math.PI) / RINGS;
  for (let j = 0; j < SEGMENTS; j++) {
    const p = (j * 2 * Math.PI) / SEGMENTS;
    points.push([C[0] + R[0] * Math.sin(t) * Math.sin(p), C[1] + R[1] * Math.cos(t), C[2] + R[2] * Math.sin(t) * Math.cos(p)]);
  }
}
points.push([C[0], C[1] - R[1], C[2]]);
// Positions are stored at 4 decimals; every offset below is computed from the stored positions.
for (const p of points) for (let k = 0; k < 3; k++) p[k] = Number(fix(p[k]));
const ring = (i, j) => 1 + (i - 1) * SEGMENTS + (j % SEGMENTS);
const counts = [];
const indices = [];
for (let j = 0; j < SEGMENTS; j++) { counts.push(3); indices.push(0, ring(1, j), ring(1, j + 1)); }
for (let i = 1; i < RINGS - 1; i++) {
  for (let j = 0; j < SEGMENTS; j++) { counts.push(4); indices.push(ring(i, j), ring(i + 1, j), ring(i + 1, j + 1), ring(i, j + 1)); }
}
const bottom = points.length - 1;
for (let j = 0; j < SEGMENTS; j++) { counts.push(3); indices.push(ring(RINGS - 1, j), bottom, ring(RINGS - 1, j + 1)); }

// ---- facial regions ---------------------------------------------------------------------------
const surface = (x, y) => [x, y, C[2] + R[2] * Math.sqrt(Math.max(0, 1 - (x / R[0]) ** 2 - ((y - C[1]) / R[1]) ** 2))];
const MOUTH_Y = 149.5;
const F = {
  mouth: surface(0, MOUTH_Y), upperLip: surface(0, 150.3), lowerLip: surface(0, 148.7), chin: surface(0, 146),
  corner: (s) => surface(3 * s, MOUTH_Y), lipSide: (s) => surface(1.8 * s, MOUTH_Y),
  upperSide: (s) => surface(1.5 * s, 150.3), lowerSide: (s) => surface(1.5 * s, 148.7),
  eye: (s) => surface(3.2 * s, 159), brow: (s) => surface(3.2 * s, 162), innerBrow: (s) => surface(1.3 * s, 161.8),
  outerBrow: (s) => surface(4.6 * s, 161.5), cheek: (s) => surface(5.2 * s, 152.5), nose: (s) => surface(1.4 * s, 153.5),
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

const eyes = (s, fn) => (p) => { const w = sided(p, F.eye(s), 1.8); return fn(w, p, F.eye(s)); };
const lid = (upper, amount) => (w, p, e) => [0, (upper ? p[1] >= e[1] : p[1] < e[1]) ? amount * w : 0, 0];
const shapes = {};
for (const [side, s] of [['Left', 1], ['Right', -1]]) {
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
  shapes[`mouthPress${side}`] = (p) => { const w = sided(p, F.lipSide(s), 1.5); return [0, (p[1] >= MOUTH_Y ? -0.4 : 0.4) * w, -0.1 * w]; };
  shapes[`mouthLowerDown${side}`] = (p) => [0, -0.8 * sided(p, F.lowerSide(s), 1.5), 0];
  shapes[`mouthUpperUp${side}`] = (p) => [0, 0.8 * sided(p, F.upperSide(s), 1.5), 0];
  shapes[`browDown${side}`] = (p) => { const w = sided(p, F.brow(s), 2); return [-s * 0.2 * w, -0.8 * w, 0]; };
  shapes[`browOuterUp${side}`] = (p) => [0, 0.9 * sided(p, F.outerBrow(s), 1.6), 0];
  shapes[`cheekSquint${side}`] = (p) => [0, 0.6 * sided(p, F.cheek(s), 1.8), 0];
  shapes[`noseSneer${side}`] = (p) => { const w = sided(p, F.nose(s), 1.3); return [0, 0.6 * w, 0.1 * w]; };
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
shapes.mouthFunnel = lips(2.2, (w, p) => [0.35 * w * Math.sign(p[0]) * Math.min(1, Math.abs(p[0]) / 2), 0.35 * w * Math.sign(p[1] - MOUTH_Y), 0.7 * w]);
shapes.mouthPucker = lips(2.2, (w, p) => [-0.6 * w * Math.sign(p[0]) * Math.min(1, Math.abs(p[0]) / 2), 0, 1.0 * w]);
shapes.mouthLeft = lips(2.8, (w) => [1.0 * w, 0, 0]);
shapes.mouthRight = lips(2.8, (w) => [-1.0 * w, 0, 0]);
shapes.mouthRollLower = (p) => { const w = near(p, F.lowerLip, 1.8); return [0, 0.3 * w, -0.6 * w]; };
shapes.mouthRollUpper = (p) => { const w = near(p, F.upperLip, 1.8); return [0, -0.3 * w, -0.6 * w]; };
shapes.mouthShrugLower = (p) => { const w = near(p, F.lowerLip, 1.8); return [0, 0.6 * w, 0.2 * w]; };
shapes.mouthShrugUpper = (p) => [0, 0.5 * near(p, F.upperLip, 1.8), 0];
shapes.browInnerUp = (p) => [0, 1.0 * Math.max(sided(p, F.innerBrow(1), 1.5), sided(p, F.innerBrow(-1), 1.5)), 0];
shapes.cheekPuff = (p) => { const w = Math.max(sided(p, F.cheek(1), 2.2), sided(p, F.cheek(-1), 2.2)); return normal(p).map((n) => 0.9 * w * n); };
// No tongue geometry on this face: tongueOut parts the lower lip where the tongue would push.
shapes.tongueOut = (p) => { const w = near(p, F.lowerLip, 1.6); return [0, -0.4 * w, 0.3 * w]; };

const missing = ARKIT_BLENDSHAPES.filter((n) => !shapes[n]);
if (missing.length || Object.keys(shapes).length !== ARKIT_BLENDSHAPES.length) throw new Error(`shape set differs from ARKit: ${missing.join(', ')}`);

// ---- write ------------------------------------------------------------------------------------
const L = [];
const line = (depth, text) => L.push('    '.repeat(depth) + text);
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
line(2, `uniform token[] joints = ${list(joints.map((j) => JSON.stringify(j.token)), 8, 8)}`);
line(2, `uniform matrix4d[] bindTransforms = ${list(joints.map((j) => matrix(j.world)), 1, 8)}`);
line(2, `uniform matrix4d[] restTransforms = ${list(joints.map((j) => matrix(j.local)), 1, 8)}`);
line(1, '}');
line(0, '');
line(1, 'def Mesh "Face" (');
line(2, 'prepend apiSchemas = ["SkelBindingAPI"]');
line(1, ')');
line(1, '{');
const ext = [0, 1, 2].map((k) => [Math.min(...points.map((p) => p[k])), Math.max(...points.map((p) => p[k]))]);
line(2, `float3[] extent = [${tuple(ext.map((e) => e[0]))}, ${tuple(ext.map((e) => e[1]))}]`);
line(2, `int[] faceVertexCounts = ${list(counts, 32, 8)}`);
line(2, `int[] faceVertexIndices = ${list(indices, 32, 8)}`);
line(2, `point3f[] points = ${list(points.map((p) => tuple(p)), 8, 8)}`);
line(2, 'uniform token subdivisionScheme = "none"');
const jw = points.map(jawWeight).map((w) => Number(fix(w)));
line(2, `int[] primvars:skel:jointIndices = ${list(points.map(() => '1, 2'), 16, 8)} (`);
line(3, 'elementSize = 2');
line(3, 'interpolation = "vertex"');
line(2, ')');
line(2, `float[] primvars:skel:jointWeights = ${list(jw.map((w) => `${fix(1 - w)}, ${fix(w)}`), 12, 8)} (`);
line(3, 'elementSize = 2');
line(3, 'interpolation = "vertex"');
line(2, ')');
line(2, `matrix4d primvars:skel:geomBindTransform = ${matrix(identity)}`);
line(2, `uniform token[] skel:blendShapes = ${list(ARKIT_BLENDSHAPES.map((n) => JSON.stringify(n)), 6, 8)}`);
line(2, `rel skel:blendShapeTargets = ${list(ARKIT_BLENDSHAPES.map((n) => `</Character/Face/${n}>`), 3, 8)}`);
line(2, 'rel skel:skeleton = </Character/Skel>');
for (const name of ARKIT_BLENDSHAPES) {
  const idx = [];
  const off = [];
  points.forEach((p, i) => {
    // Sparse: vertices that move less than 0.002 cm (the falloff's tail) are left out.
    const d = shapes[name](p).map((x) => Number(fix(x)));
    if (d.some((x) => Math.abs(x) >= 0.002)) { idx.push(i); off.push(d); }
  });
  if (idx.length === 0) throw new Error(`blendshape ${name} moves no vertex`);
  line(0, '');
  line(2, `def BlendShape "${name}"`);
  line(2, '{');
  // Normal offsets are required by the schema; the face authors no normals, so they are zero.
  line(3, `uniform vector3f[] normalOffsets = ${list(off.map(() => '(0, 0, 0)'), 8, 12)}`);
  line(3, `uniform vector3f[] offsets = ${list(off.map((d) => tuple(d)), 6, 12)}`);
  line(3, `uniform int[] pointIndices = ${list(idx, 16, 12)}`);
  line(2, '}');
}
line(1, '}');
line(0, '}');
fs.writeFileSync(out, L.join('\n') + '\n');
console.log(`${path.relative(process.cwd(), out)}: ${points.length} points, ${counts.length} faces, ${joints.length} joints, ${ARKIT_BLENDSHAPES.length} blendshapes`);
