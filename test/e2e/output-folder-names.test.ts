// The output folder is checked once, before any line (issue 8, point 3), and output names are the
// user's names (point 4): the real CLI as a child process, real folders, real USD read back.
import { spawn } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { usdReadbackMany } from '../usd/validate.js';
import { CHARACTER, CLI, ROOT, readJson, sampleLines, tempDir } from './helpers.js';
import { speechWav } from '@a2f/test-utils';

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}
interface FatalDoc {
  ok: boolean;
  error: { code: string; message: string; fix: string };
}
interface LineDoc {
  ok: boolean;
  audio: string;
  name: string;
  layers: string[];
  report: string;
  error?: { code: string; message: string };
  replaced?: { reason: string; files: string[] };
}
interface RunDoc {
  ok: boolean;
  counts: Record<string, number>;
  lines: LineDoc[];
  notRun: string[];
}

// A hang guard, not a speed check: a child stuck in a loop (recursive mkdir on /proc spun forever)
// is killed and the test fails on its signal instead of hanging the suite.
const HANG_GUARD_MS = 90_000;
/** Tests that run the CLI several times get room for a busy machine. */
const SEVERAL_RUNS_MS = 400_000;

function a2f(args: string[], opts: { uid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: HANG_GUARD_MS,
      killSignal: 'SIGKILL',
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.uid }),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Every path under `dir` (names only), to show that a refused run wrote nothing. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

const line = (dir: string, name: string, f0 = 140): string => {
  const file = path.join(dir, name);
  writeFileSync(file, speechWav(f0, 0.5));
  return file;
};

function expectFatal(r: Run, code: string, mentions: string): FatalDoc {
  expect(r.signal).toBeNull();
  expect(r.code).toBe(2);
  // One message on stderr (human text), one JSON document on stdout.
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toContain(mentions);
  const doc = JSON.parse(r.stdout) as FatalDoc;
  expect(doc.ok).toBe(false);
  expect(doc.error.code).toBe(code);
  expect(doc.error.message).toContain(mentions);
  expect(doc.error.fix.length).toBeGreaterThan(10);
  return doc;
}

describe('a bad output folder: exit 2, one message, nothing written', () => {
  const work = tempDir('outdir');
  const audio = line(work, 'hello.wav');

  it.each([
    [
      'a file',
      () => {
        writeFileSync(path.join(work, 'afile'), 'x');
        return path.join(work, 'afile');
      },
      /is a file/,
    ],
    [
      'a file where a parent folder should be',
      () => {
        writeFileSync(path.join(work, 'parent'), 'x');
        return path.join(work, 'parent', 'sub');
      },
      /parent, a folder above it, is a file/,
    ],
    [
      'a dangling symbolic link',
      () => {
        symlinkSync(path.join(work, 'gone', 'x'), path.join(work, 'dangling'));
        return path.join(work, 'dangling');
      },
      /symbolic link to .*gone.*which does not exist/,
    ],
    ['a folder inside /proc', () => '/proc/a2f-no-such-folder', /proc pseudo file system/],
    ['a folder inside /sys', () => '/sys/a2f-no-such-folder', /sysfs pseudo file system/],
  ])('%s', async (_label, make, problem) => {
    const out = make();
    const before = tree(work);
    const r = await a2f(['run', audio, '--character', CHARACTER, '--out', out, '--json']);
    const doc = expectFatal(r, 'OUTPUT_DIR', out);
    expect(doc.error.message).toMatch(problem);
    expect(tree(work)).toEqual(before);
    expect(existsSync('/proc/a2f-no-such-folder')).toBe(false);
  });

  it(
    'a folder that cannot be written to (checked by a real write, as an unprivileged user when the tests run as root)',
    async () => {
      const ro = path.join(work, 'read-only');
      mkdirSync(ro);
      chmodSync(work, 0o755);
      chmodSync(ro, 0o555);
      // Root writes through permission bits, so the CLI runs as "nobody" there; the refusal is real either way.
      const uid = process.getuid?.() === 0 ? 65534 : undefined;
      const before = tree(work);
      for (const out of [ro, path.join(ro, 'new', 'deeper')]) {
        const r = await a2f(['run', audio, '--character', CHARACTER, '--out', out, '--json'], { uid });
        const doc = expectFatal(r, 'OUTPUT_DIR', out);
        expect(doc.error.message).toMatch(/not writable \(permission denied\)/);
      }
      expect(tree(work)).toEqual(before);
    },
    SEVERAL_RUNS_MS,
  );

  it(
    'demo and watch refuse it the same way; watch also refuses an output folder inside its inbox',
    async () => {
      const file = path.join(work, 'afile2');
      writeFileSync(file, 'x');
      expectFatal(await a2f(['demo', '--out', file, '--json']), 'OUTPUT_DIR', file);
      const inbox = path.join(work, 'inbox');
      mkdirSync(inbox);
      expectFatal(
        await a2f(['watch', inbox, '--out', '/proc/a2f-x', '--character', CHARACTER, '--once', '--json']),
        'OUTPUT_DIR',
        '/proc/a2f-x',
      );
      const nested = path.join(inbox, 'layers');
      const before = tree(work);
      const doc = expectFatal(
        await a2f(['watch', inbox, '--out', nested, '--character', CHARACTER, '--once', '--json']),
        'BAD_SETTING',
        nested,
      );
      expect(doc.error.message).toMatch(/inside the watch folder/);
      expect(tree(work)).toEqual(before);
    },
    SEVERAL_RUNS_MS,
  );
});

