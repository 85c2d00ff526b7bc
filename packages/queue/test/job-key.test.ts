import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { speechWav, tempDir } from '@a2f/test-utils';
import { describe, expect, it } from 'vitest';
import { jobKey } from '../src/index.js';

const CHARACTER = fileURLToPath(new URL('../../../samples/character/face.usda', import.meta.url));

describe('jobKey', () => {
  it('is the same for the same line, and changes with whatever changes its output', async () => {
    const dir = tempDir('key');
    const audio = path.join(dir, 'a.wav');
    writeFileSync(audio, speechWav(140));
    const character = path.join(dir, 'face.usda');
    writeFileSync(character, readFileSync(CHARACTER));
    const s = { character, outDir: path.join(dir, 'out') };
    const base = await jobKey({ audio }, s);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    // Settings that only decide how fast or where a worker's threads go are not part of it.
    expect(await jobKey({ audio }, { ...s, inference: { threads: 3 } })).toBe(base);
    // The same bytes under the same name elsewhere are the same line.
    mkdirSync(path.join(dir, 'copy'));
    copyFileSync(audio, path.join(dir, 'copy', 'a.wav'));
    expect(await jobKey({ audio: path.join(dir, 'copy', 'a.wav') }, s)).toBe(base);

    const others = [
      await jobKey({ audio }, { ...s, fps: 24 }),
      await jobKey({ audio }, { ...s, outDir: path.join(dir, 'out2') }),
      await jobKey({ audio, name: 'b' }, s),
      await jobKey({ audio }, { ...s, blinks: false }),
    ];
    writeFileSync(path.join(dir, 'a.a2f.json'), JSON.stringify({ fps: 25 }));
    others.push(await jobKey({ audio }, s));
    // The character edited in place (the sidecar still there).
    writeFileSync(character, readFileSync(CHARACTER, 'utf8').replace('#usda 1.0', '#usda 1.0\n# edited'));
    others.push(await jobKey({ audio }, s));
    expect(new Set([base, ...others]).size).toBe(others.length + 1);
  });
});
