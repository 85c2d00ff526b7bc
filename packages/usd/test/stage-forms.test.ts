// The sample character in every form real USD writes (text, crate as .usdc/.usd, .usdz; single file, split
// over referenced and payloaded files, with a variant set), composed by openStage: each form is the same
// composed stage as the text sample, as real USD also found (test/usd/make-composed-characters.cjs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { type ComposedCharacters, makeComposedCharacters } from '../../../test/usd/make-composed-characters.js';
import { openStage, type UsdaLayer, type UsdaPrim, type UsdaValue } from '../src/index.js';
import { sampleCharacterPath } from './fixtures.js';

/** Numbers as float32, so a crate's float attributes and the text's decimals compare equal. */
const f32 = (v: UsdaValue | undefined): unknown => (typeof v === 'number' ? Math.fround(v) : Array.isArray(v) ? v.map(f32) : v);

/** The composed stage as plain data: per prim its specifier, type and each property's value, targets and samples. */
function contents(layer: UsdaLayer): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const walk = (prims: readonly UsdaPrim[]) => {
    for (const p of prims) {
      const props = Object.fromEntries(
        [...p.properties.values()].map((q) => [q.name, { value: f32(q.default), targets: q.targets, samples: q.timeSamples }]),
      );
      out[p.path] = { specifier: p.specifier, type: p.typeName, props };
      walk(p.children);
    }
  };
  walk(layer.prims);
  return out;
}

describe('openStage reads every stored form of the sample character as the same composed stage', () => {
  const dir = tempDir('stage-forms');
  let made: ComposedCharacters;
  const sample = contents(openStage(sampleCharacterPath).flattened);
  beforeAll(async () => {
    made = await makeComposedCharacters(dir);
  }, 120_000);
  afterAll(removeTempDirs);

  it('each form that real USD composed to the sample composes to it here too', () => {
    const forms = made.forms.filter((f) => f.sameStageAsSample);
    expect(forms.map((f) => f.encoding)).toEqual(expect.arrayContaining(['usda', 'usda-files', 'usdc', 'usd', 'usdz']));
    for (const form of forms)
      expect({ form: form.id, stage: contents(openStage(form.root).flattened) }).toEqual({ form: form.id, stage: sample });
  });

  it('reads the layers of a package inside it, named pkg.usdz[entry]', () => {
    const packaged = made.forms.find((f) => f.encoding === 'usdz' && f.character === 'split')!;
    const layers = openStage(packaged.root).layers;
    expect(layers[0]).toBe(packaged.root);
    expect([...layers.slice(1)].sort()).toEqual(
      packaged
        .entries!.slice(1)
        .map((e) => `${packaged.root}[${e}]`)
        .sort(),
    );
  });
});
