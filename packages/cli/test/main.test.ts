import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { tempDir } from '@a2f/test-utils';
import { main } from '../src/index.js';

// The repository's samples (tests may read the repository; shipped code carries its own assets).
const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../../samples');

function capture() {
  const err: string[] = [];
  const out: string[] = [];
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  });
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => {
    out.push(String(s));
    return true;
  });
  return {
    err,
    out,
    restore: () => {
      e.mockRestore();
      o.mockRestore();
    },
  };
}

describe('a2f main()', () => {
  it('returns 2 with a usage hint for an unknown command or a missing option', async () => {
    const c = capture();
    try {
      expect(await main(['dance'])).toBe(2);
      expect(await main(['run', 'x.wav', '--out', 'o'])).toBe(2);
    } finally {
      c.restore();
    }
    expect(c.err.join('')).toMatch(/a2f --help/);
    expect(c.err.join('')).toMatch(/character/);
  });

  it('runs a line and returns 0, printing a JSON summary', async () => {
    const out = tempDir('main');
    const line = path.join(SAMPLES_DIR, 'dialogue', 'line02_papa.wav');
    const c = capture();
    let code: number;
    try {
      code = await main([
        'run',
        line,
        '--character',
        path.join(SAMPLES_DIR, 'character', 'face.usda'),
        '--out',
        out,
        '--json',
        '--fps',
        '25',
      ]);
    } finally {
      c.restore();
    }
    expect(code).toBe(0);
    const summary = JSON.parse(c.out.join(''));
    expect(summary.ok).toBe(true);
    expect(summary.lines[0].frames).toBe(Math.ceil(2.491833333333333 * 25));
    expect(readdirSync(out).sort()).toEqual(['line02_papa.report.json', 'line02_papa.usda']);
  });

  it('inspect lists the character and the binding', async () => {
    const c = capture();
    try {
      expect(await main(['inspect', path.join(SAMPLES_DIR, 'character', 'face.usda'), '--json'])).toBe(0);
    } finally {
      c.restore();
    }
    const r = JSON.parse(c.out.join(''));
    // The embedded model's joints; its jaw joint is left to jawOpen (--jaw auto: the Face is skinned to the jaw).
    expect(r.binding.joints.matches.map((m: { source: string }) => m.source)).toEqual(['eye_L', 'eye_R']);
    expect(r.binding.jaw).toMatchObject({ requested: 'auto', mode: 'blendshape' });
    expect(r.binding.blendShapes.matches.length).toBeGreaterThanOrEqual(52);
  });
});
