// The character a job binds to: the --variant/--skel-root/--skeleton settings, the rig chosen by the
// model's channel names (inspect and a run agree), and the character composed once per batch.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeWav } from '@a2f/audio';
import { rejection, tempDir, thrown, voicedLine } from '@a2f/test-utils';
import { parseUsda } from '@a2f/usd';
import {
  inspectBinding,
  JobContext,
  processLines,
  type JobError,
  type JobSettingsInput,
  type LineSuccess,
  provenanceSettings,
  resolveSettings,
} from '../src/index.js';

const SAMPLE = readFileSync(path.resolve(import.meta.dirname, '../../../samples/character/face.usda'), 'utf8');
const I = '( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) )';
const CORRECTIVES = Array.from({ length: 60 }, (_, i) => `corrective_${i}`);

/** A body rig beside the sample face: its mesh carries more blendshapes than the face, none of them ours. */
const BODY = `
def SkelRoot "Body"
{
    def Skeleton "Skel"
    {
        uniform token[] joints = ["hips"]
        uniform matrix4d[] restTransforms = [${I}]
    }
    def Mesh "Torso" ( prepend apiSchemas = ["SkelBindingAPI"] )
    {
        uniform token[] skel:blendShapes = [${CORRECTIVES.map((s) => `"${s}"`).join(', ')}]
        rel skel:blendShapeTargets = [${CORRECTIVES.map((s) => `<${s}>`).join(', ')}]
        rel skel:skeleton = </Body/Skel>
    }
}
`;
const work = tempDir('character');
const file = (name: string, text: string): string => {
  const f = path.join(work, name);
  writeFileSync(f, text);
  return f;
};
const TWO_RIGS = file('two-rigs.usda', SAMPLE + BODY);

describe('the character settings', () => {
  const base = { character: '/x/face.usda', outDir: '/o' };
  const resolve = (input: Partial<JobSettingsInput>) => resolveSettings({ ...base, ...input } as JobSettingsInput);

  it('takes --variant as set=name (repeatable) or a record, and prim paths with or without the leading slash', () => {
    expect(resolve({ variants: 'lod=high' }).variants).toEqual({ lod: 'high' });
    expect(resolve({ variants: ['lod=high', ' face = b '] }).variants).toEqual({ lod: 'high', face: 'b' });
    expect(resolve({ variants: { lod: 'low' } }).variants).toEqual({ lod: 'low' });
    expect(resolve({ skelRoot: 'Hero/', skeleton: '/Hero/Rig/Skel' })).toMatchObject({ skelRoot: '/Hero', skeleton: '/Hero/Rig/Skel' });
  });

  it('refuses a bad value naming the flag, the problem and the fix', () => {
    const refusal = (input: Partial<JobSettingsInput>) => thrown(() => resolve(input)) as JobError;
    expect(refusal({ variants: 'lod' })).toMatchObject({
      code: 'BAD_SETTING',
      file: '--variant',
      problem: '"lod" is not set=name',
      fix: 'Give --variant set=name, e.g. --variant lod=high; repeat it for more sets (a2f inspect --json lists them).',
    });
    expect(refusal({ variants: ['lod=high', 'lod=low'] })).toMatchObject({ problem: 'names variant set "lod" twice' });
    expect(refusal({ skeleton: '/Hero/my rig' })).toMatchObject({
      file: '--skeleton',
      problem: 'is not a prim path such as /Hero/Rig/Skel',
    });
    expect(refusal({ skelRoot: ['/A', '/B'] as never })).toMatchObject({
      file: '--skel-root',
      problem: expect.stringMatching(/more than once/),
    });
  });

  it('enter the settings hash of a layer when given (they change what it animates), and leave it as it was when not', () => {
    expect(Object.keys(provenanceSettings(resolve({})))).not.toEqual(expect.arrayContaining(['variants']));
    const given = provenanceSettings(resolve({ variants: 'lod=low', skelRoot: '/A', skeleton: '/A/Skel' }));
    expect(given).toMatchObject({ variants: { lod: 'low' }, skelRoot: '/A', skeleton: '/A/Skel' });
    expect(Object.keys(given).slice(0, 4)).toEqual(['character', 'variants', 'skelRoot', 'skeleton']);
  });
});

