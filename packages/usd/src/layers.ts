// Animation layers that compose onto a character asset (docs/usd-layers.md#patterns):
//  - "override": one layer of `over` prims down to the Skeleton (SkelBindingAPI +
//    skel:animationSource) plus a `def SkelAnimation` child of the SkelRoot, optionally sublayering
//    the character so the file opens on its own as the animated character;
//  - "reference": a standalone SkelAnimation asset plus a shot layer that references the character
//    and the animation and points the Skeleton at it.
// The prim paths are the character's composed paths, and the character is named as the user gave
// it (.usda, .usdc, .usd or .usdz); variant selections chosen with --variant are authored too, so
// the layer composes the character the animation was made for (docs/usd-reading.md).
import {
  fpsValue,
  quatMultiply,
  quatNormalize,
  validateFaceAnimation,
  type BindingPreset,
  type FaceAnimation,
  type Quat,
} from '@a2f/animation';
import { bindAnimation, type AnimationBinding, type BindOptions, type BindingReport } from './bind.js';
import { channelMotion } from './motion.js';
import { toIdentifier, uniqueIdentifier } from './escape.js';
import type { CharacterInfo } from './inspect.js';
import { provenanceDictionary } from './provenance.js';
import { writeLayer, writeToString, type AttributeSpec, type LayerSpec, type MetadataEntry, type PrimSpec, type Sink } from './writer.js';

export type Layering = 'override' | 'reference';

export interface AnimationLayerOptions {
  readonly layering: Layering;
  readonly preset: BindingPreset;
  /** Take/line name; the SkelAnimation prim's name derives from it (see toIdentifier). */
  readonly name: string;
  /**
   * Stem of the layer file names, used as given (the caller makes it file-system safe); default:
   * toIdentifier(name). File names are the user's names; only prim names must be identifiers.
   */
  readonly fileStem?: string;
  /**
   * The character as the layer writes it, the user's file in any USD form, relative to where the
   * layers are written when it can be: `../character/face.usd`, `./hero.usdz`.
   */
  readonly characterAssetPath: string;
  /**
   * Override pattern: list the character as a sublayer so the file opens on its own as the
   * animated character (default). Set false when a shot layer lists [anim, character] itself.
   */
  readonly sublayerCharacter?: boolean;
  /** Name of the SkelAnimation prim (default: from `name`, unique among the SkelRoot's children). */
  readonly animationPrimName?: string;
  /**
   * Metres per unit of the animation's joint translation offsets (default 0.01: A2F works in
   * centimetres). Offsets are scaled by this over the character's metersPerUnit.
   */
  readonly animationMetersPerUnit?: number;
  /** Jaw mode and channel filters (docs/animation-controls.md); recorded in the provenance. */
  readonly bind?: BindOptions;
  /** More entries for the `a2f` provenance dictionary. */
  readonly provenance?: Readonly<Record<string, unknown>>;
}

export interface AnimationLayer {
  readonly role: 'override' | 'animation' | 'shot';
  /** `<name>.usda`, `<name>.anim.usda` or `<name>.shot.usda`. */
  readonly fileName: string;
  /** Streams the layer text to `sink` in chunks. */
  write(sink: Sink): void;
  /** The whole layer text. */
  text(): string;
}

export interface AnimationLayers {
  readonly layers: readonly AnimationLayer[];
  readonly report: BindingReport;
}

const meta = {
  double: (key: string, value: number): MetadataEntry => ({ key, value: { kind: 'double', value } }),
  token: (key: string, value: string): MetadataEntry => ({ key, value: { kind: 'token', value } }),
};

/** Rest · delta with the sign kept continuous between frames, so slerp never takes the long way. */
function composeRotation(rest: Quat, delta: ArrayLike<number>, offset: number, previous: Quat | undefined): Quat {
  const q = quatNormalize(quatMultiply(rest, [delta[offset], delta[offset + 1], delta[offset + 2], delta[offset + 3]]));
  const dot = previous ? q[0] * previous[0] + q[1] * previous[1] + q[2] * previous[2] + q[3] * previous[3] : q[0];
  return dot < 0 ? [-q[0], -q[1], -q[2], -q[3]] : q;
}

