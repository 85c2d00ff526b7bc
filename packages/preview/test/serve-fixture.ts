import { writeFileSync } from 'node:fs';
import path from 'node:path';

/** The repository's sample face (tests may read the repository). */
export const SAMPLE_FACE = path.resolve(import.meta.dirname, '../../../samples/character/face.usda');

/** A small real layer over the sample face: jawOpen 0 → 0.5 → 1 over frames 0–2 at 30 fps. */
export function fixtureLayer(file: string): string {
  const name = path
    .basename(file)
    .replace(/\.[^.]*$/, '')
    .replace(/\W/g, '_');
  writeFileSync(
    file,
    `#usda 1.0
(
    defaultPrim = "Character"
    endTimeCode = 2
    framesPerSecond = 30
    metersPerUnit = 0.01
    startTimeCode = 0
    subLayers = [
        @${SAMPLE_FACE}@
    ]
    timeCodesPerSecond = 30
    upAxis = "Y"
)

over "Character"
{
    over "Skel" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        rel skel:animationSource = </Character/${name}>
    }

    def SkelAnimation "${name}"
    {
        uniform token[] blendShapes = ["jawOpen"]
        float[] blendShapeWeights.timeSamples = {
            0: [0],
            1: [0.5],
            2: [1],
        }
    }
}
`,
  );
  return file;
}
