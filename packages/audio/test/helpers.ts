import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '@a2f/test-utils';

const here = dirname(fileURLToPath(import.meta.url));
export const FIXTURES = join(here, 'fixtures');
export const DIALOGUE = resolve(here, '../../../samples/dialogue');

/** The fixture source: 0.25 s zeros, 0.25 s of 1 kHz at 0.5 from phase 0, 0.25 s zeros. */
export function onsetSource(rate: number): Float32Array {
  const q = Math.round(rate / 4);
  const x = new Float32Array(3 * q);
  // Same rounding to 16-bit as make-fixtures.sh, so comparisons are against the real input.
  for (let i = q; i < 2 * q; i++) x[i] = Math.round(32767 * 0.5 * Math.sin((2 * Math.PI * 1000 * (i - q)) / rate)) / 32768;
  return x;
}

/** A scratch folder removed by the returned cleanup. */
export function scratch(): { dir: string; put: (name: string, bytes: Uint8Array | string) => string; done: () => void } {
  const dir = tempDir('audio');
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
