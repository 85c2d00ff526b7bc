// Studio characters as they are stored (issue 10): the sample face as text, crate (.usdc and .usd) and
// .usdz, and two composed variants of it, all written or checked by real Pixar USD
// (test/usd/make-composed-characters.cjs, described in docs/usd-reading.md). For every form, `a2f inspect`
// must find what it finds in the text original, and `a2f run` must write a layer that composes over the
// form in real USD with the computed samples. Then every kind of bad character: a clear error, exit 2,
// nothing written.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Quat, quatMultiply } from '@a2f/animation';
import { removeTempDirs } from '@a2f/test-utils';
import { type BadCase, type CharacterForm, type ComposedCharacters, makeComposedCharacters } from '../usd/make-composed-characters.js';
import { type ReadbackResult, type UsdValue, usdReadbackMany } from '../usd/validate.js';
import { type A2fExport, type CliResult, readJson, runCli, sampleLines, skelAnimationPath, tempDir } from './helpers.js';
import {
  checkLayer,
  dropLines,
  HANG_MS,
  HOOK_HANG_MS,
  killAll,
  readLog,
  settledCount,
  startWatch,
  waitUntil,
  walk,
} from './watch-helpers.js';

interface Origin {
  layer: string;
  path: string;
}
interface Mesh {
  path: string;
  blendShapes: string[];
  blendShapeTargets: string[];
  skeleton: string;
  skinnedJoints: string[];
  origin?: Origin;
}
interface Rest {
  translation: number[];
  rotation: number[];
  scale: number[];
}
interface Inspected {
  ok: boolean;
  character: { skeleton: { path: string; joints: string[]; rest: Rest[]; origin?: Origin }; meshes: Mesh[] };
}
interface Summary {
  ok: boolean;
  lines: { ok: boolean; name: string; layers: string[]; report: string; files: string[]; frames: number }[];
}
interface Case {
  id: string;
  character: CharacterForm['character'];
  encoding: CharacterForm['encoding'];
  variant?: string;
}

const ENCODINGS = ['usda', 'usdc', 'usd', 'usdz'] as const;
const CASES: Case[] = [
  ...ENCODINGS.map((encoding) => ({ id: `single.${encoding}`, character: 'single' as const, encoding })),
  ...ENCODINGS.map((encoding) => ({ id: `split.${encoding}`, character: 'split' as const, encoding })),
  ...(['usda', 'usda-files', 'usdc', 'usd', 'usdz'] as const).flatMap((encoding) => [
    { id: `variants.${encoding}`, character: 'variants' as const, encoding },
    { id: `variants.${encoding} --variant face=lite`, character: 'variants' as const, encoding, variant: 'face=lite' },
  ]),
];
/** The mouth-only face of the "lite" variant keeps these of the full face's shapes. */
const LITE = (token: string) => /^(jaw|mouth)/.test(token);
const LINE = sampleLines()[0];
const f32 = Math.fround;

let chars: ComposedCharacters;
const inspected = new Map<string, CliResult>();
const runs = new Map<string, { result: CliResult; out: string }>();
/** Real USD's reading of each override layer over its character form (filled by 'a2f run over every form'). */
let readback = new Map<string, ReadbackResult>();
let work: string;

const formOf = (c: Case): CharacterForm => chars.forms.find((f) => f.id === `${c.character}.${c.encoding}`)!;
const variantArgs = (c: Case): string[] => (c.variant ? ['--variant', c.variant] : []);

/** Runs `task` over `items`, at most `n` at a time (each task is a CLI process). */
async function pool<T>(items: readonly T[], n: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) await task(items[next++]);
    }),
  );
}

beforeAll(async () => {
  work = tempDir('characters');
  chars = await makeComposedCharacters(path.join(work, 'assets'));
  await pool(CASES, 4, async (c) => {
    const root = formOf(c).root;
    inspected.set(c.id, await runCli(['inspect', root, '--json', ...variantArgs(c)]));
    const out = path.join(work, 'out', c.id.replace(/[^\w.]+/g, '_'));
    const result = await runCli(['run', LINE, '--character', root, '--out', out, '--export-json', '--json', ...variantArgs(c)]);
    runs.set(c.id, { result, out });
  });
});
afterAll(() => {
  killAll();
  removeTempDirs();
});

