// Reading a studio-sized character: one SkelRoot whose face mesh has many points, skinning primvars
// and 52 blendshapes of many offsets each, as text and as the binary crate real USD writes (the
// Pixar wasm the tests use exports it). Timed as a run reads it: composed once, the character
// taken from the composed stage (docs/usd-reading.md). Point data is skipped unparsed in text and
// left unread in crate, so the time is mostly the file's structure, not its size.
import { spawnSync } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';
import { openCharacter } from '@a2f/usd';
import { seconds } from './clock.js';
import { REPO_ROOT } from './repo.js';
import type { CharacterReadFigures } from './report.js';

const SHAPES = 52;

/** Writes the asset's text in pieces (it is too large for one string) and returns its path. */
async function writeLargeCharacter(file: string, points: number, offsetsPerShape: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const array = async (head: string, n: number, item: (i: number) => string, tail: string) => {
    await write(head);
    for (let i = 0; i < n; i += 10_000) {
      const part: string[] = [];
      for (let k = i; k < Math.min(n, i + 10_000); k++) part.push(item(k));
      await write((i > 0 ? ', ' : '') + part.join(', '));
    }
    await write(tail);
  };
  const shapes = Array.from({ length: SHAPES }, (_, s) => `shape${s}`);
  await write('#usda 1.0\n(\n    defaultPrim = "Character"\n    upAxis = "Y"\n    metersPerUnit = 0.01\n)\n\n');
  await write('def SkelRoot "Character"\n{\n    def Skeleton "Skel"\n    {\n');
  await write('        uniform token[] joints = ["root", "root/jaw"]\n');
  await write('        uniform matrix4d[] bindTransforms = [( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) ), ');
  await write('( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 150, 3, 1) )]\n');
  await write('        uniform matrix4d[] restTransforms = [( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) ), ');
  await write('( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 150, 3, 1) )]\n    }\n\n');
  await write('    def Mesh "Face" (\n        prepend apiSchemas = ["SkelBindingAPI"]\n    )\n    {\n');
  const side = Math.ceil(Math.sqrt(points));
  // Scattered values, as a sculpted mesh has: a crate stores integral or few-valued floats compressed.
  const jitter = (i: number) => (Math.sin(i * 12.9898) * 0.5).toFixed(5);
  await array('        point3f[] points = [', points, (i) => `(${i % side}.${i % 7}, ${Math.floor(i / side)}, ${jitter(i)})`, ']\n');
  const quads = (side - 1) * Math.floor((points - 1) / side);
  await array('        int[] faceVertexCounts = [', quads, () => '4', ']\n');
  await array(
    '        int[] faceVertexIndices = [',
    quads,
    (q) => {
      const r = Math.floor(q / (side - 1));
      const c = q % (side - 1);
      const a = r * side + c;
      return `${a}, ${a + 1}, ${a + side + 1}, ${a + side}`;
    },
    ']\n',
  );
  await array('        int[] primvars:skel:jointIndices = [', points, (i) => (i % 3 === 0 ? '1' : '0'), '] (\n');
  await write('            elementSize = 1\n            interpolation = "vertex"\n        )\n');
  await array('        float[] primvars:skel:jointWeights = [', points, () => '1', '] (\n');
  await write('            elementSize = 1\n            interpolation = "vertex"\n        )\n');
  await write(`        uniform token[] skel:blendShapes = [${shapes.map((s) => `"${s}"`).join(', ')}]\n`);
  await write(`        rel skel:blendShapeTargets = [${shapes.map((s) => `<${s}>`).join(', ')}]\n`);
  await write('        rel skel:skeleton = </Character/Skel>\n');
  for (const [s, name] of shapes.entries()) {
    await write(`\n        def BlendShape "${name}"\n        {\n`);
    await array(
      '            uniform vector3f[] offsets = [',
      offsetsPerShape,
      (i) => `(${jitter(i + s)}, ${jitter(i * 3 + s)}, ${jitter(i * 7 + s)})`,
      ']\n',
    );
    await array('            uniform int[] pointIndices = [', offsetsPerShape, (i) => String((i * 13 + s) % points), ']\n');
    await write('        }\n');
  }
  await write('    }\n}\n');
  out.end();
  await once(out, 'finish');
}

/** The fastest of `reps` reads (the first warms the file cache; a run reads its character once). */
function timeRead(file: string, reps: number): { seconds: number; blendShapes: number } {
  let best = Number.POSITIVE_INFINITY;
  let blendShapes = 0;
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const info = openCharacter(file).read();
    best = Math.min(best, seconds(t0));
    blendShapes = info.blendShapes.length;
  }
  return { seconds: best, blendShapes };
}

export async function measureCharacterRead(
  dir: string,
  points: number,
  offsetsPerShape: number,
  reps: number,
): Promise<CharacterReadFigures> {
  const usda = path.join(dir, 'large-character.usda');
  const usdc = path.join(dir, 'large-character.usdc');
  await writeLargeCharacter(usda, points, offsetsPerShape);
  // Real USD writes the crate: the same bytes a studio's exporter would give, not our idea of them.
  const exporter = path.join(REPO_ROOT, 'test', 'usd', 'export-crate.cjs');
  const exported = spawnSync(process.execPath, [exporter, '--stdin'], {
    input: JSON.stringify({ exports: [{ root: usda, out: usdc, text: false }] }),
    encoding: 'utf8',
  });
  const crateVersion = /"version":\s*"([0-9.]+)"/.exec(exported.stdout ?? '')?.[1] ?? null;
  const text = timeRead(usda, reps);
  const crate = exported.status === 0 || exported.status === 1 ? timeRead(usdc, reps) : null;
  return {
    points,
    blendShapes: text.blendShapes,
    offsetsPerShape,
    usdaMB: statSync(usda).size / 1e6,
    usdaSeconds: text.seconds,
    crateMB: crate ? statSync(usdc).size / 1e6 : null,
    crateSeconds: crate?.seconds ?? null,
    crateVersion,
    reps,
    ...(crate ? {} : { note: `real USD could not export the crate: ${(exported.stderr || exported.stdout || '').trim().slice(0, 200)}` }),
  };
}
