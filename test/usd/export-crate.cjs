// Writes binary crate (.usdc) layers with real Pixar USD (v0.22 wasm from three-usdz-loader), so our
// crate reader is tested against files USD itself wrote. USD 0.22 writes crate version 0.8.0.
//
//   node export-crate.cjs IN.usda OUT.usdc [OTHER.usda ...]
//   node export-crate.cjs --stdin < {"exports": [{"root", "out", "others", "text"?: false}]}
//
// Each root is opened as a stage (with the other files it needs, at their relative places) and
// exported with UsdStage::Export, which FLATTENS the stage: composition arcs (references, payloads,
// variant sets, sublayers) are resolved, so the .usdc holds prims, properties, metadata, list ops
// (apiSchemas, relationship targets), dictionaries, arrays and time samples, but no arcs. Prints,
// per export, USD's own text of the written .usdc (its root layer reopened from the binary), which
// is what our reader must agree with: {"results": [{"ok", "errors", "text", "version"}]}.
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
  const under = (dir) => (f) => f.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
  while (!files.every(under(d)) && d !== path.dirname(d)) d = path.dirname(d);
  return d;
}

function exportOne(M, diag, req, n) {
  const files = [req.root, ...(req.others ?? [])].map((f) => path.resolve(f));
  const base = commonDir(files);
  const mount = `/e${n}`;
  M.FS_createPath('/', mount.slice(1), true, true);
  for (const f of new Set(files)) {
    const rel = path.relative(base, f).split(path.sep).join('/');
    if (path.posix.dirname(rel) !== '.') M.FS_createPath(mount, path.posix.dirname(rel), true, true);
    M.FS_createDataFile(path.posix.join(mount, path.posix.dirname(rel)), path.posix.basename(rel), fs.readFileSync(f), true, true, true);
  }
  // USD writes through a temporary file in the target's folder: it must be a folder we created.
  M.FS_createPath(mount, 'out', true, true);
  const out = `${mount}/out/${path.basename(req.out)}`;
  const before = diag.length;
  const stage = M.UsdStage.Open(path.posix.join(mount, path.relative(base, files[0]).split(path.sep).join('/')));
  const errors = () => diag.slice(before).filter((l) => /Error|Warning/.test(l) && !/UsdVol/.test(l));
  if (!stage) return { ok: false, errors: errors() };
  stage.Export(out, false);
  let bytes;
  try {
    bytes = M.FS.readFile(out);
  } catch (e) {
    return { ok: false, errors: [...errors(), `USD wrote no ${out}: ${e.message}`] };
  }
  fs.mkdirSync(path.dirname(path.resolve(req.out)), { recursive: true });
  fs.writeFileSync(req.out, bytes);
  const back = M.UsdStage.Open(out);
  // A large asset's text would not fit in one JSON string: `text: false` skips it (the bench).
  const text = back && req.text !== false ? back.GetRootLayer().ExportToString() : '';
  return { ok: errors().length === 0 && !!back, errors: errors(), text, version: Array.from(bytes.slice(8, 11)).join('.') };
}

(async () => {
  const argv = process.argv.slice(2);
  const batch = argv[0] === '--stdin';
  const requests = batch ? JSON.parse(fs.readFileSync(0, 'utf8')).exports : [{ root: argv[0], out: argv[1], others: argv.slice(2) }];
  if (!requests[0]?.root || !requests[0]?.out) throw new Error('usage: node export-crate.cjs IN.usda OUT.usdc [OTHER.usda ...]');
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
      return exportOne(M, diag, req, n);
    } catch (e) {
      return { ok: false, errors: [`export failed: ${e?.message}`] };
    }
  });
  process.stdout.write(JSON.stringify({ results }) + '\n');
  M.PThread.terminateAllThreads(); // otherwise the pthread workers keep Node alive
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