function varies(values: Float32Array, stride: number, frames: number): boolean {
  for (let f = 1; f < frames; f++) for (let k = 0; k < stride; k++) if (values[f * stride + k] !== values[k]) return true;
  return false;
}

/** The SkelAnimation's attributes; time samples are computed frame by frame while writing. */
function skelAnimationAttributes(
  anim: FaceAnimation,
  character: CharacterInfo,
  binding: AnimationBinding,
  unitScale: number,
): AttributeSpec[] {
  const { frameCount } = anim;
  const joints = binding.joints;
  const rest = joints.map((j) => character.skeleton.rest[j.skeletonIndex]);
  const translationsAt = (f: number, out: Float32Array): Float32Array => {
    joints.forEach((j, i) => {
      for (let k = 0; k < 3; k++) out[i * 3 + k] = rest[i].translation[k] + j.track.translations[f * 3 + k] * unitScale;
    });
    return out;
  };
  const rotationSamples = function* (): Generator<[number, Float32Array]> {
    const out = new Float32Array(joints.length * 4);
    const previous: (Quat | undefined)[] = joints.map(() => undefined);
    for (let f = 0; f < frameCount; f++) {
      joints.forEach((j, i) => {
        const q = composeRotation(rest[i].rotation, j.track.rotations, f * 4, previous[i]);
        previous[i] = q;
        out.set(q, i * 4);
      });
      yield [f, out];
    }
  };
  const rotationsAnimated = joints.some((j) => varies(j.track.rotations, 4, frameCount));
  const translationsAnimated = joints.some((j) => varies(j.track.translations, 3, frameCount));
  const n = binding.blendShapes.length;
  const channels = anim.channels.length;
  const weightSamples = function* (): Generator<[number, Float32Array]> {
    const out = new Float32Array(n);
    for (let f = 0; f < frameCount; f++) {
      for (let i = 0; i < n; i++) out[i] = anim.weights[f * channels + binding.blendShapes[i].column];
      yield [f, out];
    }
  };
  const first = <T>(samples: () => Generator<[number, T]>): T => samples().next().value![1];
  return [
    { kind: 'attribute', name: 'joints', type: 'token[]', uniform: true, default: joints.map((j) => j.token) },
    translationsAnimated
      ? {
          kind: 'attribute',
          name: 'translations',
          type: 'float3[]',
          timeSamples: function* () {
            const out = new Float32Array(joints.length * 3);
            for (let f = 0; f < frameCount; f++) yield [f, translationsAt(f, out)] as const;
          },
        }
      : { kind: 'attribute', name: 'translations', type: 'float3[]', default: translationsAt(0, new Float32Array(joints.length * 3)) },
    rotationsAnimated
      ? { kind: 'attribute', name: 'rotations', type: 'quatf[]', timeSamples: rotationSamples }
      : { kind: 'attribute', name: 'rotations', type: 'quatf[]', default: joints.length ? first(rotationSamples) : [] },
    { kind: 'attribute', name: 'scales', type: 'half3[]', default: rest.flatMap((r) => r.scale) },
    { kind: 'attribute', name: 'blendShapes', type: 'token[]', uniform: true, default: binding.blendShapes.map((b) => b.token) },
    // The zero default is for TinyUSDZ, which rejects sampled-only weights; USD prefers the samples.
    { kind: 'attribute', name: 'blendShapeWeights', type: 'float[]', default: new Float32Array(n), timeSamples: weightSamples },
    ...emotionAttributes(anim),
  ];
}

/**
 * The explicit emotion the network took, one `custom float a2f:emotion:<name>` curve per emotion, so an
 * animator sees and can edit it (docs/usd-layers.md#emotion-curves). Only for lines whose emotion came from the voice.
 */
function emotionAttributes(anim: FaceAnimation): AttributeSpec[] {
  const e = anim.emotions;
  if (!e) return [];
  const width = e.names.length;
  return e.names.map((name, i) => ({
    kind: 'attribute',
    name: `a2f:emotion:${toIdentifier(name)}`,
    type: 'float',
    custom: true,
    timeSamples: function* () {
      for (let f = 0; f < anim.frameCount; f++) yield [f, e.values[f * width + i]] as const;
    },
  }));
}