describe('the test characters', () => {
  it('are every form of the three characters: crate written by real USD, packages 64-byte aligned, each composing to the sample', () => {
    expect(chars.forms.map((f) => f.id).sort()).toEqual([...new Set(CASES.map((c) => `${c.character}.${c.encoding}`))].sort());
    expect(chars.crateVersions).toEqual(['0.8.0']);
    for (const f of chars.forms) {
      expect(f.sameStageAsSample, f.id).toBe(true);
      for (const file of f.files.filter((x) => /\.usdc?$/.test(x)))
        expect(readFileSync(file).subarray(0, 8).toString('latin1'), file).toBe('PXR-USDC');
      if (f.encoding === 'usdz')
        expect(zipEntries(readFileSync(f.root)).map((e) => [e.name, e.dataOffset % 64])).toEqual(f.entries!.map((n) => [n, 0]));
    }
  });
});

/** Each local entry of a zip: its name and where its data starts (stored entries follow one another). */
function zipEntries(zip: Buffer): { name: string; dataOffset: number }[] {
  const entries = [];
  for (let at = 0; zip.readUInt32LE(at) === 0x04034b50; ) {
    const nameLength = zip.readUInt16LE(at + 26);
    const dataOffset = at + 30 + nameLength + zip.readUInt16LE(at + 28);
    entries.push({ name: zip.toString('utf8', at + 30, at + 30 + nameLength), dataOffset });
    at = dataOffset + zip.readUInt32LE(at + 18);
  }
  return entries;
}

describe('a2f inspect on every form', () => {
  /** What the text original gives, read by the reader that existed before binary forms and composition. */
  const original = (): Inspected => JSON.parse(inspected.get('single.usda')!.stdout) as Inspected;
  const meshes = (i: Inspected) =>
    i.character.meshes
      .map(({ path, blendShapes, blendShapeTargets, skeleton, skinnedJoints }) => ({
        path,
        blendShapes,
        blendShapeTargets,
        skeleton,
        skinnedJoints,
      }))
      .sort((a, b) => a.path.localeCompare(b.path));
  /** The original's meshes as the case should show them: with face=lite, the mouth-only FaceLite instead of Face. */
  const expectedMeshes = (c: Case) =>
    meshes(original())
      .map((m) =>
        c.variant && m.path === '/Character/Face'
          ? {
              ...m,
              path: '/Character/FaceLite',
              blendShapes: m.blendShapes.filter(LITE),
              blendShapeTargets: m.blendShapeTargets.filter((t) => LITE(t.split('/').pop()!)).map((t) => t.replace('/Face/', '/FaceLite/')),
            }
          : m,
      )
      .sort((a, b) => a.path.localeCompare(b.path));

  it('the text original matches real USD: its joints and each mesh blendshape tokens and targets', async () => {
    const o = original();
    const attrs = [
      '/Character/Skel.joints',
      ...o.character.meshes.flatMap((m) => [`${m.path}.skel:blendShapes`, `${m.path}.skel:blendShapeTargets`]),
    ];
    const [usd] = await usdReadbackMany([{ root: chars.sample, attrs }]);
    expect(usd.errors).toEqual([]);
    expect(o.character.skeleton.joints).toEqual(usd.defaults['/Character/Skel.joints']);
    expect(o.character.meshes.filter((m) => m.blendShapes.length).map((m) => m.path)).toEqual(['/Character/Face', '/Character/Tongue']);
    for (const m of o.character.meshes) {
      expect(m.blendShapes).toEqual(usd.defaults[`${m.path}.skel:blendShapes`] ?? []);
      expect(m.blendShapeTargets).toEqual(usd.targets[`${m.path}.skel:blendShapeTargets`] ?? []);
    }
  });

  it.each(CASES)('$id: the same joints, rest pose and meshes (blendshape tokens, targets, skinned joints) as the text original', (c) => {
    const r = inspected.get(c.id)!;
    expect(r.code, r.stderr).toBe(0);
    const got = JSON.parse(r.stdout) as Inspected;
    const o = original();
    expect(got.character.skeleton.path).toBe('/Character/Skel');
    expect(got.character.skeleton.joints).toEqual(o.character.skeleton.joints);
    got.character.skeleton.rest.forEach((rest, j) => {
      for (const k of ['translation', 'rotation', 'scale'] as const)
        rest[k].forEach((v, n) => {
          expect(v).toBeCloseTo(o.character.skeleton.rest[j][k][n], 12);
        });
    });
    expect(meshes(got)).toEqual(expectedMeshes(c));
  });

  it.each(CASES.filter((c) => c.character !== 'single' && c.encoding !== 'usda'))(
    '$id: says which layer and spec each part came from',
    (c) => {
      const got = JSON.parse(inspected.get(c.id)!.stdout) as Inspected;
      const ext = c.encoding === 'usdz' ? 'usdc' : c.encoding === 'usda-files' ? 'usda' : c.encoding;
      const face = got.character.meshes.find((m) => m.path.startsWith('/Character/Face'))!;
      const [skelFile, skelSpec, faceFile, faceSpec] =
        c.character === 'split'
          ? [`skeleton.${ext}`, '/Rig/Skel', `geometry.${ext}`, '/Geometry/Face']
          : c.variant
            ? [`rig.${ext}`, '/Rig/Skel', `face_lite.${ext}`, '/FaceLite/FaceLite']
            : [`rig.${ext}`, '/Rig/Skel', `face_full.${ext}`, '/FaceFull/Face'];
      // A layer inside a package is named package[entry] (docs/usd-reading.md).
      expect(got.character.skeleton.origin?.layer).toContain(skelFile);
      expect(got.character.skeleton.origin?.path).toBe(skelSpec);
      expect(face.origin?.layer).toContain(faceFile);
      expect(face.origin?.path).toBe(faceSpec);
    },
  );
});

