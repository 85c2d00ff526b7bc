// Turns a crate file's specs into the layer model the .usda parser produces (UsdaLayer), so
// composition and character inspection need not know which format a layer came in. The pseudo-root's
// fields are the layer metadata; prims, properties, variant sets and variants are found through the
// child-name fields (primChildren, properties, variantSetChildren, variantChildren), which keep the
// authored order. There are no lines in a binary file: every `line` is 0.
import type { ParseOptions, UsdaLayer, UsdaMetadata, UsdaPrim, UsdaProperty, UsdaValue, UsdaVariant } from '../usda-parser.js';
import { corrupt } from './cursor.js';
import { type CrateSpec, type CrateStructure, SpecType, readCrateStructure } from './sections.js';
import { type CrateValue, type ListOp, ValueReader } from './values.js';

/** Sdf field names that are structure, not metadata. */
const STRUCTURAL = new Set([
  'specifier',
  'typeName',
  'primChildren',
  'properties',
  'variantSetChildren',
  'variantChildren',
  'targetChildren',
  'connectionChildren',
  'default',
  'timeSamples',
  'variability',
  'custom',
  'targetPaths',
  'connectionPaths',
  'subLayerOffsets',
]);

/** Sdf field names whose .usda metadata key differs. */
const KEY_NAMES: Record<string, string> = {
  documentation: 'doc',
  variantSetNames: 'variantSets',
  variantSelection: 'variants',
  inheritPaths: 'inherits',
};

function isListOp(v: CrateValue): v is ListOp<UsdaValue> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'listOp';
}

class LayerBuilder {
  private readonly values: ValueReader;

  constructor(
    private readonly crate: CrateStructure,
    bytes: Uint8Array,
    private readonly opts: ParseOptions,
  ) {
    this.values = new ValueReader(crate, bytes);
  }

  private spec(path: string, type: number, what: string): CrateSpec {
    const s = this.crate.specs.get(path);
    if (!s) throw corrupt(this.crate.file, `${what} <${path}> is listed but has no spec`);
    if (s.type !== type) throw corrupt(this.crate.file, `${what} <${path}> has spec type ${s.type}, not ${type}`);
    return s;
  }

  private get(s: CrateSpec, field: string, keep = true): CrateValue | undefined {
    const i = s.fields.get(field);
    return i === undefined ? undefined : this.values.field(i, keep);
  }

  namesOf(root: CrateSpec): string[] {
    return this.names(root, 'primChildren');
  }

  private names(s: CrateSpec, field: string): string[] {
    const v = this.get(s, field);
    return Array.isArray(v) ? (v as string[]) : [];
  }

  /** Metadata entries of a spec, list ops split into one entry per operation as .usda writes them. */
  private metadata(s: CrateSpec): UsdaMetadata[] {
    const out: UsdaMetadata[] = [];
    for (const [field, index] of s.fields) {
      if (STRUCTURAL.has(field)) continue;
      const key = KEY_NAMES[field] ?? field;
      const v = this.values.field(index);
      if (isListOp(v)) {
        if (v.explicit && !v.parts.some((p) => p.op === 'explicit')) out.push({ key, value: [], line: 0 });
        for (const p of v.parts) out.push({ key, ...(p.op !== 'explicit' && { op: p.op }), value: p.items, line: 0 });
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'variantSelections') {
        const entries = Object.fromEntries(Object.entries(v.selections).map(([k, sel]) => [k, { type: 'string', value: sel }]));
        out.push({ key, value: { kind: 'dictionary', entries }, line: 0 });
      } else if (typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'layerOffsets') {
      } else if (field === 'payload' && typeof v === 'object' && v !== null && !Array.isArray(v) && v.kind === 'asset') {
        // A single SdfPayload (files before 0.8.0); an empty one is `payload = None`.
        out.push({ key, value: v.asset === '' && !v.primPath ? [] : [v], line: 0 });
      } else out.push({ key, value: v as UsdaValue, line: 0 });
    }
    return out;
  }

  layerMetadata(root: CrateSpec): UsdaMetadata[] {
    const out = this.metadata(root).filter((m) => m.key !== 'subLayers');
    const layers = this.get(root, 'subLayers');
    if (Array.isArray(layers)) {
      const offsets = this.get(root, 'subLayerOffsets');
      const list =
        offsets && typeof offsets === 'object' && !Array.isArray(offsets) && offsets.kind === 'layerOffsets' ? offsets.offsets : [];
      const value = (layers as string[]).map((asset, i) => {
        const lo = list[i] ?? { offset: 0, scale: 1 };
        return { kind: 'asset' as const, asset, ...(lo.offset !== 0 && { offset: lo.offset }), ...(lo.scale !== 1 && { scale: lo.scale }) };
      });
      out.push({ key: 'subLayers', value, line: 0 });
    }
    return out;
  }

