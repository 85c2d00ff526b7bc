// `a2f bench` as text: the Markdown tables the README's Performance section shows (they read well
// enough in a terminal too).
import type { BenchReport, TargetResult } from './report.js';

const f = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number, digits = 0): string => `${f(100 * x, digits)} %`;

function targetValue(t: TargetResult): string {
  if (t.target.includes('%')) return pct(t.value, t.value < 0.1 ? 2 : 0);
  if (t.unit === '×') return `${f(t.value)}×`;
  return `${f(t.value)} ${t.unit}`;
}

/** Markdown tables: machine, network, figures, targets. */
export function markdownReport(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  const row = (...cells: string[]) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(`Measured ${r.startedAt.slice(0, 10)} by \`npm run bench${r.quick ? ' -- --quick' : ''}\` on ${m.cpus} × ${m.cpuModel}, ${f(m.memoryGiB)} GiB RAM, ${m.platform}, Node ${m.node}, onnxruntime-node ${m.onnxruntime}, device ${r.device}` +
    `; load average ${f(m.loadAverage.start, 2)} at the start, ${f(m.loadAverage.end, 2)} at the end` +
    (r.provisional ? ' — **provisional: the machine was busy with other work, so these timings are noisy**.' : '.'));
  lines.push('');
  row('figure', 'value', 'settings');
  row('---', '---', '---');
  const n = r.network;
  row('v2.3-shaped network', `${f(n.parameters / 1e6, 2)} M params (${n.deviation.parameters >= 0 ? '+' : ''}${pct(n.deviation.parameters, 2)}), ${f(n.flopsPerFrame / 1e9, 2)} GFLOP/frame (${n.deviation.flopsPerFrame >= 0 ? '+' : ''}${pct(n.deviation.flopsPerFrame, 2)})`, `vs the reference 18.27 M, ≈3.2 GFLOP; ${n.geometry} geometry`);
  row('fp32 MatMul roofline (ONNX Runtime)', `${f(r.roofline.gflops, 0)} GFLOP/s`, `${r.roofline.layouts.map((l) => `${l.workers}×${l.threads}: ${f(l.gflops, 0)}`).join(', ')} (${r.roofline.shape})`);
  for (const p of r.throughput) {
    row(`network, ${p.workers} worker${p.workers > 1 ? 's' : ''} × ${p.threads} thread${p.threads > 1 ? 's' : ''}, batch ${p.batch}`, `${f(p.framesPerSecond)} frames/s`, `${f(p.gflops, 0)} GFLOP/s, ${pct(p.rooflineFraction)} of roofline`);
  }
  row('post-processing + solve, mesh space (SDK way)', `${f(r.postprocess.meshMsPerFrame, 2)} ms/frame`, `${pct(r.postprocess.fractionOfNetwork.mesh)} of the network's time per frame`);
  row('post-processing + solve, coefficient space (ours)', `${f(r.postprocess.coefficientsMsPerFrame, 3)} ms/frame`, `${pct(r.postprocess.fractionOfNetwork.coefficients, 2)} of the network's time per frame`);
  for (const e of [r.endToEnd.defaultModel, r.endToEnd.benchPack, r.endToEnd.baseline]) {
    const s = e.stages;
    row(`end to end, ${e.label}`, `${f(e.secondsPerMinute)} s per minute of dialogue (RTF ${f(e.realTimeFactor, 3)})`,
      `batch ${e.settings.batchSize}, ${e.settings.workers}×${e.settings.threads}, solve ${e.settings.solvePath}; ${f(e.audioSeconds, 0)} s line: decode ${f(s.decode, 2)} s, inference ${f(s.inference, 2)} s, post ${f(s.postprocess, 2)} s, write ${f(s.write, 2)} s`);
  }
  row('speed-up over the straightforward port', `${f(r.speedup)}×`, 'v2.3-shaped pack, seconds per minute of dialogue');
  row('.usda writing', `${f(r.usdWrite.megabytesPerSecond)} MB/s`, `${r.usdWrite.frames} frames × ${r.usdWrite.channels} channels of solver output, ${f(r.usdWrite.bytes / 1e6)} MB formatted and written; ${f(r.usdWrite.durableMegabytesPerSecond)} MB/s including fsync (${f(r.usdWrite.fsyncSeconds, 2)} s)`);
  const mem = r.memory;
  row(`peak RSS, ${mem.defaultModel.audioMinutes}-minute 48 kHz stereo line, default model`, `${f(mem.defaultModel.peakRssMB, 0)} MB`, `measured end to end in a child process (${f(mem.defaultModel.seconds)} s)`);
  const measured = mem.benchPack.find((b) => b.audioMinutes === mem.benchPackExtrapolated.minutes);
  row(`peak RSS, ${mem.benchPackExtrapolated.minutes}-minute line, v2.3-shaped pack`, `${f(mem.benchPackExtrapolated.peakRssMB, 0)} MB`,
    measured ? `measured end to end in a child process (${f(measured.seconds)} s)` : `extrapolated linearly from ${mem.benchPack.map((b) => `${b.audioMinutes} min: ${f(b.peakRssMB, 0)} MB`).join(', ')}`);
  lines.push('');
  row('target (2 cores)', 'measured', 'met');
  row('---', '---', '---');
  for (const t of r.targets) row(`${t.name} ${t.target}`, targetValue(t), t.met ? 'yes' : `**no** (${pct(Math.abs(t.margin))} short)`);
  return lines.join('\n') + '\n';
}
