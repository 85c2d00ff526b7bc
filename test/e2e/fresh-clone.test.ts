// A newcomer's first commands, as they type them: a fresh clone, `npm ci`, then `npx a2f …`.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runProcess, tempDir, type CliResult, shellEnv } from './helpers.js';
import { HANG_MS } from './watch-helpers.js';

const sh = (cmd: string, args: string[], cwd: string): Promise<CliResult> => runProcess(cmd, args, { cwd, env: shellEnv() });

/** Every descendant of a process, read from /proc (Linux). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      /* gone meanwhile */
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [c, pp] of parentOf)
      if (pp === p) {
        out.push(c);
        walk(c);
      }
  };
  walk(pid);
  return out;
}

const alive = (pid: number): boolean => {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
  } catch {
    return false;
  }
};

async function until(what: string, cond: () => boolean, limitMs = HANG_MS): Promise<void> {
  // A hang guard only: the condition is what is waited for, however slow the machine is.
  for (const start = Date.now(); !cond(); await new Promise((r) => setTimeout(r, 100))) {
    if (Date.now() - start > limitMs) throw new Error(`gave up waiting for ${what}`);
  }
}

/** The README's runnable commands, in order: its ```bash blocks, continuations joined, comments dropped. */
function readmeCommands(readme: string): string[] {
  const commands: string[] = [];
  for (const [, body] of readme.matchAll(/^ *```bash\n([\s\S]*?)^ *```/gm)) {
    const joined = body.replace(/\\\n\s*/g, ' ');
    for (const line of joined.split('\n')) {
      const command = line.replace(/(^|\s)#.*$/, '').trim();
      if (command) commands.push(command);
    }
  }
  return commands;
}

const README_COMMANDS = readmeCommands(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));

const npmWarnings = (r: CliResult): string[] => `${r.stdout}\n${r.stderr}`.split('\n').filter((l) => /npm (warn|WARN)/.test(l));

describe('a fresh clone, as a newcomer types it', () => {
  let clone = '';
  let install: CliResult;

  beforeAll(async () => {
    clone = path.join(tempDir('clone'), 'a2f');
    const cloned = await sh('git', ['clone', '--quiet', ROOT, clone], ROOT);
    expect(cloned.code, cloned.stderr).toBe(0);
    // The README's first command, verbatim: install, build and run the main job.
    expect(README_COMMANDS[0]).toBe('npm ci && npm run demo');
    install = await sh('bash', ['-c', README_COMMANDS[0]], clone);
  }, 900_000);

  it('npm ci && npm run demo installs, builds, links a2f and writes the demo layers; npm prints no warning', () => {
    expect(install.code, install.stderr).toBe(0);
    expect(readdirSync(path.join(clone, 'out/demo')).filter((f) => f.endsWith('.usda')).length).toBeGreaterThanOrEqual(5);
    expect(npmWarnings(install)).toEqual([]);
    expect(existsSync(path.join(clone, 'packages/cli/dist/bin.js'))).toBe(true);
    expect(existsSync(path.join(clone, 'node_modules/.bin/a2f'))).toBe(true);
    // onnxruntime-node's GPU download was skipped: its CUDA provider is not there.
    const ortBin = path.join(clone, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64');
    if (existsSync(ortBin)) expect(readdirSync(ortBin).filter((f) => f.includes('cuda'))).toEqual([]);
  });

  it('npx a2f alone lists every command with a one-line description', async () => {
    const r = await sh('npx', ['a2f'], clone);
    expect(r.code).toBe(2);
    expect(npmWarnings(r)).toEqual([]);
    for (const cmd of ['run', 'watch', 'demo', 'inspect', 'models']) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}a2f ${cmd}\\b[^\\n]*?\\s{2,}\\S.{10,}$`, 'm'));
    }
  });

  it('every option in every --help has a description', async () => {
    const commands = [
      [],
      ['run'],
      ['demo'],
      ['inspect'],
      ['watch'],
      ['models'],
      ['models', 'list'],
      ['models', 'pull'],
      ['models', 'verify'],
      ['models', 'inspect'],
    ];
    const bin = path.join(clone, 'node_modules/.bin/a2f');
    for (const cmd of commands) {
      const r = await sh(bin, [...cmd, '--help'], clone);
      expect(r.code, `a2f ${cmd.join(' ')} --help`).toBe(0);
      const options = r.stdout.split('\n').filter((l) => /^\s+(-\w, )?--?[\w-]+/.test(l));
      expect(options.length, `a2f ${cmd.join(' ')} --help lists options`).toBeGreaterThan(1);
      // An option without a description shows its type column right after the flag.
      const bare = options.filter((l) => /^\s+(-\w, )?--?[\w-]+(\s+<[^>]+>)?\s+\[/.test(l));
      expect(bare, `a2f ${cmd.join(' ')} --help`).toEqual([]);
    }
  });

  it('npx a2f run animates a sample line onto the sample character', async () => {
    const r = await sh(
      'npx',
      ['a2f', 'run', 'samples/dialogue/line01_hello.wav', '-c', 'samples/character/face.usda', '-o', 'out/first'],
      clone,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(npmWarnings(r)).toEqual([]);
    expect(readFileSync(path.join(clone, 'out/first/line01_hello.usda'), 'utf8')).toMatch(/^#usda 1\.0/);
  });

  it('SIGTERM to `npx a2f watch` stops the watcher too (no orphan left running)', async () => {
    const inbox = tempDir('fresh-inbox');
    const out = tempDir('fresh-out');
    const child = spawn('npx', ['a2f', 'watch', inbox, '--out', out, '-c', 'samples/character/face.usda'], {
      cwd: clone,
      env: shellEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    await until('the watcher to be ready', () => stderr.includes('waiting for files'));
    const watcher = descendants(child.pid!).find((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'node';
      } catch {
        return false;
      }
    });
    expect(watcher, 'a node process running the watcher under npx').toBeDefined();
    child.kill('SIGTERM');
    await until('the watcher to exit after npm was told to stop', () => !alive(watcher!));
    expect(alive(watcher!)).toBe(false);
  });

  it('every other command the README shows works verbatim, in order', async () => {
    expect(README_COMMANDS[1]).toBe('npm test');
    const rest = README_COMMANDS.slice(2);
    expect(rest.length).toBeGreaterThan(5);
    for (const command of rest) {
      const r = await sh('bash', ['-c', command], clone);
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      expect(npmWarnings(r), command).toEqual([]);
    }
  }, 900_000);
});
