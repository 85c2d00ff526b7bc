// What an animation layer needs to know about a character asset, read from its .usda text: the
// SkelRoot, the Skeleton (joint tokens, rest and bind poses), the meshes bound to it with their
// blendshape tokens, and the stage metadata. Only the one layer is read: composition arcs
// (sublayers, references, payloads) are not followed.
import { UsdError } from './errors.js';
import { metadataValue, parseUsda, type UsdaLayer, type UsdaPrim, type UsdaProperty, type UsdaValue } from './usda-parser.js';
import { decomposeMatrix, jointParents, localFromWorld, worldFromLocal, type JointTransform } from './transforms.js';

export interface SkeletonInfo {
  readonly path: string;
  readonly line: number;
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

export interface CharacterInfo {
  readonly file: string;
  readonly defaultPrim?: string;
  readonly upAxis: string;
  readonly metersPerUnit: number;
  readonly timeCodesPerSecond?: number;
  readonly subLayers: readonly string[];
  readonly skelRoot: {
    readonly path: string;
    /** Names of the SkelRoot's children, so new prims can avoid them. */
    readonly childNames: readonly string[];
  };
  readonly skeleton: SkeletonInfo;
  /** Every Skeleton under a SkelRoot in the layer; `skeleton` is the chosen one. */
  readonly skeletons: readonly string[];
  /** Meshes bound to `skeleton`. */
  readonly meshes: readonly MeshInfo[];
  /** Union of those meshes' `skel:blendShapes`, in first-seen order. */
  readonly blendShapes: readonly string[];
  /** Defaults taken and oddities found; worth showing to the user. */
  readonly notes: readonly string[];
}

const where = (file: string, line: number): string => `${file}:${line}`;

const characterError = (at: string, problem: string): UsdError =>
  new UsdError(
    'BAD_CHARACTER',
    at,
    problem,
    'Give the character a SkelRoot that holds a Skeleton (its joints with rest or bind transforms) and the face mesh.',
  );

function walk(prims: readonly UsdaPrim[], visit: (p: UsdaPrim, ancestors: readonly UsdaPrim[]) => void, ancestors: UsdaPrim[] = []): void {
  for (const p of prims) {
    visit(p, ancestors);
    // Class prims are never instantiated on their own; nothing below them is part of the character.
    if (p.specifier !== 'class') walk(p.children, visit, [...ancestors, p]);
  }
}

function tokenList(file: string, prim: UsdaPrim, prop: UsdaProperty | undefined): string[] {
  if (!prop || prop.default === undefined || prop.default === null) return [];
  const v = prop.default;
  if (!Array.isArray(v) || !v.every((t) => typeof t === 'string')) {
    throw characterError(where(file, prop.line), `<${prim.path}.${prop.name}> must be a token[] such as ["a", "b"]`);
  }
  return v as string[];
}

function matrices(file: string, prim: UsdaPrim, prop: UsdaProperty): number[][] {
  const v: UsdaValue | undefined = prop.default;
  const bad = (): never => {
    throw characterError(
      where(file, prop.line),
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

function readSkeleton(file: string, prim: UsdaPrim, notes: string[]): SkeletonInfo {
  const jointsProp = prim.properties.get('joints');
  const joints = tokenList(file, prim, jointsProp);
  if (joints.length === 0) {
    throw characterError(
      where(file, prim.line),
      `Skeleton <${prim.path}> has no joints: it needs uniform token[] joints = ["root", "root/head", ...]`,
    );
  }
  if (new Set(joints).size !== joints.length)
    throw characterError(where(file, jointsProp!.line), `Skeleton <${prim.path}> lists a joint twice`);
  const parents = jointParents(joints);
  joints.forEach((j, i) => {
    if (j.includes('/') && parents[i] < 0)
      notes.push(`joint "${j}" of <${prim.path}> has no parent joint "${j.slice(0, j.lastIndexOf('/'))}" listed; it is treated as a root`);
    if (parents[i] > i)
      throw characterError(
        where(file, jointsProp!.line),
        `Skeleton <${prim.path}> lists joint "${j}" before its parent; parents must come first`,
      );
  });
  const sized = (name: string): number[][] | undefined => {
    const p = prim.properties.get(name);
    if (!p || p.default === undefined || p.default === null) return undefined;
    const ms = matrices(file, prim, p);
    if (ms.length !== joints.length) {
      throw characterError(where(file, p.line), `<${prim.path}.${name}> has ${ms.length} matrices for ${joints.length} joints`);
    }
    return ms;
  };
  const restM = sized('restTransforms');
  let bindM = sized('bindTransforms');
  if (!restM && !bindM) {
    throw characterError(
      where(file, prim.line),
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
        throw characterError(where(file, prim.line), `<${prim.path}> ${name} of joint "${joints[i]}": ${(e as Error).message}`);
      }
    });
  return {
    path: prim.path,
    line: prim.line,
    joints,
    rest: decompose(local, 'rest transform'),
    bind: decompose(bindM, 'bind transform'),
    restSource: restM ? 'restTransforms' : 'bindTransforms',
  };
}

const SKINNING = ['primvars:skel:jointIndices', 'primvars:skel:jointWeights', 'skel:joints'] as const;

interface Skinning {
  readonly indices?: UsdaProperty;
  readonly weights?: UsdaProperty;
  /** the mesh's own joint order (`skel:joints`), which its indices refer to instead of the Skeleton's */
  readonly joints?: UsdaProperty;
}

/** The joints with a positive weight on some point (UsdSkel: indices and weights pair up element by element). */
function skinnedJointsOf(file: string, prim: UsdaPrim, s: Skinning, skeletonJoints: readonly string[]): string[] {
  const numbers = (prop: UsdaProperty | undefined): number[] => {
    const v = prop?.default;
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) {
      throw characterError(where(file, prop!.line), `<${prim.path}.${prop!.name}> must be a flat array of numbers`);
    }
    return v as number[];
  };
  const indices = numbers(s.indices);
  const weights = numbers(s.weights);
  if (indices.length === 0) return [];
  const order = s.joints ? tokenList(file, prim, s.joints) : skeletonJoints;
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

/** Reads a character from its .usda text; `file` names it in errors and notes. */
export function inspectCharacter(text: string, file: string): CharacterInfo {
  // Point positions, normals, offsets and the like are never needed: skip them unparsed.
  const wanted = new Set(['joints', 'restTransforms', 'bindTransforms', 'skel:blendShapes', ...SKINNING]);
  const layer: UsdaLayer = parseUsda(text, file, { keepValue: (_prim, name) => wanted.has(name) });
  return characterFromLayer(layer);
}

export function characterFromLayer(layer: UsdaLayer): CharacterInfo {
  const { file } = layer;
  const notes: string[] = [];
  const skelRoots: UsdaPrim[] = [];
  const skeletons: { prim: UsdaPrim; root: UsdaPrim }[] = [];
  const meshes: { prim: UsdaPrim; root?: UsdaPrim; skeleton?: string; skinning: Skinning }[] = [];
  walk(layer.prims, (p, ancestors) => {
    const root = [...ancestors].reverse().find((a) => a.typeName === 'SkelRoot');
    if (p.typeName === 'SkelRoot') skelRoots.push(p);
    if (p.typeName === 'Skeleton' && root) skeletons.push({ prim: p, root });
    if (p.typeName === 'Mesh' || p.properties.has('skel:blendShapes')) {
      const binder = [p, ...[...ancestors].reverse()].find((a) => a.properties.get('skel:skeleton')?.targets?.length);
      // Skinning primvars and skel:joints are inherited down namespace, like skel:skeleton.
      const nearest = (name: string) => [p, ...[...ancestors].reverse()].find((a) => a.properties.has(name))?.properties.get(name);
      const skinning = { indices: nearest(SKINNING[0]), weights: nearest(SKINNING[1]), joints: nearest(SKINNING[2]) };
      meshes.push({ prim: p, root, skeleton: binder?.properties.get('skel:skeleton')?.targets?.[0], skinning });
    }
  });
  const subLayers = ((metadataValue(layer.metadata, 'subLayers') as UsdaValue[] | undefined) ?? []).flatMap((v) =>
    typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'asset' ? [v.asset] : [],
  );
  if (skelRoots.length === 0) {
    let hasArcs = subLayers.length > 0;
    walk(layer.prims, (p) => (hasArcs ||= p.metadata.some((m) => m.key === 'references' || m.key === 'payload')));
    const arcs = hasArcs
      ? ' (this layer has sublayers or references, which are not followed: point at the layer that defines the SkelRoot)'
      : '';
    throw characterError(
      file,
      `no SkelRoot found in ${file}: the layer needs a SkelRoot prim containing a Skeleton and the face mesh${arcs}`,
    );
  }
  if (skeletons.length === 0) {
    const r = skelRoots[0];
    throw characterError(
      file,
      `no Skeleton found under SkelRoot <${r.path}> in ${file} (line ${r.line}): ` +
        'the SkelRoot needs a Skeleton prim with joints and rest/bind transforms',
    );
  }
  for (const m of meshes) {
    const shapes = m.prim.properties.get('skel:blendShapes');
    if (!shapes) continue;
    if (!m.root) notes.push(`mesh <${m.prim.path}> has skel:blendShapes but is not under a SkelRoot; UsdSkel ignores it`);
    else if (!m.skeleton)
      notes.push(`mesh <${m.prim.path}> has skel:blendShapes but no skel:skeleton binding; UsdSkel will not animate it`);
  }
  // Several skeletons: the face is the mesh with the most blendshapes, so animate its skeleton.
  const bound = meshes.filter((m) => m.root && m.skeleton && skeletons.some((s) => s.prim.path === m.skeleton));
  const count = (m: { prim: UsdaPrim }): number => tokenList(file, m.prim, m.prim.properties.get('skel:blendShapes')).length;
  const face = bound.reduce<(typeof bound)[number] | undefined>((best, m) => (!best || count(m) > count(best) ? m : best), undefined);
  const chosen = face ? skeletons.find((s) => s.prim.path === face.skeleton)! : skeletons[0];
  if (!face) notes.push(`no mesh under a SkelRoot is bound to a Skeleton; animating <${chosen.prim.path}> (joints only)`);
  if (skeletons.length > 1) {
    const found = skeletons.map((s) => `<${s.prim.path}>`).join(', ');
    const why = face ? `, bound to <${face.prim.path}> which has the most blendshapes (${count(face)})` : '';
    notes.push(`${skeletons.length} skeletons found (${found}); animating <${chosen.prim.path}>${why}`);
  }
  const skeleton = readSkeleton(file, chosen.prim, notes);
  const meshInfos: MeshInfo[] = bound
    .filter((m) => m.skeleton === chosen.prim.path)
    .map((m) => {
      const shapesProp = m.prim.properties.get('skel:blendShapes');
      const blendShapes = tokenList(file, m.prim, shapesProp);
      const blendShapeTargets = m.prim.properties.get('skel:blendShapeTargets')?.targets ?? [];
      if (blendShapes.length !== blendShapeTargets.length) {
        notes.push(
          `mesh <${m.prim.path}> has ${blendShapes.length} skel:blendShapes but ${blendShapeTargets.length} skel:blendShapeTargets; ` +
            'UsdSkel needs one target per name',
        );
      }
      const skinnedJoints = skinnedJointsOf(file, m.prim, m.skinning, skeleton.joints);
      return { path: m.prim.path, line: m.prim.line, blendShapes, blendShapeTargets, skeleton: m.skeleton, skinnedJoints };
    });
  const blendShapes = [...new Set(meshInfos.flatMap((m) => m.blendShapes))];

  const num = (key: string): number | undefined => {
    const v = metadataValue(layer.metadata, key);
    return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
  };
  let metersPerUnit = num('metersPerUnit');
  if (metersPerUnit === undefined || !(metersPerUnit > 0)) {
    notes.push(`${file} does not set metersPerUnit; assuming 0.01 (centimetres), USD's fallback`);
    metersPerUnit = 0.01;
  }
  const upAxisValue = metadataValue(layer.metadata, 'upAxis');
  let upAxis = typeof upAxisValue === 'string' ? upAxisValue : '';
  if (upAxis !== 'Y' && upAxis !== 'Z') {
    notes.push(`${file} ${upAxis ? `has an invalid upAxis "${upAxis}"` : 'does not set upAxis'}; assuming "Y", USD's fallback`);
    upAxis = 'Y';
  }
  const defaultPrimValue = metadataValue(layer.metadata, 'defaultPrim');
  const rootPrim = chosen.root;
  return {
    file,
    defaultPrim: typeof defaultPrimValue === 'string' ? defaultPrimValue : undefined,
    upAxis,
    metersPerUnit,
    timeCodesPerSecond: num('timeCodesPerSecond'),
    subLayers,
    skelRoot: { path: rootPrim.path, childNames: rootPrim.children.map((c) => c.name) },
    skeleton,
    skeletons: skeletons.map((s) => s.prim.path),
    meshes: meshInfos,
    blendShapes,
    notes,
  };
}
