// The bench's guards: what keeps an impossible or extrapolated figure out of its report. Values in,
// verdicts out; nothing here times anything.
import { describe, expect, it } from 'vitest';
import { cpuCeiling } from '../src/ceiling.js';
import { MIN_SAMPLE_SECONDS, perSecond, repeatFor, repeatForSync, share, stageSplit, underCeiling } from '../src/guards.js';
import { peakAt } from '../src/memory.js';
import type { BenchReport, ThroughputPoint } from '../src/report.js';
import { markdownReport } from '../src/table.js';
import { evaluateTargets, notesOf } from '../src/targets.js';
import { withRoofline } from '../src/throughput.js';

const XEON = 'model name\t: Intel(R) Xeon(R) Processor\ncpu MHz\t\t: 2100.000\nflags\t\t: fpu sse sse2 avx fma avx2 avx512f avx512dq\n';
/** The preview rows as measured once here (docs/playblast.md, "Measured"). */
const PREVIEW: BenchReport['preview'] = {
  points: 100_000,
  triangles: 199_200,
  blendShapes: 52,
  offsetsPerShape: 30_000,
  htmlMB: 41.6,
  buildSeconds: 17.65,
  loadMs: 1224,
  loads: [1224, 1660, 997],
  playback: { seconds: 4, drawn: 4, skipped: 54, fps: 1, layerFps: 30, shareDrawn: 4 / 58, clockAdvanced: true },
  playblast: { width: 1280, height: 720, frames: 75, audioSeconds: 2.4918, seconds: 71.5, perAudioSecond: 71.5 / 2.4918 },
};
/** The render-farm queue rows as measured once here (docs/benchmark.md, "The render-farm queue"). */
const overhead = (appendfsync: 'always' | 'everysec', meanMs: number) => ({
  appendfsync,
  jobs: 5,
  meanMs,
  medianMs: meanMs,
  maxMs: 2 * meanMs,
  pickupMs: 1,
  lineMs: 220,
  fractionOfLine: meanMs / 220,
});
const QUEUE: BenchReport['queue'] = {
  lines: 6,
  lineSeconds: 1,
  rates: [1, 2, 3].map((workers) => ({ workers, linesPerMinute: 100 * workers, audioMinutesPerMinute: (100 * workers) / 60, seconds: 3 })),
  overheads: [overhead('always', 22), overhead('everysec', 3)],
};
const ceiling = cpuCeiling({ cores: 2, cpuinfo: XEON, maxFreqKHz: null });

describe('the machine ceiling', () => {
  it('is cores × max clock × FLOPs per cycle from the CPU flags, generous where the clock is unknown', () => {
    expect(ceiling.flopsPerCycle).toBe(64);
    // no cpufreq: twice the reported 2.1 GHz
    expect(ceiling.ghz).toBeCloseTo(4.2, 6);
    expect(ceiling.gflops).toBeCloseTo(2 * 4.2 * 64, 6);
    expect(ceiling.basis).toMatch(/2 cores × 4\.20 GHz × 64 FLOP\/cycle/);
  });

  it("takes cpufreq's maximum when the kernel gives one, and narrower SIMD from the flags", () => {
    const avx2 = cpuCeiling({ cores: 4, cpuinfo: XEON.replace(' avx512f avx512dq', ''), maxFreqKHz: 3_500_000 });
    expect(avx2.flopsPerCycle).toBe(32);
    expect(avx2.gflops).toBeCloseTo(4 * 3.5 * 32, 6);
    expect(avx2.basis).toMatch(/cpufreq/);
  });

  it('assumes the widest SIMD and 6 GHz when nothing is known', () => {
    const unknown = cpuCeiling({ cores: 1, cpuinfo: '', maxFreqKHz: null });
    expect(unknown.gflops).toBe(6 * 64);
  });
});

