// A big face for the preview rows: the sample character's skeleton (root, head, jaw, tongue, eyes) with
// one face mesh of `rows × cols` points (a UV ellipsoid the sample's size), skinned to the head and the
// jaw as the sample is, carrying the 52 ARKit blendshapes, each with offsets on `share` of the points
// (the ones nearest its region: mouth, eyes, brows, cheeks, nose). Pure arithmetic: the same bytes on
// every run. Written as text in pieces, since the offsets alone are tens of megabytes.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { ARKIT_BLENDSHAPES } from '@a2f/animation';

export interface PreviewFaceSize {
  /** rings of the ellipsoid (top to bottom) and points around each: rows × cols points */
  readonly rows: number;
  readonly cols: number;
  /** the fraction of the face's points each blendshape moves */
  readonly share: number;
}

export interface PreviewFaceInfo {
  readonly points: number;
  readonly triangles: number;
  readonly blendShapes: number;
  readonly offsetsPerShape: number;
  readonly bytes: number;
}

const C = [0, 156, 0] as const;
const R = [8.5, 11, 9.5] as const;
const MOUTH_Y = 149.5;

/** The sample's joints and their world bind transforms (samples/character/face.usda), row-vector order. */
const SKELETON = `    def Skeleton "Skel"
    {
        uniform token[] joints = ["root", "root/head", "root/head/jaw", "root/head/jaw/tongue", "root/head/eye_L", "root/head/eye_R"]
        uniform matrix4d[] bindTransforms = [( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) ), \
( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 150, 0, 1) ), \
( (1, 0, 0, 0), (0, 0.990268069, 0.139173101, 0), (0, -0.139173101, 0.990268069, 0), (0, 153, -1, 1) ), \
( (1, 0, 0, 0), (0, 0.990268069, 0.139173101, 0), (0, -0.139173101, 0.990268069, 0), (0, 150.323598357, 3.672994143, 1) ), \
( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (3.2, 159, 6.4, 1) ), ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (-3.2, 159, 6.4, 1) )]
        uniform matrix4d[] restTransforms = [( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) ), \
( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 150, 0, 1) ), \
( (1, 0, 0, 0), (0, 0.990268069, 0.139173101, 0), (0, -0.139173101, 0.990268069, 0), (0, 3, -1, 1) ), \
( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, -2, 5, 1) ), ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (3.2, 9, 6.4, 1) ), \
( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (-3.2, 9, 6.4, 1) )]
    }
`;

/** Where a blendshape acts and which way it moves the skin there (cm). */
function region(name: string): { at: readonly [number, number, number]; dir: readonly [number, number, number] } {
  const side = /Left$/.test(name) ? 1 : /Right$/.test(name) ? -1 : 0;
  if (name.startsWith('eye')) return { at: [3.2 * side, 159, 8], dir: [0, name.includes('Blink') ? -0.8 : 0.3, 0.1] };
  if (name.startsWith('brow')) return { at: [3 * side, 162.5, 8.5], dir: [0, name.includes('Down') ? -0.5 : 0.6, 0.1] };
  if (name.startsWith('cheek')) return { at: [4.5 * side, 152, 7.5], dir: [0.3 * side, 0.3, 0.4] };
  if (name.startsWith('nose')) return { at: [1.5 * side, 154, 9.3], dir: [0.1 * side, 0.4, 0.1] };
  if (name === 'jawOpen') return { at: [0, MOUTH_Y - 2, 8], dir: [0, -1.6, 0.2] };
  if (name.startsWith('jaw')) return { at: [0, MOUTH_Y - 2, 8], dir: [side * 0.8, 0, name === 'jawForward' ? 0.8 : 0] };
  return { at: [1.5 * side, MOUTH_Y, 9.3], dir: [0.5 * side, name.includes('Upper') || name.includes('Smile') ? 0.4 : -0.3, 0.3] };
}

const ramp = (x: number, a: number, b: number) => Math.min(1, Math.max(0, (x - a) / (b - a)));

