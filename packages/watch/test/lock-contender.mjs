// A separate process contending for a lock, for lock.test.ts (real processes, real file system).
// Uses the built package (dist/), which the test task builds first.
import { closeSync, existsSync, openSync, unlinkSync } from 'node:fs';
import { tryAcquire } from '../dist/lock.js';
import { newOwner } from '../dist/owner.js';

const [mode, dir, arg, staleArg, csFile] = process.argv.slice(2);
const opts = { staleMs: Number(staleArg) };
const owner = newOwner(`contender-${process.pid}`);

if (mode === 'race') {
  // All contenders of a round report ready, then spin until the go file appears and try once.
  process.stdout.write(JSON.stringify({ pid: process.pid, ready: true }) + '\n');
  // Poll every millisecond (sleeping, so six waiting racers do not starve the others' start-up).
  const nap = new Int32Array(new SharedArrayBuffer(4));
  while (!existsSync(arg)) Atomics.wait(nap, 0, 0, 1);
  const r = tryAcquire(dir, owner, opts, 'race');
  process.stdout.write(
    JSON.stringify({
      pid: process.pid,
      ok: r.ok,
      generation: r.ok ? r.lock.generation : null,
      tookOver: r.ok && r.tookOver ? r.tookOver.stale : null,
    }) + '\n',
  );
  if (r.ok) {
    r.lock.startHeartbeat();
    setInterval(() => {}, 1000); // hold until the test kills us (kill -9: the lock is left behind)
  }
} else if (mode === 'hold') {
  const r = tryAcquire(dir, owner, opts, 'hold');
  process.stdout.write(JSON.stringify({ pid: process.pid, ok: r.ok }) + '\n');
  if (r.ok) setInterval(() => {}, 1000);
} else if (mode === 'stress') {
  // Mutual exclusion check: inside the lock, create csFile exclusively; two holders at once would collide.
  // Tries until it has been inside `arg` times (however many tries that takes on a busy machine);
  // the first collision ends it, so a broken lock reports at once instead of spinning.
  let entered = 0;
  let violations = 0;
  const sleep = (ms) => new Promise((res) => setTimeout(res, ms));
  while (entered < Number(arg) && violations === 0) {
    const r = tryAcquire(dir, owner, opts, 'stress');
    if (!r.ok) {
      await sleep(Math.random() * 5);
      continue;
    }
    try {
      closeSync(openSync(csFile, 'wx'));
    } catch {
      violations++;
      r.lock.release();
      continue;
    }
    entered++;
    await sleep(Math.random() * 4);
    unlinkSync(csFile);
    r.lock.release();
  }
  process.stdout.write(JSON.stringify({ pid: process.pid, entered, violations }) + '\n');
}
