// The bench report as text: the Markdown the README's Performance section shows (it reads well enough in
// a terminal too). Every claim in it is computed from the report; a refused or missing figure is
// printed as "—" with its reason, never as a number.
import type { BenchReport, PreviewFigures, ThroughputPoint, TargetResult } from './report.js';
import { stageSplit } from './guards.js';
import { a2eRows } from './a2e-rows.js';
import { v3Rows } from './v3-rows.js';
import { liveRows } from './live-rows.js';
import { queueRows } from './queue-rows.js';

const f = (x: number | null, digits = 1): string => (x === null ? '—' : Number.isFinite(x) ? x.toFixed(digits) : String(x));
const pct = (x: number | null, digits = 0): string => (x === null ? '—' : `${f(100 * x, digits)} %`);

function targetValue(t: TargetResult): string {
  if (t.value === null) return '—';
  if (t.target.includes('%')) return pct(t.value, t.value < 0.1 ? 2 : 0);
  if (t.unit === '×') return `${f(t.value)}×`;
  return `${f(t.value)} ${t.unit}`;
}

const layoutName = (p: { workers: number; threads: number }): string =>
  `${p.workers} worker${p.workers > 1 ? 's' : ''} × ${p.threads} thread${p.threads > 1 ? 's' : ''}`;

function pointCells(p: ThroughputPoint): [string, string] {
  if (p.framesPerSecond === null) return ['—', `refused: ${p.note ?? 'no figure'}`];
  const share =
    p.rooflineFraction === null ? `share of roofline not given: ${p.shareNote ?? 'no roofline'}` : `${pct(p.rooflineFraction)} of roofline`;
  return [
    `${f(p.framesPerSecond)} frames/s`,
    `${f(p.gflops, 0)} GFLOP/s, ${share}; ${p.sample.reps} run(s) of ${p.frames} frames in ${f(p.sample.seconds)} s`,
  ];
}

/** The preview rows (preview-rows.ts): page load, 1× playback, playblast. */
export function previewRows(pv: PreviewFigures): [string, string, string][] {
  const face = `${pv.points} points, ${pv.triangles} triangles, ${pv.blendShapes} blendshapes × ${pv.offsetsPerShape} offsets`;
  const pb = pv.playback;
  const bl = pv.playblast;
  return [
    [
      `preview page load (${f(pv.points / 1000, 0)} k points × ${pv.blendShapes} shapes)`,
      pv.loadMs === null ? '—' : `${f(pv.loadMs, 0)} ms`,
      `navigation to the first frame drawn, median of ${pv.loads.map((ms) => f(ms, 0)).join(', ')} ms; ${f(pv.htmlMB)} MB page ` +
        `(${face}), built in ${f(pv.buildSeconds, 2)} s${pv.loadMs === null && pv.note ? `; ${pv.note}` : ''}`,
    ],
    [
      'preview playback at 1×',
      pb === null ? '—' : `${f(pb.fps)} frames/s drawn (layer ${f(pb.layerFps, 2)})`,
      pb === null
        ? (pv.note ?? 'not measured')
        : `${pb.drawn} drawn, ${pb.skipped} skipped in ${f(pb.seconds)} s at 1280×800` +
          (pb.clockAdvanced ? '' : '; the clock did not move'),
    ],
    [
      'playblast',
      bl === null ? '—' : `${f(bl.perAudioSecond, 2)} s per second of audio`,
      bl === null
        ? (pv.note ?? 'not measured')
        : `${bl.width}×${bl.height}, ${bl.frames} frames for ${f(bl.audioSeconds, 2)} s of audio in ${f(bl.seconds)} s ` +
          '(SwiftShader, PNG over a pipe, libx264 veryfast)',
    ],
  ];
}

/** Markdown for `--preview-only`: the preview rows alone, with the machine they ran on. */
export function markdownPreview(pv: PreviewFigures, machine: string): string {
  const lines = [`Measured ${new Date().toISOString().slice(0, 10)} by \`npm run bench -- --preview-only\` on ${machine}.`, ''];
  lines.push('| figure | value | settings |', '| --- | --- | --- |');
  for (const cells of previewRows(pv)) lines.push(`| ${cells.join(' | ')} |`);
  if (pv.note) lines.push('', `Left out: ${pv.note}`);
  return lines.join('\n') + '\n';
}