describe('--json: every fatal outcome is one JSON document on stdout', () => {
  it.each([
    ['an unknown option', ['run', 'x.wav', '--character', CHARACTER, '--out', 'o', '--bogus', '--json'], 'USAGE', 'bogus'],
    ['a missing required option', ['run', 'x.wav', '--out', 'o', '--json'], 'USAGE', 'character'],
    [
      'a character that is not there',
      ['run', 'x.wav', '--character', '/nonexistent/face.usda', '--out', tempDir('j'), '--json'],
      'CHARACTER_NOT_FOUND',
      '/nonexistent/face.usda',
    ],
    ['inspect of a missing asset', ['inspect', '/nonexistent/face.usda', '--json'], 'CHARACTER_NOT_FOUND', '/nonexistent/face.usda'],
    [
      'watch --status of a folder with no state',
      ['watch', '--status', tempDir('st'), '--json'],
      'NO_WATCH_STATE',
      'holds no watcher state',
    ],
    ['models pull into /proc', ['models', 'pull', 'any-pack', '--packs-dir', '/proc/a2f-packs', '--json'], 'OUTPUT_DIR', '/proc/a2f-packs'],
  ])('%s', async (_label, args, code, mentions) => {
    expectFatal(await a2f(args), code, mentions);
  });
});

describe('--fail-fast: the summary names the lines it did not run', () => {
  it(
    'counts what was written and lists the skipped lines',
    async () => {
      const work = tempDir('ff');
      const [a, b] = [line(work, 'a.wav', 120), line(work, 'b.wav', 160)];
      const missing = path.join(work, 'missing.wav');
      const out = path.join(work, 'out');
      const human = await a2f(['run', missing, a, b, '--character', CHARACTER, '--out', out, '--fail-fast']);
      expect(human.code).toBe(1);
      expect(human.stderr).toMatch(
        /3 line\(s\): no layer written, 1 failed \(missing\.wav\), 2 not run after the failure \(--fail-fast\): a\.wav, b\.wav\./,
      );
      expect(human.stderr).not.toMatch(/other layers were written/);
      expect(existsSync(out)).toBe(false);
      const json = JSON.parse(
        (await a2f(['run', missing, a, b, '--character', CHARACTER, '--out', out, '--fail-fast', '--json'])).stdout,
      ) as RunDoc;
      expect(json.ok).toBe(false);
      expect(json.counts).toMatchObject({ lines: 3, written: 0, failed: 1, notRun: 2 });
      expect(json.notRun).toEqual([a, b]);
    },
    SEVERAL_RUNS_MS,
  );
});

