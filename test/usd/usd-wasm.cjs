// Real Pixar USD (v0.22 wasm from three-usdz-loader) in a Node child process, shared by the harness
// scripts (readback.cjs, export-crate.cjs): the browser shims, the wasm start-up, mounting the files
// a stage needs into USD's virtual file system, and the batch protocol on stdin/stdout.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const wt = require('node:worker_threads');

const shim = path.join(__dirname, 'shim.cjs');
require(shim);
const BaseWorker = wt.Worker; // emscripten's pthread workers must load the shim too
wt.Worker = class extends BaseWorker {
  constructor(file, opts = {}) {
    super(file, { ...opts, execArgv: [...process.execArgv, '--require', shim] });
  }
};
const dir = path.dirname(require.resolve('three-usdz-loader/external/emHdBindings.js'));

function commonDir(files) {
  let d = path.dirname(files[0]);
  // The root ends in a separator already ("/"): without this, files with no deeper common folder loop forever.
  const under = (dir) => (f) => f.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  while (!files.every(under(d)) && d !== path.dirname(d)) d = path.dirname(d);
  return d;
}

/** Copies `files` (the root first) under `mount` at their relative places on disk; returns the root's path there. */
function mountFiles(M, mount, files) {
  const abs = files.map((f) => path.resolve(f));
  const base = commonDir(abs);
  const inMount = (f) => path.posix.join(mount, path.relative(base, f).split(path.sep).join('/'));
  M.FS_createPath('/', mount.slice(1), true, true);
  for (const f of new Set(abs)) {
    const target = inMount(f);
    if (path.posix.dirname(target) !== mount) M.FS_createPath(mount, path.posix.relative(mount, path.posix.dirname(target)), true, true);
    M.FS_createDataFile(path.posix.dirname(target), path.posix.basename(target), fs.readFileSync(f), true, true, true);
  }
  return inMount(abs[0]);
}

/**
 * Starts USD once (~3 s of wasm compile), runs `one(M, diag, request, n)` per request (a throw
 * becomes `{ ok: false, errors: ['<label> failed: …'] }`), prints `format(results)` as one JSON line
 * and exits 0 when every result is ok, 1 otherwise (2 when USD itself fails to start).
 */
function runBatch(requests, one, label, format = (results) => ({ results })) {
  (async () => {
    const diag = [];
    const M = await require(path.join(dir, 'emHdBindings.js'))(
      {
        print: (s) => diag.push(s),
        printErr: (s) => diag.push(s),
        wasmBinary: fs.readFileSync(path.join(dir, 'emHdBindings.wasm')),
      },
      dir,
    );
    const results = requests.map((req, n) => {
      try {
        return one(M, diag, req, n);
      } catch (e) {
        return { ok: false, errors: [`${label} failed: ${e?.message}`] };
      }
    });
    process.stdout.write(JSON.stringify(format(results)) + '\n');
    M.PThread.terminateAllThreads(); // otherwise the pthread workers keep Node alive
    process.exitCode = results.every((r) => r.ok) ? 0 : 1;
  })().catch((e) => {
    console.error(e);
    process.exit(2);
  });
}

module.exports = { mountFiles, runBatch };
