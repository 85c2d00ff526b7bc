// The sites composition gathers for a prim (a prim or variant body in one layer stack, with the
// mapping of its paths and times onto the stage) and the lookups that find their specs. See
// docs/usd-reading.md.
import { type LayerStack, primAt, type TimeMap } from './layer-stack.js';
import type { Spec } from './stage-opinions.js';
import type { UsdaPrim } from './usda-parser.js';

/** A site contributing to a prim: its specs in one layer stack, and how its paths and times map onto the stage. */
export interface Node {
  readonly stack: LayerStack;
  readonly path: string;
  /** `{set=variant}` selections this site is inside of (empty outside variants): part of the site's identity. */
  readonly selection: string;
  readonly specs: readonly Spec[];
  readonly mapPath: (p: string) => string;
  readonly time: TimeMap;
  /** The sites (`stack root|path`) arcs passed through to get here, so an arc back into one of them is not followed. */
  readonly chain: readonly string[];
  /** Which arc made this site (its child prims' sites keep it). */
  readonly id: number;
  /** Outside the root layer stack: the arc out of it that led here, where implied inherits go (see expand). */
  readonly topId?: number;
}

export const siteKey = (n: Pick<Node, 'stack' | 'path' | 'selection'>): string => `${n.stack.root}|${n.path}${n.selection}`;

/** `p` moved from under `from` to under `to` (paths outside `from` are kept). */
export function reroot(p: string, from: string, to: string): string {
  if (p === from) return to;
  if (p.startsWith(from + '/') || p.startsWith(from + '.')) return to + p.slice(from.length);
  return p;
}

const childIndex = new WeakMap<readonly UsdaPrim[], Map<string, UsdaPrim>>();
/** The prim `name` among `prims`, through an index built once per list (a mesh can have thousands of children). */
export function childNamed(prims: readonly UsdaPrim[], name: string): UsdaPrim | undefined {
  let index = childIndex.get(prims);
  if (!index) {
    index = new Map(prims.map((p) => [p.name, p]));
    childIndex.set(prims, index);
  }
  return index.get(name);
}

/** The spec of `prim`, read from `from` (a layer of a stack, or the spec of its parent prim). */
export function specOf(prim: UsdaPrim, from: { readonly time: TimeMap; readonly tcps: number }, layer: string, specPath = prim.path): Spec {
  return {
    layer,
    path: specPath,
    specifier: prim.specifier,
    typeName: prim.typeName,
    body: prim,
    time: from.time,
    tcps: from.tcps,
    line: prim.line,
  };
}

/** The specs of the prim at `primPath` in each layer of `stack`, strongest first. */
export function specsAt(stack: LayerStack, primPath: string): Spec[] {
  return stack.layers.flatMap((l) => {
    const p = primAt(l.layer, primPath);
    return p ? [specOf(p, l, l.file)] : [];
  });
}
