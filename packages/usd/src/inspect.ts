// What an animation layer needs to know about a character asset: the SkelRoot, the Skeleton (joint
// tokens, rest and bind poses), the meshes bound to it with their blendshape tokens, and the stage
// metadata. A file is read as USD composes it (openStage: sublayers, references, payloads, variants,
// inherits; any format), so the paths are the composed prim paths a layer over the asset uses, and
// each part says which layer and spec it came from (docs/usd-reading.md).
import { UsdError, type UsdErrorCode } from './errors.js';
import { fileOnDisk } from './layer-file.js';
import { openStage } from './stage.js';
import {
  metadataValue,
  parseUsda,
  type UsdaLayer,
  type UsdaMetadata,
  type UsdaOrigin,
  type UsdaPrim,
  type UsdaProperty,
  type UsdaValue,
} from './usda-parser.js';
import { decomposeMatrix, jointParents, localFromWorld, worldFromLocal, type JointTransform } from './transforms.js';

export interface SkeletonInfo {
  readonly path: string;
  readonly line: number;
  /** The layer and spec path of the strongest opinion that made the prim. */
  readonly origin: UsdaOrigin;
  /** The Skeleton's `joints` tokens (full paths such as `root/head/jaw`), parents first. */
  readonly joints: readonly string[];
  /** Joint-local rest pose per joint. */
  readonly rest: readonly JointTransform[];
  /** World-space bind pose per joint. */
  readonly bind: readonly JointTransform[];
  /** Where the rest pose came from: the authored restTransforms, or derived from bindTransforms. */
  readonly restSource: 'restTransforms' | 'bindTransforms';
}

export interface MeshInfo {
  readonly path: string;
  readonly line: number;
  readonly origin: UsdaOrigin;
  readonly blendShapes: readonly string[];
  readonly blendShapeTargets: readonly string[];
  /** The bound Skeleton (own or inherited `skel:skeleton`), if any. */
  readonly skeleton?: string;
  /**
   * Skeleton joint tokens that move some point of this mesh (a joint index with a weight above 0 in
   * its skinning primvars); empty when the mesh has no joint influences.
   */
  readonly skinnedJoints: readonly string[];
}

/** One Skeleton under a SkelRoot that an animation could drive, with what its bound meshes carry. */
export interface SkeletonCandidate {
  readonly path: string;
  readonly skelRoot: string;
  readonly origin: UsdaOrigin;
  /** Its `joints` tokens as authored (checked only for the chosen Skeleton). */
  readonly joints: readonly string[];
  /** Meshes under the SkelRoot bound to it (own or inherited `skel:skeleton`). */
  readonly meshes: readonly string[];
  /** Union of those meshes' `skel:blendShapes`, in first-seen order. */
  readonly blendShapes: readonly string[];
  /** The instanceable prim the Skeleton or one of its meshes lies in, when there is one. */
  readonly instancedBy?: string;
}

/** Which Skeleton to animate among several, and why (one clause, shown in the notes). */
export interface SkeletonPick {
  readonly path: string;
  readonly reason: string;
}

/** Picks among several candidates; bind.ts's skeletonByChannels picks by the model's channel names. */
export type SkeletonChooser = (candidates: readonly SkeletonCandidate[]) => SkeletonPick;

/** How to pick the Skeleton when the asset has several (--skel-root, --skeleton, or by channel names). */
export interface CharacterChoice {
  /** Only Skeletons under this SkelRoot (a composed prim path). */
  readonly skelRoot?: string;
  /** This Skeleton (a composed prim path). */
  readonly skeleton?: string;
  /** Among several left, this decides; default: the Skeleton bound to the mesh with the most blendshapes. */
  readonly choose?: SkeletonChooser;
}

export interface CharacterOptions extends CharacterChoice {
  /** Variant selections by set name (`--variant set=name`), over the authored ones. */
  readonly variants?: Readonly<Record<string, string>>;
}

/** A variant selection in effect on the composed stage. */
export interface VariantSelection {
  /** the composed path of the prim that holds the variant set */
  readonly path: string;
  readonly set: string;
  readonly selection: string;
  /** chosen by the caller (`--variant`) rather than authored: a layer over the asset must author it too */
  readonly requested: boolean;
}

