// .usda writing throughput: the pipeline's real output (the coefficient path's FaceAnimation on
// the v2.3-shaped network's frames: 52 skin + 16 tongue blendshapes, jaw and eye joints) repeated
// to the length of a long line, written the way the pipeline writes a layer (streaming text into
// an atomic file write, fsync included).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { createFaceAnimation, type FaceAnimation } from '@a2f/animation';
import { loadPreset, writeFileAtomic } from '@a2f/pipeline';
import { buildAnimationLayers, inspectCharacter } from '@a2f/usd';
import { seconds } from './clock.js';
import type { UsdWriteFigures } from './report.js';

/** `source` tiled to `frames` frames. */
function tiled(source: FaceAnimation, frames: number): FaceAnimation {
  const anim = createFaceAnimation({ fps: source.fps, frameCount: frames, channels: source.channels, joints: source.joints.map((j) => j.name), provenance: source.provenance });
  const c = source.channels.length;
  for (let f = 0; f < frames; f++) {
    const from = f % source.frameCount;
    anim.weights.set(source.weights.subarray(from * c, (from + 1) * c), f * c);
    anim.joints.forEach((joint, j) => {
      joint.rotations.set(source.joints[j]!.rotations.subarray(from * 4, from * 4 + 4), f * 4);
      joint.translations.set(source.joints[j]!.translations.subarray(from * 3, from * 3 + 3), f * 3);
    });
  }
  return anim;
}

export function measureUsdWrite(source: FaceAnimation, frames: number, character: string, outDir: string): UsdWriteFigures {
  const anim = tiled(source, frames);
  const info = inspectCharacter(readFileSync(character, 'utf8'), character);
  const { layers } = buildAnimationLayers(anim, info, { layering: 'override', preset: loadPreset('arkit'), name: 'bench_write', characterAssetPath: `./${path.basename(character)}`, sublayerCharacter: true });
  const t = performance.now();
  let bytes = 0;
  for (const layer of layers) {
    const out = path.join(outDir, layer.fileName);
    writeFileAtomic(out, (sink) => layer.write(sink));
    bytes += statSync(out).size;
  }
  const s = seconds(t);
  return { frames, channels: anim.channels.length + anim.joints.length, bytes, seconds: s, megabytesPerSecond: bytes / 1e6 / s };
}