/** Sentences drawn from this run's figures, for the README text to point at instead of hard-writing numbers. */
export function findings(r: BenchReport): string[] {
  const out: string[] = [];
  const fastest = (workers: number, threads: number) =>
    r.throughput
      .filter((p) => p.workers === workers && p.threads === threads && p.framesPerSecond !== null)
      .reduce<ThroughputPoint | null>((a, b) => (a === null || b.framesPerSecond! > a.framesPerSecond! ? b : a), null);
  const many = fastest(r.machine.cpus, 1);
  const one = fastest(1, r.machine.cpus);
  if (many && one && r.machine.cpus > 1) {
    const ratio = many.framesPerSecond! / one.framesPerSecond!;
    out.push(
      `${layoutName(many)} ran the network at ${f(ratio, 2)}× the rate of ${layoutName(one)} ` +
        `(best batch of each: ${many.batch} and ${one.batch}).`,
    );
  }
  const ours = r.endToEnd.benchPack.settings;
  if (r.best) {
    const same = r.best.workers === ours.workers && r.best.threads === ours.threads;
    out.push(
      `The pipeline's default pool (${ours.workers}×${ours.threads}, batch ${ours.batchSize}) ${same ? 'is' : 'is not'} ` +
        `this run's fastest layout (${r.best.workers}×${r.best.threads}, at batch ${r.best.batch}).`,
    );
  }
  const big = r.throughput.filter(
    (p) => p.batch >= 4 && p.framesPerSecond !== null && r.best && p.workers === r.best.workers && p.threads === r.best.threads,
  );
  if (big.length > 1) {
    const rates = big.map((p) => p.framesPerSecond!);
    out.push(
      `With ${layoutName(big[0]!)}, frames/s over batches ${big.map((p) => p.batch).join(', ')} ` +
        `spread by ${pct(Math.max(...rates) / Math.min(...rates) - 1)} (max ÷ min − 1).`,
    );
  }
  const pp = r.postprocess;
  out.push(
    `Post-processing + solve: the coefficient path took ${f(pp.coefficientsMsPerFrame, 3)} ms/frame, ` +
      `the SDK's mesh path ${f(pp.meshMsPerFrame, 2)} ms/frame (${f(pp.meshMsPerFrame / pp.coefficientsMsPerFrame)}× ours) ` +
      `on the same ${pp.frames} frames of ` +
      `${r.network.geometry === 'mini' ? 'the mini geometry, whose small mesh flatters the mesh path' : "Mark's full geometry"}.`,
  );
  out.push(`End to end, ours processed the v2.3-shaped line ${f(r.speedup)}× as fast as the straightforward port.`);
  return out;
}