export interface CharacterInfo {
  readonly file: string;
  /** Every layer file the composed stage read, strongest first (the file alone for one text layer). */
  readonly layers: readonly string[];
  readonly defaultPrim?: string;
  readonly upAxis: string;
  readonly metersPerUnit: number;
  readonly timeCodesPerSecond?: number;
  readonly subLayers: readonly string[];
  readonly skelRoot: {
    readonly path: string;
    /** Names of the SkelRoot's children, so new prims can avoid them. */
    readonly childNames: readonly string[];
    readonly origin: UsdaOrigin;
  };
  /** Every SkelRoot on the stage. */
  readonly skelRoots: readonly string[];
  /** The variant selections the composed stage was made with, prim by prim. */
  readonly variants: readonly VariantSelection[];
  readonly skeleton: SkeletonInfo;
  /** Every Skeleton under a SkelRoot on the stage; `skeleton` is the chosen one. */
  readonly skeletons: readonly string[];
  /** The same Skeletons with their SkelRoot, bound meshes and blendshapes: what the choice looked at. */
  readonly candidates: readonly SkeletonCandidate[];
  /** Meshes bound to `skeleton`. */
  readonly meshes: readonly MeshInfo[];
  /** Union of those meshes' `skel:blendShapes`, in first-seen order. */
  readonly blendShapes: readonly string[];
  /** Defaults taken and oddities found; worth showing to the user. */
  readonly notes: readonly string[];
}

/** Where a prim or a property was written: `layer:line` for text, the layer alone for binary layers (no lines). */
interface Locator {
  prim(p: UsdaPrim): string;
  prop(p: UsdaPrim, q: UsdaProperty): string;
}

function locator(file: string): Locator {
  const at = (layer: string, line: number): string => (line > 0 ? `${layer}:${line}` : layer);
  return {
    prim: (p) => at(p.origin?.layer ?? file, p.line),
    prop: (p, q) => at(q.origin?.layer ?? p.origin?.layer ?? file, q.line),
  };
}

const CHARACTER_FIX = 'Give the character a SkelRoot that holds a Skeleton (its joints with rest or bind transforms) and the face mesh.';

const characterError = (at: string, problem: string, code: UsdErrorCode = 'BAD_CHARACTER'): UsdError =>
  new UsdError(code, at, problem, CHARACTER_FIX);

function walk(prims: readonly UsdaPrim[], visit: (p: UsdaPrim, ancestors: readonly UsdaPrim[]) => void, ancestors: UsdaPrim[] = []): void {
  for (const p of prims) {
    visit(p, ancestors);
    // Class prims are never instantiated on their own; nothing below them is part of the character.
    if (p.specifier !== 'class') walk(p.children, visit, [...ancestors, p]);
  }
}

function tokenList(loc: Locator, prim: UsdaPrim, prop: UsdaProperty | undefined): string[] {
  if (!prop || prop.default === undefined || prop.default === null) return [];
  const v = prop.default;
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
    throw characterError(loc.prop(prim, prop), `<${prim.path}.${prop.name}> must be a token[] such as ["a", "b"]`);
  }
  return v as string[];
}

function matrices(loc: Locator, prim: UsdaPrim, prop: UsdaProperty): number[][] {
  const v: UsdaValue | undefined = prop.default;
  const bad = (): never => {
    throw characterError(
      loc.prop(prim, prop),
      `<${prim.path}.${prop.name}> must be a matrix4d[] of ( (a, b, c, d), (…), (…), (…) ) values`,
    );
  };
  if (!Array.isArray(v)) return bad();
  return v.map((m) => {
    if (!Array.isArray(m) || m.length !== 4) return bad();
    const flat = m.flatMap((row) =>
      Array.isArray(row) && row.length === 4 && row.every((x) => typeof x === 'number') ? (row as number[]) : bad(),
    );
    if (!flat.every(Number.isFinite)) return bad();
    return flat;
  });
}

