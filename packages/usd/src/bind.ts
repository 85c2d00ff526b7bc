// Which of our channels drive which of the character's blendshapes and joints. USD matches tokens
// exactly and says nothing about mismatches, so every unmatched name on either side is reported.
import { matchChannels, type BindingPreset, type FaceAnimation, type JointTrack, type MatchResult } from '@a2f/animation';
import type { CharacterInfo } from './inspect.js';

export interface BindingReport {
  readonly preset: string;
  readonly character: string;
  /** Our blendshape channels → the meshes' `skel:blendShapes` tokens. */
  readonly blendShapes: MatchResult;
  /** Our joint channels (jaw, eye_L, eye_R, tongue) → the Skeleton's joint tokens. */
  readonly joints: MatchResult;
  /** The character's notes plus anything assumed while binding. */
  readonly notes: readonly string[];
}

export interface BoundBlendShape {
  /** The asset's token, as written into the SkelAnimation's `blendShapes`. */
  readonly token: string;
  /** Column of the channel in `FaceAnimation.weights`. */
  readonly column: number;
}

export interface BoundJoint {
  /** The Skeleton's joint token (full path). */
  readonly token: string;
  /** Index of the joint in the Skeleton's `joints` (for its rest pose). */
  readonly skeletonIndex: number;
  readonly track: JointTrack;
}

export interface AnimationBinding {
  readonly report: BindingReport;
  /** In our channel order. */
  readonly blendShapes: readonly BoundBlendShape[];
  /** In the Skeleton's joint order (parents first), as UsdSkel lists joints. */
  readonly joints: readonly BoundJoint[];
}

export function bindAnimation(anim: FaceAnimation, character: CharacterInfo, preset: BindingPreset): AnimationBinding {
  const blendShapes = matchChannels(anim.channels, character.blendShapes, preset.blendShapes);
  const joints = matchChannels(anim.joints.map((j) => j.name), character.skeleton.joints, preset.joints);
  const column = new Map(anim.channels.map((c, i) => [c, i]));
  const track = new Map(anim.joints.map((j) => [j.name, j]));
  const skelIndex = new Map(character.skeleton.joints.map((j, i) => [j, i]));
  const notes = [...character.notes];
  if (blendShapes.matches.length === 0 && anim.channels.length > 0) {
    notes.push(`none of the ${anim.channels.length} blendshape channels matched the character's ${character.blendShapes.length} blendshapes; check the binding preset "${preset.name}"`);
  }
  return {
    report: { preset: preset.name, character: character.file, blendShapes, joints, notes },
    blendShapes: blendShapes.matches.map((m) => ({ token: m.target, column: column.get(m.source)! })),
    joints: joints.matches
      .map((m) => ({ token: m.target, skeletonIndex: skelIndex.get(m.target)!, track: track.get(m.source)! }))
      .sort((a, b) => a.skeletonIndex - b.skeletonIndex),
  };
}
