import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectLock, listGenerations, newOwner, tryAcquire } from '../src/index.js';
import { sleep, tempDir } from '@a2f/test-utils';

const CONTENDER = fileURLToPath(new URL('./lock-contender.mjs', import.meta.url));
const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

interface Line {
  pid: number;
  ok: boolean;
  ready?: boolean;
  generation?: number | null;
  tookOver?: string | null;
  entered?: number;
  violations?: number;
}

/** Starts a contender; `line(n)` resolves with its n-th stdout line (it may keep running, holding the lock). */
function contender(args: string[]): { child: ChildProcess; line: (n?: number) => Promise<Line>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CONTENDER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let err = '';
  let out = '';
  const lines: Line[] = [];
  const waiters: { n: number; resolve: (l: Line) => void; reject: (e: Error) => void }[] = [];
  const settle = () => {
    for (const w of [...waiters]) {
      if (lines.length > w.n) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(lines[w.n]!);
      }
    }
  };
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
      lines.push(JSON.parse(out.slice(0, nl)) as Line);
      out = out.slice(nl + 1);
    }
    settle();
  });
  const exited = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      children.delete(child);
      for (const w of waiters.splice(0)) w.reject(new Error(`contender exited ${code} after ${lines.length} line(s): ${err}`));
      r(code);
    }),
  );
  const line = (n = 0) =>
    new Promise<Line>((resolve, reject) => {
      waiters.push({ n, resolve, reject });
      settle();
    });
  return { child, line, exited };
}

// Staleness is made by ageing a lock file's mtime (utimes), never by waiting: a holder judged by
// how long the machine took between two calls would fail on a busy machine.
const opts = { staleMs: 60_000 };
const longAgo = (): Date => new Date(Date.now() - 2 * opts.staleMs);

describe('file lock: acquire, heartbeat, release', () => {
  it('is exclusive while held, names its holder, and frees the folder on release', () => {
    const dir = path.join(tempDir('lock'), 'l');
    const a = newOwner('a');
    const b = newOwner('b');
    const ra = tryAcquire(dir, a, opts, 'sh010/line01.wav');
    expect(ra.ok).toBe(true);
    if (!ra.ok) return;
    expect(ra.tookOver).toBeNull();
    expect(listGenerations(dir)).toEqual([1]);
    const rb = tryAcquire(dir, b, opts);
    expect(rb.ok).toBe(false);
    if (rb.ok) return;
    expect(rb.holder?.record).toMatchObject({
      token: a.token,
      pid: process.pid,
      host: a.host,
      instance: 'a',
      generation: 1,
      subject: 'sh010/line01.wav',
    });
    expect(rb.holder?.stale).toBe(false);
    ra.lock.release();
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
    const again = tryAcquire(dir, b, opts);
    expect(again.ok && again.lock.generation).toBe(1);
    if (again.ok) again.lock.release();
  });

  it(
    'heartbeat refreshes the mtime others judge by; a holder that ' + 'misses it is taken over, notices, and leaves the new lock alone',
    async () => {
      const dir = path.join(tempDir('lock'), 'l');
      const a = tryAcquire(dir, newOwner('a'), opts);
      if (!a.ok) throw new Error('expected the lock');
      // Age the heartbeat: a stopped process, a frozen VM.
      const old = longAgo();
      utimesSync(a.lock.file, old, old);
      expect(inspectLock(dir, opts)?.stale).toBe('heartbeat');
      const beforeBeat = Date.now();
      expect(a.lock.heartbeat()).toBe(true);
      expect(statSync(a.lock.file).mtimeMs).toBeGreaterThanOrEqual(beforeBeat - 1); // mtime holds whole ms
      expect(inspectLock(dir, opts)?.stale).toBe(false);

      utimesSync(a.lock.file, old, old);
      const b = tryAcquire(dir, newOwner('b'), opts);
      expect(b.ok).toBe(true);
      if (!b.ok) return;
      expect(b.tookOver?.stale).toBe('heartbeat');
      expect(b.lock.generation).toBe(2);
      expect(listGenerations(dir)).toEqual([1, 2]); // the judged generation stays: numbers never go back down
      expect(a.lock.heartbeat()).toBe(false);
      expect(a.lock.lost).toMatch(/taken over \(generation 2\)/);
      a.lock.release();
      expect(inspectLock(dir, opts)?.record?.token).toBe(b.lock.record.token);
      b.lock.release();
      expect(listGenerations(dir)).toEqual([1]); // the dead holder's file remains as the floor
      const c = tryAcquire(dir, newOwner('c'), opts);
      expect(c.ok && c.lock.generation).toBe(2);
      if (c.ok) c.lock.release();
    },
  );

  it('a holder paused longer than staleMs does not release (others may already hold the lock)', async () => {
    const dir = path.join(tempDir('lock'), 'l');
    const a = tryAcquire(dir, newOwner('a'), { staleMs: 150 });
    if (!a.ok) throw new Error('expected the lock');
    await sleep(250); // no heartbeat ran
    a.lock.release();
    expect(a.lock.lost).toBe('released late');
    expect(listGenerations(dir)).toEqual([1]);
  });

  it('takes over at once from a holder on this host whose process died (kill -9)', async () => {
    const dir = path.join(tempDir('lock'), 'l');
    const c = contender(['hold', dir, '0', '60000']);
    expect((await c.line()).ok).toBe(true);
    const busy = tryAcquire(dir, newOwner('me'), { staleMs: 60_000 });
    expect(busy.ok).toBe(false);
    c.child.kill('SIGKILL');
    await c.exited;
    const r = tryAcquire(dir, newOwner('me'), { staleMs: 60_000 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.tookOver?.stale).toBe('dead-process');
    expect(r.tookOver?.record?.pid).toBe(c.child.pid);
    r.lock.release();
  });

  it('judges a torn lock file (created, never written) by age alone', () => {
    const dir = path.join(tempDir('lock'), 'l');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '000000000001.lock'), '');
    expect(tryAcquire(dir, newOwner('x'), opts).ok).toBe(false);
    const old = longAgo();
    utimesSync(path.join(dir, '000000000001.lock'), old, old);
    const r = tryAcquire(dir, newOwner('x'), opts);
    expect(r.ok && r.tookOver?.stale).toBe('heartbeat');
    if (r.ok) r.lock.release();
  });
});