const originOf = (file: string, p: UsdaPrim): UsdaOrigin => p.origin ?? { layer: file, path: p.path };

function readSkeleton(loc: Locator, file: string, prim: UsdaPrim, notes: string[]): SkeletonInfo {
  const jointsProp = prim.properties.get('joints');
  const joints = tokenList(loc, prim, jointsProp);
  if (joints.length === 0) {
    throw characterError(
      loc.prim(prim),
      `Skeleton <${prim.path}> has no joints: it needs uniform token[] joints = ["root", "root/head", ...]`,
    );
  }
  if (new Set(joints).size !== joints.length)
    throw characterError(loc.prop(prim, jointsProp!), `Skeleton <${prim.path}> lists a joint twice`);
  const parents = jointParents(joints);
  joints.forEach((j, i) => {
    if (j.includes('/') && parents[i] < 0)
      notes.push(`joint "${j}" of <${prim.path}> has no parent joint "${j.slice(0, j.lastIndexOf('/'))}" listed; it is treated as a root`);
    if (parents[i] > i)
      throw characterError(
        loc.prop(prim, jointsProp!),
        `Skeleton <${prim.path}> lists joint "${j}" before its parent; parents must come first`,
      );
  });
  const sized = (name: string): number[][] | undefined => {
    const p = prim.properties.get(name);
    if (!p || p.default === undefined || p.default === null) return undefined;
    const ms = matrices(loc, prim, p);
    if (ms.length !== joints.length) {
      throw characterError(loc.prop(prim, p), `<${prim.path}.${name}> has ${ms.length} matrices for ${joints.length} joints`);
    }
    return ms;
  };
  const restM = sized('restTransforms');
  let bindM = sized('bindTransforms');
  if (!restM && !bindM) {
    throw characterError(
      loc.prim(prim),
      `Skeleton <${prim.path}> has neither restTransforms nor bindTransforms; the animation needs the rest pose to add joint motion to`,
    );
  }
  if (!bindM) {
    notes.push(`Skeleton <${prim.path}> has no bindTransforms; the bind pose was taken as the rest pose`);
    bindM = worldFromLocal(restM!, parents);
  }
  if (!restM) notes.push(`Skeleton <${prim.path}> has no restTransforms; the rest pose was derived from bindTransforms`);
  const local = restM ?? localFromWorld(bindM, parents);
  const decompose = (ms: number[][], name: string): JointTransform[] =>
    ms.map((m, i) => {
      try {
        return decomposeMatrix(m);
      } catch (e) {
        throw characterError(loc.prim(prim), `<${prim.path}> ${name} of joint "${joints[i]}": ${(e as Error).message}`);
      }
    });
  return {
    path: prim.path,
    line: prim.line,
    origin: originOf(file, prim),
    joints,
    rest: decompose(local, 'rest transform'),
    bind: decompose(bindM, 'bind transform'),
    restSource: restM ? 'restTransforms' : 'bindTransforms',
  };
}

const SKINNING = ['primvars:skel:jointIndices', 'primvars:skel:jointWeights', 'skel:joints'] as const;
/** The properties a character read needs; point positions, normals, offsets and the like are skipped unparsed. */
const WANTED = new Set(['joints', 'restTransforms', 'bindTransforms', 'skel:blendShapes', ...SKINNING]);
const keepValue = (_prim: unknown, name: string): boolean => WANTED.has(name);

interface Skinning {
  readonly indices?: UsdaProperty;
  readonly weights?: UsdaProperty;
  /** the mesh's own joint order (`skel:joints`), which its indices refer to instead of the Skeleton's */
  readonly joints?: UsdaProperty;
}