/** Merges prims of the same name at each level (over chains built apart that share ancestors). */
function mergePrims(prims: readonly PrimSpec[]): PrimSpec[] {
  const out: PrimSpec[] = [];
  for (const p of prims) {
    const i = out.findIndex((q) => q.name === p.name);
    if (i < 0) {
      out.push(p);
      continue;
    }
    const q = out[i];
    out[i] = {
      ...q,
      specifier: q.specifier === 'over' ? p.specifier : q.specifier,
      ...((q.typeName ?? p.typeName) ? { typeName: q.typeName ?? p.typeName } : {}),
      metadata: [...(q.metadata ?? []), ...(p.metadata ?? [])],
      properties: [...(q.properties ?? []), ...(p.properties ?? [])],
      children: mergePrims([...(q.children ?? []), ...(p.children ?? [])]),
    };
  }
  return out;
}

/**
 * `over` prims authoring the variant selections the caller chose (--variant) on the prims that hold
 * those sets, so the layer composes the same variant the animation was bound to; only prims under
 * `within` (a reference pattern's shot holds the referenced prim alone).
 */
function variantOvers(character: CharacterInfo, within?: string): PrimSpec[] {
  const byPrim = new Map<string, Record<string, string>>();
  for (const v of character.variants) {
    if (!v.requested || (within && v.path !== within && !v.path.startsWith(`${within}/`))) continue;
    byPrim.set(v.path, { ...byPrim.get(v.path), [v.set]: v.selection });
  }
  return [...byPrim].flatMap(([primPath, selections]) => {
    const names = primPath.split('/').slice(1);
    const leaf: PrimSpec = {
      specifier: 'over',
      name: names[names.length - 1],
      metadata: [{ key: 'variants', value: { kind: 'dictionary', value: selections } }],
    };
    return overChain(names.slice(0, -1), [leaf]);
  });
}

/** The selections the caller chose, by set (for the provenance); undefined when none. */
function requestedVariants(character: CharacterInfo): Record<string, string> | undefined {
  const chosen = character.variants.filter((v) => v.requested);
  return chosen.length ? Object.fromEntries(chosen.map((v) => [v.set, v.selection])) : undefined;
}

/** Nests `leaf` under `over` prims named by `names` (outermost first). */
function overChain(names: readonly string[], leaf: PrimSpec[]): PrimSpec[] {
  return names.reduceRight<PrimSpec[]>((children, name) => [{ specifier: 'over', name, children }], leaf);
}

function skeletonOver(relPath: readonly string[], animationPath: string): PrimSpec[] {
  const skel: PrimSpec = {
    specifier: 'over',
    name: relPath[relPath.length - 1],
    metadata: [{ key: 'apiSchemas', op: 'prepend', value: { kind: 'tokens', value: ['SkelBindingAPI'] } }],
    properties: [{ kind: 'relationship', name: 'skel:animationSource', targets: [animationPath] }],
  };
  return overChain(relPath.slice(0, -1), [skel]);
}

const layerOf = (role: AnimationLayer['role'], fileName: string, spec: LayerSpec): AnimationLayer => ({
  role,
  fileName,
  write: (sink) => writeLayer(spec, sink),
  text: () => writeToString((sink) => writeLayer(spec, sink)),
});