  /** The body shared by prims and variants: properties, children and variant sets. */
  private body(specPath: string, path: string, typeName: string, s: CrateSpec): Omit<UsdaVariant, 'metadata'> {
    const properties = new Map<string, UsdaProperty>();
    for (const name of this.names(s, 'properties')) properties.set(name, this.property(specPath, path, typeName, name));
    const children = this.names(s, 'primChildren').map((name) => this.prim(this.child(specPath, name), `${path}/${name}`));
    const setNames = this.names(s, 'variantSetChildren');
    if (setNames.length === 0) return { properties, children };
    const sets = new Map<string, Map<string, UsdaVariant>>();
    for (const set of setNames) {
      const setSpec = this.spec(`${specPath}{${set}=}`, SpecType.VariantSet, 'variant set');
      const variants = new Map<string, UsdaVariant>();
      for (const name of this.names(setSpec, 'variantChildren')) {
        const vPath = `${specPath}{${set}=${name}}`;
        const vs = this.spec(vPath, SpecType.Variant, 'variant');
        variants.set(name, { metadata: this.metadata(vs), ...this.body(vPath, path, typeName, vs) });
      }
      sets.set(set, variants);
    }
    return { properties, children, variantSets: sets };
  }

  private child(specPath: string, name: string): string {
    return specPath === '/' ? `/${name}` : specPath.endsWith('}') ? specPath + name : `${specPath}/${name}`;
  }

  prim(specPath: string, path: string): UsdaPrim {
    const s = this.spec(specPath, SpecType.Prim, 'prim');
    const specifier = this.get(s, 'specifier');
    const typeName = this.get(s, 'typeName');
    const name = path.slice(path.lastIndexOf('/') + 1);
    const t = typeof typeName === 'string' ? typeName : '';
    return {
      // USD leaves out a field that has its fallback value, and a prim's fallback specifier is `over`.
      specifier: specifier === 'def' || specifier === 'class' ? specifier : 'over',
      typeName: t,
      name,
      path,
      line: 0,
      metadata: this.metadata(s),
      ...this.body(specPath, path, t, s),
    };
  }

  private property(specPath: string, primPath: string, primType: string, name: string): UsdaProperty {
    const at = `${specPath}.${name}`;
    const s = this.crate.specs.get(at);
    if (!s || (s.type !== SpecType.Attribute && s.type !== SpecType.Relationship))
      throw corrupt(this.crate.file, `property <${at}> is listed but has no attribute or relationship spec`);
    const isRel = s.type === SpecType.Relationship;
    const typeName = isRel ? 'rel' : this.get(s, 'typeName');
    const prop: UsdaProperty = {
      name,
      kind: isRel ? 'relationship' : 'attribute',
      typeName: typeof typeName === 'string' ? typeName : '',
      uniform: !isRel && this.get(s, 'variability') === 'uniform', // relationships are uniform; the text never says so
      custom: this.get(s, 'custom') === true,
      metadata: this.metadata(s),
      line: 0,
    };
    const keep = this.opts.keepValue?.({ typeName: primType, path: primPath }, name) ?? true;
    const def = this.get(s, 'default', keep);
    if (def !== undefined) prop.default = def as UsdaValue;
    const ts = this.get(s, 'timeSamples');
    if (ts && typeof ts === 'object' && !Array.isArray(ts) && ts.kind === 'timeSamples') prop.timeSamples = ts.samples;
    const targets = this.get(s, isRel ? 'targetPaths' : 'connectionPaths');
    if (targets && isListOp(targets)) {
      // As the text parser takes them (target list ops are not composed, docs/usd-reading.md): explicit,
      // added, prepended and appended targets are the list; deleted or reordered ones are none of their own.
      const kept = targets.parts.filter((p) => p.op !== 'delete' && p.op !== 'reorder');
      if (kept.length > 0 || targets.explicit) prop.targets = kept.flatMap((p) => p.items.map((i) => (i as { path: string }).path));
    }
    return prop;
  }
}

/** Reads a crate (.usdc) layer's bytes into the shared layer model. */
export function readCrate(bytes: Uint8Array, file: string, opts: ParseOptions = {}): UsdaLayer {
  const crate = readCrateStructure(bytes, file);
  const root = crate.specs.get('/');
  if (!root || root.type !== SpecType.PseudoRoot) throw corrupt(file, 'there is no pseudo-root spec </>');
  const b = new LayerBuilder(crate, bytes, opts);
  const prims = b.namesOf(root).map((name) => b.prim(`/${name}`, `/${name}`));
  return { file, metadata: b.layerMetadata(root), prims };
}
