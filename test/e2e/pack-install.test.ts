// The packages as another project takes them: every package in packages/ packed with `npm pack`,
// installed from the tarballs into a fresh project in the system's temporary folder (no repository
// around it), and there `npx a2f run` on a sample line and the README's library examples, verbatim.
// Each layer made there must compose over its character in real Pixar USD. Third-party dependencies
// come from npm's cache or registry, as `npm ci` gets them (--prefer-offline).
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeMiniPack } from '../../models/nvidia/make-mini-pack.mjs';
import { tinyusdzCheckMany, usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, type CliResult, DIALOGUE, ROOT, runProcess, skelAnimationPath, tempDir, shellEnv } from './helpers.js';

// The README's advice for machines that cannot download onnxruntime-node's GPU libraries.
const installEnv = shellEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' });
const run = (cmd: string, args: string[], cwd: string): Promise<CliResult> => runProcess(cmd, args, { cwd, env: installEnv });
const npmWarnings = (r: CliResult): string[] => `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /npm (warn|WARN)/.test(l));

/** The README's Library API section, its ```ts blocks verbatim, in order. */
function readmeLibraryExamples(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Library API\n'));
  const body = section.slice(0, section.indexOf('\n## ', 1));
  return [...body.matchAll(/^```ts\n([\s\S]*?)^```/gm)].map((m) => m[1]);
}

const PACKAGES = readdirSync(path.join(ROOT, 'packages')).filter((d) => existsSync(path.join(ROOT, 'packages', d, 'package.json')));