describe('file lock: races between processes', () => {
  it("of 6 processes racing for a dead holder's lock, exactly one wins, round after round", async () => {
    const dir = path.join(tempDir('lock-race'), 'l');
    const winners: Line[] = [];
    for (let round = 0; round < 4; round++) {
      const go = path.join(path.dirname(dir), `go-${round}`);
      const racers = Array.from({ length: 5 }, () => contender(['race', dir, go, '60000']));
      await Promise.all(racers.map((r) => r.line(0)));
      writeFileSync(go, '');
      const results = await Promise.all(racers.map((r) => r.line(1)));
      const won = results.filter((r) => r.ok);
      expect(won, `round ${round}: ${JSON.stringify(results)}`).toHaveLength(1);
      winners.push(won[0]!);
      // Losers exit on their own; the winner holds until it is killed like a crashed watcher.
      const winner = racers[results.indexOf(won[0]!)]!;
      winner.child.kill('SIGKILL');
      await Promise.all(racers.map((r) => r.exited));
    }
    // Round 0 found the folder empty; every later round took over the previous winner's dead lock.
    expect(winners.map((w) => w.generation)).toEqual([1, 2, 3, 4]);
    expect(winners.map((w) => w.tookOver)).toEqual([null, 'dead-process', 'dead-process', 'dead-process']);
    // Each takeover keeps the generation it judged dead and prunes older ones.
    expect(listGenerations(dir)).toEqual([3, 4]);
  });

  it('keeps 6 processes hammering one lock mutually exclusive (each enters 20 times, never two at once)', async () => {
    const base = tempDir('lock-stress');
    const dir = path.join(base, 'l');
    const cs = path.join(base, 'critical-section');
    // Each contender retries until it has been inside 20 times: a count of entries, not of tries,
    // so a busy machine (one holder descheduled while others spin) only makes it take longer.
    const procs = Array.from({ length: 6 }, () => contender(['stress', dir, '20', '60000', cs]));
    const results = await Promise.all(procs.map((p) => p.line()));
    expect(results.map((r) => [r.entered, r.violations])).toEqual(Array.from({ length: 6 }, () => [20, 0]));
  });
});
