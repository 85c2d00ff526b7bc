// `a2f bench --quick --json` through the real, built CLI: every measurement runs (briefly) and the
// report carries every figure. Nothing here is about speed: timings are the machine's business,
// and the suite shares its cores with whatever else runs.
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers.js';

interface Report {
  quick: boolean;
  device: string;
  provisional: boolean;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; onnxruntime: string; loadAverage: { start: number; end: number } };
  network: { parameters: number; flopsPerFrame: number; deviation: { parameters: number; flopsPerFrame: number }; geometry: string };
  roofline: { gflops: number; layouts: { workers: number; threads: number; gflops: number }[] };
  throughput: { batch: number; workers: number; threads: number; framesPerSecond: number; rooflineFraction: number }[];
  best: { framesPerSecond: number };
  postprocess: { meshMsPerFrame: number; coefficientsMsPerFrame: number; fractionOfNetwork: { mesh: number; coefficients: number } };
  endToEnd: Record<'defaultModel' | 'benchPack' | 'baseline', { secondsPerMinute: number; realTimeFactor: number; frames: number; stages: Record<'decode' | 'inference' | 'postprocess' | 'write', number>; settings: { batchSize: number; solvePath: string } }>;
  speedup: number;
  usdWrite: { megabytesPerSecond: number; bytes: number };
  memory: { defaultModel: { peakRssMB: number; audioMinutes: number }; benchPack: { peakRssMB: number }[]; benchPackExtrapolated: { minutes: number; peakRssMB: number } };
  targets: { name: string; value: number; met: boolean }[];
}

const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);
const positive = (x: unknown): boolean => finite(x) && (x as number) > 0;

describe('a2f bench --quick --json', () => {
  let report: Report;
  let code: number;
  let stderr: string;

  beforeAll(async () => {
    const r = await runCli(['bench', '--quick', '--json']);
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

  it('has the roofline and a throughput point per layout and batch size', () => {
    expect(positive(report.roofline.gflops)).toBe(true);
    expect(report.roofline.layouts.length).toBeGreaterThan(0);
    expect(report.throughput.length).toBe(report.roofline.layouts.length * 2);
    for (const p of report.throughput) {
      expect(positive(p.framesPerSecond)).toBe(true);
      expect(positive(p.rooflineFraction)).toBe(true);
    }
    expect(positive(report.best.framesPerSecond)).toBe(true);
  });

  it('has post-processing per frame on both paths', () => {
    expect(positive(report.postprocess.meshMsPerFrame)).toBe(true);
    expect(positive(report.postprocess.coefficientsMsPerFrame)).toBe(true);
    expect(positive(report.postprocess.fractionOfNetwork.coefficients)).toBe(true);
  });

  it('has end to end for the default model, the v2.3-shaped pack and the straightforward port, with the speed-up', () => {
    for (const e of Object.values(report.endToEnd)) {
      expect(positive(e.secondsPerMinute)).toBe(true);
      expect(positive(e.realTimeFactor)).toBe(true);
      expect(e.frames).toBeGreaterThan(0);
      for (const s of Object.values(e.stages)) expect(finite(s) && s >= 0).toBe(true);
    }
    expect(report.endToEnd.baseline.settings).toMatchObject({ batchSize: 1, solvePath: 'mesh' });
    expect(report.endToEnd.benchPack.settings.solvePath).toBe('coefficients');
    expect(positive(report.speedup)).toBe(true);
  });

  it('has .usda writing throughput and peak memory of long lines', () => {
    expect(positive(report.usdWrite.megabytesPerSecond)).toBe(true);
    expect(report.usdWrite.bytes).toBeGreaterThan(0);
    expect(positive(report.memory.defaultModel.peakRssMB)).toBe(true);
    expect(report.memory.benchPack).toHaveLength(2);
    expect(report.memory.benchPackExtrapolated.minutes).toBe(60);
    expect(positive(report.memory.benchPackExtrapolated.peakRssMB)).toBe(true);
  });

  it('checks every target', () => {
    expect(report.targets).toHaveLength(7);
    for (const t of report.targets) {
      expect(finite(t.value)).toBe(true);
      expect(typeof t.met).toBe('boolean');
    }
  });
});
