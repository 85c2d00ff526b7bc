// Characters with several rigs: which Skeleton is animated (named, by the model's channel names, or
// the default), the notes that say so, and the refusal of a skinned mesh inside an instance.
import { ARKIT_BLENDSHAPES, EMPTY_PRESET } from '@a2f/animation';
import { tempDir, thrown } from '@a2f/test-utils';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { characterFromLayer, inspectCharacter, parseUsda, skeletonByChannels, type UsdError } from '../src/index.js';

const I = '( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) )';

/** A rig: a SkelRoot holding a one-joint Skeleton and a mesh bound to it carrying `shapes`. */
const rig = (name: string, shapes: readonly string[], meta = ''): string => `
    def SkelRoot "${name}" (${meta})
    {
        def Skeleton "Skel"
        {
            uniform token[] joints = ["root", "root/jaw"]
            uniform matrix4d[] restTransforms = [${I}, ${I}]
        }
        def Mesh "Mesh" ( prepend apiSchemas = ["SkelBindingAPI"] )
        {
            uniform token[] skel:blendShapes = [${shapes.map((s) => `"${s}"`).join(', ')}]
            rel skel:blendShapeTargets = [${shapes.map((s) => `<${s}>`).join(', ')}]
            rel skel:skeleton = </World/${name}/Skel>
        }
    }`;

const stage = (...rigs: string[]): string => `#usda 1.0
(
    defaultPrim = "World"
    metersPerUnit = 0.01
    upAxis = "Y"
)

def Xform "World"
{${rigs.join('\n')}
}
`;

// The body carries more blendshapes (correctives) than the face, but none of the model's names.
const FACE_SHAPES = ARKIT_BLENDSHAPES.slice(0, 10);
const BODY_SHAPES = Array.from({ length: 30 }, (_, i) => `corrective_${i}`);
const TWO_RIGS = stage(rig('Body', BODY_SHAPES), rig('Face', FACE_SHAPES));
const MODEL = { blendShapes: [...ARKIT_BLENDSHAPES], joints: ['jaw', 'eye_L', 'eye_R', 'tongue'] };

