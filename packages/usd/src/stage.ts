// The composed stage of a character asset as one layer: sublayers, references, payloads, variant
// sets, inherits and specializes applied in USD's strength order (LIVRPS), layer offsets applied to
// time samples, inactive prims dropped, each prim and property marked with the layer and spec path
// that gave it. What is composed and what is not is written down in docs/usd-reading.md.
import path from 'node:path';
import { UsdError } from './errors.js';
import { arcTime, chainTime, IDENTITY_TIME, LayerCache, type LayerStack, resolveAsset } from './layer-stack.js';
import { composeListOp, composeMetadata, composeProperty, type Opinion, type Spec } from './stage-opinions.js';
import { childNamed, type Node, reroot, siteKey, specOf, specsAt } from './stage-sites.js';
import type { ParseOptions, UsdaAsset, UsdaLayer, UsdaMetadata, UsdaPath, UsdaPrim } from './usda-parser.js';
import { metadataValue, resolvePath } from './usda-parser.js';

export interface StageOptions {
  /** Variant selections by set name (`--variant lod=high`); they win over the authored ones on every prim that has the set. */
  readonly variants?: Readonly<Record<string, string>>;
  readonly keepValue?: ParseOptions['keepValue'];
}

export interface ComposedStage {
  readonly rootFile: string;
  /** Every layer file read, in the order composition reached them (the root layer stack first, strongest first). */
  readonly layers: string[];
  /** The root layer's metadata. */
  readonly metadata: UsdaMetadata[];
  /** The composed stage as one layer: prims at their composed paths with every arc applied. */
  readonly flattened: UsdaLayer;
}

/** The variant chosen per set name met while composing one prim (undefined: the set has no selection). */
type Selections = Map<string, string | undefined>;

const ARC_KEYS = new Set(['references', 'payload', 'inherits', 'specializes', 'variants', 'variantSets']);

class Composer {
  private readonly cache: LayerCache;
  private rootStack: LayerStack | undefined;
  private arcs = 0;
  /** Variant sets seen on composed prims, for the error when `--variant` names a set no prim has. */
  readonly setsSeen = new Map<string, string[]>();

  constructor(private readonly opts: StageOptions) {
    this.cache = new LayerCache({ keepValue: opts.keepValue });
  }

  open(given: string): ComposedStage {
    const file = path.normalize(given);
    const stack = this.cache.stack(file);
    this.rootStack = stack;
    const names = new Set<string>();
    for (const l of [...stack.layers].reverse()) for (const p of l.layer.prims) names.add(p.name);
    const prims: UsdaPrim[] = [];
    for (const name of names) {
      const specs = stack.layers.flatMap((l) => {
        const p = childNamed(l.layer.prims, name);
        return p ? [specOf(p, l, l.file)] : [];
      });
      const root: Node = { stack, path: `/${name}`, selection: '', specs, mapPath: (p) => p, time: IDENTITY_TIME, chain: [], id: 0 };
      const prim = this.compose(`/${name}`, [root]);
      if (prim) prims.push(prim);
    }
    for (const [set, want] of Object.entries(this.opts.variants ?? {})) {
      if (this.setsSeen.has(set)) continue;
      const known = [...this.setsSeen].map(([s, owners]) => `${s} on <${owners.join('>, <')}>`);
      throw new UsdError(
        'VARIANT_UNKNOWN',
        file,
        `no prim of the composed stage has a variant set "${set}" (asked for ${set}=${want}); ` +
          (known.length > 0 ? `its variant sets: ${known.join('; ')}` : 'it has no variant sets'),
        known.length > 0 ? `Name one of those sets in --variant, or leave --variant out.` : 'Leave --variant out for this character.',
      );
    }
    const rootLayer = stack.layers[0].layer;
    return {
      rootFile: file,
      layers: this.cache.read,
      metadata: rootLayer.metadata,
      flattened: { file, metadata: rootLayer.metadata, prims },
    };
  }

