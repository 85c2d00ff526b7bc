// Which of our channels drive which of the character's blendshapes and joints. USD matches tokens
// exactly and says nothing about mismatches, so every unmatched name on either side is reported.
import {
  filterChannels,
  isJawBlendshape,
  matchChannels,
  matchKey,
  JAW_JOINT_CHANNEL,
  type BindingPreset,
  type ChannelFilter,
  type ChannelMatch,
  type FaceAnimation,
  type JawMode,
  type JointTrack,
  type MatchResult,
} from '@a2f/animation';
import type { CharacterInfo, SkeletonCandidate, SkeletonChooser, SkeletonPick } from './inspect.js';

/** The user's animation controls that act at binding (docs/animation-controls.md). */
export interface BindOptions {
  /** default 'auto': decided per character by chooseJawMode */
  readonly jaw?: JawMode | 'auto';
  readonly channels?: ChannelFilter;
}

export interface JawChoice {
  readonly requested: JawMode | 'auto';
  readonly mode: JawMode;
  readonly reason: string;
}

/** One of our channels that is not written, and why (a filter, the jaw mode). */
export interface DroppedChannel {
  readonly channel: string;
  readonly why: string;
}

/** What a written channel did over the line; added by buildAnimationLayers (see motion.ts). */
export interface ChannelMotion {
  readonly channel: string;
  readonly kind: 'blendShape' | 'joint';
  /** the asset's token it drives; null when not written (see `why`) */
  readonly boundTo: string | null;
  /** blendshapes: weight; joints: degrees of rotation away from the rest pose */
  readonly min: number;
  readonly max: number;
  /** joints: largest translation offset from rest, in the animation's centimetres */
  readonly maxOffset?: number;
  /** the written value changes during the line */
  readonly animated: boolean;
  readonly why?: string;
}

