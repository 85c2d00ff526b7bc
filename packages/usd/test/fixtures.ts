// Small hand-written character assets and a synthetic animation shared by the tests.
import { ARKIT_BLENDSHAPES, createFaceAnimation, quatFromAxisAngle, rational, type FaceAnimation, type Rational } from '@a2f/animation';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const sampleCharacterPath = path.join(repoRoot, 'samples/character/face.usda');

const I = '( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 0, 0, 1) )';

/**
 * A studio-like asset: nested SkelRoot, two skeletons, three skinned meshes (one binding inherited
 * from an Xform), PascalCase shapes, comments, escapes, dictionaries, a variant set, CRLF lines.
 */
export const HERO_USDA = `#usda 1.0
(
    "A doc string with a \\"quote\\" and # no comment"
    customLayerData = {
        dictionary studio = {
            string note = "braces { } and [ ] inside"
            dictionary deeper = { int[] list = [1, 2] }
        }
    }
    defaultPrim = "World"
    metersPerUnit = 1
    upAxis = "Z"
    timeCodesPerSecond = 24
)

# a comment with "quotes" and { braces
def Xform "World" (
    kind = "assembly"
)
{
    reorder nameChildren = ["Chars", "Props"]
    def Scope "Props" {}
    def Xform "Chars"
    {
        def SkelRoot "Hero" (
            prepend apiSchemas = ["SkelBindingAPI"]
            variants = { string lod = "high" }
            prepend variantSets = "lod"
        )
        {
            variantSet "lod" = {
                "high" {
                    def Mesh "Extra" {
                    }
                }
                "low" ( doc = "x" ) {
                }
            }
            def Xform "Rig"
            {
                def Skeleton "Skel" (
                    prepend apiSchemas = ["SkelBindingAPI"]
                )
                {
                    uniform token[] joints = ["Root", "Root/Head", "Root/Head/Jaw", "Root/Head/LeftEye", "Root/Head/RightEye"]
                    uniform matrix4d[] restTransforms = [${I},
                        ( (0, 0, -1, 0), (0, 1, 0, 0), (1, 0, 0, 0), (0, 150, 0, 1) ),
                        ( (2, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, -5, 2, 1) ),
                        ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (3, 8, 6, 1) ),
                        ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (-3, 8, 6, 1) )]
                    uniform matrix4d[] bindTransforms = [${I}, ${I}, ${I}, ${I}, ${I}]
                    custom string userNote = 'single "quoted"\\ttab'
                }
                def Skeleton "BodySkel" { uniform token[] joints = ["hips"]
                    uniform matrix4d[] restTransforms = [${I}]
                }
            }
            def Mesh "Body" ( prepend apiSchemas = ["SkelBindingAPI"] )
            {
                point3f[] points = [(0, 0, 0)]
                uniform token[] skel:blendShapes = ["breath"]
                rel skel:blendShapeTargets = <Shapes/breath>
                rel skel:skeleton = </World/Chars/Hero/Rig/BodySkel>
            }\r
            def Xform "Head" ( prepend apiSchemas = ["SkelBindingAPI"] )\r
            {\r
\t\trel skel:skeleton = <../Rig/Skel>  # inherited by the meshes below\r
                def Mesh "Face" ( prepend apiSchemas = ["SkelBindingAPI"] )
                {
                    point3f[] points = [(0, 0, 0), (1, 0, 0)]
                    point3f[] points.timeSamples = { 0: [(0, 0, 0), (1, 0, 0)], 1.5: [(0, 0, 0), (1, 1, 0)], }
                    int[] primvars:skel:jointIndices = [0, 2] ( interpolation = "vertex"
                        elementSize = 1 )
                    uniform token[] skel:blendShapes = ["JawOpen", "EyeBlinkLeft", "MouthSmileLeft"]
                    rel skel:blendShapeTargets = [<JawOpen>, <EyeBlinkLeft>, <MouthSmileLeft>]
                    def BlendShape "JawOpen" { uniform vector3f[] offsets = [(0, -1, 0)]
                        uniform int[] pointIndices = [0]
                    }
                    def BlendShape "EyeBlinkLeft" { uniform vector3f[] offsets = [(0, -1, 0)]
                        uniform int[] pointIndices = [1]
                    }
                    def BlendShape "MouthSmileLeft" { uniform vector3f[] offsets = [(0, 1, 0)]
                        uniform int[] pointIndices = [1]
                    }
                }
                def Mesh "Teeth" ( prepend apiSchemas = ["SkelBindingAPI"] )
                {
                    point3f[] points = [(0, 0, 0)]
                    uniform token[] skel:blendShapes = ["JawOpen", "TongueOut"]
                    rel skel:blendShapeTargets = [
                        </World/Chars/Hero/Head/Teeth/JawOpen>,
                        </World/Chars/Hero/Head/Teeth/TongueOut>,
                    ]
                    def BlendShape "JawOpen" { uniform vector3f[] offsets = [(0, -1, 0)]
                        uniform int[] pointIndices = [0]
                    }
                    def BlendShape "TongueOut" { uniform vector3f[] offsets = [(0, 0, 1)]
                        uniform int[] pointIndices = [0]
                    }
                }
            }
        }
    }
}
`;

