// The runner's model path is `a2f run`'s: the same line through the CLI (--export-json) and through
// openModel gives the same animation, and the runner scores the CLI's export files as they are.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { removeTempDirs, tempDir } from '@a2f/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpus, evaluate, openModel, readAnimation } from '../src/index.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const A2F = path.join(REPO, 'packages/cli/bin/a2f.js');
const FACE = path.join(REPO, 'samples/character/face.usda');

afterAll(removeTempDirs);

describe('openModel', () => {
  it('animates a line as a2f run does', async () => {
    const corpus = await buildCorpus('dev');
    const item = corpus.items.find((i) => i.id === 'd07-map-lamp')!;
    const out = tempDir('lipsync-run');
    await run(process.execPath, [A2F, 'run', item.wav, '-c', FACE, '-o', out, '--export-json']);
    const cli = readAnimation(path.join(out, `${item.id}.a2f.json`));
    const model = await openModel('default');
    try {
      const ours = await model.animate(item.wav);
      expect(ours.fps).toBe(cli.fps);
      expect(ours.names).toEqual(cli.names);
      expect(ours.frames.length).toBe(cli.frames.length);
      let worst = 0;
      for (const [f, row] of ours.frames.entries())
        for (const [c, v] of row.entries()) worst = Math.max(worst, Math.abs(v - cli.frames[f]![c]!));
      expect(worst).toBeLessThan(1e-5);
      expect(evaluate(item.timeline, ours).metrics).toEqual(evaluate(item.timeline, cli).metrics);
    } finally {
      await model.close();
    }
  });
});