/** The joints with a positive weight on some point (UsdSkel: indices and weights pair up element by element). */
function skinnedJointsOf(loc: Locator, prim: UsdaPrim, s: Skinning, skeletonJoints: readonly string[]): string[] {
  const numbers = (prop: UsdaProperty | undefined): number[] => {
    const v = prop?.default;
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
      throw characterError(loc.prop(prim, prop!), `<${prim.path}.${prop!.name}> must be a flat array of numbers`);
    }
    return v as number[];
  };
  const indices = numbers(s.indices);
  const weights = numbers(s.weights);
  if (indices.length === 0) return [];
  const order = s.joints ? tokenList(loc, prim, s.joints) : skeletonJoints;
  const used = new Set<string>();
  indices.forEach((j, i) => {
    // Without weights every influence counts (UsdSkel would reject the mesh; we only ask "can it move").
    if (weights.length === 0 || weights[i] > 0) {
      const token = order[j];
      if (token !== undefined) used.add(token);
    }
  });
  return skeletonJoints.filter((j) => used.has(j));
}

/**
 * Reads a character. `inspectCharacter(file, opts)` opens the file as USD composes it (any format,
 * every arc followed); `inspectCharacter(text, file)` reads one .usda text alone, its arcs not
 * followed (for callers that hold the text).
 */
export function inspectCharacter(file: string, opts?: CharacterOptions): CharacterInfo;
export function inspectCharacter(text: string, file: string): CharacterInfo;
export function inspectCharacter(first: string, second?: string | CharacterOptions): CharacterInfo {
  if (typeof second === 'string') return characterFromLayer(parseUsda(first, second, { keepValue }));
  const { variants, ...choice } = second ?? {};
  return openCharacter(first, { variants }).read(choice);
}

/** A character file composed once, read for any choice of Skeleton (a run reads it once, then binds per model). */
export interface CharacterStage {
  readonly file: string;
  /** Every layer file the stage read, strongest first. */
  readonly layers: readonly string[];
  /** The files on disk those layers are (a package's layers are the package): what to watch for changes. */
  readonly files: readonly string[];
  read(choice?: CharacterChoice): CharacterInfo;
}

/** Composes a character file (any format; sublayers, references, payloads, variants) for reading. */
export function openCharacter(file: string, opts: Pick<CharacterOptions, 'variants'> = {}): CharacterStage {
  const stage = openStage(file, { ...(opts.variants ? { variants: { ...opts.variants } } : {}), keepValue });
  const composed = { layers: stage.layers, ...(opts.variants ? { variants: opts.variants } : {}) };
  const files = [...new Set(stage.layers.map(fileOnDisk))];
  return { file, layers: stage.layers, files, read: (choice = {}) => characterFromLayer(stage.flattened, choice, composed) };
}

const normalPath = (p: string): string => '/' + p.trim().replace(/^\/+|\/+$/g, '');
const list = (paths: readonly string[]): string => paths.map((p) => `<${p}>`).join(', ');

interface Found {
  readonly skelRoots: UsdaPrim[];
  readonly skeletons: { prim: UsdaPrim; root: UsdaPrim; instancedBy?: string }[];
  readonly meshes: { prim: UsdaPrim; root?: UsdaPrim; skeleton?: string; skinning: Skinning; instancedBy?: string }[];
}

function findParts(layer: UsdaLayer): Found {
  const found: Found = { skelRoots: [], skeletons: [], meshes: [] };
  walk(layer.prims, (p, ancestors) => {
    const up = [p, ...[...ancestors].reverse()];
    const root = up.slice(1).find((a) => a.typeName === 'SkelRoot');
    // Composition records `instanceable` on the prim (stage.ts); everything below it is shared by every instance.
    const instancedBy = [...up].reverse().find((a) => metadataValue(a.metadata, 'instanceable') === true)?.path;
    if (p.typeName === 'SkelRoot') found.skelRoots.push(p);
    if (p.typeName === 'Skeleton' && root) found.skeletons.push({ prim: p, root, instancedBy });
    if (p.typeName === 'Mesh' || p.properties.has('skel:blendShapes')) {
      const binder = up.find((a) => a.properties.get('skel:skeleton')?.targets?.length);
      // Skinning primvars and skel:joints are inherited down namespace, like skel:skeleton.
      const nearest = (name: string) => up.find((a) => a.properties.has(name))?.properties.get(name);
      const skinning = { indices: nearest(SKINNING[0]), weights: nearest(SKINNING[1]), joints: nearest(SKINNING[2]) };
      found.meshes.push({ prim: p, root, skeleton: binder?.properties.get('skel:skeleton')?.targets?.[0], skinning, instancedBy });
    }
  });
  return found;
}

