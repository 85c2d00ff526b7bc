// @ts-check
// One ONNX Runtime session per worker thread: ORT's run() is synchronous native code, so on the
// main thread it would stall every timer and I/O callback for the length of a batch.
// Plain JavaScript so that the same file loads from src/ under vitest and from dist/ under Node.
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

/** @typedef {{ name: string, buffer: ArrayBuffer, dims: number[] }} WireTensor */
/** @typedef {{ type: 'run', id: number, feeds: WireTensor[], fetches: string[] }} RunRequest */
/** @typedef {RunRequest | { type: 'close' }} Request */
/** @typedef {{ name: string, type: string, shape: (number | string)[] }} WireMetadata */

if (!parentPort) throw new Error('ort-worker.mjs runs only as a worker thread');
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);
const { modelPath, options } = /** @type {{ modelPath: string, options: import('onnxruntime-node').InferenceSession.SessionOptions }} */ (
  workerData
);

/** @param {readonly import('onnxruntime-node').InferenceSession.ValueMetadata[]} list @returns {WireMetadata[]} */
const wire = (list) =>
  list.map((m) => ({ name: m.name, type: m.isTensor ? String(m.type) : 'non-tensor', shape: m.isTensor ? [...m.shape] : [] }));

/** @type {import('onnxruntime-node').InferenceSession | null} */
const session = await ort.InferenceSession.create(modelPath, options).catch((err) => {
  // Reported as a message, not thrown: the main thread turns it into an error naming the model.
  port.postMessage({ type: 'load-error', message: err instanceof Error ? err.message : String(err) });
  return null;
});

if (session) {
  port.postMessage({
    type: 'ready',
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    inputMetadata: wire(session.inputMetadata),
    outputMetadata: wire(session.outputMetadata),
  });
  // Requests run one after another; ORT would serialise them on this thread anyway.
  let queue = Promise.resolve();
  let closing = false;
  port.on('message', (/** @type {Request} */ msg) => {
    if (msg.type === 'close') {
      // Ending the thread from outside (Worker.terminate) while ORT's native run is on the stack
      // aborts the whole process, so shutdown waits here for the run in progress, skips the
      // queued ones (the main thread has already rejected them) and lets the thread end itself.
      closing = true;
      queue = queue.then(async () => {
        await session.release();
        port.close();
      });
      return;
    }
    queue = queue.then(() => (closing ? undefined : run(session, msg)));
  });
} else {
  port.close();
}

/** @param {import('onnxruntime-node').InferenceSession} session @param {RunRequest} msg */
async function run(session, msg) {
  // The input buffers go back with the answer so the main thread can cut the next batch into them.
  const inputs = msg.feeds.map((f) => ({ name: f.name, buffer: f.buffer }));
  const returned = inputs.map((i) => i.buffer);
  try {
    /** @type {Record<string, import('onnxruntime-node').Tensor>} */
    const feeds = {};
    for (const f of msg.feeds) {
      const count = f.dims.reduce((a, b) => a * b, 1);
      feeds[f.name] = new ort.Tensor('float32', new Float32Array(f.buffer, 0, count), f.dims);
    }
    const results = await session.run(feeds, msg.fetches);
    const outputs = [];
    const transfer = new Set(returned);
    for (const name of msg.fetches) {
      const tensor = results[name];
      let data = tensor.data;
      if (!(data instanceof Float32Array)) throw new Error(`output "${name}" is ${tensor.type}, not float32`);
      // ORT allocates outputs in plain (never shared) ArrayBuffers. Transfer whole buffers only:
      // an output that is a view into a larger or already-listed one is copied out.
      if (data.byteOffset !== 0 || data.byteLength !== data.buffer.byteLength || transfer.has(/** @type {ArrayBuffer} */ (data.buffer)))
        data = data.slice();
      const buffer = /** @type {ArrayBuffer} */ (data.buffer);
      transfer.add(buffer);
      outputs.push({ name, buffer, dims: [...tensor.dims] });
    }
    port.postMessage({ type: 'result', id: msg.id, outputs, inputs }, [...transfer]);
  } catch (err) {
    port.postMessage({ type: 'run-error', id: msg.id, message: err instanceof Error ? err.message : String(err), inputs }, returned);
  }
}
