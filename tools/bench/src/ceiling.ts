// The most fp32 arithmetic this machine's cores could possibly do: cores × highest clock × FLOPs per
// cycle. A measured rate above it is a measuring error, never a figure (docs/benchmark.md,
// "Ceilings"). Every guess is made on the generous side, so a real figure is never refused.
import { readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';

export interface CpuCeiling {
  readonly gflops: number;
  readonly cores: number;
  readonly ghz: number;
  readonly flopsPerCycle: number;
  /** how each factor was found, for the report */
  readonly basis: string;
}

/** What the ceiling is computed from; read from the system by `readCpuCeiling`, given directly in tests. */
export interface CpuFacts {
  readonly cores: number;
  /** /proc/cpuinfo's text ('' where there is none) */
  readonly cpuinfo: string;
  /** the highest cpufreq/cpuinfo_max_freq of any core, in kHz, or null where the kernel does not expose it */
  readonly maxFreqKHz: number | null;
}

// Widest FMA per cycle and core: 2 FMA ports × vector lanes × 2 (a multiply and an add).
// AVX-512: 2 × 16 × 2; AVX2/FMA: 2 × 8 × 2; AVX without FMA: 8 + 8; SSE: 4 + 4. Arm: 4 NEON
// FMA pipes × 4 lanes × 2 (the widest shipping cores). Unknown: the AVX-512 figure.
const FLOPS_PER_CYCLE: readonly (readonly [flag: RegExp, flops: number, name: string])[] = [
  [/\bavx512f\b/, 64, 'AVX-512, 2 FMA ports × 16 lanes × 2'],
  [/\b(avx2|fma)\b/, 32, 'AVX2/FMA, 2 FMA ports × 8 lanes × 2'],
  [/\bavx\b/, 16, 'AVX, 8-lane add + multiply'],
  [/\b(sve|asimd|neon)\b/, 32, 'Arm SIMD, 4 FMA pipes × 4 lanes × 2'],
  [/\bsse2?\b/, 8, 'SSE, 4-lane add + multiply'],
];

/**
 * Without cpufreq (virtual machines) the kernel reports the nominal clock; boost clocks of server
 * parts reach up to ~2× their base, so twice the reported one. With nothing reported: 6 GHz, above
 * any shipping core.
 */
const TURBO_HEADROOM = 2;
const FALLBACK_GHZ = 6;

export function cpuCeiling(facts: CpuFacts): CpuCeiling {
  const flagsLine = facts.cpuinfo.split('\n').find((l) => /^(flags|Features)\s*:/.test(l)) ?? '';
  const simd = FLOPS_PER_CYCLE.find(([flag]) => flag.test(flagsLine));
  const [, flopsPerCycle, simdName] = simd ?? [null, 64, 'CPU flags unknown, assumed AVX-512'];
  let ghz: number;
  let clock: string;
  if (facts.maxFreqKHz && facts.maxFreqKHz > 0) {
    ghz = facts.maxFreqKHz / 1e6;
    clock = 'cpufreq maximum';
  } else {
    const mhz = [...facts.cpuinfo.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1]));
    const named = [...facts.cpuinfo.matchAll(/@\s*([\d.]+)\s*GHz/g)].map((m) => Number(m[1]) * 1000);
    const reported = Math.max(0, ...mhz, ...named) / 1000;
    ghz = reported > 0 ? reported * TURBO_HEADROOM : FALLBACK_GHZ;
    clock =
      reported > 0 ? `no cpufreq maximum, so ${TURBO_HEADROOM}× the reported ${reported.toFixed(2)} GHz` : 'no clock reported, so assumed';
  }
  const gflops = facts.cores * ghz * flopsPerCycle;
  return {
    gflops,
    cores: facts.cores,
    ghz,
    flopsPerCycle,
    basis:
      `${facts.cores} cores × ${ghz.toFixed(2)} GHz × ${flopsPerCycle} FLOP/cycle = ${gflops.toFixed(0)} GFLOP/s ` +
      `[clock: ${clock}; FLOP/cycle: ${simdName}]`,
  };
}

/** The ceiling of this machine for `cores` cores. */
export function readCpuCeiling(cores: number): CpuCeiling {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    /* not Linux: the generous defaults apply */
  }
  if (!cpuinfo) cpuinfo = `cpu MHz : ${Math.max(0, ...os.cpus().map((c) => c.speed))}`;
  return cpuCeiling({ cores, cpuinfo, maxFreqKHz: maxFreqKHz() });
}

function maxFreqKHz(): number | null {
  const root = '/sys/devices/system/cpu';
  let best = 0;
  try {
    for (const d of readdirSync(root)) {
      if (!/^cpu\d+$/.test(d)) continue;
      try {
        best = Math.max(best, Number(readFileSync(`${root}/${d}/cpufreq/cpuinfo_max_freq`, 'utf8').trim()) || 0);
      } catch {
        /* this core has no cpufreq */
      }
    }
  } catch {
    /* no sysfs */
  }
  return best > 0 ? best : null;
}
