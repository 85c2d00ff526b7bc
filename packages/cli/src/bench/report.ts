// The shape of `a2f bench --json`: every figure the benchmark measures, with the settings it was
// measured under, so two runs can be compared field by field.

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly platform: string;
  readonly node: string;
  readonly onnxruntime: string;
  /** 1-minute load average when the bench started and ended */
  readonly loadAverage: { readonly start: number; readonly end: number };
}

export interface NetworkFigures {
  readonly packDir: string;
  /** 'full': Mark's real sizes; 'mini': the mini pack's geometry (quick mode) around the same network */
  readonly geometry: 'full' | 'mini';
  readonly parameters: number;
  readonly flopsPerFrame: number;
  readonly macsPerFrame: number;
  readonly reference: { readonly parameters: number; readonly flopsPerFrame: number };
  /** signed fractions: (ours − reference) / reference */
  readonly deviation: { readonly parameters: number; readonly flopsPerFrame: number };
  /** seconds spent writing the pack (0 when a cached one matched) */
  readonly generatedSeconds: number;
}

export interface Layout {
  readonly workers: number;
  readonly threads: number;
}

export interface RooflineFigures {
  /** the best of the layouts: the machine's fp32 MatMul peak as ONNX Runtime reaches it */
  readonly gflops: number;
  readonly layouts: readonly (Layout & { readonly gflops: number })[];
  /** what one run multiplies */
  readonly shape: string;
}

export interface ThroughputPoint extends Layout {
  readonly batch: number;
  readonly framesPerSecond: number;
  readonly msPerFrame: number;
  readonly gflops: number;
  readonly rooflineFraction: number;
  readonly frames: number;
}

export interface PostprocessFigures {
  readonly meshMsPerFrame: number;
  readonly coefficientsMsPerFrame: number;
  readonly frames: { readonly mesh: number; readonly coefficients: number };
  /** post-processing + solve per frame ÷ the network's time per frame at its best throughput */
  readonly fractionOfNetwork: { readonly mesh: number; readonly coefficients: number };
  /** one-off preparation (solver matrices, coefficient-space projections) per engine */
  readonly prepareSeconds: { readonly mesh: number; readonly coefficients: number };
}

export interface StageSeconds {
  /** read + decode + mixdown + resample (timed on its own over the same file) */
  readonly decode: number;
  /** network runs (what remains of the line's time) */
  readonly inference: number;
  /** post-processing + blendshape solve, after the last network batch */
  readonly postprocess: number;
  /** binding, .usda text, report, atomic writes */
  readonly write: number;
}

export interface EndToEndFigures {
  readonly label: string;
  readonly model: string;
  readonly settings: { readonly batchSize: number; readonly workers: number; readonly threads: number; readonly solvePath: string };
  readonly audioSeconds: number;
  readonly frames: number;
  /** one line, audio file to layer on disk */
  readonly seconds: number;
  readonly secondsPerMinute: number;
  /** processing time ÷ audio duration at 30 fps (below 1: faster than real time) */
  readonly realTimeFactor: number;
  readonly stages: StageSeconds;
  /** once per batch of lines: loading the model, starting its workers, and a 1-second first line that prepares the post-processor */
  readonly startupSeconds: number;
}

export interface UsdWriteFigures {
  readonly frames: number;
  readonly channels: number;
  readonly bytes: number;
  /** formatting the layer and writing it to the OS */
  readonly seconds: number;
  readonly megabytesPerSecond: number;
  /** then fsync: the disk's part, not the writer's */
  readonly fsyncSeconds: number;
  readonly durableMegabytesPerSecond: number;
}

export interface MemoryRun {
  readonly model: string;
  readonly audioMinutes: number;
  readonly peakRssMB: number;
  readonly seconds: number;
  readonly frames: number;
}

export interface MemoryFigures {
  /** the default model over a real 60-minute (quick: shorter) 48 kHz stereo WAV, end to end in a child process */
  readonly defaultModel: MemoryRun;
  /** the v2.3-shaped pack, measured the same way: a 60-minute line, or (--short-memory, --quick) two shorter ones */
  readonly benchPack: readonly MemoryRun[];
  /** the v2.3-shaped pack at `minutes`: the run of that length, else extrapolated linearly from the two shorter runs */
  readonly benchPackExtrapolated: { readonly minutes: number; readonly peakRssMB: number };
}

export interface TargetResult {
  readonly name: string;
  readonly target: string;
  readonly value: number;
  readonly unit: string;
  readonly met: boolean;
  /** how far from the target, as a signed fraction of it (positive: better than the target) */
  readonly margin: number;
}

export interface BenchReport {
  readonly quick: boolean;
  readonly device: 'cpu' | 'cuda';
  /** true when the machine was busy with other work (load average above its cores): timings are noisy */
  readonly provisional: boolean;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineInfo;
  readonly network: NetworkFigures;
  readonly roofline: RooflineFigures;
  readonly throughput: readonly ThroughputPoint[];
  readonly best: ThroughputPoint;
  readonly postprocess: PostprocessFigures;
  readonly endToEnd: { readonly defaultModel: EndToEndFigures; readonly benchPack: EndToEndFigures; readonly baseline: EndToEndFigures };
  /** baseline seconds per minute ÷ ours, for the v2.3-shaped pack */
  readonly speedup: number;
  readonly usdWrite: UsdWriteFigures;
  readonly memory: MemoryFigures;
  readonly targets: readonly TargetResult[];
}
