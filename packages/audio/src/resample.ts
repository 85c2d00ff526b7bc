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
  checkRates(from, to);
  const length = Math.round((x.length * to) / from);
  if (from === to) return x.slice();
  if (x.length === 0) return new Float32Array(0);
  const padded = new Float32Array(paddedLength(x.length, from));
  padded.set(x);
  const src = await converter(from, to);
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

export function checkRates(from: number, to: number): void {
  for (const [name, rate] of [
    ['from', from],
    ['to', to],
  ] as const) {
    if (!Number.isFinite(rate) || rate <= 0) throw new RangeError(`resample: ${name} rate must be > 0, got ${rate}`);
  }
  if (to / from > MAX_RATIO || from / to > MAX_RATIO) {
    throw new RangeError(`resample: ratio ${from} → ${to} Hz is outside libsamplerate's 1/256..256`);
  }
}

/** The signal plus 50 ms of zeros (and a margin) that `simple()` may hold back at its end. */
export const paddedLength = (n: number, from: number): number => n + Math.ceil(from * 0.05) + 64;

/** 352.8/384 kHz masters: both rates scaled down by the same factor, which keeps the ratio. */
const rateScale = (from: number, to: number): number => Math.max(1, Math.ceil(Math.max(from, to) / MAX_RATE));

export function converter(from: number, to: number): ReturnType<typeof create> {
  const k = rateScale(from, to);
  return create(1, from / k, to / k, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
}

/**
 * libsamplerate-js 2.1.2 (pinned) runs `simple()` on inputs whose input or output exceeds this
 * many samples as a series of stateful `full()` calls on consecutive 100 ms slices of the input
 * (`_chunkAndResample`). MonoResampler makes exactly those calls as the samples arrive; the test
 * "streaming equals whole-file" covers lengths on both sides of this limit.
 */
const LIBRARY_CHUNK_LIMIT = 1008e3;

/**
 * How MonoResampler reproduces `resample` for a signal of `n` samples: 'copy' (same rate),
 * 'gather' (short enough for one simple() call: gathered, resampled at the end), 'chunked' (the
 * library's own 100 ms full() calls, made as the samples arrive), or null when those slices would
 * start at fractional positions (100 ms of 11 025 Hz), which only the whole-signal call reproduces.
 * Throws RangeError for rates `resample` rejects.
 */
export function streamingMode(n: number, from: number, to: number): 'copy' | 'gather' | 'chunked' | null {
  checkRates(from, to);
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`MonoResampler: length must be a whole number ≥ 0, got ${n}`);
  if (from === to || n === 0) return 'copy';
  const k = rateScale(from, to);
  const padded = paddedLength(n, from);
  // The converter's own ratio (output/input of the scaled rates), as its size check uses it.
  if (Math.max(Math.ceil(padded * (to / k / (from / k))), padded) <= LIBRARY_CHUNK_LIMIT) return 'gather';
  return Number.isInteger(from / k / 10) ? 'chunked' : null;
}

/**
 * `resample` for a signal that arrives in pieces: push() the mono samples in order, finish()
 * returns exactly what `resample(whole, from, to)` returns, bit for bit, without the whole input
 * ever being held (for inputs long enough to matter). Short inputs, which the library resamples
 * in one `simple()` call, are gathered (at most ~4 MB) and resampled at the end.
 */
export class MonoResampler {
  private readonly out: Float32Array;
  /** samples written to `out` so far (chunked mode) or pushed so far (copy/gather modes) */
  private written = 0;
  private pushed = 0;
  private readonly chunk: Float32Array | null;
  private filled = 0;

  private constructor(
    private readonly n: number,
    private readonly from: number,
    private readonly to: number,
    private readonly mode: 'copy' | 'gather' | 'chunked',
    private readonly src: Awaited<ReturnType<typeof create>> | null,
    chunkSize: number,
  ) {
    // copy: the output is the input; gather: the input, resampled at the end; chunked: the output.
    this.out = new Float32Array(mode === 'chunked' ? Math.round((n * to) / from) : n);
    this.chunk = mode === 'chunked' ? new Float32Array(chunkSize) : null;
  }

  /**
   * A resampler for a signal of exactly `n` samples, or null where streamingMode says only the
   * whole-signal call reproduces `resample`. Throws RangeError for rates `resample` rejects.
   */
  static async create(n: number, from: number, to: number): Promise<MonoResampler | null> {
    const mode = streamingMode(n, from, to);
    if (mode === null) return null;
    const chunked = mode === 'chunked';
    return new MonoResampler(n, from, to, mode, chunked ? await converter(from, to) : null, chunked ? from / rateScale(from, to) / 10 : 0);
  }

  /** The next samples of the signal, in order. */
  push(x: Float32Array): void {
    if (this.pushed + x.length > this.n)
      throw new RangeError(`MonoResampler: pushed ${this.pushed + x.length} samples, the signal has ${this.n}`);
    this.pushed += x.length;
    if (this.mode !== 'chunked') {
      this.out.set(x, this.pushed - x.length);
      return;
    }
    for (let at = 0; at < x.length; ) {
      const take = Math.min(x.length - at, this.chunk!.length - this.filled);
      this.chunk!.set(x.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.chunk!.length) this.flush(this.chunk!);
    }
  }

  /** The resampled signal; the resampler is spent afterwards. */
  async finish(): Promise<Float32Array> {
    if (this.pushed !== this.n) throw new RangeError(`MonoResampler: got ${this.pushed} of ${this.n} samples`);
    if (this.mode === 'copy') return this.out;
    if (this.mode === 'gather') return resample(this.out, this.from, this.to);
    const chunk = this.chunk!;
    try {
      // The padding zeros go through the same 100 ms slices as the signal did.
      let zeros = paddedLength(this.n, this.from) - this.n;
      while (zeros > 0) {
        const take = Math.min(zeros, chunk.length - this.filled);
        chunk.fill(0, this.filled, this.filled + take);
        this.filled += take;
        zeros -= take;
        if (this.filled === chunk.length) this.flush(chunk);
      }
      if (this.filled > 0) this.flush(chunk.subarray(0, this.filled));
    } finally {
      this.src!.destroy();
    }
    return this.out;
  }

  private flush(slice: Float32Array): void {
    const y = this.src!.full(slice);
    const room = this.out.length - this.written;
    if (room > 0) this.out.set(y.length > room ? y.subarray(0, room) : y, this.written);
    this.written += Math.min(room, y.length);
    this.filled = 0;
  }
}