describe("output names are the user's names", () => {
  const work = tempDir('names');
  const inbox = path.join(work, 'takes');
  mkdirSync(inbox);
  const given = ['01-bob-boot', '中国', '日本', 'Zoë\'s "best" take', 'scene 12 – take 3'];
  for (const [i, stem] of given.entries()) line(inbox, `${stem}.wav`, 110 + i * 15);
  // take.wav and take.mp3 would both be "take": sorted, take.mp3 keeps it and take.wav gets its file name.
  copyFileSync(sampleLines().find((f) => f.endsWith('.mp3'))!, path.join(inbox, 'take.mp3'));
  line(inbox, 'take.wav', 200);
  const out = path.join(work, 'out');

  it(
    'layer and report keep the audio stem; only what a file system forbids is replaced; USD opens every layer with a valid prim name',
    async () => {
      const r = await a2f(['run', inbox, '--character', CHARACTER, '--out', out, '--json']);
      expect(r.code).toBe(0);
      const doc = JSON.parse(r.stdout) as RunDoc;
      const expected = new Map([
        ['01-bob-boot.wav', '01-bob-boot'],
        ['中国.wav', '中国'],
        ['日本.wav', '日本'],
        ['Zoë\'s "best" take.wav', "Zoë's _best_ take"],
        ['scene 12 – take 3.wav', 'scene 12 – take 3'],
        ['take.mp3', 'take'],
        ['take.wav', 'take.wav'],
      ]);
      expect(new Map(doc.lines.map((l) => [path.basename(l.audio), l.name]))).toEqual(expected);
      const files = readdirSync(out).sort();
      expect(files).toEqual([...expected.values()].flatMap((n) => [`${n}.report.json`, `${n}.usda`]).sort());
      for (const l of doc.lines) expect(readJson<{ layers: string[] }>(l.report).layers).toEqual([`${l.name}.usda`]);

      const readback = await usdReadbackMany(
        doc.lines.map((l) => ({ root: l.layers[0]!, others: [CHARACTER], attrs: ['/Character/Skel.skel:animationSource'] })),
      );
      const prims = readback.map((rb, i) => {
        expect(rb.errors, doc.lines[i]!.name).toEqual([]);
        expect(rb.ok).toBe(true);
        const target = rb.targets['/Character/Skel.skel:animationSource']![0]!;
        expect(rb.prims[target]?.type).toBe('SkelAnimation');
        return target.split('/').pop()!;
      });
      for (const p of prims) expect(p).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      // Names in other scripts stay apart as prims too, and so do take.mp3 and take.wav.
      expect(new Set(prims).size).toBe(prims.length);
    },
    SEVERAL_RUNS_MS,
  );

  it(
    'says which layer it replaced when the audio changed, and --no-clobber refuses while other lines go on',
    async () => {
      const takes = path.join(work, 'again');
      mkdirSync(takes);
      const take = line(takes, 'take.wav', 300);
      const again = await a2f(['run', take, '--character', CHARACTER, '--out', out, '--json']);
      const doc = JSON.parse(again.stdout) as RunDoc;
      expect(doc.lines[0]!.replaced).toMatchObject({
        reason: 'audio',
        files: [path.join(out, 'take.usda'), path.join(out, 'take.report.json')],
      });
      const human = await a2f(['run', take, '--character', CHARACTER, '--out', out, '--fps', '24']);
      expect(human.code).toBe(0);
      expect(human.stderr).toMatch(
        /replaced 1 existing layer\(s\) of the same name: take\.usda \(made from the same audio with other settings \(take\.wav\)\)/,
      );
      // The same audio and settings again: nothing to report.
      const same = await a2f(['run', take, '--character', CHARACTER, '--out', out, '--fps', '24', '--json']);
      expect((JSON.parse(same.stdout) as RunDoc).counts.replaced).toBe(0);

      const kept = readFileSync(path.join(out, 'take.usda'));
      const fresh = line(takes, 'fresh.wav', 330);
      const refused = await a2f(['run', take, fresh, '--character', CHARACTER, '--out', out, '--no-clobber', '--json']);
      expect(refused.code).toBe(1);
      const rdoc = JSON.parse(refused.stdout) as RunDoc;
      expect(rdoc.lines.map((l) => [l.ok, l.error?.code])).toEqual([
        [false, 'OUTPUT_EXISTS'],
        [true, undefined],
      ]);
      expect(rdoc.lines[0]!.error!.message).toMatch(/take\.usda: already exists, made from the same audio with other settings/);
      expect(readFileSync(path.join(out, 'take.usda'))).toEqual(kept);
      expect(existsSync(path.join(out, 'fresh.usda'))).toBe(true);
    },
    SEVERAL_RUNS_MS,
  );
});
