// .usda writing throughput: the pipeline's real output (the coefficient path's FaceAnimation on
// the v2.3-shaped network's frames: 52 skin + 16 tongue blendshapes, jaw and eye joints) repeated
// to the length of a long line, streamed to a file by the pipeline's own streaming write.
import { closeSync, fsyncSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createFaceAnimation, type FaceAnimation } from '@a2f/animation';
import { loadPreset, writeTextStream } from '@a2f/pipeline';
import { buildAnimationLayers, inspectCharacter } from '@a2f/usd';
import { seconds } from './clock.js';
import type { UsdWriteFigures } from './report.js';

/** `source` tiled to `frames` frames. */
function tiled(source: FaceAnimation, frames: number): FaceAnimation {
  const anim = createFaceAnimation({
    fps: source.fps,
    frameCount: frames,
    channels: source.channels,
    joints: source.joints.map((j) => j.name),
    provenance: source.provenance,
  });
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

/**
 * Writes the layer as the pipeline does (writeTextStream: ~1 MB writes) and times it twice over:
 * up to the last write() (the writer's throughput: formatting and handing the text to the OS) and
 * up to fsync (durable on disk, which depends on the disk and whatever else writes to it).
 */
export function measureUsdWrite(
  source: FaceAnimation,
  frames: number,
  character: string,
  outDir: string,
  minSeconds: number,
): UsdWriteFigures {
  const info = inspectCharacter(readFileSync(character, 'utf8'), character);
  const build = (anim: FaceAnimation) =>
    buildAnimationLayers(anim, info, {
      layering: 'override',
      preset: loadPreset('arkit'),
      name: 'bench_write',
      characterAssetPath: `./${path.basename(character)}`,
      sublayerCharacter: true,
    });
  // A short layer first, untimed: the figure is the steady rate of a long layer, not the JIT's warm-up.
  for (const layer of build(tiled(source, Math.min(frames, 2000))).layers) layer.write(() => undefined);
  const anim = tiled(source, frames);
  const { layers } = build(anim);
  let bytes = 0;
  let written = 0;
  let synced = 0;
  let reps = 0;
  // the whole layer set again (each file rewritten) until enough writing time is behind the figure
  while (reps < 1 || written < minSeconds) {
    reps++;
    for (const layer of layers) {
      const out = path.join(outDir, layer.fileName);
      const fd = openSync(out, 'w');
      try {
        const t = performance.now();
        // the pipeline's own streaming write (writeFileAtomic's), fsync timed apart
        bytes += writeTextStream(fd, (sink) => layer.write(sink));
        written += seconds(t);
        const s = performance.now();
        fsyncSync(fd);
        synced += seconds(s);
      } finally {
        closeSync(fd);
      }
    }
  }
  return {
    frames,
    channels: anim.channels.length + anim.joints.length,
    bytes: bytes / reps,
    seconds: written / reps,
    reps,
    megabytesPerSecond: bytes / 1e6 / written,
    fsyncSeconds: synced / reps,
    durableMegabytesPerSecond: bytes / 1e6 / (written + synced),
  };
}
