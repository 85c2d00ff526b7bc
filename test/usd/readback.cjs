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
const { parseValue, indexUsda } = require('./usda-text.cjs');
const { mountFiles, runBatch } = require('./usd-wasm.cjs');

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
  const mount = `/w${n}`;
  const root = mountFiles(M, mount, [req.root, ...(req.others ?? [])]);
  const before = diag.length;
  const stage = M.UsdStage.Open(root);
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

const argv = process.argv.slice(2);
const batch = argv[0] === '--stdin';
const requests = batch ? JSON.parse(fs.readFileSync(0, 'utf8')).stages : [requestFromArgs(argv)];
if (!batch && !requests[0].root) {
  console.error('usage: node readback.cjs ROOT.usda [OTHER.usda ...] [--attr NAME ...] [--flatten]');
  process.exit(2);
}
runBatch(requests, readStage, 'readback', (results) => (batch ? { results } : results[0]));
