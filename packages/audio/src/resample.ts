// The package is CommonJS: Node's ESM loader only exposes its exports as the default import
// (the README's named import throws "does not provide an export named create").
import lsr from '@alexanderolsen/libsamplerate-js';

const { create, ConverterType } = lsr;

/** Average of the channels, one Float32Array of the common length. Always a new array. */
export function mixdown(channels: readonly Float32Array[]): Float32Array {
  const n = channels.length;
  if (n === 0) return new Float32Array(0);
  const len = channels[0]!.length;
  if (channels.some((c) => c.length !== len)) throw new RangeError('mixdown: channels differ in length');
  if (n === 1) return channels[0]!.slice();
  const out = new Float32Array(len);
  for (const c of channels) for (let i = 0; i < len; i++) out[i]! += c[i]!;
  const k = 1 / n;
  for (let i = 0; i < len; i++) out[i]! *= k;
  return out;
}

/** libsamplerate's documented ratio limit is 1/256..256. */
const MAX_RATIO = 256;
/** The wasm wrapper rejects rates above this, though only the ratio matters to the filter. */
const MAX_RATE = 192000;

/**
 * Band-limited resampling of mono audio with libsamplerate SINC_BEST_QUALITY (alias rejection
 * about -140 dB, flat to ~0.95 of the lower Nyquist). Asynchronous because the wasm module
 * loads asynchronously. The output has exactly round(n·to/from) samples and no time shift:
 * `simple()` drops the last ~9 ms, so we feed 50 ms of zeros after the signal (what the signal
 * implicitly is past its end) and cut back to the exact length.
 * A converter is created per call (~35 ms): instances are not reusable, because `simple()`
 * on inputs over 4 MB streams through the stateful `full()` API and leaves its state dirty.
 */
export async function resample(x: Float32Array, from: number, to: number): Promise<Float32Array> {
  for (const [name, rate] of [['from', from], ['to', to]] as const) {
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`resample: ${name} rate must be > 0, got ${rate}`);
  }
  if (to / from > MAX_RATIO || from / to > MAX_RATIO) {
    throw new RangeError(`resample: ratio ${from} → ${to} Hz is outside libsamplerate's 1/256..256`);
  }
  const length = Math.round((x.length * to) / from);
  if (from === to) return x.slice();
  if (x.length === 0) return new Float32Array(0);
  const padded = new Float32Array(x.length + Math.ceil(from * 0.05) + 64);
  padded.set(x);
  // 352.8/384 kHz masters: scale both rates down by the same factor, which keeps the ratio.
  const k = Math.max(1, Math.ceil(Math.max(from, to) / MAX_RATE));
  const src = await create(1, from / k, to / k, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    const y = src.simple(padded);
    if (y.length >= length) return y.slice(0, length);
    const out = new Float32Array(length);
    out.set(y);
    return out;
  } finally {
    src.destroy();
  }
}
