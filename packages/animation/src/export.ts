import type { EmotionCurves, FaceAnimation } from './face-animation.js';
import { fpsValue, frameSeconds } from './time.js';

/**
 * NVIDIA's "a2f_export" blendshape JSON (what the Audio2Face app and its web tool write), so that
 * engines and scripts that already read it take ours unchanged.
 */
export function toA2fExportJson(anim: FaceAnimation, trackPath = ''): Record<string, unknown> {
  const n = anim.channels.length;
  const weightMat: number[][] = [];
  for (let f = 0; f < anim.frameCount; f++) weightMat.push(Array.from(anim.weights.subarray(f * n, f * n + n)));
  const perFrame = (pick: (f: number) => number[][]): number[][][] => Array.from({ length: anim.frameCount }, (_, f) => pick(f));
  return {
    exportFps: fpsValue(anim.fps),
    trackPath,
    numPoses: n,
    numFrames: anim.frameCount,
    facsNames: [...anim.channels],
    weightMat,
    joints: anim.joints.map((j) => j.name),
    rotations: perFrame((f) => anim.joints.map((j) => Array.from(j.rotations.subarray(f * 4, f * 4 + 4)))),
    translations: perFrame((f) => anim.joints.map((j) => Array.from(j.translations.subarray(f * 3, f * 3 + 3)))),
    // The explicit emotion per frame when it came from the voice (--a2e): names and one row per frame.
    ...(anim.emotions ? emotionRows(anim.emotions, anim.frameCount) : {}),
    provenance: anim.provenance,
  };
}

function emotionRows(e: EmotionCurves, frames: number): Record<string, unknown> {
  const n = e.names.length;
  return {
    emotionNames: [...e.names],
    emotionMat: Array.from({ length: frames }, (_, f) => Array.from(e.values.subarray(f * n, f * n + n))),
  };
}

/** One row per frame: frame, seconds, then every channel (the NIM sample client's layout). */
export function toCsv(anim: FaceAnimation): string {
  const n = anim.channels.length;
  const lines = [['frame', 'timeCode', ...anim.channels].join(',')];
  for (let f = 0; f < anim.frameCount; f++) {
    const row = Array.from(anim.weights.subarray(f * n, f * n + n), (w) => String(Math.fround(w)));
    lines.push([String(f), String(frameSeconds(f, anim.fps)), ...row].join(','));
  }
  return lines.join('\n') + '\n';
}
