// `a2f inspect` on a composed character: the layers read, where each part came from, the other rigs,
// and the --variant/--skel-root/--skeleton flags a run takes too.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { main } from '../src/index.js';

const SAMPLE = readFileSync(path.resolve(import.meta.dirname, '../../../samples/character/face.usda'), 'utf8');
const I = '( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) )';

async function inspect(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => out.push(String(s)) > 0);
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => err.push(String(s)) > 0);
  try {
    const code = await main(['inspect', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

// The sample face as a rig layer, referenced by an asset layer that adds a body rig in a variant.
const dir = tempDir('cli-inspect');
writeFileSync(path.join(dir, 'face.usda'), SAMPLE);
const ASSET = path.join(dir, 'asset.usda');
writeFileSync(
  ASSET,
  `#usda 1.0
(
    defaultPrim = "Character"
    metersPerUnit = 0.01
    upAxis = "Y"
)

def "Character" (
    prepend references = @./face.usda@
)
{
}

def Xform "Extras" (
    variants = { string body = "none" }
    prepend variantSets = "body"
)
{
    variantSet "body" = {
        "none" {
        }
        "rigged" {
            def SkelRoot "Body"
            {
                def Skeleton "Skel"
                {
                    uniform token[] joints = ["hips"]
                    uniform matrix4d[] restTransforms = [${I}]
                }
            }
        }
    }
}
`,
);

describe('a2f inspect on a composed character', () => {
  it('shows the layers read and where the SkelRoot, Skeleton and meshes came from', async () => {
    const r = await inspect([ASSET]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[1]).toMatch(/^ {2}layers {5}\S*asset\.usda, \S*face\.usda$/);
    // The strongest opinion on the SkelRoot is the asset's own `def` that references the face.
    expect(lines.find((l) => l.startsWith('  SkelRoot'))).toMatch(/^ {2}SkelRoot {3}\/Character {2}\(from \S*asset\.usda\)$/);
    expect(lines.find((l) => l.startsWith('  Skeleton'))).toMatch(/\(from \S*face\.usda\)$/);
    expect(lines.find((l) => l.startsWith('  meshes'))).toMatch(
      /^ {2}meshes {5}\/Character\/Face \(52 blendshapes\) {2}\(from \S*face\.usda\), /,
    );
    expect(lines.some((l) => l.startsWith('  other rigs'))).toBe(false);
    expect(lines[2]).toBe('  variants   /Extras body = none');
  });

  it('takes --variant, and lists the rigs not animated with how to pick them', async () => {
    const r = await inspect([ASSET, '--variant', 'body=rigged']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/\n {2}Skeleton {3}\/Character\/Skel: /);
    expect(r.out).toContain('\n  variants   /Extras body = rigged (--variant)\n');
    expect(r.out).toMatch(
      /\n {2}other rigs \/Extras\/Body\/Skel in \/Extras\/Body \(0 blendshapes\); --skeleton or --skel-root picks one\n/,
    );
    expect(r.out).toMatch(
      /note: 2 skeletons found \(<\/Character\/Skel>, <\/Extras\/Body\/Skel>\); animating <\/Character\/Skel>, whose meshes/,
    );
    // Each note once, though the binding repeats the character's.
    expect(r.out.match(/note: 2 skeletons found/g)).toHaveLength(1);
  });

  it('takes --skeleton and --skel-root in --json, and refuses a variant or a rig that is not there (exit 2)', async () => {
    const body = JSON.parse((await inspect([ASSET, '--variant', 'body=rigged', '--skel-root', '/Extras/Body', '--json'])).out);
    expect(body.character.skeleton).toMatchObject({ path: '/Extras/Body/Skel', joints: ['hips'] });
    expect(body.character.skelRoots).toEqual(['/Character', '/Extras/Body']);
    const unknownVariant = await inspect([ASSET, '--variant', 'body=hairy', '--json']);
    expect(unknownVariant.code).toBe(2);
    expect(JSON.parse(unknownVariant.out).error).toMatchObject({ code: 'VARIANT_UNKNOWN' });
    const unknownRig = await inspect([ASSET, '--skeleton', '/Extras/Body/Skel', '--json']);
    expect(unknownRig.code).toBe(2);
    expect(JSON.parse(unknownRig.out).error).toMatchObject({ code: 'SKELETON_UNKNOWN' });
  });
});