export interface BindingReport {
  readonly preset: string;
  readonly character: string;
  /** Our blendshape channels → the meshes' `skel:blendShapes` tokens. */
  readonly blendShapes: MatchResult;
  /** Our joint channels (jaw, eye_L, eye_R, tongue) → the Skeleton's joint tokens. */
  readonly joints: MatchResult;
  /** The character's notes plus anything assumed while binding. */
  readonly notes: readonly string[];
  readonly jaw: JawChoice;
  /** our channels left out by --channels/--exclude-channels or by the jaw mode */
  readonly dropped: readonly DroppedChannel[];
  /** per channel of the model: what it drives and how it moved (written layers only) */
  readonly channels?: readonly ChannelMotion[];
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

/** Our channel names, as a model declares them, for binding without an animation (inspect). */
export interface ModelChannelNames {
  readonly blendShapes: readonly string[];
  readonly joints: readonly string[];
}

/**
 * Picks, among several Skeletons, the one whose bound meshes carry the most of the model's
 * blendshape channels (matched as a run binds them: preset renames, then loose names); ties go to
 * the one whose joints our joint channels bind most, then to the first on the stage. A face rig
 * beside a body rig or a crowd of rigs is then bound by what the animation can drive.
 */
export function skeletonByChannels(names: ModelChannelNames, preset: BindingPreset): SkeletonChooser {
  return (candidates: readonly SkeletonCandidate[]): SkeletonPick => {
    const scored = candidates.map((c) => ({
      c,
      shapes: matchChannels(names.blendShapes, c.blendShapes, preset.blendShapes).matches.length,
      joints: matchChannels(names.joints, c.joints, preset.joints).matches.length,
    }));
    const best = scored.reduce((a, b) => (b.shapes > a.shapes || (b.shapes === a.shapes && b.joints > a.joints) ? b : a));
    const others = scored
      .filter((s) => s !== best)
      .map((s) => `<${s.c.path}> ${s.shapes}`)
      .join(', ');
    const carried = `whose meshes carry ${best.shapes} of the model's ${names.blendShapes.length} blendshape channels`;
    const tie = scored.some((s) => s !== best && s.shapes === best.shapes)
      ? ` and whose joints bind ${best.joints} of its ${names.joints.length} joint channels`
      : '';
    return { path: best.c.path, reason: `${carried}${tie} (others: ${others}); --skeleton picks another` };
  };
}

/** Binds the channel names alone: exactly the matching a run does, for `a2f inspect`. */
export function bindChannels(
  names: ModelChannelNames,
  character: CharacterInfo,
  preset: BindingPreset,
  opts: BindOptions = {},
): BindingReport {
  return bindNames(names, character, preset, opts, 'this model').report;
}

/**
 * The jaw rule for 'auto': 'blendshape' when a mesh carrying the jawOpen shape is also skinned to
 * the jaw joint (or a joint below it), since driving both opens that mesh twice; 'both' otherwise,
 * where the shape and the joint move different meshes (or one of them is missing).
 */
export function chooseJawMode(
  character: CharacterInfo,
  jawJoint: string | undefined,
  jawOpen: string | undefined,
): Omit<JawChoice, 'requested'> {
  if (jawJoint === undefined)
    return { mode: 'both', reason: 'the character has no joint our jaw channel binds to, so only the jaw blendshapes can move the jaw' };
  if (jawOpen === undefined)
    return { mode: 'both', reason: `the character has no jawOpen blendshape, so only the jaw joint "${jawJoint}" can open the jaw` };
  const moves = (j: string) => j === jawJoint || j.startsWith(`${jawJoint}/`);
  const twice = character.meshes.find((m) => m.blendShapes.includes(jawOpen) && m.skinnedJoints.some(moves));
  if (twice) {
    return {
      mode: 'blendshape',
      reason:
        `mesh <${twice.path}> carries "${jawOpen}" and is skinned to the jaw joint "${jawJoint}": ` +
        `driving both would open it twice, so the sculpted shape alone opens the jaw`,
    };
  }
  const carriers = character.meshes
    .filter((m) => m.blendShapes.includes(jawOpen))
    .map((m) => `<${m.path}>`)
    .join(', ');
  return {
    mode: 'both',
    reason:
      `"${jawOpen}" is on ${carriers}, which no jaw joint influence moves: the ` +
      `shape opens the face and the joint "${jawJoint}" moves what is skinned to it`,
  };
}

function bindNames(names: ModelChannelNames, character: CharacterInfo, preset: BindingPreset, opts: BindOptions, modelName: string) {
  const all = [...names.blendShapes, ...names.joints];
  const { excluded } = opts.channels ? filterChannels(all, opts.channels, modelName) : { excluded: [] as string[] };
  const out = new Set(excluded);
  const dropped: DroppedChannel[] = excluded.map((channel) => ({ channel, why: 'left out by --channels/--exclude-channels' }));
  const blendMatch = matchChannels(
    names.blendShapes.filter((c) => !out.has(c)),
    character.blendShapes,
    preset.blendShapes,
  );
  const jointMatch = matchChannels(
    names.joints.filter((c) => !out.has(c)),
    character.skeleton.joints,
    preset.joints,
  );

  const requested = opts.jaw ?? 'auto';
  const jawJoint = jointMatch.matches.find((m) => m.source === JAW_JOINT_CHANNEL);
  const jawOpen = blendMatch.matches.find((m) => matchKey(m.source) === 'jawopen');
  const chosen =
    requested === 'auto' ? chooseJawMode(character, jawJoint?.target, jawOpen?.target) : { mode: requested, reason: 'chosen with --jaw' };
  const jaw: JawChoice = { requested, ...chosen };
  const notes = [...character.notes];
  const keepJoint = jaw.mode !== 'blendshape';
  const keepShapes = jaw.mode !== 'joint';
  if (jaw.mode === 'joint' && !jawJoint)
    notes.push(`--jaw joint, but the character has no joint our "${JAW_JOINT_CHANNEL}" channel binds to: nothing opens the jaw`);
  if (jaw.mode === 'blendshape' && !blendMatch.matches.some((m) => isJawBlendshape(m.source)))
    notes.push('--jaw blendshape, but no jaw blendshape (jawOpen…) is bound: nothing opens the jaw');
  const drop = (result: MatchResult, keep: (m: ChannelMatch) => boolean, why: string): MatchResult => {
    const gone = result.matches.filter((m) => !keep(m));
    for (const m of gone) dropped.push({ channel: m.source, why });
    return {
      matches: result.matches.filter(keep),
      unmatchedSource: result.unmatchedSource,
      unmatchedTarget: [...result.unmatchedTarget, ...gone.map((m) => m.target)],
    };
  };
  const blendShapes = drop(blendMatch, (m) => keepShapes || !isJawBlendshape(m.source), `--jaw ${jaw.mode}: the jaw joint moves the jaw`);
  const joints = drop(
    jointMatch,
    (m) => keepJoint || m.source !== JAW_JOINT_CHANNEL,
    `--jaw ${jaw.mode}: the jaw blendshapes move the jaw`,
  );
  if (blendShapes.matches.length === 0 && names.blendShapes.length > 0 && excluded.length === 0) {
    notes.push(
      `none of the ${names.blendShapes.length} blendshape channels matched the character's ` +
        `${character.blendShapes.length} blendshapes; check the binding preset "${preset.name}"`,
    );
  }
  return { report: { preset: preset.name, character: character.file, blendShapes, joints, notes, jaw, dropped }, blendShapes, joints };
}

export function bindAnimation(
  anim: FaceAnimation,
  character: CharacterInfo,
  preset: BindingPreset,
  opts: BindOptions = {},
): AnimationBinding {
  const { report, blendShapes, joints } = bindNames(
    { blendShapes: anim.channels, joints: anim.joints.map((j) => j.name) },
    character,
    preset,
    opts,
    `model "${anim.provenance.model.id}"`,
  );
  const column = new Map(anim.channels.map((c, i) => [c, i]));
  const track = new Map(anim.joints.map((j) => [j.name, j]));
  const skelIndex = new Map(character.skeleton.joints.map((j, i) => [j, i]));
  return {
    report,
    blendShapes: blendShapes.matches.map((m) => ({ token: m.target, column: column.get(m.source)! })),
    joints: joints.matches
      .map((m) => ({ token: m.target, skeletonIndex: skelIndex.get(m.target)!, track: track.get(m.source)! }))
      .sort((a, b) => a.skeletonIndex - b.skeletonIndex),
  };
}