describe('a FLOP rate above the ceiling', () => {
  it('is not a figure: null, with the measurement and the reason', () => {
    const r = underCeiling({ value: 2408 }, ceiling);
    expect(r.value).toBeNull();
    expect(r.measured).toBe(2408);
    expect(r.note).toMatch(/2408 GFLOP\/s exceeds what the cores can do/);
    expect(r.note).toContain(ceiling.basis);
  });

  it('passes a rate under it unchanged', () => {
    expect(underCeiling({ value: 129 }, ceiling)).toEqual({ value: 129 });
  });

  it("is not judged against the CPU's ceiling on a GPU (null ceiling)", () => {
    expect(underCeiling({ value: 40_000 }, null)).toEqual({ value: 40_000 });
  });

  it('is refused as a roofline and as a throughput point in the printed report', () => {
    const report = fixture({ rooflineGflops: 2408, pointGflops: 900 });
    const md = markdownReport(report);
    expect(md).not.toMatch(/\| 2408 GFLOP\/s/);
    expect(md).toMatch(/\| fp32 MatMul roofline \(ONNX Runtime\) \| — \|/);
    expect(md).toMatch(/\| network, 2 workers × 1 thread, batch 4 \| — \| refused: 900 GFLOP\/s exceeds/);
    expect(md).toMatch(/Left out of this run, and why:/);
  });

  it('leaves no finding that needs the refused figure', () => {
    const md = markdownReport(fixture({ rooflineGflops: 2408, pointGflops: 900 }));
    // the only throughput point was refused: no layout ratio, no default-vs-fastest claim
    expect(md).not.toMatch(/ran the network at/);
    expect(md).not.toMatch(/fastest layout/);
    expect(md).toMatch(
      new RegExp(
        'What this run shows:\\n\\n- Post-processing \\+ solve: the coefficient path took 0\\.500 ms/frame, ' +
          "the SDK's mesh path 100\\.00 ms/frame \\(200\\.0× ours\\) on the same 300 frames",
      ),
    );
  });
});

describe('a share of the roofline above 100 %', () => {
  it('is flagged as a roofline measured too low, not printed as a share', () => {
    const s = share(151, 129);
    expect(s.value).toBeNull();
    expect(s.measured).toBeCloseTo(151 / 129, 9);
    expect(s.note).toMatch(/measured 117 % of the roofline: a share cannot exceed 100 %, so the roofline was measured too low/);
    expect(share(59, 129).value).toBeCloseTo(59 / 129, 9);
  });

  it("leaves the point's share null with the reason, and the target unjudged", () => {
    const [p] = withRoofline([point(4, 151)], 129);
    expect(p!.rooflineFraction).toBeNull();
    expect(p!.shareNote).toMatch(/cannot exceed 100 %/);
    const report = fixture({ rooflineGflops: 129, pointGflops: 151 });
    const target = report.targets.find((t) => t.name.startsWith('share of the measured roofline'))!;
    expect(target.value).toBeNull();
    expect(target.met).toBeNull();
    const md = markdownReport(report);
    expect(md).not.toMatch(/117 % of roofline/);
    expect(md).toMatch(/share of roofline not given: measured 117 %/);
  });
});

describe('the character read target', () => {
  it('judges a 50 MB crate read against 1 s and leaves a smaller (quick) asset unjudged, saying why', () => {
    const full = fixture({ rooflineGflops: 2408, pointGflops: 900 });
    const met = full.targets.find((t) => t.name === 'character read, 50 MB crate asset')!;
    expect(met).toMatchObject({ value: 0.2, met: true });
    const small = { ...full, characterRead: { ...full.characterRead, crateMB: 2, crateSeconds: 0.01 } };
    const unjudged = evaluateTargets(small).find((t) => t.name === 'character read, 50 MB crate asset')!;
    expect(unjudged).toMatchObject({ value: null, met: null, note: 'the quick run reads a smaller asset' });
    expect(markdownReport(full)).toMatch(/character read, crate asset \| 0\.20 s/);
  });
});

