// The targets for a 2-core machine, checked against one run's figures. A bench reports
// them; it never fails on them (timings are the machine's, not the code's).
import type { BenchReport, TargetResult } from './report.js';

const atLeast = (name: string, value: number, min: number, unit: string, shown = `≥ ${min} ${unit}`): TargetResult =>
  ({ name, target: shown, value, unit, met: value >= min, margin: value / min - 1 });
const below = (name: string, value: number, max: number, unit: string, shown = `< ${max} ${unit}`): TargetResult =>
  ({ name, target: shown, value, unit, met: value < max, margin: 1 - value / max });

export function evaluateTargets(r: Omit<BenchReport, 'targets'>): TargetResult[] {
  return [
    atLeast('v2.3-shaped network, batched', r.best.framesPerSecond, 60, 'frames/s'),
    atLeast('share of the measured roofline', r.best.rooflineFraction, 0.5, '', '≥ 50 %'),
    below('post-processing + solve per frame, share of the network\'s', r.postprocess.fractionOfNetwork.coefficients, 0.02, '', '< 2 %'),
    atLeast('end to end, speed-up over the straightforward port', r.speedup, 10, '×', '≥ 10×'),
    below(`peak RSS, ${r.memory.defaultModel.audioMinutes}-minute line, default model`, r.memory.defaultModel.peakRssMB, 1500, 'MB', '< 1.5 GB'),
    below(`peak RSS, ${r.memory.benchPackExtrapolated.minutes}-minute line, v2.3-shaped pack${r.memory.benchPack.some((b) => b.audioMinutes === r.memory.benchPackExtrapolated.minutes) ? '' : ' (extrapolated)'}`, r.memory.benchPackExtrapolated.peakRssMB, 1500, 'MB', '< 1.5 GB'),
    atLeast('.usda writing', r.usdWrite.megabytesPerSecond, 50, 'MB/s'),
  ];
}
