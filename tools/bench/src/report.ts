// The shape of `npm run bench -- --json`: every figure the benchmark measures, with the settings it was
// measured under, so two runs can be compared field by field. A figure that failed its guard
// (guards.ts) is null, with the reason beside it and in `notes`.
import type { CpuCeiling } from './ceiling.js';
import type { Sample } from './guards.js';
import type { A2eFigures } from './a2e-rows.js';
import type { V3Figures } from './v3-rows.js';
import type { LiveFigures } from './live-rows.js';
import type { QueueFarmFigures } from './queue-rows.js';

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

export interface RooflineLayout extends Layout {
  /** null: refused (above the machine's ceiling), see note */
  readonly gflops: number | null;
  /** seconds of whole timed runs behind the figure */
  readonly seconds: number;
  readonly note?: string;
}

export interface RooflineFigures {
  /** the best of the layouts: the machine's fp32 MatMul peak as ONNX Runtime reaches it; null when every layout was refused */
  readonly gflops: number | null;
  readonly layouts: readonly RooflineLayout[];
  /** what one run multiplies */
  readonly shape: string;
  readonly note?: string;
}

export interface ThroughputPoint extends Layout {
  readonly batch: number;
  /** null with `note`: the rate would exceed the machine's ceiling */
  readonly framesPerSecond: number | null;
  readonly msPerFrame: number | null;
  readonly gflops: number | null;
  readonly note?: string;
  /** share of the final roofline; null with `shareNote` when it is not a fact (above 100 %, or no roofline) */
  readonly rooflineFraction: number | null;
  readonly shareNote?: string;
  /** frames per timed run, and the whole timed runs behind the figure */
  readonly frames: number;
  readonly sample: Sample;
}

export interface PostprocessFigures {
  readonly meshMsPerFrame: number;
  readonly coefficientsMsPerFrame: number;
  /** frames per run: the same network output frames for both paths */
  readonly frames: number;
  readonly sample: { readonly mesh: Sample; readonly coefficients: Sample };
  /** post-processing + solve per frame ÷ the network's time per frame at its best throughput (null: no network figure) */
  readonly fractionOfNetwork: { readonly mesh: number | null; readonly coefficients: number | null };
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
  /** one line, audio file to layer on disk (the mean of `sample.reps` runs of it) */
  readonly seconds: number;
  readonly sample: Sample;
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
  /** formatting the layer and writing it to the OS, per write (the mean of `reps`) */
  readonly seconds: number;
  readonly reps: number;
  readonly megabytesPerSecond: number;
  /** then fsync: the disk's part, not the writer's */
  readonly fsyncSeconds: number;
  readonly durableMegabytesPerSecond: number;
}

export interface CharacterReadFigures {
  readonly points: number;
  readonly blendShapes: number;
  readonly offsetsPerShape: number;
  readonly usdaMB: number;
  /** composing the text asset and reading the character from it (the fastest of `reps`) */
  readonly usdaSeconds: number;
  /** the same asset as the crate real USD wrote; null when the export failed (see `note`) */
  readonly crateMB: number | null;
  readonly crateSeconds: number | null;
  readonly crateVersion: string | null;
  readonly reps: number;
  readonly note?: string;
}

export interface PreviewFigures {
  /** the generated face (preview-face.ts): points, triangles, ARKit blendshapes and offsets per blendshape */
  readonly points: number;
  readonly triangles: number;
  readonly blendShapes: number;
  readonly offsetsPerShape: number;
  /** the page file, and the Node side's time to read the layer and character and write it (buildPreview) */
  readonly htmlMB: number;
  readonly buildSeconds: number;
  /** navigation to the first frame drawn (the page's info().loadMs): the median of `loads`; null without Chromium */
  readonly loadMs: number | null;
  readonly loads: readonly number[];
  /** 1× playback over `seconds`: frames drawn and skipped (drawing fell behind the audio), drawn per second */
  readonly playback: {
    readonly seconds: number;
    readonly drawn: number;
    readonly skipped: number;
    readonly fps: number;
    readonly layerFps: number;
    /** drawn ÷ (drawn + skipped): the share of the layer's frames that reached the screen; null when none were counted */
    readonly shareDrawn: number | null;
    /** whether the page's clock moved (a headless audio element that never plays would leave it still) */
    readonly clockAdvanced: boolean;
  } | null;
  /** a playblast of the line: seconds of rendering and encoding per second of audio */
  readonly playblast: {
    readonly width: number;
    readonly height: number;
    readonly frames: number;
    readonly audioSeconds: number;
    readonly seconds: number;
    readonly perAudioSecond: number;
  } | null;
  /** why a figure is missing (Chromium or ffmpeg not installed) */
  readonly note?: string;
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
  /** the v2.3-shaped pack, measured the same way: a 60-minute line, or (--short-memory, --quick) shorter ones */
  readonly benchPack: readonly MemoryRun[];
  /** the v2.3-shaped pack over a real 60-minute line; null (with the reason) when no such line ran: never extrapolated */
  readonly benchPackHour: { readonly minutes: number; readonly peakRssMB: number | null; readonly note?: string };
}

export interface TargetResult {
  readonly name: string;
  readonly target: string;
  /** null: the figure was not measured or was refused (see note); the target is then not judged */
  readonly value: number | null;
  readonly unit: string;
  readonly met: boolean | null;
  /** how far from the target, as a signed fraction of it (positive: better than the target) */
  readonly margin: number | null;
  readonly note?: string;
}

export interface BenchReport {
  readonly quick: boolean;
  readonly device: 'cpu' | 'cuda';
  /** true when the machine was busy with other work (load average above its cores): timings are noisy */
  readonly provisional: boolean;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineInfo;
  /** the most fp32 GFLOP/s the cores could do: no FLOP rate above it is printed (null on a GPU: not bounded by the CPU's) */
  readonly ceiling: CpuCeiling | null;
  /** the shortest sample a rate is taken from (seconds) */
  readonly minSampleSeconds: number;
  readonly network: NetworkFigures;
  readonly roofline: RooflineFigures;
  readonly throughput: readonly ThroughputPoint[];
  /** the fastest point whose rate passed its guard */
  readonly best: ThroughputPoint | null;
  readonly postprocess: PostprocessFigures;
  readonly endToEnd: { readonly defaultModel: EndToEndFigures; readonly benchPack: EndToEndFigures; readonly baseline: EndToEndFigures };
  /** baseline seconds per minute ÷ ours, for the v2.3-shaped pack */
  readonly speedup: number;
  readonly usdWrite: UsdWriteFigures;
  readonly characterRead: CharacterReadFigures;
  readonly queue: QueueFarmFigures;
  readonly live: LiveFigures;
  readonly preview: PreviewFigures;
  readonly a2e: A2eFigures;
  readonly v3: V3Figures;
  readonly memory: MemoryFigures;
  readonly targets: readonly TargetResult[];
  /** every figure left out or refused, with the reason */
  readonly notes: readonly string[];
}