describe('the packages installed from their tarballs into a project outside the repository', () => {
  const tmp = tempDir('pack-install');
  const tarballs = path.join(tmp, 'tarballs');
  const project = path.join(tmp, 'project');
  let packed: { name: string; filename: string; files: { path: string }[] }[] = [];
  let install: CliResult;

  beforeAll(async () => {
    mkdirSync(tarballs);
    mkdirSync(project);
    const pack = await run('npm', ['pack', '--json', '--pack-destination', tarballs, ...PACKAGES.map((d) => `./packages/${d}`)], ROOT);
    expect(pack.code, pack.stderr).toBe(0);
    expect(npmWarnings(pack)).toEqual([]);
    packed = JSON.parse(pack.stdout);
    // A fresh project as a studio starts one; npm 11 runs no dependency install script unless the
    // project allows it, and the explicit denial keeps it from printing a notice (docs/install.md).
    writeFileSync(
      path.join(project, 'package.json'),
      JSON.stringify({
        name: 'studio-pipeline',
        version: '1.0.0',
        private: true,
        type: 'module',
        allowScripts: { 'onnxruntime-node': false, 'msgpackr-extract': false, protobufjs: false },
      }),
    );
    const files = packed.map((p) => path.join(tarballs, p.filename));
    install = await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...files], project);
  }, 600_000);
  // The project holds onnxruntime-node (~300 MB in all): not left behind by every run.
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('packs every package with the assets it needs, in a folder outside the repository', () => {
    expect(path.relative(ROOT, tmp).startsWith('..')).toBe(true);
    expect(packed.map((p) => p.name).sort()).toEqual(PACKAGES.map((d) => `@a2f/${d}`).sort());
    const filesOf = (name: string) => packed.find((p) => p.name === name)!.files.map((f) => f.path);
    for (const p of packed) expect(filesOf(p.name), p.name).toContain('dist/index.js');
    expect(filesOf('@a2f/default-model')).toEqual(
      expect.arrayContaining(['assets/model.onnx', 'assets/pack.json', 'assets/oculus-to-arkit.json']),
    );
    expect(filesOf('@a2f/pipeline')).toEqual(expect.arrayContaining(['assets/bindings/arkit.json', 'assets/paths/default.txt']));
    expect(filesOf('@a2f/nvidia')).toContain('assets/packs.json');
    expect(filesOf('@a2f/cli')).toEqual(expect.arrayContaining(['bin/a2f.js', 'assets/face.usda', 'assets/dialogue/line01_hello.wav']));
  });

  it('installs with npm alone, and npm prints no warning', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(npmWarnings(install)).toEqual([]);
    expect(existsSync(path.join(project, 'node_modules/.bin/a2f'))).toBe(true);
  });

  it('npx a2f run animates a sample line there into a layer that composes over the character in real USD', async () => {
    const out = path.join(project, 'out/cli');
    const line = path.join(DIALOGUE, 'line01_hello.wav');
    const r = await run('npx', ['a2f', 'run', line, '--character', CHARACTER, '--out', out, '--json'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(npmWarnings(r)).toEqual([]);
    const summary = JSON.parse(r.stdout) as { ok: boolean; lines: { layers: string[] }[] };
    expect(summary.ok).toBe(true);
    const layer = summary.lines[0]!.layers[0]!;
    expect(layer).toBe(path.join(out, 'line01_hello.usda'));
    const anim = skelAnimationPath(layer);
    const [usd] = await usdReadbackMany([{ root: layer, others: [CHARACTER], attrs: [`${anim}.blendShapeWeights`] }]);
    expect(usd!.errors).toEqual([]);
    expect(usd!.ok).toBe(true);
    expect(usd!.timeCodesPerSecond).toBe(30);
    expect(usd!.samples[`${anim}.blendShapeWeights`]!.length).toBe(usd!.endTimeCode + 1);
  });

  it("runs the README's library examples verbatim there; the batch one writes layers that compose in real USD", async () => {
    const [batch, lower] = readmeLibraryExamples();
    expect(batch).toContain("from '@a2f/pipeline'");
    expect(lower).toContain("from '@a2f/inference'");
    // The files the examples name, made from the repository's samples.
    mkdirSync(path.join(project, 'assets'));
    copyFileSync(CHARACTER, path.join(project, 'assets/hero.usda'));
    copyFileSync(path.join(DIALOGUE, 'line01_hello.wav'), path.join(project, 'a.wav'));
    copyFileSync(path.join(DIALOGUE, 'line03_who_knew.flac'), path.join(project, 'b.flac'));
    copyFileSync(path.join(DIALOGUE, 'line02_papa.wav'), path.join(project, 'line.wav'));
    makeMiniPack(path.join(project, 'models/packs/mark'), { variant: 'mark' });

    writeFileSync(path.join(project, 'batch.mjs'), batch!);
    const b = await run(process.execPath, ['batch.mjs'], project);
    expect(b.code, b.stderr).toBe(0);
    const layers = ['a', 'b'].map((n) => path.join(project, 'layers', `${n}.usda`));
    for (const l of layers) expect(b.stdout).toContain(l);
    const hero = path.join(project, 'assets/hero.usda');
    const usd = await usdReadbackMany(layers.map((root) => ({ root, others: [hero] })));
    for (const r of usd) {
      expect(r.errors).toEqual([]);
      expect(r.ok).toBe(true);
      expect(r.timeCodesPerSecond).toBe(24);
    }
    for (const t of await tinyusdzCheckMany(layers)) expect(t.layerOk, t.layerError).toBe(true);

    writeFileSync(path.join(project, 'lower.mjs'), lower!);
    const l = await run(process.execPath, ['lower.mjs'], project);
    expect(l.code, l.stderr).toBe(0);
  });

  it('npx a2f demo and npx a2f models list work there from what the packages ship', async () => {
    const demo = await run('npx', ['a2f', 'demo', '--out', 'out/demo', '--json'], project);
    expect(demo.code, demo.stderr).toBe(0);
    const lines = readdirSync(path.join(DIALOGUE)).filter((f) => /\.(wav|flac|mp3|ogg)$/.test(f)).length;
    expect(readdirSync(path.join(project, 'out/demo')).filter((f) => f.endsWith('.usda'))).toHaveLength(lines);
    const list = await run('npx', ['a2f', 'models', 'list', '--json'], project);
    expect(list.code, list.stderr).toBe(0);
    const listed = JSON.parse(list.stdout) as { packsDir: string; packs: { name: string }[] };
    // the default packs folder is the working folder's models/packs, where the example's pack lies
    expect(listed.packsDir).toBe(path.join(project, 'models/packs'));
    expect(listed.packs.map((p) => p.name)).toEqual(expect.arrayContaining(['mark', 'claire', 'james']));
  });
});
