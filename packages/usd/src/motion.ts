// What each of our channels did over a line, measured on the values the layer holds: weights as
// float32 (what the layer reads back as), joints as their rotation away from the rest pose.
import type { FaceAnimation } from '@a2f/animation';
import type { AnimationBinding, ChannelMotion } from './bind.js';

const DEGREES = 180 / Math.PI;

/** One entry per channel of the model (blendshapes, then joints), written or not. */
export function channelMotion(anim: FaceAnimation, binding: AnimationBinding): ChannelMotion[] {
  const { frameCount, weights } = anim;
  const n = anim.channels.length;
  const shapeTarget = new Map(binding.report.blendShapes.matches.map((m) => [m.source, m.target]));
  const jointTarget = new Map(binding.report.joints.matches.map((m) => [m.source, m.target]));
  const why = new Map(binding.report.dropped.map((d) => [d.channel, d.why]));
  const unbound = (channel: string) => why.get(channel) ?? 'nothing on the character matches it';

  const shapes = anim.channels.map((channel, c): ChannelMotion => {
    let min = Infinity;
    let max = -Infinity;
    for (let f = 0; f < frameCount; f++) {
      const v = weights[f * n + c];
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const boundTo = shapeTarget.get(channel) ?? null;
    return { channel, kind: 'blendShape', boundTo, min, max, animated: max > min, ...(boundTo === null ? { why: unbound(channel) } : {}) };
  });
  const joints = anim.joints.map((j): ChannelMotion => {
    let min = Infinity;
    let max = -Infinity;
    let maxOffset = 0;
    let animated = false;
    for (let f = 0; f < frameCount; f++) {
      // The angle of the relative rotation: 2·acos|w| of the unit quaternion (w, x, y, z).
      const angle = 2 * Math.acos(Math.min(1, Math.abs(j.rotations[f * 4]))) * DEGREES;
      if (angle < min) min = angle;
      if (angle > max) max = angle;
      maxOffset = Math.max(maxOffset, Math.hypot(j.translations[f * 3], j.translations[f * 3 + 1], j.translations[f * 3 + 2]));
      if (!animated && f > 0) {
        for (let k = 0; k < 4 && !animated; k++) animated = j.rotations[f * 4 + k] !== j.rotations[k];
        for (let k = 0; k < 3 && !animated; k++) animated = j.translations[f * 3 + k] !== j.translations[k];
      }
    }
    const boundTo = jointTarget.get(j.name) ?? null;
    return {
      channel: j.name,
      kind: 'joint',
      boundTo,
      min,
      max,
      maxOffset,
      animated,
      ...(boundTo === null ? { why: unbound(j.name) } : {}),
    };
  });
  return [...shapes, ...joints];
}