describe('choosing the Skeleton of a character with several rigs', () => {
  it('lists every SkelRoot and Skeleton with what their meshes carry, and where each part came from', () => {
    const info = inspectCharacter(TWO_RIGS, 'crowd.usda');
    expect(info.skelRoots).toEqual(['/World/Body', '/World/Face']);
    expect(info.skeletons).toEqual(['/World/Body/Skel', '/World/Face/Skel']);
    expect(info.candidates.map((c) => [c.path, c.skelRoot, c.meshes, c.blendShapes.length])).toEqual([
      ['/World/Body/Skel', '/World/Body', ['/World/Body/Mesh'], 30],
      ['/World/Face/Skel', '/World/Face', ['/World/Face/Mesh'], 10],
    ]);
    expect(info.skeleton.origin).toEqual({ layer: 'crowd.usda', path: info.skeleton.path });
    expect(info.meshes.map((m) => m.origin)).toEqual([{ layer: 'crowd.usda', path: info.meshes[0].path }]);
  });

  it('without the model, animates the rig of the mesh with the most blendshapes (the rule before channel names)', () => {
    const info = inspectCharacter(TWO_RIGS, 'crowd.usda');
    expect(info.skeleton.path).toBe('/World/Body/Skel');
    expect(info.notes).toContain(
      '2 skeletons found (</World/Body/Skel>, </World/Face/Skel>); animating </World/Body/Skel>, ' +
        'bound to </World/Body/Mesh> which has the most blendshapes (30)',
    );
  });

  it("with the model, animates the rig whose meshes carry the most of the model's channels, and says which and why", () => {
    const info = characterFromLayer(parseUsda(TWO_RIGS, 'crowd.usda'), { choose: skeletonByChannels(MODEL, EMPTY_PRESET) });
    expect(info.skeleton.path).toBe('/World/Face/Skel');
    expect(info.skelRoot.path).toBe('/World/Face');
    expect(info.meshes.map((m) => m.path)).toEqual(['/World/Face/Mesh']);
    expect(info.blendShapes).toEqual(FACE_SHAPES);
    expect(info.notes).toContain(
      '2 skeletons found (</World/Body/Skel>, </World/Face/Skel>); animating </World/Face/Skel>, whose meshes carry 10 ' +
        "of the model's 52 blendshape channels (others: </World/Body/Skel> 0); --skeleton picks another",
    );
  });

  it('breaks a tie in blendshapes by the joints our joint channels bind', () => {
    const tied = stage(rig('A', FACE_SHAPES), rig('B', FACE_SHAPES).replace('"root", "root/jaw"', '"root", "root/chin"'));
    const layer = parseUsda(tied, 'tied.usda');
    // Both carry the same 10 shapes; only A has a jaw joint.
    const a = characterFromLayer(layer, { choose: skeletonByChannels(MODEL, EMPTY_PRESET) });
    expect(a.skeleton.path).toBe('/World/A/Skel');
    expect(a.notes.join('\n')).toMatch(/and whose joints bind 1 of its 4 joint channels/);
    // The preset renames our jaw to "chin": now B binds it and A does not.
    const renamed = characterFromLayer(layer, { choose: skeletonByChannels(MODEL, { ...EMPTY_PRESET, joints: { jaw: 'chin' } }) });
    expect(renamed.skeleton.path).toBe('/World/B/Skel');
  });

  it('takes the rig named by --skeleton or --skel-root (paths with or without the leading slash), over any chooser', () => {
    const layer = parseUsda(TWO_RIGS, 'crowd.usda');
    const choose = skeletonByChannels(MODEL, EMPTY_PRESET);
    const body = characterFromLayer(layer, { skeleton: 'World/Body/Skel', choose });
    expect(body.skeleton.path).toBe('/World/Body/Skel');
    expect(body.notes).toContain(
      '2 skeletons found (</World/Body/Skel>, </World/Face/Skel>); animating </World/Body/Skel>, named by --skeleton',
    );
    const root = characterFromLayer(layer, { skelRoot: '/World/Body/', choose });
    expect(root.skeleton.path).toBe('/World/Body/Skel');
    expect(root.notes.join('\n')).toMatch(/animating <\/World\/Body\/Skel>, the one under --skel-root/);
  });

  it('refuses a --skel-root or --skeleton that is not there, listing the ones that are', () => {
    const layer = parseUsda(TWO_RIGS, 'crowd.usda');
    expect(thrown(() => characterFromLayer(layer, { skelRoot: '/World/Hero' }))).toMatchObject({
      code: 'SKELETON_UNKNOWN',
      file: 'crowd.usda',
      problem: '--skel-root </World/Hero> is not a SkelRoot of the character; its SkelRoots are </World/Body>, </World/Face>',
      fix: 'Pass --skel-root one of those paths (a2f inspect lists them), or leave it out.',
    });
    expect(thrown(() => characterFromLayer(layer, { skeleton: '/World/Face/Mesh' }))).toMatchObject({
      code: 'SKELETON_UNKNOWN',
      problem: expect.stringContaining('its Skeletons are </World/Body/Skel>, </World/Face/Skel>'),
    });
    // A Skeleton of another SkelRoot than the one named
    expect((thrown(() => characterFromLayer(layer, { skelRoot: '/World/Face', skeleton: '/World/Body/Skel' })) as UsdError).problem).toBe(
      '--skeleton </World/Body/Skel> is not a Skeleton under a SkelRoot under SkelRoot </World/Face> in the character; ' +
        'its Skeletons are </World/Face/Skel>',
    );
  });
});