  /** Composes the prim at stage path `at` from the sites its parent passed down (strongest first). */
  private compose(at: string, inputs: readonly Node[]): UsdaPrim | undefined {
    let used: Selections = new Map();
    let nodes = this.expandAll(at, inputs, undefined, used);
    // A selection authored in a weaker site than the variant set's own is found only after a first pass.
    const final = this.selections(nodes);
    if ([...used].some(([set, v]) => final.get(set) !== v)) {
      used = new Map();
      nodes = this.expandAll(at, inputs, final, used);
    }
    this.checkForced(at, nodes, used);
    const opinions: Opinion[] = nodes.flatMap((n) => n.specs.map((spec) => ({ spec, node: n })));
    const meta = (key: string) => composeMetadata(opinions, key);
    const active = meta('active');
    if (active?.value === false) return undefined;

    const defining = opinions.find((o) => o.spec.specifier !== 'over');
    const typed = opinions.find((o) => o.spec.typeName !== '');
    const metadata: UsdaMetadata[] = [];
    const weakFirst = [...opinions].reverse();
    const keys = new Set(weakFirst.flatMap((o) => o.spec.body.metadata.map((m) => m.key)));
    for (const key of keys) {
      if (ARC_KEYS.has(key)) continue;
      const m = meta(key);
      if (m) metadata.push(m);
    }
    const setNames = composeListOp(opinions, 'variantSets') as string[];
    if (setNames.length > 0) metadata.push({ key: 'variantSets', value: setNames, line: 0 });
    const chosen = [...used].filter((e): e is [string, string] => e[1] !== undefined);
    if (chosen.length > 0) {
      const entries = Object.fromEntries(chosen.map(([s, v]) => [s, { type: 'string', value: v }]));
      metadata.push({ key: 'variants', value: { kind: 'dictionary', entries }, line: 0 });
    }

    const propNames = new Set(weakFirst.flatMap((o) => [...o.spec.body.properties.keys()]));
    const properties = new Map([...propNames].map((n) => [n, composeProperty(opinions, n)] as const));

    const childNames = new Set(weakFirst.flatMap((o) => o.spec.body.children.map((c) => c.name)));
    const children: UsdaPrim[] = [];
    for (const name of childNames) {
      const childInputs = nodes.flatMap((n) => {
        const specs = n.specs.flatMap((s) => {
          const c = childNamed(s.body.children, name);
          return c ? [specOf(c, s, s.layer, `${s.path}/${name}`)] : [];
        });
        return specs.length > 0 ? [{ ...n, path: `${n.path}/${name}`, specs }] : [];
      });
      const child = this.compose(`${at}/${name}`, childInputs);
      if (child) children.push(child);
    }
    const origin = defining ?? opinions[0];
    return {
      specifier: defining?.spec.specifier ?? 'over',
      typeName: typed?.spec.typeName ?? '',
      name: at.slice(at.lastIndexOf('/') + 1),
      path: at,
      line: origin.spec.line,
      metadata,
      properties,
      children,
      origin: { layer: origin.spec.layer, path: origin.spec.path },
    };
  }

  /** A `--variant set=name` whose set this prim has must name one of the set's variants, from any of its sites. */
  private checkForced(at: string, nodes: readonly Node[], used: Selections): void {
    for (const [set, chosen] of used) {
      const forced = this.opts.variants?.[set];
      if (forced === undefined || chosen === undefined) continue;
      const known = new Set<string>();
      let layer: string | undefined;
      for (const n of nodes)
        for (const s of n.specs) {
          const variants = s.body.variantSets?.get(set);
          if (!variants) continue;
          layer ??= s.layer;
          for (const v of variants.keys()) known.add(v);
        }
      if (known.has(chosen)) continue;
      const names = [...known];
      throw new UsdError(
        'VARIANT_UNKNOWN',
        layer ?? nodes[0].stack.root,
        `prim <${at}> has no variant "${forced}" in its variant set "${set}" (its variants: ${names.join(', ') || 'none'})`,
        `Choose one of those with --variant ${set}=${names[0] ?? 'NAME'}, or leave ${set} out to keep the authored selection.`,
      );
    }
  }

