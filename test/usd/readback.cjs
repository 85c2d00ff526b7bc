// Real Pixar USD (v0.22 wasm from three-usdz-loader) as the authority on what our layers mean:
// opens each requested root layer with its sublayers/references among the given files (Sdf
// parser + Pcp composition), collects USD's errors and warnings, and reads attribute values back
// from the flattened composed stage, i.e. from USD's own writer.
//
//   node readback.cjs ROOT.usda [OTHER.usda ...] [--attr NAME ...] [--flatten]
//   node readback.cjs --stdin   < {"stages": [{"root", "others", "attrs", "flatten"}]}
//
// One process costs ~3 s (compiling the 8 MB wasm), so --stdin opens many stages in one process.
// An attribute NAME is `/Prim/Path.attr` or a bare `attr` (must then exist on exactly one prim).
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const wt = require('node:worker_threads');
const { parseValue, indexUsda } = require('./usda-text.cjs');

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

/** Resolves one requested attribute against the flattened stage index. */
function lookup(index, attr) {
  const dot = attr.lastIndexOf('.');
  if (attr.startsWith('/')) {
    const prim = index.prims[attr.slice(0, dot)];
    return prim?.props[attr.slice(dot + 1)] ? { prop: prim.props[attr.slice(dot + 1)] } : { missing: true };
  }
  const owners = Object.entries(index.prims).filter(([, p]) => p.props[attr]);
  if (owners.length === 0) return { missing: true };
  if (owners.length > 1)
    return { error: `attribute "${attr}" is on several prims (${owners.map(([k]) => k).join(', ')}); ask for /Prim/Path.${attr}` };
  return { prop: owners[0][1].props[attr] };
}

function readStage(M, diag, req, n) {
  const files = [req.root, ...(req.others ?? [])].map((f) => path.resolve(f));
  const base = commonDir(files);
  const mount = `/w${n}`;
  M.FS_createPath('/', mount.slice(1), true, true);
  for (const f of new Set(files)) {
    // same relative layout as on disk
    const rel = path.relative(base, f);
    if (path.dirname(rel) !== '.') M.FS_createPath(mount, path.dirname(rel).split(path.sep).join('/'), true, true);
    M.FS_createDataFile(
      path.posix.join(mount, path.dirname(rel).split(path.sep).join('/')),
      path.basename(f),
      fs.readFileSync(f),
      true,
      true,
      true,
    );
  }
  const before = diag.length;
  const stage = M.UsdStage.Open(path.posix.join(mount, path.relative(base, files[0]).split(path.sep).join('/')));
  // "UsdVol" lines are harmless start-up noise of this build (schema plugins it lacks).
  const errors = diag
    .slice(before)
    .filter((l) => /Error|Warning/.test(l) && !/UsdVol/.test(l))
    .map((l) => l.split(mount + '/').join(''));
  if (!stage) return { ok: false, errors };
  const flat = stage.ExportToString();
  const index = indexUsda(flat);
  const out = {
    ok: errors.length === 0,
    errors,
    timeCodesPerSecond: stage.GetTimeCodesPerSecond(),
    startTimeCode: stage.GetStartTimeCode(),
    endTimeCode: stage.GetEndTimeCode(),
    metadata: index.metadata,
    prims: Object.fromEntries(Object.entries(index.prims).map(([k, p]) => [k, { specifier: p.specifier, type: p.type }])),
    samples: {},
    sampleText: {},
    defaults: {},
    defaultText: {},
    targets: {},
    missing: [],
  };
  for (const attr of req.attrs ?? []) {
    const found = lookup(index, attr);
    if (found.error) {
      out.errors.push(found.error);
      out.ok = false;
      continue;
    }
    if (found.missing) {
      out.missing.push(attr);
      continue;
    }
    const p = found.prop;
    if (p.samples) {
      out.sampleText[attr] = p.samples.map(([t, v]) => [Number(t), v]);
      out.samples[attr] = p.samples.map(([t, v]) => [Number(t), parseValue(v)]);
    }
    if (p.default !== undefined) {
      out.defaultText[attr] = p.default;
      out.defaults[attr] = parseValue(p.default);
    }
    if (p.targets) out.targets[attr] = p.targets;
  }
  if (req.flatten) out.flattened = flat;
  stage.delete?.();
  return out;
}

function requestFromArgs(argv) {
  const req = { root: '', others: [], attrs: [], flatten: false };
  for (let k = 0; k < argv.length; k++) {
    if (argv[k] === '--attr') req.attrs.push(argv[++k]);
    else if (argv[k] === '--flatten') req.flatten = true;
    else if (!req.root) req.root = argv[k];
    else req.others.push(argv[k]);
  }
  return req;
}

(async () => {
  const argv = process.argv.slice(2);
  const batch = argv[0] === '--stdin';
  const requests = batch ? JSON.parse(fs.readFileSync(0, 'utf8')).stages : [requestFromArgs(argv)];
  if (!batch && !requests[0].root) throw new Error('usage: node readback.cjs ROOT.usda [OTHER.usda ...] [--attr NAME ...] [--flatten]');
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
      return readStage(M, diag, req, n);
    } catch (e) {
      return { ok: false, errors: [`readback failed: ${e?.message}`] };
    }
  });
  process.stdout.write(JSON.stringify(batch ? { results } : results[0]) + '\n');
  M.PThread.terminateAllThreads(); // otherwise the pthread workers keep Node alive
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