/** A minimal valid asset missing most ARKit shapes and the eye joints; no restTransforms. */
export const SPARSE_USDA = `#usda 1.0
(
    defaultPrim = "Kid"
)

def SkelRoot "Kid"
{
    def Skeleton "Skel"
    {
        uniform token[] joints = ["root", "root/jaw"]
        uniform matrix4d[] bindTransforms = [( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 100, 0, 1) ),
                                             ( (1, 0, 0, 0), (0, 1, 0, 0), (0, 0, 1, 0), (0, 104, 3, 1) )]
    }

    def Mesh "Face" (
        prepend apiSchemas = ["SkelBindingAPI"]
    )
    {
        int[] faceVertexCounts = [3]
        int[] faceVertexIndices = [0, 1, 2]
        point3f[] points = [(0, 100, 5), (1, 100, 5), (0, 101, 5)]
        uniform token[] skel:blendShapes = ["jawOpen", "eyeBlinkLeft", "customSneer"]
        rel skel:blendShapeTargets = [</Kid/Face/jawOpen>, </Kid/Face/eyeBlinkLeft>, </Kid/Face/customSneer>]
        rel skel:skeleton = </Kid/Skel>

        def BlendShape "jawOpen"
        {
            uniform vector3f[] normalOffsets = [(0, 0, 0)]
            uniform vector3f[] offsets = [(0, -1, 0)]
            uniform int[] pointIndices = [0]
        }

        def BlendShape "eyeBlinkLeft"
        {
            uniform vector3f[] normalOffsets = [(0, 0, 0)]
            uniform vector3f[] offsets = [(0, -0.5, 0)]
            uniform int[] pointIndices = [2]
        }

        def BlendShape "customSneer"
        {
            uniform vector3f[] normalOffsets = [(0, 0, 0)]
            uniform vector3f[] offsets = [(0, 0.2, 0)]
            uniform int[] pointIndices = [1]
        }
    }
}
`;

export const PROVENANCE = {
  tool: { name: 'a2f', version: '0.1.0-test' },
  model: { id: 'synthetic', kind: 'test', version: '1' },
  parameters: { strength: 1.25, smoothing: { weights: 0.5, joints: [0.1, 0.2] }, emotion: 'neutral', blink: true },
  audio: { file: 'dialogue/line "7".wav', sha256: 'ab'.repeat(32), sampleRate: 48000, channels: 1, durationSeconds: 0.1667 },
} as const;

/**
 * 5 frames of all 52 ARKit channels (values chosen to stress the float formatter) plus jaw and
 * eye joints moving; the tongue joint channel is present but at rest.
 */
export function syntheticAnimation(fps: Rational = rational(30), frameCount = 5): FaceAnimation {
  const anim = createFaceAnimation({
    fps,
    frameCount,
    channels: ARKIT_BLENDSHAPES,
    joints: ['jaw', 'eye_L', 'eye_R', 'tongue'],
    provenance: PROVENANCE,
  });
  const tricky = [0, 1, 0.1, 1 / 3, 1e-7, -0.125, 0.333333, 133.203125, 2 / 3, 1e-5];
  const weights = anim.weights as Float32Array;
  for (let i = 0; i < weights.length; i++) weights[i] = i % 11 === 0 ? tricky[(i / 11) % tricky.length] : Math.sin(i * 0.37) * 0.6 + 0.4;
  const [jaw, eyeL, eyeR] = anim.joints;
  for (let f = 0; f < frameCount; f++) {
    (jaw.rotations as Float32Array).set(quatFromAxisAngle([1, 0, 0], 0.05 * f), f * 4);
    (jaw.translations as Float32Array).set([0, -0.01 * f, 0.02 * f], f * 3);
    (eyeL.rotations as Float32Array).set(quatFromAxisAngle([0, 1, 0], -0.1 + 0.03 * f), f * 4);
    (eyeR.rotations as Float32Array).set(quatFromAxisAngle([0, 1, 0], 0.1 - 0.03 * f), f * 4);
  }
  return anim;
}

/** Bit equality of two numbers as float32 (so -0 ≠ 0 and NaN never equals). */
export const sameFloat32 = (a: number, b: number): boolean => {
  const x = new Float32Array([a, b]);
  const u = new Uint32Array(x.buffer);
  return u[0] === u[1];
};
