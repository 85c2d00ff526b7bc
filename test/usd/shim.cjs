// Lets three-usdz-loader's emscripten build of Pixar USD (v0.22) load its preloaded .data under
// Node, in the main thread and in every pthread worker: emscripten only preloads "on a web page",
// so we fake `location` and a file-backed XMLHttpRequest. Loaded with `--require` in workers.
const fs = require('node:fs');
const path = require('node:path');

const dir = path.dirname(require.resolve('three-usdz-loader/external/emHdBindings.js'));
globalThis.location ??= { pathname: dir + '/', href: __filename };
globalThis.XMLHttpRequest ??= class {
  open(_method, url) {
    this.url = path.isAbsolute(url) ? url : path.join(dir, url);
  }
  send() {
    const b = fs.readFileSync(this.url);
    this.status = 200;
    this.response = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
    setImmediate(() => this.onload?.({}));
  }
};