/** How a flattened layer was composed: the files read, and the caller's variant selections. */
export interface ComposedFrom {
  readonly layers: readonly string[];
  readonly variants?: Readonly<Record<string, string>>;
}

/**
 * The character on a layer (one text layer, or a composed stage's flattened layer); `choice` picks
 * the Skeleton when there are several.
 */
export function characterFromLayer(
  layer: UsdaLayer,
  choice: CharacterChoice = {},
  from: ComposedFrom = { layers: [layer.file] },
): CharacterInfo {
  const { file } = layer;
  const { layers } = from;
  const loc = locator(file);
  const notes: string[] = [];
  const { skelRoots, skeletons, meshes } = findParts(layer);
  const subLayers = ((metadataValue(layer.metadata, 'subLayers') as UsdaValue[] | undefined) ?? []).flatMap((v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'asset' ? [v.asset] : [],
  );
  const composed = layers.length > 1 ? ` or the ${layers.length - 1} layers it composes (${layers.slice(1).join(', ')})` : '';
  if (skelRoots.length === 0) {
    let hasArcs = subLayers.length > 0;
    walk(layer.prims, (p) => (hasArcs ||= p.metadata.some((m) => m.key === 'references' || m.key === 'payload')));
    // Only a text layer read alone leaves arcs unfollowed; a composed stage has followed them.
    const arcs =
      hasArcs && layers.length === 1 && !layer.prims.some((p) => p.origin)
        ? ' (this layer has sublayers or references, which are not followed: point at the layer that defines the SkelRoot)'
        : '';
    throw characterError(
      file,
      `no SkelRoot found in ${file}${composed}: the ${composed ? 'stage' : 'layer'} needs a SkelRoot prim ` +
        `containing a Skeleton and the face mesh${arcs}`,
      'NO_SKELETON',
    );
  }
  if (skeletons.length === 0) {
    const r = skelRoots[0];
    throw characterError(
      file,
      `no Skeleton found under SkelRoot <${r.path}> in ${r.origin?.layer ?? file}${r.line > 0 ? ` (line ${r.line})` : ''}: ` +
        'the SkelRoot needs a Skeleton prim with joints and rest/bind transforms',
      'NO_SKELETON',
    );
  }
  for (const m of meshes) {
    const shapes = m.prim.properties.get('skel:blendShapes');
    if (!shapes) continue;
    if (!m.root) notes.push(`mesh <${m.prim.path}> has skel:blendShapes but is not under a SkelRoot; UsdSkel ignores it`);
    else if (!m.skeleton)
      notes.push(`mesh <${m.prim.path}> has skel:blendShapes but no skel:skeleton binding; UsdSkel will not animate it`);
  }
  const bound = meshes.filter((m) => m.root && m.skeleton && skeletons.some((s) => s.prim.path === m.skeleton));
  const shapesOf = (m: { prim: UsdaPrim }): string[] => tokenList(loc, m.prim, m.prim.properties.get('skel:blendShapes'));
  // The rigs not animated are only listed: a malformed token list there must not stop the one that is.
  const tokensOf = (prop: UsdaProperty | undefined): string[] =>
    Array.isArray(prop?.default) ? prop.default.filter((t): t is string => typeof t === 'string') : [];
  const candidates: SkeletonCandidate[] = skeletons.map((s) => {
    const mine = bound.filter((m) => m.skeleton === s.prim.path);
    const instancedBy = s.instancedBy ?? mine.find((m) => m.instancedBy)?.instancedBy;
    return {
      path: s.prim.path,
      skelRoot: s.root.path,
      origin: originOf(file, s.prim),
      joints: tokensOf(s.prim.properties.get('joints')),
      meshes: mine.map((m) => m.prim.path),
      blendShapes: [...new Set(mine.flatMap((m) => tokensOf(m.prim.properties.get('skel:blendShapes'))))],
      ...(instancedBy ? { instancedBy } : {}),
    };
  });
  const pick = pickSkeleton(file, candidates, skelRoots, choice, bound, shapesOf, notes);
  const chosen = skeletons.find((s) => s.prim.path === pick.path)!;
  if (pick.instancedBy) {
    const what = chosen.instancedBy
      ? `Skeleton <${pick.path}>`
      : `mesh <${bound.find((m) => m.skeleton === pick.path && m.instancedBy)!.prim.path}>`;
    throw new UsdError(
      'INSTANCED_SKIN',
      loc.prim(chosen.prim),
      `${what} lies in the instanceable prim <${pick.instancedBy}>: every instance shares one prototype, ` +
        'so a skinned mesh there cannot be animated per instance',
      `Make <${pick.instancedBy}> not instanceable (instanceable = false on it, or in a layer over the asset), ` +
        'or pick a Skeleton outside instances with --skeleton.',
    );
  }
  const skeleton = readSkeleton(loc, file, chosen.prim, notes);
  const meshInfos: MeshInfo[] = bound
    .filter((m) => m.skeleton === chosen.prim.path)
    .map((m) => {
      const blendShapes = shapesOf(m);
      const blendShapeTargets = m.prim.properties.get('skel:blendShapeTargets')?.targets ?? [];
      if (blendShapes.length !== blendShapeTargets.length) {
        notes.push(
          `mesh <${m.prim.path}> has ${blendShapes.length} skel:blendShapes but ${blendShapeTargets.length} skel:blendShapeTargets; ` +
            'UsdSkel needs one target per name',
        );
      }
      const skinnedJoints = skinnedJointsOf(loc, m.prim, m.skinning, skeleton.joints);
      return {
        path: m.prim.path,
        line: m.prim.line,
        origin: originOf(file, m.prim),
        blendShapes,
        blendShapeTargets,
        skeleton: m.skeleton,
        skinnedJoints,
      };
    });
  const blendShapes = [...new Set(meshInfos.flatMap((m) => m.blendShapes))];

  const stageMeta = stageMetadata(file, layer.metadata, notes);
  const rootPrim = chosen.root;
  return {
    file,
    layers: [...layers],
    ...stageMeta,
    subLayers,
    skelRoot: { path: rootPrim.path, childNames: rootPrim.children.map((c) => c.name), origin: originOf(file, rootPrim) },
    skelRoots: skelRoots.map((r) => r.path),
    variants: variantSelections(layer, from.variants ?? {}),
    skeleton,
    skeletons: skeletons.map((s) => s.prim.path),
    candidates,
    meshes: meshInfos,
    blendShapes,
    notes,
  };
}

/** The Skeleton to animate: named (--skel-root, --skeleton), the only one, or chosen among several, said in a note. */
function pickSkeleton(
  file: string,
  all: readonly SkeletonCandidate[],
  skelRoots: readonly UsdaPrim[],
  choice: CharacterChoice,
  bound: readonly { prim: UsdaPrim; skeleton?: string }[],
  shapesOf: (m: { prim: UsdaPrim }) => string[],
  notes: string[],
): SkeletonCandidate {
  let left = all;
  if (choice.skelRoot !== undefined) {
    const root = normalPath(choice.skelRoot);
    if (!skelRoots.some((r) => r.path === root)) {
      throw new UsdError(
        'SKELETON_UNKNOWN',
        file,
        `--skel-root <${root}> is not a SkelRoot of the character; its SkelRoots are ${list(skelRoots.map((r) => r.path))}`,
        'Pass --skel-root one of those paths (a2f inspect lists them), or leave it out.',
      );
    }
    left = left.filter((c) => c.skelRoot === root);
    if (left.length === 0) {
      throw characterError(file, `no Skeleton found under SkelRoot <${root}> (chosen with --skel-root) in ${file}`, 'NO_SKELETON');
    }
  }
  if (choice.skeleton !== undefined) {
    const path = normalPath(choice.skeleton);
    const named = left.find((c) => c.path === path);
    if (!named) {
      const under = choice.skelRoot === undefined ? '' : ` under SkelRoot <${normalPath(choice.skelRoot)}>`;
      throw new UsdError(
        'SKELETON_UNKNOWN',
        file,
        `--skeleton <${path}> is not a Skeleton under a SkelRoot${under} in the character; ` +
          `its Skeletons are ${list(left.map((c) => c.path))}`,
        'Pass --skeleton one of those paths (a2f inspect lists them), or leave it out.',
      );
    }
    if (all.length > 1)
      notes.push(`${all.length} skeletons found (${list(all.map((c) => c.path))}); animating <${path}>, named by --skeleton`);
    return named;
  }
  if (left.length === 1) {
    if (all.length > 1)
      notes.push(`${all.length} skeletons found (${list(all.map((c) => c.path))}); animating <${left[0].path}>, the one under --skel-root`);
    return left[0];
  }
  // An instanced rig cannot be animated; among several, the others are the character.
  const animatable = left.filter((c) => !c.instancedBy);
  const pool = animatable.length > 0 ? animatable : left;
  let pick: SkeletonPick;
  if (pool.length === 1) pick = { path: pool[0].path, reason: 'the only one outside instanceable prims' };
  else if (choice.choose) pick = choice.choose(pool);
  else {
    // Without the model's channels: the face is the mesh with the most blendshapes, so animate its skeleton.
    const inPool = bound.filter((m) => pool.some((c) => c.path === m.skeleton));
    const count = (m: { prim: UsdaPrim }): number => shapesOf(m).length;
    const face = inPool.reduce<(typeof inPool)[number] | undefined>((best, m) => (!best || count(m) > count(best) ? m : best), undefined);
    pick = face
      ? { path: face.skeleton!, reason: `bound to <${face.prim.path}> which has the most blendshapes (${count(face)})` }
      : { path: pool[0].path, reason: 'the first found' };
    if (!face) notes.push(`no mesh under a SkelRoot is bound to a Skeleton; animating <${pick.path}> (joints only)`);
  }
  const chosen = pool.find((c) => c.path === pick.path);
  if (!chosen) throw new Error(`the skeleton chooser picked <${pick.path}>, which is not among ${list(pool.map((c) => c.path))}`);
  notes.push(`${all.length} skeletons found (${list(all.map((c) => c.path))}); animating <${chosen.path}>, ${pick.reason}`);
  return chosen;
}

/** Composition records the selections it used as each prim's `variants` metadata (stage.ts). */
function variantSelections(layer: UsdaLayer, requested: Readonly<Record<string, string>>): VariantSelection[] {
  const out: VariantSelection[] = [];
  walk(layer.prims, (p) => {
    const v = metadataValue(p.metadata, 'variants');
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'dictionary') return;
    for (const [set, entry] of Object.entries(v.entries)) {
      if (typeof entry.value === 'string')
        out.push({ path: p.path, set, selection: entry.value, requested: requested[set] === entry.value });
    }
  });
  return out;
}

/** The stage metadata a layer over the character repeats, with USD's fallbacks noted. */
function stageMetadata(file: string, metadata: readonly UsdaMetadata[], notes: string[]) {
  const num = (key: string): number | undefined => {
    const v = metadataValue(metadata, key);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  let metersPerUnit = num('metersPerUnit');
  if (metersPerUnit === undefined || !(metersPerUnit > 0)) {
    notes.push(`${file} does not set metersPerUnit; assuming 0.01 (centimetres), USD's fallback`);
    metersPerUnit = 0.01;
  }
  const upAxisValue = metadataValue(metadata, 'upAxis');
  let upAxis = typeof upAxisValue === 'string' ? upAxisValue : '';
  if (upAxis !== 'Y' && upAxis !== 'Z') {
    notes.push(`${file} ${upAxis ? `has an invalid upAxis "${upAxis}"` : 'does not set upAxis'}; assuming "Y", USD's fallback`);
    upAxis = 'Y';
  }
  const defaultPrimValue = metadataValue(metadata, 'defaultPrim');
  return {
    defaultPrim: typeof defaultPrimValue === 'string' ? defaultPrimValue : undefined,
    upAxis,
    metersPerUnit,
    timeCodesPerSecond: num('timeCodesPerSecond'),
  };
}
