// The previewed Skeleton and its SkelAnimation read into the blob: joint topology, bind and rest
// matrices, and every animated attribute evaluated at each integer time code, plus each channel's
// range so the page can say what moved (docs/preview.md, "The page's data").
import { composeMatrix, jointParents, type SkeletonInfo, type UsdaPrim } from '@a2f/usd';
import type { BlobBuilder, ChannelRange, PreviewAnimation, PreviewSkeleton } from './data.js';
import { evaluate, tokens } from './scene-values.js';

export function readSkeleton(info: SkeletonInfo, world: ArrayLike<number>, blob: BlobBuilder): PreviewSkeleton {
  return {
    path: info.path,
    joints: [...info.joints],
    parents: jointParents(info.joints),
    bind: blob.add('f64', info.bind.flatMap(composeMatrix)),
    rest: blob.add('f64', info.rest.flatMap(composeMatrix)),
    world: Array.from(world),
  };
}

/** Time codes at which the animation is sampled (for a layer that sets no start/end). */
export function sampleTimes(anim: UsdaPrim): number[] {
  const names = ['blendShapeWeights', 'translations', 'rotations', 'scales'];
  return names.flatMap((n) => anim.properties.get(n)?.timeSamples?.map((s) => s[0]) ?? []);
}

export interface AnimationRead {
  readonly animation: PreviewAnimation;
  readonly ranges: ChannelRange[];
}

export function readAnimation(
  anim: UsdaPrim,
  skeleton: SkeletonInfo,
  start: number,
  end: number,
  blob: BlobBuilder,
  notes: string[],
): AnimationRead {
  const frames = end - start + 1;
  const list = (name: string): string[] => {
    const t = tokens(anim.properties.get(name)?.default);
    if (t === null) {
      notes.push(`<${anim.path}.${name}> is not a token[]; read as empty`);
      return [];
    }
    return t;
  };
  const blendShapes = list('blendShapes');
  const joints = list('joints');
  const jointIndex = joints.map((j) => skeleton.joints.indexOf(j));
  const missing = joints.filter((_, k) => jointIndex[k]! < 0);
  if (missing.length > 0) notes.push(`<${anim.path}> animates joints the Skeleton lacks (${missing.join(', ')}); they move nothing`);
  const attr = (name: string, width: number, blend: 'linear' | 'quaternion'): Float32Array | undefined => {
    const prop = anim.properties.get(name);
    if (!prop || width === 0) return undefined;
    const v = evaluate(prop, start, end, width, blend);
    if (!v)
      notes.push(
        `<${anim.path}.${name}> has no value of ${width} numbers (for ${width / (blend === 'quaternion' ? 4 : 3)} entries); it is ignored`,
      );
    return v ?? undefined;
  };
  const weights = attr('blendShapeWeights', blendShapes.length, 'linear');
  let translations = attr('translations', joints.length * 3, 'linear');
  let rotations = attr('rotations', joints.length * 4, 'quaternion');
  let scales = attr('scales', joints.length * 3, 'linear');
  if ((translations || rotations || scales) && !(translations && rotations && scales)) {
    // A joint transform needs all three parts; a part the animation lacks is the rest pose's.
    const rest = (part: 'translation' | 'rotation' | 'scale', width: number): Float32Array => {
      const out = new Float32Array(frames * joints.length * width);
      for (let f = 0; f < frames; f++) {
        jointIndex.forEach((j, k) => {
          const r = j >= 0 ? skeleton.rest[j]![part] : part === 'rotation' ? [1, 0, 0, 0] : part === 'scale' ? [1, 1, 1] : [0, 0, 0];
          out.set(r, (f * joints.length + k) * width);
        });
      }
      notes.push(`<${anim.path}> has no ${part}s for its joints; the rest pose's are used`);
      return out;
    };
    translations ??= rest('translation', 3);
    rotations ??= rest('rotation', 4);
    scales ??= rest('scale', 3);
  }
  const ranges: ChannelRange[] = [];
  if (weights) {
    blendShapes.forEach((channel, c) => {
      let min = Infinity;
      let max = -Infinity;
      for (let f = 0; f < frames; f++) {
        const w = weights[f * blendShapes.length + c]!;
        if (w < min) min = w;
        if (w > max) max = w;
      }
      ranges.push({ channel, kind: 'blendShape', min, max });
    });
  }
  if (rotations) {
    joints.forEach((channel, k) => {
      const j = jointIndex[k]!;
      const rest = j >= 0 ? skeleton.rest[j]!.rotation : [1, 0, 0, 0];
      let min = Infinity;
      let max = -Infinity;
      for (let f = 0; f < frames; f++) {
        const at = (f * joints.length + k) * 4;
        const deg = angleBetween(rest, rotations.subarray(at, at + 4));
        if (deg < min) min = deg;
        if (deg > max) max = deg;
      }
      ranges.push({ channel, kind: 'joint', min, max });
    });
  }
  return {
    animation: {
      path: anim.path,
      blendShapes,
      ...(weights ? { weights: blob.add('f32', weights) } : {}),
      joints,
      jointIndex,
      ...(translations ? { translations: blob.add('f32', translations) } : {}),
      ...(rotations ? { rotations: blob.add('f32', rotations) } : {}),
      ...(scales ? { scales: blob.add('f32', scales) } : {}),
    },
    ranges,
  };
}

/** The angle in degrees of the rotation taking quaternion a to b (both (real, i, j, k)). */
export function angleBetween(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const na = Math.hypot(a[0]!, a[1]!, a[2]!, a[3]!) || 1;
  const nb = Math.hypot(b[0]!, b[1]!, b[2]!, b[3]!) || 1;
  const dot = Math.abs(a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]! + a[3]! * b[3]!) / (na * nb);
  return (2 * Math.acos(Math.min(1, dot)) * 180) / Math.PI;
}
