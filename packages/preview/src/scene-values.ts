// Values of a parsed layer as the page needs them: nested tuples flattened to numbers, time samples
// evaluated at every integer time code as USD would answer UsdAttribute::Get there (held before the
// first and after the last sample, linear between, quaternions slerped), stage time and metadata
// (docs/preview.md, "The page's data").
import { metadataValue, type UsdaMetadata, type UsdaProperty, type UsdaValue } from '@a2f/usd';

/** Every number in a value, depth first: `[(1, 2, 3), (4, 5, 6)]` → 1…6; null when anything else is in it. */
export function flatNumbers(v: UsdaValue | undefined): number[] | null {
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v)) return null;
  const out: number[] = [];
  // Two levels unrolled (points are arrays of tuples); deeper values (matrices) recurse.
  const visit = (x: readonly UsdaValue[]): boolean => {
    for (const y of x) {
      if (typeof y === 'number') out.push(y);
      else if (!Array.isArray(y)) return false;
      else if (y.length === 3 && typeof y[0] === 'number' && typeof y[1] === 'number' && typeof y[2] === 'number')
        out.push(y[0], y[1], y[2]);
      else if (!visit(y)) return false;
    }
    return true;
  };
  return visit(v) ? out : null;
}

/** An attribute's numbers at one time: its default, or for a time-sampled one the last sample at or before `time` (else the first). */
export function numbersAt(prop: UsdaProperty | undefined, time: number): number[] | null {
  if (!prop) return null;
  const samples = prop.timeSamples;
  if (samples && samples.length > 0) {
    const sorted = [...samples].sort((a, b) => a[0] - b[0]);
    const before = sorted.filter((s) => s[0] <= time);
    return flatNumbers((before[before.length - 1] ?? sorted[0]!)[1]);
  }
  return flatNumbers(prop.default);
}

/** A token[] value as strings (empty when not authored); null when it holds something else. */
export function tokens(v: UsdaValue | undefined): string[] | null {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) return null;
  return v as string[];
}

/** A property's metadata entry (`interpolation`, `elementSize`…). */
export function propMeta(prop: UsdaProperty, key: string): UsdaValue | undefined {
  return metadataValue(prop.metadata, key);
}

/** The layer's time: USD's own fallbacks (timeCodesPerSecond, then framesPerSecond, then 24). */
export interface StageTime {
  readonly fps: number;
  readonly start: number;
  readonly end: number;
  readonly notes: string[];
}

export function stageTime(metadata: readonly UsdaMetadata[], sampleTimes: readonly number[]): StageTime {
  const notes: string[] = [];
  const num = (key: string): number | undefined => {
    const v = metadataValue(metadata, key);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  let fps = num('timeCodesPerSecond');
  if (fps === undefined || !(fps > 0)) {
    fps = num('framesPerSecond');
    if (fps !== undefined && fps > 0) notes.push(`the layer sets no timeCodesPerSecond; using its framesPerSecond (${fps}), as USD does`);
    else {
      fps = 24;
      notes.push("the layer sets neither timeCodesPerSecond nor framesPerSecond; using 24, USD's fallback");
    }
  }
  let start = num('startTimeCode');
  let end = num('endTimeCode');
  if (start === undefined || end === undefined || end < start) {
    const lo = sampleTimes.length ? Math.min(...sampleTimes) : 0;
    const hi = sampleTimes.length ? Math.max(...sampleTimes) : 0;
    notes.push(`the layer sets no usable startTimeCode/endTimeCode; using the animation's samples (${lo} to ${hi})`);
    start = lo;
    end = hi;
  }
  return { fps, start: Math.ceil(start), end: Math.floor(end), notes };
}

/** How an attribute's values are blended between two samples. */
export type Blend = 'linear' | 'quaternion' | 'held';

/**
 * An attribute evaluated at the integer time codes start…end: `width` numbers per frame, frames
 * concatenated. Before the first sample and after the last the nearest one is held; between two, a
 * linear blend (quaternions: slerp along the shorter arc, USD's interpolation for quat types);
 * no samples → the default at every frame. Null when the attribute has no value of `width` numbers.
 */
export function evaluate(prop: UsdaProperty | undefined, start: number, end: number, width: number, blend: Blend): Float32Array | null {
  if (!prop) return null;
  const frames = end - start + 1;
  const samples = (prop.timeSamples ?? [])
    .map(([t, v]) => [t, flatNumbers(v)] as const)
    .filter((s): s is readonly [number, number[]] => s[1] !== null && s[1].length === width)
    .sort((a, b) => a[0] - b[0]);
  const out = new Float32Array(frames * width);
  if (samples.length === 0) {
    const d = flatNumbers(prop.default);
    if (!d || d.length !== width) return null;
    for (let f = 0; f < frames; f++) out.set(d, f * width);
    return out;
  }
  let k = 0;
  for (let f = 0; f < frames; f++) {
    const t = start + f;
    while (k + 1 < samples.length && samples[k + 1]![0] <= t) k++;
    const [t0, v0] = samples[k]!;
    if (t <= t0 || k + 1 >= samples.length || blend === 'held') {
      out.set(t < t0 ? samples[0]![1] : v0, f * width);
      continue;
    }
    const [t1, v1] = samples[k + 1]!;
    const u = (t - t0) / (t1 - t0);
    if (blend === 'quaternion') for (let q = 0; q < width; q += 4) slerp(v0, v1, q, u, out, f * width + q);
    else for (let i = 0; i < width; i++) out[f * width + i] = v0[i]! + (v1[i]! - v0[i]!) * u;
  }
  return out;
}

/** Spherical blend of the quaternions at a[at…at+3] and b[at…at+3], along the shorter arc. */
function slerp(a: readonly number[], b: readonly number[], at: number, u: number, out: Float32Array, to: number): void {
  let dot = 0;
  for (let i = 0; i < 4; i++) dot += a[at + i]! * b[at + i]!;
  const sign = dot < 0 ? -1 : 1;
  dot *= sign;
  let wa = 1 - u;
  let wb = u * sign;
  // Nearly equal quaternions: the sine below vanishes, and a linear blend is exact to float precision.
  if (dot < 0.9995) {
    const theta = Math.acos(Math.min(1, dot));
    const s = Math.sin(theta);
    wa = Math.sin((1 - u) * theta) / s;
    wb = (Math.sin(u * theta) / s) * sign;
  }
  let n = 0;
  for (let i = 0; i < 4; i++) {
    const v = wa * a[at + i]! + wb * b[at + i]!;
    out[to + i] = v;
    n += v * v;
  }
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < 4; i++) out[to + i] = out[to + i]! / n;
}

/** A dictionary value of the parsed layer as plain JSON (nested dictionaries as objects). */
export function plainJson(v: UsdaValue | undefined): unknown {
  if (v === undefined) return undefined;
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plainJson);
  switch (v.kind) {
    case 'dictionary':
      return Object.fromEntries(Object.entries(v.entries).map(([k, e]) => [k, plainJson(e.value)]));
    case 'asset':
      return v.asset;
    case 'path':
      return v.path;
    default:
      return undefined;
  }
}
