// A second, independent USD implementation (TinyUSDZ 0.9.0-rc10, C++ → wasm) as a type check:
// each file is parsed as a layer (syntax + value types) and as a stage (typed schema
// reconstruction: e.g. `rotations` must be quatf[]; then its "Tydra" render conversion, which also
// checks per-sample array lengths and a single-rooted Skeleton).
//
//   node tinyusdz-check.mjs FILE.usda [FILE.usda ...]     → one JSON line per file
//   TINY_PRINT=1 adds TinyUSDZ's own re-serialisation of the layer (not canonical USD text).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tinyusdz-check.mjs FILE.usda [FILE.usda ...]');
  process.exit(2);
}
const dir = path.dirname(createRequire(import.meta.url).resolve('tinyusdz/package.json'));
// The npm build is compiled for the web only; look like a browser while the module initialises.
process.type = 'renderer';
globalThis.window = globalThis;
const init = (await import('tinyusdz/tinyusdz.js')).default;
const M = await init({ wasmBinary: fs.readFileSync(path.join(dir, 'tinyusdz.wasm')), print() {}, printErr() {} });
delete process.type;
delete globalThis.window;

let allOk = true;
for (const file of files) {
  const bytes = fs.readFileSync(file);
  const name = path.basename(file);
  const layer = new M.TinyUSDZLoaderNative();
  const layerOk = layer.loadAsLayerFromBinary(bytes, name);
  const stage = new M.TinyUSDZLoaderNative();
  const stageOk = stage.loadFromBinary(bytes, name);
  const stageError = stageOk ? '' : stage.error();
  // Errors that mention tydra/ come after a successful typed parse (render-scene conversion).
  const stageParsed = stageOk || (/tydra\//.test(stageError) && !/Failed to parse USDA/.test(stageError));
  const result = { file, layerOk, layerError: layerOk ? '' : layer.error(), stageParsed, stageOk, stageError };
  if (layerOk && process.env.TINY_PRINT) result.layerText = layer.layerToString();
  allOk &&= layerOk && stageParsed;
  process.stdout.write(JSON.stringify(result) + '\n');
  layer.delete?.();
  stage.delete?.();
}
process.exitCode = allOk ? 0 : 1;
