// npm run test:load: runs the whole `npm test` several rounds in a row while busy-loop child
// processes keep every core busy, and prints pass/fail and the time of each round. A manual check
// that no test depends on the machine being idle (docs/testing.md); CI runs plain `npm test`.
//
//   npm run test:load                      3 rounds, one busy loop per core
//   npm run test:load -- --rounds 5 --hogs 4
//   npm run test:load -- --command "cd packages/watch && npx vitest run"
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USAGE = 'usage: npm run test:load -- [--rounds N] [--hogs N] [--command "shell command"]';

let opts;
try {
  ({ values: opts } = parseArgs({
    options: {
      rounds: { type: 'string', default: '3' },
      hogs: { type: 'string', default: String(os.availableParallelism()) },
      command: { type: 'string', default: 'npm test' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (opts.help) {
  console.log(USAGE);
  process.exit(0);
}
const count = (name, min) => {
  const n = Number(opts[name]);
  if (!Number.isInteger(n) || n < min) {
    console.error(`--${name} ${opts[name]} is not a whole number ≥ ${min}\n${USAGE}`);
    process.exit(2);
  }
  return n;
};
const rounds = count('rounds', 1);
const hogCount = count('hogs', 0);

// Busy loops in child processes, as another job on the machine would be (no stress tool needed).
const hogs = Array.from({ length: hogCount }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
let current = null;
const cleanUp = () => {
  for (const h of hogs) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
  // The round runs in its own process group (npm, turbo, vitest and the watchers they start).
  if (current && current.exitCode === null) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', cleanUp);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'])
  process.on(sig, () => {
    cleanUp();
    process.exit(130);
  });

const logDir = mkdtempSync(path.join(os.tmpdir(), 'a2f-test-load-'));
const minutes = (ms) => `${Math.floor(ms / 60_000)}:${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}`;
const stripColour = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs one round; resolves with its exit code and the per-task vitest summaries from its output. */
function round(n) {
  const log = path.join(logDir, `round-${n}.log`);
  const file = createWriteStream(log);
  let text = '';
  // TURBO_FORCE: every round really runs (turbo would otherwise replay the first round's results).
  current = spawn(opts.command, {
    cwd: ROOT,
    shell: true,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TURBO_FORCE: 'true', FORCE_COLOR: '0' },
  });
  for (const s of [current.stdout, current.stderr]) {
    s.on('data', (d) => {
      file.write(d);
      text += d;
    });
  }
  return new Promise((resolve) =>
    current.on('close', (code, signal) => {
      file.end();
      current = null;
      resolve({ code: code ?? (signal ? 128 : 1), log, text: stripColour(text) });
    }),
  );
}

/** "<task>: N passed, N failed, Ns" per vitest run in the output (turbo prefixes each line with its task). */
function summaries(text) {
  const byTask = new Map();
  for (const line of text.split('\n')) {
    const m = /^(?:(\S+):\s+)?.*?\b(Tests|Duration)\s+(.*)$/.exec(line);
    if (!m) continue;
    const task = m[1] ?? 'vitest';
    const s = byTask.get(task) ?? { passed: 0, failed: 0, seconds: NaN };
    if (m[2] === 'Tests') {
      s.passed += Number(/(\d+) passed/.exec(m[3])?.[1] ?? 0);
      s.failed += Number(/(\d+) failed/.exec(m[3])?.[1] ?? 0);
    } else {
      const d = /^([\d.]+)(ms|s)\b/.exec(m[3]);
      if (d) s.seconds = Number(d[1]) / (d[2] === 'ms' ? 1000 : 1);
    }
    byTask.set(task, s);
  }
  return byTask;
}

console.log(
  `${rounds} round(s) of \`${opts.command}\` with ${hogCount} busy loop(s) on ${os.availableParallelism()} core(s); logs in ${logDir}`,
);
const results = [];
for (let n = 1; n <= rounds; n++) {
  const t0 = Date.now();
  console.log(`round ${n}/${rounds}: running…`);
  const r = await round(n);
  const ms = Date.now() - t0;
  const tasks = summaries(r.text);
  const failed = [...tasks.values()].reduce((k, s) => k + s.failed, 0);
  const passed = [...tasks.values()].reduce((k, s) => k + s.passed, 0);
  const ok = r.code === 0 && failed === 0;
  results.push(ok);
  console.log(
    `round ${n}/${rounds}: ${ok ? 'PASS' : 'FAIL'} in ${minutes(ms)} (exit ` +
      `${r.code}, ${passed} tests passed, ${failed} failed; log ${r.log})`,
  );
  for (const [task, s] of [...tasks].sort((a, b) => (b[1].seconds || 0) - (a[1].seconds || 0))) {
    console.log(
      `  ${task.padEnd(22)} ${String(s.passed).padStart(4)} passed ${String(s.failed).padStart(3)} ` +
        `failed ${Number.isFinite(s.seconds) ? `${s.seconds.toFixed(0).padStart(5)} s` : ''}`,
    );
  }
}
const passedRounds = results.filter(Boolean).length;
console.log(`${passedRounds} of ${rounds} round(s) passed under load`);
process.exit(passedRounds === rounds ? 0 : 1);