describe('the preview targets', () => {
  it('judges the page load of a 100 k-point face against 3 s and the share of frames drawn against 95 %', () => {
    const report = fixture({ rooflineGflops: 2408, pointGflops: 900 });
    expect(report.targets.find((t) => t.name === 'preview page load, 100 k points × 52 shapes')).toMatchObject({ value: 1224, met: true });
    // 4 drawn of 58: the page fell far behind the audio
    const playback = report.targets.find((t) => t.name.startsWith('preview playback'))!;
    expect(playback.value).toBeCloseTo(4 / 58, 9);
    expect(playback.met).toBe(false);
    const md = markdownReport(report);
    expect(md).toMatch(/\| preview page load \(100 k points × 52 shapes\) \| 1224 ms \|/);
    expect(md).toMatch(/\| playblast \| 28\.69 s per second of audio \| 1280×720, 75 frames/);
  });

  it('leaves a small face unjudged, and every row out with the reason when Chromium is missing', () => {
    const full = fixture({ rooflineGflops: 2408, pointGflops: 900 });
    const small = evaluateTargets({ ...full, preview: { ...PREVIEW, points: 2400 } }).find((t) => t.name.startsWith('preview page load'))!;
    expect(small).toMatchObject({ value: null, met: null, note: 'the quick run loads a smaller face' });
    const note = '/usr/bin/chromium: no Chromium was found';
    const none = { ...full, preview: { ...PREVIEW, loadMs: null, loads: [], playback: null, playblast: null, note } };
    for (const t of evaluateTargets(none).filter((t) => t.name.startsWith('preview'))) expect(t).toMatchObject({ met: null, note });
    expect(notesOf(none)).toContain(`preview: ${note}`);
    expect(markdownReport({ ...none, notes: notesOf(none) })).toMatch(
      /\| playblast \| — \| \/usr\/bin\/chromium: no Chromium was found \|/,
    );
  });
});

describe('the render-farm queue rows', () => {
  it("judge the overhead on the recipe's Redis (fsync on every write) and print both fsync policies", () => {
    const report = fixture({ rooflineGflops: 2408, pointGflops: 900 });
    const judged = report.targets.filter((t) => t.name.startsWith('render-farm queue'));
    expect(judged.map((t) => [t.value, t.met])).toEqual([
      [22, false],
      [22 / 220, false],
    ]);
    const md = markdownReport(report);
    expect(md).toMatch(/\| render-farm queue, 3 worker processes \| 300 lines\/min \|/);
    expect(md).toMatch(/\| render-farm queue, overhead per job, appendfsync everysec \| 3\.0 ms \(1\.36 % of a line\) \|/);
  });

  it('leave every row and target out, with the reason, when no redis-server could start', () => {
    const note = 'redis-server: cannot run the Redis server the queue tests need';
    const none = {
      ...fixture({ rooflineGflops: 2408, pointGflops: 900 }),
      queue: { lines: 6, lineSeconds: 1, rates: [], overheads: [], note },
    };
    for (const t of evaluateTargets(none).filter((t) => t.name.startsWith('render-farm'))) expect(t).toMatchObject({ met: null, note });
    expect(notesOf(none)).toContain(`render-farm queue: ${note}`);
    expect(markdownReport({ ...none, notes: notesOf(none) })).toMatch(/\| render-farm queue \| — \| redis-server: cannot run/);
  });
});

describe('a short sample', () => {
  it('is not scaled up into a rate: 0.1 s gives no figure', () => {
    const r = perSecond(45, { seconds: 0.1, reps: 1 });
    expect(r.value).toBeNull();
    expect(r.note).toMatch(/only 0\.100 s/);
    expect(perSecond(45, { seconds: 1.5, reps: 3 }).value).toBeCloseTo(30, 9);
    expect(perSecond(1, { seconds: MIN_SAMPLE_SECONDS, reps: 1 }).value).not.toBeNull();
  });

  it('is prevented by repeating the work until both the repetitions and the time are reached', async () => {
    let calls = 0;
    const sync = repeatForSync(0.02, 3, () => {
      calls++;
    });
    expect(sync.reps).toBe(calls);
    expect(sync.reps).toBeGreaterThanOrEqual(3);
    expect(sync.seconds).toBeGreaterThanOrEqual(0.02);
    const asyncSample = await repeatFor(0.02, 2, () => new Promise((r) => setImmediate(r)));
    expect(asyncSample.reps).toBeGreaterThanOrEqual(2);
    expect(asyncSample.seconds).toBeGreaterThanOrEqual(0.02);
  });
});