describe('a2f run over every form', () => {
  const summaryOf = (c: Case): Summary => JSON.parse(runs.get(c.id)!.result.stdout) as Summary;

  beforeAll(async () => {
    // One real-USD process for every layer that was written; a case whose run failed is left out (its own test fails).
    const done = CASES.filter((c) => runs.get(c.id)!.result.code === 0);
    const results = await usdReadbackMany(
      done.map((c) => {
        const layer = summaryOf(c).lines[0].layers[0];
        const anim = skelAnimationPath(layer);
        return {
          root: layer,
          others: formOf(c).files,
          attrs: ['blendShapes', 'blendShapeWeights', 'joints', 'rotations']
            .map((a) => `${anim}.${a}`)
            .concat('/Character/Skel.skel:animationSource'),
        };
      }),
    );
    readback = new Map(done.map((c, i) => [c.id, results[i]]));
  });

  it.each(CASES)('$id: writes one layer whose sublayer is the character file as given, relative to the layer', (c) => {
    const { result, out } = runs.get(c.id)!;
    expect(result.code, result.stderr).toBe(0);
    const s = summaryOf(c);
    expect(s.ok).toBe(true);
    expect(s.lines[0].layers).toHaveLength(1);
    const text = readFileSync(s.lines[0].layers[0], 'utf8');
    const sub = /subLayers = \[\s*@([^@]+)@/.exec(text);
    expect(sub, 'the layer sublayers the character').not.toBeNull();
    expect(path.isAbsolute(sub![1])).toBe(false);
    expect(path.resolve(out, sub![1])).toBe(formOf(c).root);
  });

  it.each(CASES)('$id: composes over the character in real USD, and the samples read back equal the computed ones', (c) => {
    const r = readback.get(c.id);
    expect(r, 'the run wrote a layer').toBeDefined();
    expect(r!.errors).toEqual([]);
    const line = summaryOf(c).lines[0];
    const anim = skelAnimationPath(line.layers[0]);
    expect(r!.targets['/Character/Skel.skel:animationSource']).toEqual([anim]);
    const computed = readJson<A2fExport>(line.files.find((f) => f.endsWith('.a2f.json'))!);
    const report = readJson<{ binding: { blendShapes: { matches: { source: string; target: string }[] } } }>(line.report);
    const tokens = r!.defaults[`${anim}.blendShapes`] as string[];
    // The layer animates exactly the character's tokens: the sample's 68, or the lite face's 27 and the tongue's 16.
    expect(tokens.length).toBe(c.variant ? 27 + 16 : 68);
    const sourceOf = new Map(report.binding.blendShapes.matches.map((m) => [m.target, m.source]));
    const columns = tokens.map((t) => computed.facsNames.indexOf(sourceOf.get(t)!));
    expect(columns.every((k) => k >= 0)).toBe(true);
    const weights = r!.samples[`${anim}.blendShapeWeights`];
    expect(weights.map(([t]) => t)).toEqual(Array.from({ length: computed.numFrames }, (_, k) => k));
    for (const [t, row] of weights)
      columns.forEach((k, j) => {
        expect(f32((row as number[])[j])).toBe(f32(computed.weightMat[t][k]));
      });

    // Joints: the rest rotation (from the text original) times the computed delta, frame by frame.
    const original = JSON.parse(inspected.get('single.usda')!.stdout) as Inspected;
    const joints = r!.defaults[`${anim}.joints`] as string[];
    expect(joints).toEqual(['root/head/eye_L', 'root/head/eye_R']);
    const rotations =
      r!.samples[`${anim}.rotations`] ?? computed.rotations.map((_, t): [number, UsdValue] => [t, r!.defaults[`${anim}.rotations`]]);
    expect(rotations).toHaveLength(computed.numFrames);
    for (const [t, value] of rotations)
      (value as number[][]).forEach((q, j) => {
        const channel = computed.joints.findIndex((name) => joints[j].split('/').pop()!.toLowerCase() === name.toLowerCase());
        const rest = original.character.skeleton.rest[original.character.skeleton.joints.indexOf(joints[j])].rotation as Quat;
        const expected = quatMultiply(rest, computed.rotations[t][channel] as Quat);
        q.forEach((v, k) => {
          expect(v).toBeCloseTo(expected[k], 6);
        });
      });
  });

  it('gives the same samples for every form of the same face', () => {
    const text = (id: string) => readback.get(id)?.sampleText;
    const weights = (id: string) => Object.entries(text(id) ?? {}).find(([k]) => k.endsWith('.blendShapeWeights'))?.[1];
    const full = weights('single.usda');
    expect(full).toBeDefined();
    for (const c of CASES.filter((x) => !x.variant)) expect(weights(c.id), c.id).toEqual(full);
    const lite = weights('variants.usda --variant face=lite');
    expect(lite).toBeDefined();
    for (const c of CASES.filter((x) => x.variant)) expect(weights(c.id), c.id).toEqual(lite);
  });

  it.each(CASES.filter((c) => c.variant))(
    '$id: the layer selects the chosen variant, so real USD composes the face it was bound to',
    (c) => {
      const r = readback.get(c.id);
      expect(r, 'the run wrote a layer').toBeDefined();
      expect(r!.prims['/Character/FaceLite']).toEqual({ specifier: 'def', type: 'Mesh' });
      expect(r!.prims['/Character/Face']).toBeUndefined();
    },
  );
});

describe('a2f run --layering reference over binary and packaged characters', () => {
  const IDS = ['single.usdc', 'split.usdz', 'variants.usd'];
  let results: Map<string, { summary: Summary; out: string; readback?: ReadbackResult }>;

  beforeAll(async () => {
    results = new Map();
    await pool(IDS, 3, async (id) => {
      const out = path.join(work, 'reference', id);
      const form = chars.forms.find((f) => f.id === id)!;
      const r = await runCli(['run', LINE, '--character', form.root, '--out', out, '--layering', 'reference', '--json']);
      if (r.code === 0) results.set(id, { summary: JSON.parse(r.stdout) as Summary, out });
    });
    const done = IDS.filter((id) => results.has(id));
    const read = await usdReadbackMany(
      done.map((id) => {
        const { summary } = results.get(id)!;
        const layers = summary.lines[0].layers;
        const shot = layers.find((l) => l.endsWith('.shot.usda'))!;
        return {
          root: shot,
          others: [...layers.filter((l) => l !== shot), ...chars.forms.find((f) => f.id === id)!.files],
          attrs: ['blendShapeWeights', '/Character/Skel.skel:animationSource'],
        };
      }),
    );
    done.forEach((id, i) => {
      results.get(id)!.readback = read[i];
    });
  });

  it.each(IDS)("%s: the shot references the file as given, composes in real USD, and reads back the override run's samples", (id) => {
    const got = results.get(id);
    expect(got, 'the run succeeded').toBeDefined();
    const shot = got!.summary.lines[0].layers.find((l) => l.endsWith('.shot.usda'))!;
    const ref = /references = @([^@]+)@/.exec(readFileSync(shot, 'utf8'));
    expect(ref).not.toBeNull();
    expect(path.isAbsolute(ref![1])).toBe(false);
    expect(path.resolve(got!.out, ref![1])).toBe(chars.forms.find((f) => f.id === id)!.root);
    const r = got!.readback!;
    expect(r.errors).toEqual([]);
    const name = got!.summary.lines[0].name;
    expect(r.targets['/Character/Skel.skel:animationSource']).toEqual([`/Character/${name}`]);
    // The same computed weights as the override layer's, whichever way the layer reaches the character.
    const override = readback.get(id)?.sampleText;
    const weights = override && Object.entries(override).find(([k]) => k.endsWith('.blendShapeWeights'))?.[1];
    expect(weights).toBeDefined();
    expect(r.sampleText.blendShapeWeights).toEqual(weights);
  });
});

describe('a2f watch with a packaged, composed character', () => {
  it(
    'reads split.usdz and writes, per dropped line, a layer that composes over the package in real USD',
    async () => {
      const inbox = tempDir('characters-watch-in');
      const out = tempDir('characters-watch-out');
      const log = path.join(tempDir('characters-watch-log'), 'watch.jsonl');
      const form = chars.forms.find((f) => f.id === 'split.usdz')!;
      const w = startWatch(inbox, out, log, ['--character', form.root]);
      try {
        await waitUntil(() => readLog(log).some((e) => e.ev === 'ready'), 'watcher ready', HANG_MS, [w]);
        const names = dropLines(inbox, 2, 'take');
        await waitUntil(() => settledCount(out) >= names.length, `${names.length} outcomes`, HANG_MS, [w]);
      } finally {
        w.child.kill('SIGINT');
        await w.exited;
      }
      const layers = walk(out)
        .filter((f) => f.endsWith('.usda'))
        .map((f) => path.join(out, f));
      expect(layers.map((l) => path.basename(l))).toEqual(['take000.usda', 'take001.usda']);
      const anims = layers.map((l) => checkLayer(l).anim);
      const results = await usdReadbackMany(
        layers.map((l, i) => ({ root: l, others: form.files, attrs: [`${anims[i]}.blendShapeWeights`, `${anims[i]}.blendShapes`] })),
      );
      results.forEach((r, i) => {
        expect(r.errors).toEqual([]);
        expect(r.defaults[`${anims[i]}.blendShapes`]).toHaveLength(68);
        expect(r.samples[`${anims[i]}.blendShapeWeights`].length).toBeGreaterThan(1);
      });
    },
    HOOK_HANG_MS,
  );
});

describe('bad characters: a clear error naming the file and the fix, exit 2, nothing written', () => {
  interface Fatal {
    ok: boolean;
    error: { code: string; message: string; fix: string };
  }
  /** Runs a2f run on one bad character; returns its error and checks that nothing was written and `names` is in the message. */
  async function refuse(
    character: string,
    extra: string[] = [],
    names = path.basename(character),
  ): Promise<Fatal['error'] & { stderr: string }> {
    const out = path.join(work, 'bad-out', path.basename(character).replace(/\W+/g, '_') + extra.join('_').replace(/\W+/g, '_'));
    const r = await runCli(['run', LINE, '--character', character, '--out', out, '--json', ...extra]);
    expect(r.code, r.stderr).toBe(2);
    const f = JSON.parse(r.stdout) as Fatal;
    expect(f.ok).toBe(false);
    expect(f.error.fix).toMatch(/\w/);
    expect(r.stderr).toContain(names);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    return { ...f.error, stderr: r.stderr };
  }
  const bad = (k: BadCase) => chars.bad[k];

  it('a crate file whose magic is wrong', async () => {
    const e = await refuse(bad('badMagic'));
    expect(e.code).toBe('NOT_USDA');
    expect(e.message).toContain('bad-magic.usdc');
  });

  it('a crate version no USD wrote (9.0.0)', async () => {
    const e = await refuse(bad('badVersion'));
    expect(e.code).toBe('CRATE_VERSION');
    expect(e.message).toContain('bad-version.usdc');
    expect(e.message).toContain('9.0.0');
  });

  it('a crate file cut short', async () => {
    const e = await refuse(bad('truncated'));
    expect(e.code).toBe('CRATE_TRUNCATED');
    expect(e.message).toContain('truncated.usdc');
  });

  it('a .usdz that is not a zip, and one whose entries are not 64-byte aligned', async () => {
    const notZip = await refuse(bad('notZip'));
    expect(notZip.code).toBe('USDZ_BAD');
    expect(notZip.message).toContain('not-a-zip.usdz');
    const unaligned = await refuse(bad('unaligned'));
    expect(unaligned.code).toBe('USDZ_BAD');
    expect(unaligned.message).toContain('unaligned.usdz');
    expect(`${unaligned.message} ${unaligned.fix}`).toMatch(/align/i);
  });

  it('a payload to a file that does not exist: the message names it and the layer that asked for it', async () => {
    const e = await refuse(bad('missingPayload'));
    expect(e.code).toBe('ASSET_NOT_FOUND');
    expect(e.message).toContain('geometry.usda');
    expect(e.message).toContain(path.join('missing', 'character.usda'));
  });

  it('a sublayer cycle: the message names the layers in it', async () => {
    const e = await refuse(bad('cycle'));
    expect(e.code).toBe('SUBLAYER_CYCLE');
    expect(e.message).toContain('cycle_a.usda');
    expect(e.message).toContain('cycle_b.usda');
  });

  it('a variant or variant set that does not exist: the message names it and the ones there are', async () => {
    const root = chars.forms.find((f) => f.id === 'variants.usdc')!.root;
    const name = await refuse(root, ['--variant', 'face=medium']);
    expect(name.code).toBe('VARIANT_UNKNOWN');
    for (const word of ['medium', 'face', 'full', 'lite', '/Character']) expect(name.message).toContain(word);
    const set = await refuse(root, ['--variant', 'lod=high']);
    expect(set.code).toBe('VARIANT_UNKNOWN');
    for (const word of ['lod', 'face']) expect(set.message).toContain(word);
  });

  it('a character published as an instance: its skinned meshes cannot be animated per instance', async () => {
    // The message names the layer of the Skeleton it refuses, one of the character's own files.
    const e = await refuse(bad('instanced'), [], `${path.sep}instanced${path.sep}`);
    expect(e.code).toBe('INSTANCED_SKIN');
    expect(e.message).toContain('/Character');
  });

  it('a character with no Skeleton reachable', async () => {
    const e = await refuse(bad('noSkeleton'));
    expect(e.code).toBe('NO_SKELETON');
    expect(e.message).toContain('character.usda');
  });

  it('a2f inspect refuses the same way (exit 2, the file named)', async () => {
    for (const k of ['badVersion', 'missingPayload', 'noSkeleton'] as const) {
      const r = await runCli(['inspect', bad(k), '--json']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(path.basename(bad(k)));
    }
  });
});