describe('inspectBinding chooses the rig as a run does', () => {
  it("animates the rig whose meshes carry the model's channels, not the one with the most blendshapes, and says so", async () => {
    const { character, binding } = await inspectBinding(TWO_RIGS, 'arkit');
    expect(character.skelRoots).toEqual(['/Character', '/Body']);
    expect(character.skeleton.path).toBe('/Character/Skel');
    expect(character.meshes.map((m) => m.path)).toEqual(['/Character/Face', '/Character/Tongue', '/Character/Eye_L', '/Character/Eye_R']);
    expect(binding.blendShapes.matches.length).toBeGreaterThanOrEqual(52);
    const note = character.notes.find((n) => n.startsWith('2 skeletons found'));
    expect(note).toMatch(/^2 skeletons found \(<\/Character\/Skel>, <\/Body\/Skel>\); animating <\/Character\/Skel>, /);
    expect(note).toMatch(/whose meshes carry \d+ of the model's \d+ blendshape channels \(others: <\/Body\/Skel> 0\)/);
  });

  it('takes the rig named by --skeleton or --skel-root, and refuses one that is not there', async () => {
    expect((await inspectBinding(TWO_RIGS, 'arkit', { skeleton: '/Body/Skel' })).character.blendShapes).toEqual(CORRECTIVES);
    expect((await inspectBinding(TWO_RIGS, 'arkit', { skelRoot: 'Body' })).character.skeleton.path).toBe('/Body/Skel');
    expect(await rejection(inspectBinding(TWO_RIGS, 'arkit', { skelRoot: '/Hero' }))).toMatchObject({
      code: 'SKELETON_UNKNOWN',
      problem: '--skel-root </Hero> is not a SkelRoot of the character; its SkelRoots are </Character>, </Body>',
    });
  });

  it('composes the variant the settings select, and refuses a skinned mesh in an instance', async () => {
    // A variant adds a beard mesh with its own shape (a variant's opinions are weaker than the face's own).
    const beard =
      'def Mesh "Beard" ( prepend apiSchemas = ["SkelBindingAPI"] ) { uniform token[] skel:blendShapes = ["beardTwitch"]\n' +
      '                rel skel:skeleton = </Character/Skel> }';
    const variants = file(
      'variants.usda',
      SAMPLE.replace(
        'def SkelRoot "Character" (\n    kind = "component"\n)\n{',
        'def SkelRoot "Character" (\n    kind = "component"\n    variants = { string extras = "none" }\n' +
          '    prepend variantSets = "extras"\n)\n{\n' +
          `    variantSet "extras" = {\n        "none" {\n        }\n        "beard" {\n            ${beard}\n        }\n    }`,
      ),
    );
    const plain = (await inspectBinding(variants, 'arkit')).character;
    expect(plain.meshes.map((m) => m.path)).not.toContain('/Character/Beard');
    const bearded = (await inspectBinding(variants, 'arkit', { variants: 'extras=beard' })).character;
    expect(bearded.meshes.map((m) => m.path)).toContain('/Character/Beard');
    expect(bearded.blendShapes).toContain('beardTwitch');
    expect(await rejection(inspectBinding(variants, 'arkit', { variants: 'extras=long' }))).toMatchObject({ code: 'VARIANT_UNKNOWN' });

    const instanced = file(
      'instanced.usda',
      SAMPLE.replace('    kind = "component"\n', '    kind = "component"\n    instanceable = true\n'),
    );
    expect(await rejection(inspectBinding(instanced, 'arkit'))).toMatchObject({ code: 'INSTANCED_SKIN' });
  });

  it('names a character that is not there, with the fix in inspect words', async () => {
    expect(await rejection(inspectBinding(path.join(work, 'nope.usdc'), 'arkit'))).toMatchObject({
      code: 'CHARACTER_NOT_FOUND',
      problem: 'cannot be read (ENOENT)',
      fix: 'Pass the path of a character asset (.usda, .usdc, .usd or .usdz) with a SkelRoot, Skeleton and blendshapes.',
    });
    expect(await rejection(inspectBinding(work, 'arkit'))).toMatchObject({
      code: 'CHARACTER_NOT_FOUND',
      problem: 'is a folder, not a USD layer',
    });
  });
});

describe('JobContext and the character', () => {
  it('stops a batch with a bad character before any line runs, writing nothing', async () => {
    const noSkeleton = file('no-skeleton.usda', '#usda 1.0\ndef SkelRoot "Root" {\n    def Mesh "Face" {}\n}\n');
    const instanced = file(
      'instanced-run.usda',
      SAMPLE.replace('    kind = "component"\n', '    kind = "component"\n    instanceable = true\n'),
    );
    const cases: [string, Partial<JobSettingsInput>, string][] = [
      [noSkeleton, {}, 'NO_SKELETON'],
      [instanced, {}, 'INSTANCED_SKIN'],
      [TWO_RIGS, { skeleton: '/Body/Rig' }, 'SKELETON_UNKNOWN'],
      [TWO_RIGS, { variants: 'extras=beard' }, 'VARIANT_UNKNOWN'],
    ];
    for (const [character, extra, code] of cases) {
      const out = path.join(work, `bad-${code}`);
      const settings = { character, outDir: out, ...extra } as JobSettingsInput;
      expect(await rejection(processLines([path.join(work, 'never.wav')], settings)), code).toMatchObject({ code });
      expect(existsSync(out), code).toBe(false);
    }
  });

  it('composes the character once for the batch: its lines run on it even after the file is gone', async () => {
    const character = file('once.usda', SAMPLE + BODY);
    const ctx = await JobContext.create({ character, outDir: path.join(work, 'out'), blinks: false });
    try {
      expect(ctx.character.skeleton.path).toBe('/Character/Skel');
      rmSync(character);
      const rate = 16000;
      const line = path.join(work, 'line.wav');
      const partials = [
        [140, 0.3],
        [700, 0.25],
      ] as const;
      writeFileSync(line, encodeWav([voicedLine({ rate, seconds: 0.6, from: 0.1, to: 0.5, partials })], rate, 'pcm16'));
      const r = (await ctx.process(line)) as LineSuccess;
      expect(r.ok).toBe(true);
      const layer = parseUsda(readFileSync(r.layers[0], 'utf8'), r.layers[0]);
      // The over chain follows the chosen rig's composed paths.
      expect(layer.prims.map((p) => p.path)).toEqual(['/Character']);
      expect(layer.prims[0].children.map((c) => c.path)).toEqual(['/Character/Skel', '/Character/line']);
    } finally {
      await ctx.close();
    }
  });
});
