// A layer read into what the page shows: the stage composed as USD composes it (any format, every
// arc), the Skeleton whose skel:animationSource names a SkelAnimation, that Skeleton's meshes, the
// animation evaluated at every frame, provenance and the run's binding report (docs/preview.md,
// "The page's data").
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isRecord } from '@a2f/base';
import { characterFromLayer, metadataValue, openStage, type UsdaPrim } from '@a2f/usd';
import { BlobBuilder, type PreviewHeader, type PreviewMesh, PREVIEW_MAGIC } from './data.js';
import { PreviewError } from './errors.js';
import { readAnimation, readSkeleton, sampleTimes } from './scene-animation.js';
import { readMesh } from './scene-mesh.js';
import { plainJson, stageTime } from './scene-values.js';
import { worldTransform } from './scene-xform.js';

/** The header before the audio is added (audio-source.ts adds it), and the blob it points into. */
export interface Scene {
  readonly header: Omit<PreviewHeader, 'audio'>;
  readonly blob: BlobBuilder;
  /** The run's `<stem>.report.json` beside the layer, when there is one (the audio is found through it). */
  readonly report?: Readonly<Record<string, unknown>>;
}

export interface SceneOptions {
  /** The Skeleton to preview (a composed prim path) when the layer animates several. */
  readonly skeleton?: string;
}