describe('instanced rigs', () => {
  it('refuses a skinned mesh inside an instanceable prim: it cannot be animated per instance', () => {
    const err = thrown(() => inspectCharacter(stage(rig('Face', FACE_SHAPES, 'instanceable = true')), 'inst.usda')) as UsdError;
    expect(err).toMatchObject({ code: 'INSTANCED_SKIN', file: 'inst.usda:12' });
    expect(err.problem).toBe(
      'Skeleton </World/Face/Skel> lies in the instanceable prim </World/Face>: every instance shares one prototype, ' +
        'so a skinned mesh there cannot be animated per instance',
    );
    expect(err.fix).toMatch(/^Make <\/World\/Face> not instanceable .* or pick a Skeleton outside instances with --skeleton\.$/);
  });

  it('animates the hero beside an instanced crowd, and refuses the crowd when it is named', () => {
    const text = stage(rig('Crowd', FACE_SHAPES, 'instanceable = true'), rig('Hero', FACE_SHAPES.slice(0, 3)));
    const info = inspectCharacter(text, 'shot.usda');
    expect(info.skeleton.path).toBe('/World/Hero/Skel');
    expect(info.candidates.map((c) => c.instancedBy)).toEqual(['/World/Crowd', undefined]);
    expect(info.notes.join('\n')).toMatch(/animating <\/World\/Hero\/Skel>, the only one outside instanceable prims/);
    expect(thrown(() => characterFromLayer(parseUsda(text, 'shot.usda'), { skeleton: '/World/Crowd/Skel' }))).toMatchObject({
      code: 'INSTANCED_SKIN',
    });
  });
});

describe('inspectCharacter on a file', () => {
  it('reads the file through the stage (the same character as its text), naming the layers it read', () => {
    const file = path.join(tempDir('usd-choice'), 'crowd.usda');
    fs.writeFileSync(file, TWO_RIGS);
    const fromFile = inspectCharacter(file, { skeleton: '/World/Face/Skel' });
    expect(fromFile.file).toBe(file);
    expect(fromFile.layers).toEqual([file]);
    expect(fromFile.skeleton.path).toBe('/World/Face/Skel');
    expect(fromFile.blendShapes).toEqual(FACE_SHAPES);
    expect(fromFile.skeleton.origin).toEqual({ layer: file, path: '/World/Face/Skel' });
  });

  it('reads a composed asset at its composed paths, each part naming the layer and spec it came from', () => {
    const dir = tempDir('usd-composed');
    const rigFile = path.join(dir, 'rig.usda');
    fs.writeFileSync(rigFile, stage(rig('Face', FACE_SHAPES)));
    const asset = (meta: string) =>
      `#usda 1.0\n(\n    defaultPrim = "Hero"\n    metersPerUnit = 1\n    upAxis = "Z"\n)\n\n` +
      `def "Hero" (\n    prepend references = @./rig.usda@</World/Face>\n${meta}\n)\n{\n}\n`;
    const file = path.join(dir, 'hero.usda');
    fs.writeFileSync(file, asset(''));
    const info = inspectCharacter(file);
    expect(info.layers).toEqual([file, rigFile]);
    expect(info.skelRoot).toMatchObject({ path: '/Hero', childNames: ['Skel', 'Mesh'] });
    expect(info.skeleton).toMatchObject({ path: '/Hero/Skel', origin: { layer: rigFile, path: '/World/Face/Skel' } });
    expect(info.meshes.map((m) => [m.path, m.skeleton, m.origin])).toEqual([
      ['/Hero/Mesh', '/Hero/Skel', { layer: rigFile, path: '/World/Face/Mesh' }],
    ]);
    expect(info.blendShapes).toEqual(FACE_SHAPES);
    expect(info).toMatchObject({ metersPerUnit: 1, upAxis: 'Z', defaultPrim: 'Hero' });
    // The same rig referenced into an instanceable prim is shared by every instance.
    fs.writeFileSync(file, asset('    instanceable = true'));
    expect(thrown(() => inspectCharacter(file))).toMatchObject({
      code: 'INSTANCED_SKIN',
      problem: expect.stringContaining('lies in the instanceable prim </Hero>'),
    });
  });

  it('says there is no Skeleton with NO_SKELETON', () => {
    expect(thrown(() => inspectCharacter('#usda 1.0\ndef SkelRoot "Root" {\n    def Mesh "Face" {}\n}\n', 'face.usda'))).toMatchObject({
      code: 'NO_SKELETON',
      problem: expect.stringContaining('no Skeleton found under SkelRoot </Root> in face.usda (line 2)'),
    });
  });
});
