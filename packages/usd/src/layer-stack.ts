// Layer stacks for composition: a layer with its sublayers (recursively, strongest first), each with
// the time mapping its sublayer offsets give, and the resolution of asset paths against the layer
// that names them (plain files and `pkg.usdz[inner/file]` package paths). See docs/usd-reading.md.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsdError } from './errors.js';
import type { ParseOptions, UsdaAsset, UsdaLayer, UsdaPrim } from './usda-parser.js';
import { fileOnDisk, readLayer, splitPackaged } from './layer-file.js';
import { metadataValue } from './usda-parser.js';

/** Time in the outer namespace = offset + scale * time in the inner one (USD's SdfLayerOffset). */
export interface TimeMap {
  readonly offset: number;
  readonly scale: number;
}
export const IDENTITY_TIME: TimeMap = { offset: 0, scale: 1 };

/** `outer` after `inner`: maps inner time all the way out. */
export function chainTime(outer: TimeMap, inner: TimeMap): TimeMap {
  return { offset: outer.offset + outer.scale * inner.offset, scale: outer.scale * inner.scale };
}

export interface StackLayer {
  readonly layer: UsdaLayer;
  /** The file this layer was read from (the anchor for its relative asset paths). */
  readonly file: string;
  /** From this layer's times to the stack root's. */
  readonly time: TimeMap;
  /** The layer's time codes per second: they scale the offsets of the arcs it writes (see timeCodesPerSecond). */
  readonly tcps: number;
}

export interface LayerStack {
  readonly root: string;
  /** Strongest first: the root layer, then each sublayer with its own sublayers before the next. */
  readonly layers: readonly StackLayer[];
  readonly defaultPrim?: string;
  /** The root layer's time codes per second. */
  readonly tcps: number;
}

/**
 * A layer's time codes per second: `timeCodesPerSecond`, else `framesPerSecond`, else 24 (USD's rule). A
 * sublayer or referenced layer with another rate has its times scaled by the ratio, as USD does.
 */
export function timeCodesPerSecond(layer: UsdaLayer): number {
  for (const key of ['timeCodesPerSecond', 'framesPerSecond']) {
    const v = metadataValue(layer.metadata, key);
    if (typeof v === 'number' && v > 0) return v;
  }
  return 24;
}

/** The time map of an arc with `asset`'s layer offset, from a layer at `innerTcps` into one at `outerTcps`. */
export const arcTime = (asset: UsdaAsset, outerTcps: number, innerTcps: number): TimeMap => ({
  offset: asset.offset ?? 0,
  scale: (asset.scale ?? 1) * (outerTcps / innerTcps),
});

/** Where `asset` (as written in `anchor`) points: relative paths are relative to that layer's folder, also inside a package. */
export function resolveAsset(anchor: string, asset: string): string {
  if (path.isAbsolute(asset)) return path.normalize(asset);
  const inPackage = splitPackaged(anchor);
  // `pkg.usdz[dir/layer.usdc]` (or a package in a package): the path stays inside the innermost package.
  if (inPackage) return `${inPackage.outer}[${resolveAsset(inPackage.inner, asset).split(path.sep).join('/')}]`;
  // Relative to a relative anchor stays relative (to the working folder), so messages read as the user gave the root.
  return path.join(path.dirname(anchor), asset);
}

/** What asked for a file: the arc ("references"), the asset as written, and the layer (with line) that wrote it. */
export interface AssetRequest {
  readonly arc: string;
  readonly asset: string;
  readonly layer: string;
  readonly line: number;
}

/** Reads each layer file once per stage; `read` keeps every file's first-read order for ComposedStage.layers. */
export class LayerCache {
  private readonly layers = new Map<string, UsdaLayer>();
  private readonly stacks = new Map<string, LayerStack>();
  readonly read: string[] = [];

  constructor(private readonly opts: ParseOptions) {}

  layer(file: string, asked?: AssetRequest): UsdaLayer {
    let layer = this.layers.get(file);
    if (layer) return layer;
    const onDisk = fileOnDisk(file);
    const where = asked && (asked.line > 0 ? `${asked.layer}:${asked.line}` : asked.layer);
    const fix =
      asked && `Put the file there, or correct the path in ${asked.layer} (relative paths are relative to the layer that writes them).`;
    if (asked && !existsSync(onDisk))
      throw new UsdError('ASSET_NOT_FOUND', where!, `${asked.arc} @${asked.asset}@ names ${onDisk}, which does not exist`, fix!);
    try {
      layer = readLayer(file, this.opts);
    } catch (e) {
      // A package that lacks the entry: say which layer asked for it, as for a missing file.
      if (!asked || !(e instanceof UsdError) || e.code !== 'ASSET_NOT_FOUND') throw e;
      throw new UsdError('ASSET_NOT_FOUND', where!, `${asked.arc} @${asked.asset}@ names ${file}: ${e.problem}`, fix!);
    }
    this.layers.set(file, layer);
    this.read.push(file);
    return layer;
  }

  /** The layer stack rooted at `file`; a sublayer that is already in the chain above it is a cycle. */
  stack(file: string, asked?: AssetRequest, chain: readonly string[] = []): LayerStack {
    const cached = this.stacks.get(file);
    if (cached) return cached;
    const root = this.layer(file, asked);
    // A package's root layer is named `pkg.usdz[root.usdc]`: its relative paths resolve inside the package.
    const anchor = splitPackaged(root.file) ? root.file : file;
    const tcps = timeCodesPerSecond(root);
    const layers: StackLayer[] = [{ layer: root, file: anchor, time: IDENTITY_TIME, tcps }];
    const subs = (metadataValue(root.metadata, 'subLayers') as UsdaAsset[] | undefined) ?? [];
    const line = root.metadata.find((m) => m.key === 'subLayers')?.line ?? 0;
    for (const sub of subs) {
      const target = resolveAsset(anchor, sub.asset);
      const loop = [...chain, file];
      if (loop.includes(target)) {
        const names = [...loop.slice(loop.indexOf(target)), target].map((f) => path.basename(f)).join(' → ');
        throw new UsdError(
          'SUBLAYER_CYCLE',
          line > 0 ? `${file}:${line}` : file,
          `sublayers form a cycle: ${names}`,
          'Remove one of those subLayers entries so that no layer is its own sublayer.',
        );
      }
      const subStack = this.stack(target, { arc: 'subLayers', asset: sub.asset, layer: file, line }, loop);
      const t = arcTime(sub, tcps, subStack.tcps);
      for (const l of subStack.layers) layers.push({ ...l, time: chainTime(t, l.time) });
    }
    const defaultPrim = metadataValue(root.metadata, 'defaultPrim');
    const stack: LayerStack = { root: file, layers, tcps, ...(typeof defaultPrim === 'string' && { defaultPrim }) };
    this.stacks.set(file, stack);
    return stack;
  }
}

/** The prim spec at an absolute `primPath` in one layer, if the layer has one. */
export function primAt(layer: UsdaLayer, primPath: string): UsdaPrim | undefined {
  let prims: readonly UsdaPrim[] = layer.prims;
  let found: UsdaPrim | undefined;
  for (const name of primPath.split('/').filter(Boolean)) {
    found = prims.find((p) => p.name === name);
    if (!found) return undefined;
    prims = found.children;
  }
  return found;
}