/** The layer's file name less its extension (a usdz's inner path is not part of it). */
export function layerStem(layer: string): string {
  const base = path.basename(layer);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

interface Placed {
  readonly prim: UsdaPrim;
  /** The prim and its ancestors, root first. */
  readonly chain: readonly UsdaPrim[];
}

function index(prims: readonly UsdaPrim[]): Map<string, Placed> {
  const out = new Map<string, Placed>();
  const walk = (list: readonly UsdaPrim[], up: readonly UsdaPrim[]): void => {
    for (const p of list) {
      const chain = [...up, p];
      out.set(p.path, { prim: p, chain });
      walk(p.children, chain);
    }
  };
  walk(prims, []);
  return out;
}

/** Skeletons and the SkelAnimation their (own or inherited) skel:animationSource names. */
function animatedSkeletons(placed: ReadonlyMap<string, Placed>): { skeleton: Placed; animation: UsdaPrim }[] {
  const out: { skeleton: Placed; animation: UsdaPrim }[] = [];
  for (const p of placed.values()) {
    if (p.prim.typeName !== 'Skeleton' || p.chain.some((a) => a.specifier === 'class')) continue;
    const binder = [...p.chain].reverse().find((a) => a.properties.get('skel:animationSource')?.targets?.length);
    const target = binder?.properties.get('skel:animationSource')?.targets?.[0];
    const anim = target ? placed.get(target)?.prim : undefined;
    if (anim?.typeName === 'SkelAnimation') out.push({ skeleton: p, animation: anim });
  }
  return out;
}

/**
 * The array values the preview draws from; others (normals, UVs, normalOffsets, extents…) are left
 * unparsed, which roughly halves the read of a typical character (their text is as long as the points').
 */
const WANTED = new Set([
  'points',
  'faceVertexCounts',
  'faceVertexIndices',
  'primvars:displayColor',
  'primvars:displayColor:indices',
  'primvars:skel:jointIndices',
  'primvars:skel:jointWeights',
  'primvars:skel:geomBindTransform',
  'skel:joints',
  'skel:blendShapes',
  'offsets',
  'pointIndices',
  'joints',
  'bindTransforms',
  'restTransforms',
  'blendShapes',
  'blendShapeWeights',
  'translations',
  'rotations',
  'scales',
  'xformOpOrder',
]);
const keepValue = (_prim: unknown, name: string): boolean => WANTED.has(name) || name.startsWith('xformOp:');

export function readScene(layer: string, opts: SceneOptions = {}): Scene {
  const stage = openStage(layer, { keepValue });
  const placed = index(stage.flattened.prims);
  const animated = animatedSkeletons(placed);
  const notes: string[] = [];
  if (animated.length === 0) {
    throw new PreviewError(
      'NO_ANIMATION',
      layer,
      'no Skeleton on the composed stage has a skel:animationSource naming a SkelAnimation, so there is nothing to play',
      'Preview a layer written by a2f run (it binds a SkelAnimation to the Skeleton with skel:animationSource), not the character itself',
    );
  }
  let pick = animated[0]!;
  if (opts.skeleton !== undefined) {
    const wanted = '/' + opts.skeleton.replace(/^\/+|\/+$/g, '');
    const named = animated.find((a) => a.skeleton.prim.path === wanted);
    if (!named) {
      const have = animated.map((a) => `<${a.skeleton.prim.path}>`).join(', ');
      throw new PreviewError(
        'NO_ANIMATION',
        layer,
        `Skeleton <${wanted}> is not an animated Skeleton of the layer (those are ${have})`,
        'Name one of those Skeletons, or leave the choice out to preview the first',
      );
    }
    pick = named;
  } else if (animated.length > 1) {
    const first = pick.skeleton.prim.path;
    notes.push(`${animated.length} Skeletons are animated; previewing the first, <${first}> (the skeleton option picks another)`);
  }
  const character = characterFromLayer(stage.flattened, { skeleton: pick.skeleton.prim.path }, { layers: stage.layers });
  notes.push(...character.notes.filter((n) => !n.includes('skeletons found')));
  const time = stageTime(stage.metadata, sampleTimes(pick.animation));
  notes.push(...time.notes);
  const blob = new BlobBuilder();
  const skeleton = readSkeleton(character.skeleton, worldTransform(pick.skeleton.chain, time.start, notes), blob);
  const { animation, ranges } = readAnimation(pick.animation, character.skeleton, time.start, time.end, blob, notes);
  const unbound: { mesh: string; blendShape: string }[] = [];
  const prims = new Map([...placed].map(([k, v]) => [k, v.prim]));
  const ctx = { blob, joints: character.skeleton.joints, channels: animation.blendShapes, prims, time: time.start, notes, unbound };
  const meshes: PreviewMesh[] = [];
  for (const m of character.meshes) {
    const at = placed.get(m.path);
    if (at?.prim.typeName !== 'Mesh') continue;
    const mesh = readMesh(at.chain, ctx);
    if (mesh) meshes.push(mesh);
  }
  // The face is the mesh with the most blendshapes, whatever it is called.
  const most = meshes.reduce((best, m) => Math.max(best, m.blendShapes.length), 0);
  const faceAt = meshes.findIndex((m) => m.blendShapes.length === most && most > 0);
  if (faceAt >= 0) meshes[faceAt] = { ...meshes[faceAt]!, role: 'face' };
  if (meshes.length === 0) notes.push(`no mesh is bound to <${character.skeleton.path}>; only the curves can be shown`);
  const frames = time.end - time.start + 1;
  const report = readReport(layer, notes);
  const binding = report && isRecord(report.binding) ? report.binding : undefined;
  return {
    blob,
    ...(report ? { report } : {}),
    header: {
      magic: PREVIEW_MAGIC,
      layer: { name: path.basename(layer), title: layerStem(layer) },
      time: {
        fps: time.fps,
        startTimeCode: time.start,
        endTimeCode: time.end,
        frames,
        durationSeconds: frames / time.fps,
      },
      stage: { upAxis: character.upAxis === 'Z' ? 'Z' : 'Y', metersPerUnit: character.metersPerUnit },
      skeleton,
      animation,
      meshes,
      provenance: provenanceOf(stage.metadata),
      ...(binding ? { binding } : {}),
      ranges,
      unbound,
      notes,
    },
  };
}

/** The root layer's `customLayerData.a2f` as JSON (empty for a layer a2f did not write). */
function provenanceOf(metadata: Parameters<typeof metadataValue>[0]): Record<string, unknown> {
  const data = plainJson(metadataValue(metadata, 'customLayerData'));
  return isRecord(data) && isRecord(data.a2f) ? data.a2f : {};
}

/**
 * The run's report beside the layer: `<stem>.report.json`, or for a reference-pattern layer
 * (`<name>.shot.usda`, `<name>.anim.usda`) the `<name>.report.json` its run wrote (docs/output-names.md).
 */
export function reportFiles(layer: string): string[] {
  const stem = layerStem(layer);
  const base = stem.replace(/\.(shot|anim)$/, '');
  return [...new Set([stem, base])].map((s) => path.join(path.dirname(layer), `${s}.report.json`));
}

/** The first report found; one that is not JSON is noted, not fatal (the page still shows the layer). */
function readReport(layer: string, notes: string[]): Record<string, unknown> | undefined {
  for (const file of reportFiles(layer)) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    try {
      const v: unknown = JSON.parse(text);
      if (isRecord(v)) return v;
    } catch {
      // noted below
    }
    notes.push(`${path.basename(file)} beside the layer is not a JSON object; its binding is not shown`);
    return undefined;
  }
  return undefined;
}
