// How the opinions of one prim's sites combine: the strongest opinion wins per metadata key and per
// property field, list-op metadata (apiSchemas, references, variantSets) applies its ops from the
// weakest opinion up, and time samples and relationship targets are mapped onto the stage's times
// and paths. See docs/usd-reading.md.
import { chainTime, type TimeMap } from './layer-stack.js';
import type { UsdaDictionary, UsdaMetadata, UsdaPrim, UsdaProperty, UsdaValue, UsdaVariant } from './usda-parser.js';

/** Opinions for one prim path from one site: a prim (or variant) body in one layer. */
export interface Spec {
  readonly layer: string;
  /** The spec's path in its layer, with the variant selection written in (`/Asset{lod=high}`) for variant bodies. */
  readonly path: string;
  readonly specifier?: UsdaPrim['specifier'];
  readonly typeName: string;
  readonly body: UsdaVariant;
  /** From the layer's times to its layer stack root's. */
  readonly time: TimeMap;
  /** The prim's line in its layer (0 in binary layers and for variant bodies). */
  readonly line: number;
  /** The layer's time codes per second (for the offsets of arcs it writes). */
  readonly tcps: number;
}

/** One spec's contribution, with the site that brought it (for path and time mapping). */
export interface Opinion {
  readonly spec: Spec;
  readonly node: { readonly mapPath: (p: string) => string; readonly time: TimeMap };
}

const itemKey = (v: UsdaValue): string => JSON.stringify(v);

/**
 * The list `key` composed over `opinions` (strongest first): an explicit list (no op) replaces what
 * weaker opinions built; prepend/append/add/delete edit it (USD's SdfListOp). Items are the
 * opinions' own objects, so a caller can find which spec wrote one.
 */
export function composeListOp(opinions: readonly { readonly spec: { readonly body: UsdaVariant } }[], key: string): UsdaValue[] {
  let list: UsdaValue[] = [];
  for (let i = opinions.length - 1; i >= 0; i--) {
    for (const m of opinions[i].spec.body.metadata) {
      if (m.key !== key) continue;
      const items = Array.isArray(m.value) ? m.value : m.value === null ? [] : [m.value];
      const keys = new Set(items.map(itemKey));
      const without = list.filter((v) => !keys.has(itemKey(v)));
      if (m.op === undefined) list = [...items];
      else if (m.op === 'prepend') list = [...items, ...without];
      else if (m.op === 'append') list = [...without, ...items];
      else if (m.op === 'add') list = [...list, ...items.filter((v) => !list.some((w) => itemKey(w) === itemKey(v)))];
      else if (m.op === 'delete') list = without;
      // 'reorder' only orders; the order of what is there already stands.
    }
  }
  return list;
}

/** The composed metadata entry `key`: a list-op'd value composed as a list, any other the strongest opinion's. */
export function composeMetadata(opinions: readonly Opinion[], key: string): UsdaMetadata | undefined {
  let strongest: UsdaMetadata | undefined;
  let listOp = false;
  for (const o of opinions)
    for (const m of o.spec.body.metadata) {
      if (m.key !== key) continue;
      strongest ??= m;
      listOp ||= m.op !== undefined;
    }
  if (!strongest) return undefined;
  if (listOp) return { key, value: composeListOp(opinions, key), line: 0 };
  if (!isDictionary(strongest.value)) return strongest;
  // Dictionaries (customData, assetInfo) merge key by key, the stronger entry winning, nested ones too.
  let merged: UsdaDictionary = { kind: 'dictionary', entries: {} };
  for (let i = opinions.length - 1; i >= 0; i--)
    for (const m of opinions[i].spec.body.metadata) if (m.key === key && isDictionary(m.value)) merged = mergeDictionaries(merged, m.value);
  return { ...strongest, value: merged };
}

const isDictionary = (v: UsdaValue | undefined): v is UsdaDictionary =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'dictionary';

/** `stronger` over `weaker`, key by key, recursing into dictionaries both have. */
function mergeDictionaries(weaker: UsdaDictionary, stronger: UsdaDictionary): UsdaDictionary {
  const entries: Record<string, { readonly type: string; readonly value: UsdaValue }> = { ...weaker.entries };
  for (const [k, e] of Object.entries(stronger.entries)) {
    const below = entries[k];
    entries[k] = below && isDictionary(below.value) && isDictionary(e.value) ? { ...e, value: mergeDictionaries(below.value, e.value) } : e;
  }
  return { kind: 'dictionary', entries };
}

const mapTime = (t: TimeMap, time: number): number => t.offset + t.scale * time;

/** The property `name` from the strongest opinion per field; `origin` is the opinion that gave its value. */
export function composeProperty(opinions: readonly Opinion[], name: string): UsdaProperty {
  const having = opinions.flatMap((o) => {
    const p = o.spec.body.properties.get(name);
    return p ? [{ o, p }] : [];
  });
  const first = having[0];
  const withDefault = having.find((h) => h.p.default !== undefined);
  const withSamples = having.find((h) => h.p.timeSamples !== undefined);
  const withTargets = having.find((h) => h.p.targets !== undefined);
  const source = withDefault ?? withSamples ?? withTargets ?? first;
  const metadata: UsdaMetadata[] = [];
  for (const { p } of having) for (const m of p.metadata) if (!metadata.some((n) => n.key === m.key)) metadata.push(m);
  const prop: UsdaProperty = {
    name,
    kind: first.p.kind,
    typeName: first.p.typeName,
    uniform: first.p.uniform,
    custom: first.p.custom,
    metadata,
    line: source.p.line,
    origin: { layer: source.o.spec.layer, path: `${source.o.spec.path}.${name}` },
  };
  if (withDefault) prop.default = withDefault.p.default;
  if (withSamples) {
    const t = chainTime(withSamples.o.node.time, withSamples.o.spec.time);
    prop.timeSamples = withSamples.p.timeSamples!.map(([time, v]) => [mapTime(t, time), v] as const);
  }
  if (withTargets) prop.targets = withTargets.p.targets!.map((target) => withTargets.o.node.mapPath(target));
  return prop;
}
