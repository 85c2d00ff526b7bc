import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');
export const DIALOGUE = resolve(here, '../../../samples/dialogue');

export function sine(n: number, rate: number, hz: number, amp: number, phase = 0): Float32Array {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = amp * Math.sin((2 * Math.PI * hz * i) / rate + phase);
  return x;
}

export function rms(x: Float32Array, from = 0, to = x.length): number {
  let s = 0;
  for (let i = from; i < to; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / Math.max(1, to - from));
}

export function peak(x: Float32Array, from = 0, to = x.length): number {
  let m = 0;
  for (let i = from; i < to; i++) m = Math.max(m, Math.abs(x[i]!));
  return m;
}

export const db = (ratio: number): number => 20 * Math.log10(ratio);

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The fixture source: 0.25 s zeros, 0.25 s of 1 kHz at 0.5 from phase 0, 0.25 s zeros. */
export function onsetSource(rate: number): Float32Array {
  const q = Math.round(rate / 4);
  const x = new Float32Array(3 * q);
  // Same rounding to 16-bit as make-fixtures.sh, so comparisons are against the real input.
  for (let i = q; i < 2 * q; i++) x[i] = Math.round(32767 * 0.5 * Math.sin((2 * Math.PI * 1000 * (i - q)) / rate)) / 32768;
  return x;
}

export const firstAbove = (x: Float32Array, threshold: number): number => x.findIndex((v) => Math.abs(v) > threshold);

/** A scratch folder removed by the returned cleanup. */
export function scratch(): { dir: string; put: (name: string, bytes: Uint8Array | string) => string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'a2f-audio-'));
  return {
    dir,
    put: (name, bytes) => {
      const p = join(dir, name);
      writeFileSync(p, bytes);
      return p;
    },
    done: () => rmSync(dir, { recursive: true, force: true }),
  };
}
