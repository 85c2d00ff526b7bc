// Our composition against real Pixar USD's on the same files: the prims of the flattened stage
// (paths, specifiers, types) and every property value, relationship target and time sample of it.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ReadbackResult, usdReadbackMany } from '../../../test/usd/validate.js';
import { openStage, parseUsda, type UsdaLayer, type UsdaPrim } from '../src/index.js';
import { sampleCharacterPath } from './fixtures.js';

const DIR = fileURLToPath(new URL('./composed/', import.meta.url));
const OTHERS = readdirSync(DIR)
  .filter((f) => f.endsWith('.usda'))
  .map((f) => path.join(DIR, f));
const ROOTS = [
  ...['hero.usda', 'hero-lite.usda', 'arcs.usda', 'nested.usda', 'rate.usda', 'implied.usda'].map((f) => path.join(DIR, f)),
  sampleCharacterPath,
];

function allPrims(layer: UsdaLayer): UsdaPrim[] {
  const out: UsdaPrim[] = [];
  const walk = (prims: readonly UsdaPrim[]) => {
    for (const p of prims) {
      out.push(p);
      walk(p.children);
    }
  };
  walk(layer.prims);
  return out;
}

const SELECTIONS = new Set(['variants', 'variantSets']);

// Mesh points and normals are large and carry nothing composition decides differently from the other arrays.
const keepValue = (_prim: unknown, name: string): boolean => name !== 'points' && name !== 'normals';

describe('openStage agrees with real USD (Pixar USD 0.22) on the composed stage', () => {
  const ours = ROOTS.map((root) => openStage(root, { keepValue }).flattened);
  let theirs: ReadbackResult[] = [];

  beforeAll(async () => {
    theirs = await usdReadbackMany(
      ROOTS.map((root, i) => ({
        root,
        others: root === sampleCharacterPath ? [] : OTHERS,
        flatten: true,
        attrs: allPrims(ours[i]).flatMap((p) =>
          [...p.properties.values()].filter((q) => q.default !== undefined || q.targets || q.timeSamples).map((q) => `${p.path}.${q.name}`),
        ),
      })),
    );
  }, 120_000);

  it.each(ROOTS.map((r, i) => [path.basename(r), i] as const))(
    '%s: the same prims, specifiers and types, in the same order',
    (_name, i) => {
      expect(theirs[i].errors).toEqual([]);
      const mine = Object.fromEntries(allPrims(ours[i]).map((p) => [p.path, { specifier: p.specifier, type: p.typeName }]));
      expect(mine).toEqual(theirs[i].prims);
      expect(Object.keys(mine)).toEqual(Object.keys(theirs[i].prims)); // and in the same order
    },
  );

  it.each(ROOTS.map((r, i) => [path.basename(r), i] as const))(
    '%s: the same prim and property metadata (USD flattens selections away)',
    (_name, i) => {
      const theirLayer = parseUsda(theirs[i].flattened!, 'flattened.usda', { keepValue: () => false });
      const metadata = (layer: UsdaLayer) =>
        Object.fromEntries(
          allPrims(layer).map((p) => [
            p.path,
            Object.fromEntries(p.metadata.filter((m) => !SELECTIONS.has(m.key)).map((m) => [m.key, m.value])),
          ]),
        );
      expect(metadata(ours[i])).toEqual(metadata(theirLayer));
      const propertyMetadata = (layer: UsdaLayer) =>
        Object.fromEntries(
          allPrims(layer).flatMap((p) =>
            [...p.properties.values()].map((q) => [`${p.path}.${q.name}`, Object.fromEntries(q.metadata.map((m) => [m.key, m.value]))]),
          ),
        );
      expect(propertyMetadata(ours[i])).toEqual(propertyMetadata(theirLayer));
    },
  );

  it.each(ROOTS.map((r, i) => [path.basename(r), i] as const))('%s: the same values, targets and time samples', (_name, i) => {
    const r = theirs[i];
    expect(r.missing).toEqual([]);
    let compared = 0;
    for (const p of allPrims(ours[i]))
      for (const q of p.properties.values()) {
        const attr = `${p.path}.${q.name}`;
        if (q.targets) expect([attr, q.targets]).toEqual([attr, r.targets[attr] ?? []]);
        if (q.timeSamples) expect([attr, q.timeSamples]).toEqual([attr, r.samples[attr]]);
        if (q.targets || q.timeSamples) compared++;
        const d = q.default;
        if (d === undefined || (typeof d === 'object' && d !== null && !Array.isArray(d))) continue;
        expect([attr, d]).toEqual([attr, r.defaults[attr]]);
        compared++;
      }
    expect(compared).toBeGreaterThan(1);
  });
});
