import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { probeNetwork, rejection, removeTempDirs, tempDir } from '@a2f/test-utils';
import { planPool, runNetwork } from '../src/index.js';
// The worker pool and its session options are internal: tested directly for what each worker gets.
import { OrtPool } from '../src/pool.js';
import { sessionOptions } from '../src/session-options.js';
import { networkSpec } from './network-spec.js';

const dir = tempDir('inference');
afterAll(removeTempDirs);
const fps = { num: 30, den: 1 };

describe('the network must match its manifest at session load', () => {
  it('names both files when the tensor names differ', async () => {
    const spec = networkSpec(path.join(dir, 'names'), 'model.onnx', probeNetwork({ inputName: 'audio', outputName: 'out' }));
    const err = await rejection(OrtPool.create(spec, planPool({})));
    expect(err).toMatchObject({ code: 'NETWORK_MISMATCH', file: spec.networkPath });
    const { message } = err as Error;
    expect(message).toContain(spec.manifestPath);
    expect(message).toContain('inputs: the network takes "audio", the manifest declares "input"');
    expect(message).toContain('outputs: the network produces "out", the manifest declares "result"');
  });

  it('names the tensor and both shapes when a fixed dim differs', async () => {
    const spec = networkSpec(path.join(dir, 'dims'), 'model.onnx', probeNetwork(), [{ name: 'result', width: 4 }]);
    await expect(OrtPool.create(spec, planPool({}))).rejects.toThrow(
      /"result" is float32 \[batch, 1, 3\] in the network, declared float32 \[batch, 1, 4\]/,
    );
  });

  it('refuses a network whose batch axis is fixed', async () => {
    const spec = networkSpec(path.join(dir, 'fixed'), 'model.onnx', probeNetwork({ batch: 1 }));
    await expect(OrtPool.create(spec, planPool({}))).rejects.toThrow(/batch axis is fixed at 1/);
  });

  it('reports a file ONNX Runtime cannot parse with its path', async () => {
    const spec = networkSpec(path.join(dir, 'garbage'), 'model.onnx', new TextEncoder().encode('not an onnx model'));
    const err = await rejection(OrtPool.create(spec, planPool({ workers: 2, threads: 1 })));
    expect(err).toMatchObject({
      code: 'NETWORK_LOAD',
      file: spec.networkPath,
      message: expect.stringContaining('ONNX Runtime cannot load this network'),
    });
  });

  it('fails device "cuda" with the fix when the CUDA providers are missing', async () => {
    const spec = networkSpec(path.join(dir, 'cuda'), 'model.onnx', probeNetwork());
    const err = await rejection(OrtPool.create(spec, planPool({ device: 'cuda' })));
    // This machine has no GPU and the npm package ships without the CUDA providers.
    expect(err).toMatchObject({ code: 'CUDA_UNAVAILABLE', file: spec.networkPath });
    expect(err.message).toContain('--onnxruntime-node-install=cuda12');
    expect(err.message).toContain('cuDNN 9');
  });
});

describe('pool sizing and session options', () => {
  it('keeps workers × threads within the cores by default', () => {
    expect(planPool({}, 2)).toEqual({ device: 'cpu', workers: 2, threads: 1 });
    expect(planPool({}, 1)).toEqual({ device: 'cpu', workers: 1, threads: 1 });
    expect(planPool({}, 4)).toEqual({ device: 'cpu', workers: 4, threads: 1 });
    expect(planPool({}, 8)).toEqual({ device: 'cpu', workers: 4, threads: 2 });
    expect(planPool({}, 16)).toEqual({ device: 'cpu', workers: 4, threads: 4 });
    expect(planPool({ workers: 1 }, 2)).toEqual({ device: 'cpu', workers: 1, threads: 2 });
    expect(planPool({ workers: 2 }, 2)).toEqual({ device: 'cpu', workers: 2, threads: 1 });
    expect(planPool({ threads: 1 }, 4)).toEqual({ device: 'cpu', workers: 4, threads: 1 });
    expect(planPool({ workers: 3, threads: 3 }, 2)).toEqual({ device: 'cpu', workers: 3, threads: 3 });
    expect(planPool({ device: 'cuda' }, 16)).toEqual({ device: 'cuda', workers: 1, threads: 1 });
  });

  it('treats undefined options as absent and rejects nonsense', () => {
    expect(planPool({ workers: undefined, threads: undefined, device: undefined }, 2)).toEqual({ device: 'cpu', workers: 2, threads: 1 });
    expect(() => planPool({ workers: 0 })).toThrow(/workers 0 is not a positive integer/);
    expect(() => planPool({ threads: 1.5 })).toThrow(/threads 1.5/);
    expect(() => planPool({ device: 'tpu' as 'cpu' })).toThrow(/device "tpu"/);
  });

  it('builds ORT options without undefined keys', () => {
    const opts = sessionOptions({ device: 'cpu', workers: 1, threads: 2 });
    expect(Object.values(opts).every((v) => v !== undefined)).toBe(true);
    expect(opts).toMatchObject({ executionProviders: ['cpu'], intraOpNumThreads: 2 });
    expect(sessionOptions({ device: 'cuda', workers: 1, threads: 1 }).executionProviders).toEqual(['cuda', 'cpu']);
  });
});

describe('the worker script', () => {
  it('loads from src under vitest', async () => {
    const spec = networkSpec(path.join(dir, 'src'), 'model.onnx', probeNetwork());
    const out = await runNetwork(new Float32Array(16000).fill(0.25), spec, { fps });
    expect(out.frameCount).toBe(30);
    expect(out.outputs.result.data[1]).toBe(0.25);
  });

  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  // turbo builds dist before tests; a bare `vitest run` in a fresh checkout has none.
  it.skipIf(!existsSync(path.join(dist, 'index.js')))('loads from dist under plain Node', async () => {
    const spec = networkSpec(path.join(dir, 'dist'), 'model.onnx', probeNetwork());
    const specFile = path.join(dir, 'dist', 'spec.json');
    writeFileSync(specFile, JSON.stringify(spec));
    const script = `
      import { readFileSync } from 'node:fs';
      import { runNetwork } from ${JSON.stringify(path.join(dist, 'index.js'))};
      const spec = JSON.parse(readFileSync(${JSON.stringify(specFile)}, 'utf8'));
      const out = await runNetwork(new Float32Array(16000).fill(0.5), spec, { fps: { num: 30, den: 1 } });
      console.log(JSON.stringify({ frames: out.frameCount, centre: out.outputs.result.data[1] }));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { cwd: dist });
    expect(JSON.parse(stdout)).toEqual({ frames: 30, centre: 0.5 });
    expect(existsSync(path.join(dist, 'ort-worker.mjs'))).toBe(true);
  });
});