/** Markdown: the run's conditions, figures, targets, findings and every figure left out with its reason. */
export function markdownReport(r: BenchReport): string {
  const m = r.machine;
  const lines: string[] = [];
  const row = (...cells: string[]) => lines.push(`| ${cells.join(' | ')} |`);
  lines.push(
    `Measured ${r.startedAt.slice(0, 10)} by \`npm run bench${r.quick ? ' -- --quick' : ''}\` in ${f(r.seconds / 60)} min ` +
      `on ${m.cpus} × ${m.cpuModel}, ${f(m.memoryGiB)} GiB RAM, ${m.platform}, Node ${m.node}, ` +
      `onnxruntime-node ${m.onnxruntime}, device ${r.device}` +
      `; load average ${f(m.loadAverage.start, 2)} at the start, ${f(m.loadAverage.end, 2)} at the end` +
      (r.provisional ? ' — **provisional: the machine was busy with other work, so these timings are noisy**.' : '.') +
      (r.quick ? ' **Quick run**: short samples and the mini geometry; the full run is what these tables are meant to show.' : ''),
  );
  lines.push('');
  lines.push(
    `Every rate comes from at least ${r.minSampleSeconds} s of whole timed runs. No share above 100 % is printed, ` +
      (r.ceiling
        ? `nor any FLOP rate above this machine's ceiling: ${r.ceiling.basis}.`
        : `and FLOP rates on device ${r.device} are not checked against a ceiling (the CPU's does not bound it).`),
  );
  lines.push('');
  row('figure', 'value', 'settings');
  row('---', '---', '---');
  const n = r.network;
  row(
    'v2.3-shaped network',
    `${f(n.parameters / 1e6, 2)} M params (${n.deviation.parameters >= 0 ? '+' : ''}${pct(n.deviation.parameters, 2)}), ` +
      `${f(n.flopsPerFrame / 1e9, 2)} GFLOP/frame (${n.deviation.flopsPerFrame >= 0 ? '+' : ''}${pct(n.deviation.flopsPerFrame, 2)})`,
    `vs the reference ${f(n.reference.parameters / 1e6, 2)} M, ${f(n.reference.flopsPerFrame / 1e9, 2)} GFLOP; ${n.geometry} geometry`,
  );
  row(
    'fp32 MatMul roofline (ONNX Runtime)',
    r.roofline.gflops === null ? '—' : `${f(r.roofline.gflops, 0)} GFLOP/s`,
    `${r.roofline.layouts.map((l) => `${l.workers}×${l.threads}: ${l.gflops === null ? 'refused' : f(l.gflops, 0)}`).join(', ')} ` +
      `(${r.roofline.shape})`,
  );
  for (const p of r.throughput) row(`network, ${layoutName(p)}, batch ${p.batch}`, ...pointCells(p));
  const pp = r.postprocess;
  const ofNetwork = (x: number | null, digits: number) =>
    x === null ? 'no network figure to compare with' : `${pct(x, digits)} of the network's time per frame`;
  row(
    'post-processing + solve, mesh space (SDK way)',
    `${f(pp.meshMsPerFrame, 2)} ms/frame`,
    `${ofNetwork(pp.fractionOfNetwork.mesh, 0)}; ${pp.sample.mesh.reps} runs of ${pp.frames} frames`,
  );
  row(
    'post-processing + solve, coefficient space (ours)',
    `${f(pp.coefficientsMsPerFrame, 3)} ms/frame`,
    `${ofNetwork(pp.fractionOfNetwork.coefficients, 2)}; ${pp.sample.coefficients.reps} runs of the same frames`,
  );
  for (const e of [r.endToEnd.defaultModel, r.endToEnd.benchPack, r.endToEnd.baseline]) {
    const s = e.stages;
    row(
      `end to end, ${e.label}`,
      `${f(e.secondsPerMinute)} s per minute of dialogue (RTF ${f(e.realTimeFactor, 3)})`,
      `batch ${e.settings.batchSize}, ${e.settings.workers}×${e.settings.threads}, solve ${e.settings.solvePath}; ` +
        `${f(e.audioSeconds, 0)} s line × ${e.sample.reps} in ${f(e.sample.seconds)} s; ` +
        `${stageSplit({ decode: s.decode, inference: s.inference, post: s.postprocess, write: s.write }, e.seconds)}`,
    );
  }
  row('speed-up over the straightforward port', `${f(r.speedup)}×`, 'v2.3-shaped pack, seconds per minute of dialogue');
  const u = r.usdWrite;
  row(
    '.usda writing',
    `${f(u.megabytesPerSecond)} MB/s`,
    `${u.frames} frames × ${u.channels} channels of solver output, ${f(u.bytes / 1e6)} MB formatted and written × ${u.reps} ` +
      `in ${f(u.seconds * u.reps)} s; ${f(u.durableMegabytesPerSecond)} MB/s including fsync (${f(u.fsyncSeconds, 2)} s per write)`,
  );
  const c = r.characterRead;
  row(
    'character read, crate asset',
    c.crateSeconds === null ? 'not measured' : `${f(c.crateSeconds, 2)} s`,
    `${f(c.crateMB ?? 0)} MB crate ${c.crateVersion ?? ''} written by real USD: a face mesh of ${c.points} points, ` +
      `${c.blendShapes} blendshapes × ${c.offsetsPerShape} offsets; ` +
      `the same asset as ${f(c.usdaMB)} MB of text in ${f(c.usdaSeconds, 2)} s${c.note ? `; ${c.note}` : ''}`,
  );
  for (const cells of previewRows(r.preview)) row(...cells);
  for (const cells of queueRows(r.queue)) row(...cells);
  for (const cells of liveRows(r.live)) row(...cells);
  for (const cells of a2eRows(r.a2e)) row(...cells);
  for (const cells of v3Rows(r.v3)) row(...cells);
  const mem = r.memory;
  row(
    `peak RSS, ${mem.defaultModel.audioMinutes}-minute 48 kHz stereo line, default model`,
    `${f(mem.defaultModel.peakRssMB, 0)} MB`,
    `measured end to end in a child process (${f(mem.defaultModel.seconds)} s)`,
  );
  for (const run of mem.benchPack) {
    row(
      `peak RSS, ${run.audioMinutes}-minute line, v2.3-shaped pack`,
      `${f(run.peakRssMB, 0)} MB`,
      `measured end to end in a child process (${f(run.seconds)} s)`,
    );
  }
  lines.push('');
  row(`target (${m.cpus} cores)`, 'measured', 'met');
  row('---', '---', '---');
  for (const t of r.targets) {
    row(
      `${t.name} ${t.target}`,
      targetValue(t),
      t.met === null ? `not judged: ${t.note ?? 'no figure'}` : t.met ? 'yes' : `**no** (${pct(Math.abs(t.margin ?? 0))} short)`,
    );
  }
  lines.push('');
  lines.push('What this run shows:');
  lines.push('');
  for (const s of findings(r)) lines.push(`- ${s}`);
  if (r.notes.length > 0) {
    lines.push('');
    lines.push('Left out of this run, and why:');
    lines.push('');
    for (const s of r.notes) lines.push(`- ${s}`);
  }
  return lines.join('\n') + '\n';
}
