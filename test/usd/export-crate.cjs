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
const { mountFiles, runBatch } = require('./usd-wasm.cjs');

function exportOne(M, diag, req, n) {
  const mount = `/e${n}`;
  const root = mountFiles(M, mount, [req.root, ...(req.others ?? [])]);
  // USD writes through a temporary file in the target's folder: it must be a folder we created.
  M.FS_createPath(mount, 'out', true, true);
  const out = `${mount}/out/${path.basename(req.out)}`;
  const before = diag.length;
  const stage = M.UsdStage.Open(root);
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

const argv = process.argv.slice(2);
const batch = argv[0] === '--stdin';
const requests = batch ? JSON.parse(fs.readFileSync(0, 'utf8')).exports : [{ root: argv[0], out: argv[1], others: argv.slice(2) }];
if (!requests[0]?.root || !requests[0]?.out) {
  console.error('usage: node export-crate.cjs IN.usda OUT.usdc [OTHER.usda ...]');
  process.exit(2);
}
runBatch(requests, exportOne, 'export');
