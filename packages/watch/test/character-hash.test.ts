// A composed character's hash covers every file it is made of: editing a layer it references
// changes every line's key (and retires the loaded context), not only editing the root file.
import { sha256File } from '@a2f/base';
import { tempDir } from '@a2f/test-utils';
import { characterFiles, FileHashCache } from '@a2f/pipeline';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const RIG = (shapes: string) => `#usda 1.0
def SkelRoot "Rig"
{
    def Skeleton "Skel" { uniform token[] joints = ["root"] }
    def Mesh "Face" { uniform token[] skel:blendShapes = [${shapes}] }
}
`;

describe('FileHashCache.character', () => {
  const dir = tempDir('character-hash');
  const asset = path.join(dir, 'asset.usda');
  const rig = path.join(dir, 'rig.usda');
  const geo = path.join(dir, 'geo.usda');
  writeFileSync(rig, RIG('"jawOpen"'));
  writeFileSync(asset, '#usda 1.0\n(\n    defaultPrim = "Hero"\n)\ndef "Hero" ( prepend references = @./rig.usda@</Rig> ) {}\n');
  const hashes = new FileHashCache((file) => characterFiles(file, {}));

  it('hashes a one-file character as the file, and a composed one over all of its files', async () => {
    const single = path.join(dir, 'single.usda');
    writeFileSync(single, RIG('"jawOpen"'));
    expect(await hashes.character(single)).toBe(await sha256File(single));
    expect(characterFiles(asset, {})).toEqual([asset, rig]);
    expect(await hashes.character(asset)).not.toBe(await sha256File(asset));
  });

  it('changes when a referenced layer is edited, and follows a layer that an edit adds', async () => {
    const before = await hashes.character(asset);
    writeFileSync(rig, RIG('"jawOpen", "mouthClose"'));
    const edited = await hashes.character(asset);
    expect(edited).not.toBe(before);
    // The rig now sublayers geometry: the new file is found and its edits count too.
    writeFileSync(geo, '#usda 1.0\nover "Rig" { over "Face" { uniform token[] skel:blendShapes = ["jawOpen"] } }\n');
    writeFileSync(rig, `#usda 1.0\n(\n    subLayers = [@./geo.usda@]\n)\n${RIG('"jawOpen"').slice('#usda 1.0\n'.length)}`);
    const withGeo = await hashes.character(asset);
    expect(characterFiles(asset, {})).toEqual([asset, rig, geo]);
    writeFileSync(geo, '#usda 1.0\nover "Rig" { over "Face" { uniform token[] skel:blendShapes = ["mouthClose"] } }\n');
    expect(await hashes.character(asset)).not.toBe(withGeo);
  });

  it('names a missing character by rejecting, as the file hash does', async () => {
    await expect(hashes.character(path.join(dir, 'nope.usda'))).rejects.toThrow(/ENOENT/);
  });
});