describe('the 60-minute peak memory', () => {
  const run = (minutes: number, mb: number) => ({ model: 'v2.3-shaped', audioMinutes: minutes, peakRssMB: mb, seconds: 1, frames: 1 });

  it("is a real 60-minute line's peak", () => {
    expect(peakAt([run(60, 900)], 60, 'x')).toEqual({ minutes: 60, peakRssMB: 900 });
  });

  it('is left out with the reason when only shorter lines ran, never extrapolated', () => {
    const hour = peakAt([run(1, 900), run(4, 950)], 60, '--short-memory ran shorter lines instead');
    expect(hour.peakRssMB).toBeNull();
    expect(hour.note).toMatch(/--short-memory.*only 1-minute and 4-minute line\(s\) ran.*never extrapolated/);
    const md = markdownReport(fixture({ rooflineGflops: 129, pointGflops: 60, packMinutes: [1, 4] }));
    expect(md).not.toMatch(/60-minute line, v2\.3-shaped pack \| \d/);
    expect(md).toMatch(/\| peak RSS, 60-minute line, v2\.3-shaped pack < 1\.5 GB \| — \| not judged: not measured/);
  });
});

function point(batch: number, gflops: number | null, note?: string): ThroughputPoint {
  const fps = gflops === null ? null : gflops / 3.2;
  return {
    batch,
    workers: 2,
    threads: 1,
    framesPerSecond: fps,
    msPerFrame: fps === null ? null : 1000 / fps,
    gflops,
    ...(note ? { note } : {}),
    rooflineFraction: null,
    frames: 64,
    sample: { seconds: 2, reps: 3 },
  };
}