export async function writePreviewFace(file: string, size: PreviewFaceSize): Promise<PreviewFaceInfo> {
  const { rows, cols } = size;
  const n = rows * cols;
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  const pz = new Float64Array(n);
  for (let r = 0; r < rows; r++) {
    const theta = ((r + 0.5) * Math.PI) / rows;
    for (let c = 0; c < cols; c++) {
      const phi = (c * 2 * Math.PI) / cols;
      const i = r * cols + c;
      px[i] = R[0] * Math.sin(theta) * Math.sin(phi);
      py[i] = C[1] + R[1] * Math.cos(theta);
      pz[i] = R[2] * Math.sin(theta) * Math.cos(phi);
    }
  }
  const out = createWriteStream(file);
  let bytes = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const array = async (head: string, count: number, item: (i: number) => string, tail: string) => {
    await write(head);
    for (let i = 0; i < count; i += 10_000) {
      const part: string[] = [];
      for (let k = i; k < Math.min(count, i + 10_000); k++) part.push(item(k));
      await write((i > 0 ? ', ' : '') + part.join(', '));
    }
    await write(tail);
  };
  const f = (x: number) => x.toFixed(4);
  await write('#usda 1.0\n(\n    defaultPrim = "Character"\n    metersPerUnit = 0.01\n    upAxis = "Y"\n)\n\n');
  await write('def SkelRoot "Character" (\n    kind = "component"\n)\n{\n' + SKELETON + '\n');
  await write('    def Mesh "Face" (\n        prepend apiSchemas = ["SkelBindingAPI"]\n    )\n    {\n');
  const quads = (rows - 1) * cols;
  await array('        int[] faceVertexCounts = [', quads, () => '4', ']\n');
  await array(
    '        int[] faceVertexIndices = [',
    quads,
    (q) => {
      const r = Math.floor(q / cols);
      const c = q % cols;
      const c1 = (c + 1) % cols;
      // counter-clockwise seen from outside
      return `${r * cols + c}, ${(r + 1) * cols + c}, ${(r + 1) * cols + c1}, ${r * cols + c1}`;
    },
    ']\n',
  );
  await array('        point3f[] points = [', n, (i) => `(${f(px[i]!)}, ${f(py[i]!)}, ${f(pz[i]!)})`, ']\n');
  // Two influences per point, head and jaw, the jaw's share ramping in below the mouth at the front.
  const jaw = (i: number) => ramp(py[i]!, MOUTH_Y, MOUTH_Y - 2) * ramp(pz[i]!, 0, 4);
  await array('        int[] primvars:skel:jointIndices = [', n, () => '1, 2', '] (\n');
  await write('            elementSize = 2\n            interpolation = "vertex"\n        )\n');
  await array('        float[] primvars:skel:jointWeights = [', n, (i) => `${f(1 - jaw(i))}, ${f(jaw(i))}`, '] (\n');
  await write('            elementSize = 2\n            interpolation = "vertex"\n        )\n');
  await write('        matrix4d primvars:skel:geomBindTransform = ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) )\n');
  await write(`        uniform token[] skel:blendShapes = [${ARKIT_BLENDSHAPES.map((s) => `"${s}"`).join(', ')}]\n`);
  await write(`        rel skel:blendShapeTargets = [${ARKIT_BLENDSHAPES.map((s) => `<${s}>`).join(', ')}]\n`);
  await write('        rel skel:skeleton = </Character/Skel>\n');
  const per = Math.max(1, Math.round(n * size.share));
  const dist = new Float64Array(n);
  const nearest = new Uint32Array(per);
  for (const name of ARKIT_BLENDSHAPES) {
    const { at, dir } = region(name);
    for (let i = 0; i < n; i++)
      // the back of the head is far from every region: a face's shapes live on its front
      dist[i] = Math.hypot(px[i]! - at[0], py[i]! - at[1], pz[i]! - at[2]) + (pz[i]! < 0 ? 100 : 0);
    // the `per` nearest points, in point order (ties at the edge: the first ones)
    const reach = dist.slice().sort()[per - 1]!;
    let k = 0;
    for (let i = 0; i < n && k < per; i++) if (dist[i]! < reach) nearest[k++] = i;
    for (let i = 0; i < n && k < per; i++) if (dist[i] === reach) nearest[k++] = i;
    nearest.sort();
    const fall = (i: number) => Math.max(0, 1 - (dist[i]! / reach) ** 2) ** 2;
    await write(`\n        def BlendShape "${name}"\n        {\n`);
    await array(
      '            uniform vector3f[] offsets = [',
      per,
      (k) => {
        const w = fall(nearest[k]!);
        return `(${f(dir[0] * w)}, ${f(dir[1] * w)}, ${f(dir[2] * w)})`;
      },
      ']\n',
    );
    await array('            uniform int[] pointIndices = [', per, (k) => String(nearest[k]), ']\n');
    await write('        }\n');
  }
  await write('    }\n}\n');
  out.end();
  await once(out, 'finish');
  return { points: n, triangles: quads * 2, blendShapes: ARKIT_BLENDSHAPES.length, offsetsPerShape: per, bytes };
}
