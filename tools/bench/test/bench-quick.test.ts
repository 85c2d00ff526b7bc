// `npm run bench -- --quick --json` through the real, built bench: every measurement runs (briefly) and the
// report carries every figure. Nothing here is about speed: timings are the machine's business,
// and the suite shares its cores with whatever else runs. What is checked is that no figure is
// impossible: over the machine's ceiling, a share above 100 %, a rate from a sliver of time, or a
// 60-minute peak that no 60-minute line measured.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

/** Runs the built bench as `npm run bench` does, to its end (a failing exit is a result, not an error). */
const runBench = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

interface Sample {
  seconds: number;
  reps: number;
}
interface Report {
  quick: boolean;
  device: string;
  provisional: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; onnxruntime: string; loadAverage: { start: number; end: number } };
  ceiling: { gflops: number; cores: number; ghz: number; flopsPerCycle: number; basis: string };
  minSampleSeconds: number;
  network: { parameters: number; flopsPerFrame: number; deviation: { parameters: number; flopsPerFrame: number }; geometry: string };
  roofline: {
    gflops: number | null;
    layouts: { workers: number; threads: number; gflops: number | null; seconds: number; note?: string }[];
  };
  throughput: {
    batch: number;
    workers: number;
    threads: number;
    framesPerSecond: number | null;
    gflops: number | null;
    note?: string;
    rooflineFraction: number | null;
    shareNote?: string;
    sample: Sample;
  }[];
  best: { framesPerSecond: number } | null;
  postprocess: {
    meshMsPerFrame: number;
    coefficientsMsPerFrame: number;
    frames: number;
    sample: { mesh: Sample; coefficients: Sample };
    fractionOfNetwork: { mesh: number | null; coefficients: number | null };
  };
  endToEnd: Record<
    'defaultModel' | 'benchPack' | 'baseline',
    {
      secondsPerMinute: number;
      realTimeFactor: number;
      frames: number;
      sample: Sample;
      stages: Record<'decode' | 'inference' | 'postprocess' | 'write', number>;
      settings: { batchSize: number; solvePath: string };
    }
  >;
  speedup: number;
  usdWrite: { megabytesPerSecond: number; bytes: number; seconds: number; reps: number };
  characterRead: {
    blendShapes: number;
    usdaSeconds: number;
    crateSeconds: number | null;
    crateMB: number | null;
    crateVersion: string | null;
  };
  preview: {
    points: number;
    blendShapes: number;
    offsetsPerShape: number;
    htmlMB: number;
    loadMs: number | null;
    loads: number[];
    playback: { seconds: number; drawn: number; skipped: number; fps: number; layerFps: number; clockAdvanced: boolean } | null;
    playblast: { width: number; height: number; frames: number; audioSeconds: number; perAudioSecond: number } | null;
    note?: string;
  };
  queue: {
    lines: number;
    rates: { workers: number; linesPerMinute: number | null; seconds: number }[];
    overheads: { appendfsync: string; jobs: number; meanMs: number; pickupMs: number; lineMs: number; fractionOfLine: number }[];
    note?: string;
  };
  v3: {
    size: string;
    parameters: number;
    gflopPerWindow: number;
    lineSeconds: number;
    framesPerSecond: number;
    realTimeFactor: number;
    shares: { network: number; postprocess: number };
    noiseSeconds: number;
    line: Sample;
  };
  a2e: {
    size: string;
    parameters: number;
    gflopPerRun: number;
    window: number;
    skip: number;
    lineSeconds: number;
    runsPerSecond: number;
    msPerRun: number;
    realTimeFactor: number;
    shareOfLine: number | null;
    line: Sample;
  };
  memory: {
    defaultModel: { peakRssMB: number; audioMinutes: number };
    benchPack: { peakRssMB: number; audioMinutes: number }[];
    benchPackHour: { minutes: number; peakRssMB: number | null; note?: string };
  };
  targets: { name: string; value: number | null; met: boolean | null; note?: string }[];
  notes: string[];
}

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const positive = (x: unknown): boolean => finite(x) && (x as number) > 0;