/** Builds the layer(s) that put `anim` onto `character`, and the binding report. */
export function buildAnimationLayers(anim: FaceAnimation, character: CharacterInfo, opts: AnimationLayerOptions): AnimationLayers {
  validateFaceAnimation(anim);
  if (anim.frameCount < 1) throw new Error(`cannot write an animation layer for "${opts.name}": the animation has no frames`);
  const binding = bindAnimation(anim, character, opts.preset, opts.bind);
  const animMpu = opts.animationMetersPerUnit ?? 0.01;
  if (!(animMpu > 0)) throw new Error(`animationMetersPerUnit must be positive, got ${animMpu}`);
  const unitScale = animMpu / character.metersPerUnit;
  const notes = [...binding.report.notes];
  if (unitScale !== 1 && binding.joints.length)
    notes.push(
      `joint translation offsets scaled by ${unitScale} (animation ${animMpu} m/unit, character ${character.metersPerUnit} m/unit)`,
    );
  const report: BindingReport = { ...binding.report, notes, channels: channelMotion(anim, binding) };
  const filter = opts.bind?.channels;
  const bindingProvenance = {
    preset: opts.preset.name,
    character: opts.characterAssetPath,
    ...(requestedVariants(character) ? { variants: requestedVariants(character) } : {}),
    layering: opts.layering,
    jaw: { ...report.jaw },
    ...(filter?.include ? { channels: filter.include } : {}),
    ...(filter?.exclude ? { excludeChannels: filter.exclude } : {}),
  };

  const base = opts.fileStem ?? toIdentifier(opts.name);
  const animName = opts.animationPrimName ?? uniqueIdentifier(opts.name, new Set(character.skelRoot.childNames));
  if (opts.animationPrimName && character.skelRoot.childNames.includes(animName)) {
    throw new Error(`animation prim name "${animName}" clashes with an existing child of <${character.skelRoot.path}>`);
  }
  const fps = fpsValue(anim.fps);
  const timeMeta = [
    meta.double('endTimeCode', anim.frameCount - 1),
    meta.double('framesPerSecond', fps),
    meta.double('metersPerUnit', character.metersPerUnit),
    meta.double('startTimeCode', 0),
  ];
  const tail = [meta.double('timeCodesPerSecond', fps), meta.token('upAxis', character.upAxis)];
  const provenance = (): MetadataEntry => ({
    key: 'customLayerData',
    value: { kind: 'dictionary', value: { a2f: provenanceDictionary(anim, { binding: bindingProvenance, ...opts.provenance }) } },
  });
  const animPrim: PrimSpec = {
    specifier: 'def',
    typeName: 'SkelAnimation',
    name: animName,
    properties: skelAnimationAttributes(anim, character, binding, unitScale),
  };
  const rootNames = character.skelRoot.path.split('/').slice(1);
  const skelRel = character.skeleton.path.slice(character.skelRoot.path.length + 1).split('/');

  if (opts.layering === 'override') {
    const subLayers: MetadataEntry[] =
      opts.sublayerCharacter === false ? [] : [{ key: 'subLayers', value: { kind: 'subLayers', value: [opts.characterAssetPath] } }];
    const spec: LayerSpec = {
      metadata: [provenance(), meta.token('defaultPrim', rootNames[0]), ...timeMeta, ...subLayers, ...tail],
      prims: mergePrims([
        ...variantOvers(character),
        ...overChain(rootNames, [...skeletonOver(skelRel, `${character.skelRoot.path}/${animName}`), animPrim]),
      ]),
    };
    return { layers: [layerOf('override', `${base}.usda`, spec)], report };
  }

  // Reference pattern: the shot references the character's defaultPrim when it contains the
  // SkelRoot, else the SkelRoot's top-level ancestor by path; paths below are in the shot's namespace.
  const refTop = character.defaultPrim === rootNames[0] ? undefined : `/${rootNames[0]}`;
  const animFile = `${base}.anim.usda`;
  const animSpec: LayerSpec = {
    metadata: [provenance(), meta.token('defaultPrim', animName), ...timeMeta, ...tail],
    prims: [animPrim],
  };
  const animRef: PrimSpec = {
    specifier: 'def',
    name: animName,
    metadata: [{ key: 'references', op: 'prepend', value: { kind: 'references', value: [{ asset: `./${animFile}` }] } }],
  };
  const top: PrimSpec = {
    specifier: 'def',
    name: rootNames[0],
    metadata: [
      { key: 'references', op: 'prepend', value: { kind: 'references', value: [{ asset: opts.characterAssetPath, primPath: refTop }] } },
    ],
    children: overChain(rootNames.slice(1), [...skeletonOver(skelRel, `${character.skelRoot.path}/${animName}`), animRef]),
  };
  const shotSpec: LayerSpec = {
    metadata: [provenance(), meta.token('defaultPrim', rootNames[0]), ...timeMeta, ...tail],
    prims: mergePrims([top, ...variantOvers(character, `/${rootNames[0]}`)]),
  };
  return { layers: [layerOf('animation', animFile, animSpec), layerOf('shot', `${base}.shot.usda`, shotSpec)], report };
}