/** A whole report around a roofline and one throughput point, built the way runBench builds it. */
function fixture(o: { rooflineGflops: number; pointGflops: number; packMinutes?: number[] }): BenchReport {
  const roof = underCeiling({ value: o.rooflineGflops }, ceiling);
  const pt = underCeiling({ value: o.pointGflops }, ceiling);
  const points = withRoofline([point(4, pt.value, pt.note)], roof.value);
  const best = points[0]!.framesPerSecond === null ? null : points[0]!;
  const line = (label: string) => ({
    label,
    model: 'm',
    settings: { batchSize: 8, workers: 2, threads: 1, solvePath: 'coefficients' },
    audioSeconds: 60,
    frames: 1800,
    seconds: 30,
    sample: { seconds: 30, reps: 1 },
    secondsPerMinute: 30,
    realTimeFactor: 0.5,
    stages: { decode: 1, inference: 27, postprocess: 1, write: 1 },
    startupSeconds: 2,
  });
  const packRuns = (o.packMinutes ?? [60]).map((m) => ({
    model: 'v2.3-shaped',
    audioMinutes: m,
    peakRssMB: 900,
    seconds: 60 * m,
    frames: 1800 * m,
  }));
  const partial = {
    quick: false,
    device: 'cpu' as const,
    provisional: false,
    startedAt: '2026-12-06T00:00:00.000Z',
    seconds: 3000,
    machine: {
      cpus: 2,
      cpuModel: 'Xeon',
      memoryGiB: 23.5,
      platform: 'linux',
      node: 'v20',
      onnxruntime: '1.30.0',
      loadAverage: { start: 0.1, end: 0.2 },
    },
    ceiling,
    minSampleSeconds: MIN_SAMPLE_SECONDS,
    network: {
      packDir: '/x',
      geometry: 'full' as const,
      parameters: 18.11e6,
      flopsPerFrame: 3.23e9,
      macsPerFrame: 1.6e9,
      reference: { parameters: 18.27e6, flopsPerFrame: 3.2e9 },
      deviation: { parameters: -0.0085, flopsPerFrame: 0.009 },
      generatedSeconds: 0,
    },
    roofline: {
      gflops: roof.value,
      layouts: [{ workers: 2, threads: 1, gflops: roof.value, seconds: 3, ...(roof.note ? { note: roof.note } : {}) }],
      shape: 'chains',
      ...(roof.note ? { note: roof.note } : {}),
    },
    throughput: points,
    best,
    postprocess: {
      meshMsPerFrame: 100,
      coefficientsMsPerFrame: 0.5,
      frames: 300,
      sample: { mesh: { seconds: 30, reps: 1 }, coefficients: { seconds: 3, reps: 20 } },
      fractionOfNetwork: { mesh: null, coefficients: null },
      prepareSeconds: { mesh: 1, coefficients: 2 },
    },
    endToEnd: { defaultModel: line('default model'), benchPack: line('ours'), baseline: line('port') },
    speedup: 1,
    usdWrite: {
      frames: 18000,
      channels: 71,
      bytes: 2e7,
      seconds: 0.5,
      reps: 6,
      megabytesPerSecond: 40,
      fsyncSeconds: 0.01,
      durableMegabytesPerSecond: 39,
    },
    characterRead: {
      points: 1e6,
      blendShapes: 52,
      offsetsPerShape: 20000,
      usdaMB: 120,
      usdaSeconds: 1.2,
      crateMB: 50,
      crateSeconds: 0.2,
      crateVersion: '0.8.0',
      reps: 3,
    },
    preview: PREVIEW,
    queue: QUEUE,
    live: { streamSeconds: 3, lookAheadSeconds: 0.26, models: [], note: 'not measured in this test' },
    a2e: {
      size: 'base' as const,
      parameters: 94.6e6,
      gflopPerRun: 53.4,
      window: 60000,
      skip: 30,
      lineSeconds: 30,
      runsPerSecond: 1,
      msPerRun: 1000,
      realTimeFactor: 0.97,
      shareOfLine: 0.5,
      line: { seconds: 29, reps: 1 },
      threads: 2,
    },
    v3: {
      size: 'full' as const,
      parameters: 179.7e6,
      gflopPerWindow: 28.5,
      lineSeconds: 10,
      framesPerSecond: 5.2,
      realTimeFactor: 5.77,
      shares: { network: 0.86, postprocess: 0.14 },
      noiseSeconds: 1.3,
      line: { seconds: 57.7, reps: 1 },
      workers: 1,
      threads: 2,
    },
    memory: {
      defaultModel: { model: 'default', audioMinutes: 60, peakRssMB: 300, seconds: 600, frames: 108000 },
      benchPack: packRuns,
      benchPackHour: peakAt(packRuns, 60, '--short-memory ran shorter lines instead'),
    },
  };
  return { ...partial, targets: evaluateTargets(partial), notes: notesOf(partial) };
}

describe('a line split by stage', () => {
  it('is printed when the stages fit in the line', () => {
    expect(stageSplit({ decode: 3.7, inference: 0.3, post: 0.03, write: 0.06 }, 4.1)).toBe(
      'per line: decode 3.70 s, inference 0.30 s, post 0.03 s, write 0.06 s',
    );
  });
  it('is left out, with the sums, when the stages add up past the line (a cold decode against warm lines)', () => {
    const text = stageSplit({ decode: 5.12, inference: 0, post: 0.03, write: 0.06 }, 4.1);
    expect(text).not.toMatch(/per line/);
    expect(text).toBe("stage split left out: its stages add up to 5.21 s, more than the line's 4.10 s");
  });
});