describe('npm run bench -- --quick --json', () => {
  let report: Report;
  let code: number;
  let stderr: string;

  beforeAll(async () => {
    const r = await runBench(['--quick', '--json']);
    code = r.code;
    stderr = r.stderr;
    report = JSON.parse(r.stdout) as Report;
  }, 600_000);

  it('exits 0 and says what it measures on stderr', () => {
    expect(code).toBe(0);
    expect(stderr).toMatch(/roofline/);
    expect(report.quick).toBe(true);
    expect(report.device).toBe('cpu');
    expect(typeof report.provisional).toBe('boolean');
  });

  it('describes the machine', () => {
    expect(report.machine.cpus).toBeGreaterThan(0);
    expect(report.machine.cpuModel.length).toBeGreaterThan(0);
    expect(positive(report.machine.memoryGiB)).toBe(true);
    expect(report.machine.onnxruntime).toMatch(/^\d+\.\d+/);
  });

  it('reports the generated network within 5 % of the reference figures', () => {
    expect(Math.abs(report.network.deviation.flopsPerFrame)).toBeLessThan(0.05);
    // quick mode keeps the network and shrinks the geometry (the heads follow the PCA sizes)
    expect(Math.abs(report.network.deviation.parameters)).toBeLessThan(0.05);
    expect(report.network.geometry).toBe('mini');
  });

  it('derives a ceiling from the machine no fp32 core could exceed', () => {
    expect(report.ceiling.cores).toBe(report.machine.cpus);
    expect(report.ceiling.flopsPerCycle).toBeGreaterThanOrEqual(8);
    expect(report.ceiling.flopsPerCycle).toBeLessThanOrEqual(64);
    // generous, but never beyond 6 GHz × AVX-512's 64 FLOP/cycle per core
    expect(report.ceiling.gflops).toBeLessThanOrEqual(report.machine.cpus * 6 * 64);
    expect(report.ceiling.gflops).toBeCloseTo(report.ceiling.cores * report.ceiling.ghz * report.ceiling.flopsPerCycle, 6);
  });

  it('has the roofline and a throughput point per layout and batch size, none above the ceiling or the roofline', () => {
    const ceiling = report.ceiling.gflops;
    expect(report.roofline.layouts.length).toBeGreaterThan(0);
    for (const l of report.roofline.layouts) {
      if (l.gflops === null) expect(l.note).toMatch(/exceeds what the cores can do/);
      else expect(l.gflops > 0 && l.gflops <= ceiling).toBe(true);
      expect(l.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
    }
    if (report.roofline.gflops !== null)
      expect(report.roofline.gflops).toBe(Math.max(...report.roofline.layouts.map((l) => l.gflops ?? 0)));
    expect(report.throughput.length).toBe(report.roofline.layouts.length * 2);
    for (const p of report.throughput) {
      expect(p.sample.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
      if (p.gflops === null) {
        expect(p.framesPerSecond).toBeNull();
        expect(p.note).toMatch(/exceeds what the cores can do/);
        continue;
      }
      expect(positive(p.framesPerSecond)).toBe(true);
      expect(p.gflops).toBeLessThanOrEqual(ceiling);
      expect(p.gflops).toBeCloseTo((p.framesPerSecond! * report.network.flopsPerFrame) / 1e9, 6);
      if (p.rooflineFraction === null) expect(p.shareNote).toMatch(/cannot exceed 100 %|refused/);
      else expect(p.rooflineFraction > 0 && p.rooflineFraction <= 1).toBe(true);
    }
    expect(report.best === null || positive(report.best.framesPerSecond)).toBe(true);
  });

  it('prints no GFLOP/s figure above the ceiling and no share above 100 % in its progress lines', () => {
    // (a refused measurement is named in its refusal, and the ceiling in its own line)
    const printed = stderr
      .split('\n')
      .filter((l) => !/exceeds what the cores can do|^ceiling:/.test(l))
      .join('\n');
    const figures = [...printed.matchAll(/(\d+(?:\.\d+)?) GFLOP\/s/g)].map((m) => Number(m[1]));
    expect(figures.length).toBeGreaterThan(0);
    for (const g of figures) expect(g).toBeLessThanOrEqual(report.ceiling.gflops);
    for (const m of printed.matchAll(/(\d+(?:\.\d+)?) % of/g)) expect(Number(m[1])).toBeLessThanOrEqual(100);
  });

  it('has post-processing per frame on both paths', () => {
    expect(positive(report.postprocess.meshMsPerFrame)).toBe(true);
    expect(positive(report.postprocess.coefficientsMsPerFrame)).toBe(true);
    expect(report.postprocess.fractionOfNetwork.coefficients === null || positive(report.postprocess.fractionOfNetwork.coefficients)).toBe(
      true,
    );
    // the same frames for both paths, each timed for at least the minimum sample
    for (const s of Object.values(report.postprocess.sample)) expect(s.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
  });

  it('has end to end for the default model, the v2.3-shaped pack and the straightforward port, with the speed-up', () => {
    for (const e of Object.values(report.endToEnd)) {
      expect(positive(e.secondsPerMinute)).toBe(true);
      expect(positive(e.realTimeFactor)).toBe(true);
      expect(e.frames).toBeGreaterThan(0);
      expect(e.sample.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
      for (const s of Object.values(e.stages)) expect(finite(s) && s >= 0).toBe(true);
    }
    expect(report.endToEnd.baseline.settings).toMatchObject({ batchSize: 1, solvePath: 'mesh' });
    expect(report.endToEnd.benchPack.settings.solvePath).toBe('coefficients');
    expect(positive(report.speedup)).toBe(true);
  });

  it('reads the large character as text and as the crate real USD wrote of it', () => {
    expect(report.characterRead.blendShapes).toBe(52);
    expect(positive(report.characterRead.usdaSeconds)).toBe(true);
    expect(report.characterRead.crateVersion).toMatch(/^0\.\d+\.\d+$/);
    expect(positive(report.characterRead.crateSeconds ?? 0)).toBe(true);
    expect(positive(report.characterRead.crateMB ?? 0)).toBe(true);
  });

  it("measures a generated face's preview page, its 1× playback and a playblast (Chromium and ffmpeg must be installed)", () => {
    const p = report.preview;
    expect(p.note, p.note).toBeUndefined();
    expect({ points: p.points, blendShapes: p.blendShapes, offsetsPerShape: p.offsetsPerShape }).toEqual({
      points: 2400,
      blendShapes: 52,
      offsetsPerShape: 720,
    });
    expect(positive(p.htmlMB)).toBe(true);
    expect(p.loads).toHaveLength(2);
    expect(p.loads.every(positive)).toBe(true);
    expect(p.loads).toContain(p.loadMs);
    expect(p.playback!.layerFps).toBe(30);
    expect(p.playback!.drawn + p.playback!.skipped).toBeGreaterThan(0);
    expect(p.playback!.clockAdvanced).toBe(true);
    expect(p.playback!.fps).toBeCloseTo(p.playback!.drawn / p.playback!.seconds, 6);
    // line02_papa is 2.49 s: 75 frames at 30 fps cover it
    expect(p.playblast).toMatchObject({ width: 320, height: 240, frames: 75 });
    expect(p.playblast!.audioSeconds).toBeCloseTo(2.49, 2);
    expect(positive(p.playblast!.perAudioSecond)).toBe(true);
  });

  it('runs the render-farm queue with 1, 2 and 3 worker processes on a real Redis (redis-server must be installed)', () => {
    const q = report.queue;
    expect(q.note, q.note).toBeUndefined();
    expect(q.rates.map((r) => r.workers)).toEqual([1, 2, 3]);
    for (const r of q.rates) expect(r.linesPerMinute === null || positive(r.linesPerMinute)).toBe(true);
    expect(q.overheads.map((o) => o.appendfsync)).toEqual(['always', 'everysec']);
    for (const o of q.overheads) {
      expect(o.jobs).toBe(5);
      expect(positive(o.lineMs)).toBe(true);
      // a job's add → completion contains the line's time: what is left cannot be negative
      expect(o.meanMs).toBeGreaterThanOrEqual(0);
      expect(o.pickupMs).toBeGreaterThanOrEqual(0);
      expect(o.fractionOfLine).toBeCloseTo(o.meanMs / o.lineMs, 9);
    }
  });

  it('animates a line with the v3.0-shaped network (tiny in quick mode): frames/s, real-time factor and stage shares', () => {
    const v = report.v3;
    expect(v.size).toBe('tiny');
    expect(positive(v.parameters) && positive(v.gflopPerWindow)).toBe(true);
    // 3 s at 30 fps: 90 frames per line
    expect(v.framesPerSecond * v.realTimeFactor * v.lineSeconds).toBeCloseTo(90, 6);
    expect(v.realTimeFactor).toBeCloseTo(v.line.seconds / v.line.reps / v.lineSeconds, 9);
    expect(v.line.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
    expect(v.shares.network + v.shares.postprocess).toBeCloseTo(1, 9);
    expect(v.shares.postprocess > 0 && v.shares.postprocess < 1).toBe(true);
    expect(positive(v.noiseSeconds)).toBe(true);
  });

  it('runs the Audio2Emotion-shaped network over a line as --a2e does (tiny in quick mode) and gives its share of a line', () => {
    const a = report.a2e;
    expect(a.size).toBe('tiny');
    expect([a.window, a.skip]).toEqual([60000, 30]);
    expect(positive(a.parameters) && positive(a.gflopPerRun)).toBe(true);
    // 3 s at 30 fps: 90 frames, one classifier run every 31 frames
    expect(a.runsPerSecond * a.msPerRun).toBeCloseTo(1000, 6);
    expect(a.realTimeFactor).toBeCloseTo(a.line.seconds / a.line.reps / a.lineSeconds, 9);
    expect(a.line.seconds).toBeGreaterThanOrEqual(report.minSampleSeconds);
    expect(a.shareOfLine! > 0 && a.shareOfLine! < 1).toBe(true);
  });

  it('has .usda writing throughput and peak memory of long lines', () => {
    expect(positive(report.usdWrite.megabytesPerSecond)).toBe(true);
    expect(report.usdWrite.bytes).toBeGreaterThan(0);
    expect(report.usdWrite.seconds * report.usdWrite.reps).toBeGreaterThanOrEqual(report.minSampleSeconds);
    expect(positive(report.memory.defaultModel.peakRssMB)).toBe(true);
    expect(report.memory.benchPack).toHaveLength(1);
    expect(positive(report.memory.benchPack[0]!.peakRssMB)).toBe(true);
    // no 60-minute line runs in quick mode, so there is no 60-minute figure: left out, with the reason
    expect(report.memory.benchPackHour.minutes).toBe(60);
    expect(report.memory.benchPackHour.peakRssMB).toBeNull();
    expect(report.memory.benchPackHour.note).toMatch(/never extrapolated/);
    expect(report.notes.some((n) => n.includes('60-minute'))).toBe(true);
  });

  it('checks every target', () => {
    // the targets, the preview's two among them
    expect(report.targets.length).toBeGreaterThanOrEqual(10);
    expect(report.targets.map((t) => t.name)).toEqual(
      expect.arrayContaining(['preview page load, 100 k points × 52 shapes', "preview playback at 1×, share of the layer's frames drawn"]),
    );
    for (const t of report.targets) {
      if (t.value === null) {
        expect(t.met).toBeNull();
        expect(t.note?.length).toBeGreaterThan(0);
      } else {
        expect(finite(t.value)).toBe(true);
        expect(typeof t.met).toBe('boolean');
      }
    }
    expect(report.targets.find((t) => t.name.includes('60-minute'))?.met).toBeNull();
    // the quick run reads a small character, not the 50 MB one the target is about
    expect(report.targets.find((t) => t.name.startsWith('character read'))?.met).toBeNull();
    // and a small face, not the 100 k-point one the page-load target is about
    expect(report.targets.find((t) => t.name.startsWith('preview page load'))?.note).toMatch(/smaller face/);
    expect(typeof report.targets.find((t) => t.name.startsWith('preview playback'))?.met).toBe('boolean');
  });
});
