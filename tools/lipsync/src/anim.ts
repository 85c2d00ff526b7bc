// ANIMATION.json, the format the metrics read (docs/lipsync-eval.md#animationjson): blendshape
// weights per frame, frame k at k/fps, channels named as any tool names them. NVIDIA's a2f_export
// JSON is read too.
import { readFileSync } from 'node:fs';
import { A2fError, isRecord } from '@a2f/base';

export interface Animation {
  readonly fps: number;
  readonly names: readonly string[];
  readonly frames: readonly (readonly number[])[];
  /** what made it (free text) */
  readonly generator?: string;
}

/** Channel names compared without case, separators or a namespace: `face.jaw_Open` → `jawopen`. */
export const channelKey = (name: string): string =>
  String(name)
    .replace(/^.*[.:|/]/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

export function checkAnimation(a: unknown, where: string): asserts a is Animation {
  const fix = 'Write { "fps": 30, "names": [...], "frames": [[...], ...] } with one weight per name in every frame.';
  if (!isRecord(a) || !(Number(a.fps) > 0)) throw new A2fError('ANIMATION', where, '"fps" must be a positive number', fix);
  if (!Array.isArray(a.names) || !Array.isArray(a.frames)) throw new A2fError('ANIMATION', where, 'needs "names" and "frames" lists', fix);
  if (!a.frames.length) throw new A2fError('ANIMATION', where, 'has no frames', fix);
  const n = a.names.length;
  a.frames.forEach((f: unknown, k: number) => {
    if (!Array.isArray(f) || f.length !== n) {
      throw new A2fError('ANIMATION', where, `frame ${k} has ${Array.isArray(f) ? f.length : 'no'} weights, expected ${n}`, fix);
    }
  });
}

export function readAnimation(file: string): Animation {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new A2fError('ANIMATION', file, `cannot be read as JSON (${(err as Error).message})`, 'Give an ANIMATION.json file.', {
      cause: err,
    });
  }
  if (isRecord(json) && Array.isArray(json.facsNames) && Array.isArray(json.weightMat)) json = fromA2fExport(json, file);
  checkAnimation(json, file);
  return json;
}

/** NVIDIA's a2f_export JSON (what `a2f run --export-json` and Audio2Face write): facsNames, weightMat, exportFps. */
function fromA2fExport(json: Record<string, unknown>, file: string): Animation {
  const fps = Number(json.exportFps);
  if (!(fps > 0)) throw new A2fError('ANIMATION', file, 'is an a2f_export file without a positive "exportFps"', 'Export it again.');
  return { fps, names: json.facsNames as string[], frames: json.weightMat as number[][], generator: 'a2f_export' };
}

/** Each channel's weights over the frames, by channelKey (the first of two names with one key wins). */
export function channelSeries(anim: Animation): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  anim.names.forEach((name, c) => {
    const k = channelKey(name);
    if (out.has(k)) return;
    const s = new Float64Array(anim.frames.length);
    for (let f = 0; f < s.length; f++) s[f] = Number(anim.frames[f]![c]) || 0;
    out.set(k, s);
  });
  return out;
}

/** A frame series read at time t, linear between frames, held before the first and after the last. */
export function sampleAt(series: ArrayLike<number>, fps: number, t: number): number {
  const x = t * fps;
  const last = series.length - 1;
  if (x <= 0) return series[0]!;
  if (x >= last) return series[last]!;
  const k = Math.floor(x);
  const f = x - k;
  return series[k]! * (1 - f) + series[k + 1]! * f;
}
