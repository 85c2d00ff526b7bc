// Post-processing + blendshape solve per frame, apart from the network, on real network output:
// the SDK's way (every vertex rebuilt per frame, the solve on the mesh) and ours (the solve fed
// straight from PCA coefficients).
import { rational, type FaceAnimation, type Provenance } from '@a2f/animation';
import { A2FPostprocessor, type loadNvidiaPack, toRigData } from '@a2f/nvidia';
import { seconds } from './clock.js';
import { repeatForSync } from './guards.js';
import type { BenchPlan } from './plan.js';
import type { PostprocessFigures } from './report.js';

type NvidiaPack = Awaited<ReturnType<typeof loadNvidiaPack>>;

const PROVENANCE: Provenance = { tool: { name: 'a2f bench', version: '0' }, model: { id: 'bench', kind: 'a2f-v2.3' }, parameters: {} };

/**
 * `outputs`: frames × result width from the network, reused cyclically when the run needs more.
 * Also returns the coefficient path's animation: real solver output for the .usda bench.
 */
export function measurePostprocess(
  plan: BenchPlan,
  pack: NvidiaPack,
  outputs: Float32Array,
  networkMsPerFrame: number | null,
): { figures: PostprocessFigures; animation: FaceAnimation } {
  const width = pack.networkInfo.resultLength;
  const available = outputs.length / width;
  const framesOf = (n: number): Float32Array => {
    const out = new Float32Array(n * width);
    for (let f = 0; f < n; f++) out.set(outputs.subarray((f % available) * width, ((f % available) + 1) * width), f * width);
    return out;
  };
  const rig = toRigData(pack);
  // Both paths get the same frames (the solver's work depends on them: quiet frames leave BVLS
  // fewer free variables) and the same warm-up: one untimed run of the whole input.
  const frames = plan.postprocessFrames;
  const input = framesOf(frames);
  const time = (path: 'mesh' | 'coefficients') => {
    const t = performance.now();
    const post = new A2FPostprocessor({
      rig,
      params: pack.params,
      skinSolver: pack.skin.config,
      tongueSolver: pack.tongue.config,
      fps: rational(30),
      path,
    });
    const prepare = seconds(t);
    let animation = post.run(input, { provenance: PROVENANCE });
    const sample = repeatForSync(plan.postprocessSeconds, 1, () => {
      animation = post.run(input, { provenance: PROVENANCE });
    });
    return { prepare, sample, msPerFrame: (sample.seconds * 1000) / (frames * sample.reps), animation };
  };
  const coefficients = time('coefficients');
  const mesh = time('mesh');
  const ofNetwork = (ms: number) => (networkMsPerFrame === null ? null : ms / networkMsPerFrame);
  return {
    figures: {
      meshMsPerFrame: mesh.msPerFrame,
      coefficientsMsPerFrame: coefficients.msPerFrame,
      frames,
      sample: { mesh: mesh.sample, coefficients: coefficients.sample },
      fractionOfNetwork: { mesh: ofNetwork(mesh.msPerFrame), coefficients: ofNetwork(coefficients.msPerFrame) },
      prepareSeconds: { mesh: mesh.prepare, coefficients: coefficients.prepare },
    },
    animation: coefficients.animation,
  };
}