  /** The strongest authored selection per variant set among `nodes`, with `--variant` winning. */
  private selections(nodes: readonly Node[]): Map<string, string> {
    const out = new Map<string, string>();
    for (const n of nodes)
      for (const s of n.specs) {
        const v = metadataValue(s.body.metadata, 'variants');
        if (typeof v !== 'object' || v === null || Array.isArray(v) || v.kind !== 'dictionary') continue;
        for (const [set, e] of Object.entries(v.entries)) if (!out.has(set) && typeof e.value === 'string') out.set(set, e.value);
      }
    for (const [set, want] of Object.entries(this.opts.variants ?? {})) out.set(set, want);
    return out;
  }

  /** Every input site followed by its arcs (depth first, LIVRP), then all specializes arcs, weakest. */
  private expandAll(at: string, inputs: readonly Node[], fixed: Selections | undefined, used: Selections): Node[] {
    const out: Node[] = [];
    const specialized: Node[] = [];
    for (const n of inputs) this.expand(at, n, out, specialized, fixed, used);
    return [...out, ...specialized];
  }

  private expand(at: string, node: Node, out: Node[], specialized: Node[], fixed: Selections | undefined, used: Selections): void {
    out.push(node);
    const opinions: Opinion[] = node.specs.map((spec) => ({ spec, node }));
    const chain = [...node.chain, siteKey(node)];
    const follow = (target: Node | undefined, into: Node[]) => {
      if (!target || target.specs.length === 0 || chain.includes(siteKey(target))) return;
      const id = ++this.arcs;
      const topId = target.stack === this.rootStack ? undefined : node.stack === this.rootStack ? id : node.topId;
      this.expand(at, { ...target, chain, id, topId }, into, specialized, fixed, used);
    };
    for (const p of composeListOp(opinions, 'inherits') as UsdaPath[]) {
      // A class the root layer stack also has, at the path the class maps to there, is an implied inherit: its
      // opinions beat the whole arc that brought this site in (USD's implied inherits, followed to the root only).
      const implied = node.topId === undefined ? undefined : this.impliedClassNode(at, node, p.path);
      const top = out.findIndex((n) => n.id === node.topId);
      if (implied && top >= 0) {
        const before: Node[] = [];
        follow(implied, before);
        out.splice(top, 0, ...before);
      }
      follow(this.classNode(node, p.path), out);
    }
    for (const v of this.variantNodes(at, node, opinions, out, fixed, used)) follow(v, out);
    for (const arc of ['references', 'payload'] as const)
      for (const { item, spec } of this.arcItems(opinions, arc)) follow(this.referenceNode(node, item, spec, arc), out);
    for (const p of composeListOp(opinions, 'specializes') as UsdaPath[]) follow(this.classNode(node, p.path), specialized);
  }

  /** Arc entries with the spec that wrote them (the anchor for relative asset paths and layer offsets). */
  private arcItems(opinions: readonly Opinion[], key: string): { item: UsdaAsset; spec: Spec }[] {
    const items = composeListOp(opinions, key) as UsdaAsset[];
    return items.map((item) => {
      const spec = opinions.find((o) =>
        o.spec.body.metadata.some((m) => m.key === key && Array.isArray(m.value) && m.value.includes(item)),
      );
      return { item, spec: (spec ?? opinions[0]).spec };
    });
  }

  /** The class `classPath` of a site outside the root layer stack, as the root layer stack has it, mapped onto stage path `at`. */
  private impliedClassNode(at: string, node: Node, classPath: string): Node | undefined {
    const stack = this.rootStack!;
    const target = node.mapPath(resolvePath(node.path, classPath));
    const specs = specsAt(stack, target);
    if (specs.length === 0) return undefined;
    return {
      stack,
      path: target,
      selection: '',
      specs,
      mapPath: (p) => reroot(p, target, at),
      time: IDENTITY_TIME,
      chain: node.chain,
      id: 0,
    };
  }

