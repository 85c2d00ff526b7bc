// Where the mouth is: the rest-pose points that the jaw and mouth channels move (blendshape offsets,
// and the jaw joint's skin weights), in the rig's world space. mouthRect() projects them to the canvas
// so a test or a playblast check can compare the same pixels across frames.
import type { PreviewBlob } from '../data.js';
import { deformPoints, jointWorlds, skinningMatrices } from '../deform.js';
import { groupOf, leaf } from './groups.js';

const IDENTITY16 = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1];
/** An offset shorter than this moves its point by nothing visible. */
const MOVES = 1e-7;

/** World-space rest points (3 each) moved by a jaw/mouth blendshape or weighted to a jaw joint; empty when none is. */
export function mouthPoints(blob: PreviewBlob): Float32Array {
  const h = blob.header;
  const rest = blob.f64(h.skeleton.rest);
  const worlds = jointWorlds(h.skeleton.parents, Float64Array.from(rest));
  const bind = blob.f64(h.skeleton.bind);
  const jaw = new Set<number>();
  h.skeleton.joints.forEach((j, i) => {
    if (leaf(j).toLowerCase().startsWith('jaw')) jaw.add(i);
  });
  const out: number[] = [];
  for (const mesh of h.meshes) {
    const points = blob.f32(mesh.points);
    const n = points.length / 3;
    const picked = new Uint8Array(n);
    for (const shape of mesh.blendShapes) {
      const channel = shape.channel >= 0 ? h.animation.blendShapes[shape.channel]! : shape.name;
      if (groupOf(channel, 'blendShape') !== 'jaw/mouth') continue;
      const offsets = blob.f32(shape.offsets);
      const indices = shape.indices ? blob.u32(shape.indices) : undefined;
      for (let k = 0; k < offsets.length / 3; k++) {
        if (Math.hypot(offsets[k * 3]!, offsets[k * 3 + 1]!, offsets[k * 3 + 2]!) > MOVES) picked[indices ? indices[k]! : k] = 1;
      }
    }
    const skin = mesh.skin;
    if (skin && jaw.size) {
      const idx = blob.u32(skin.indices);
      const wts = blob.f32(skin.weights);
      for (let i = 0; i < idx.length; i++) if (wts[i]! > 0 && jaw.has(idx[i]!)) picked[Math.floor(i / skin.elementSize)] = 1;
    }
    if (!picked.includes(1)) continue;
    const posed = new Float32Array(points.length);
    const input = {
      points,
      shapes: [],
      world: mesh.world,
      ...(skin
        ? {
            skin: {
              elementSize: skin.elementSize,
              indices: blob.u32(skin.indices),
              weights: blob.f32(skin.weights),
              geomBind: skin.geomBind,
            },
          }
        : {}),
    };
    const mats = skin ? skinningMatrices(skin.geomBind ?? IDENTITY16, bind, worlds, h.skeleton.world) : null;
    deformPoints(input, [], mats, posed);
    for (let i = 0; i < n; i++) if (picked[i]) out.push(posed[i * 3]!, posed[i * 3 + 1]!, posed[i * 3 + 2]!);
  }
  return Float32Array.from(out);
}