  /** Inherits and specializes: the class prim in the same layer stack, its namespace mapped onto this prim. */
  private classNode(node: Node, classPath: string): Node {
    const target = resolvePath(node.path, classPath);
    const specs = specsAt(node.stack, target);
    return {
      stack: node.stack,
      path: target,
      selection: '',
      specs,
      mapPath: (p) => node.mapPath(reroot(p, target, node.path)),
      time: node.time,
      chain: node.chain,
      id: 0, // set when followed
    };
  }

  private referenceNode(node: Node, ref: UsdaAsset, spec: Spec, arc: 'references' | 'payload'): Node {
    const line = spec.body.metadata.find((m) => m.key === arc)?.line ?? 0;
    const stack =
      ref.asset === ''
        ? node.stack
        : this.cache.stack(resolveAsset(spec.layer, ref.asset), { arc, asset: ref.asset, layer: spec.layer, line });
    const target = ref.primPath ?? (stack.defaultPrim && `/${stack.defaultPrim}`); // defaultPrim is a name
    if (!target) {
      throw new UsdError(
        'BAD_REFERENCE',
        line > 0 ? `${spec.layer}:${line}` : spec.layer,
        `${arc} @${ref.asset}@ on <${spec.path}> names no prim, and ${path.basename(stack.root)} has no defaultPrim`,
        `Write the prim to use after the asset path (@${ref.asset}@</Character>), or set defaultPrim in ${path.basename(stack.root)}.`,
      );
    }
    // An external layer stack's times pass through the referencing layer's offset in its own stack;
    // an internal reference's target specs already carry their layers' offsets within this stack.
    const time =
      ref.asset === ''
        ? chainTime(node.time, arcTime(ref, 1, 1))
        : chainTime(node.time, chainTime(spec.time, arcTime(ref, spec.tcps, stack.tcps)));
    const specs = specsAt(stack, target);
    return {
      stack,
      path: target,
      selection: '',
      specs,
      mapPath: (p) => node.mapPath(reroot(p, target, node.path)),
      time,
      chain: node.chain,
      id: 0, // set when followed
    };
  }

  /** The selected variant of each of this site's variant sets, as a site of its own (after its inherits, before its references). */
  private variantNodes(
    at: string,
    node: Node,
    opinions: readonly Opinion[],
    sofar: readonly Node[],
    fixed: Selections | undefined,
    used: Selections,
  ): Node[] {
    const names = composeListOp(opinions, 'variantSets') as string[];
    for (const s of node.specs) for (const k of s.body.variantSets?.keys() ?? []) if (!names.includes(k)) names.push(k);
    const out: Node[] = [];
    for (const set of names) {
      const owners = this.setsSeen.get(set) ?? [];
      if (!owners.includes(at)) this.setsSeen.set(set, [...owners, at]);
      const chosen = this.opts.variants?.[set] ?? fixed?.get(set) ?? this.selections([...sofar, node]).get(set);
      used.set(set, chosen);
      if (chosen === undefined) continue;
      const specs = node.specs.flatMap((s) => {
        const body = s.body.variantSets?.get(set)?.get(chosen);
        return body ? [{ ...s, path: `${s.path}{${set}=${chosen}}`, specifier: 'over' as const, typeName: '', body, line: 0 }] : [];
      });
      out.push({ ...node, selection: `${node.selection}{${set}=${chosen}}`, specs });
    }
    return out;
  }
}

/**
 * Opens the stage rooted at `file` (any layer format) and composes it into one layer. Synchronous:
 * a character is read once per run or watch.
 */
export function openStage(file: string, opts: StageOptions = {}): ComposedStage {
  return new Composer(opts).open(file);
}
