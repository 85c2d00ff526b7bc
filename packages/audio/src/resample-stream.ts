import { checkRates, converter, paddedLength } from './resample.js';

type Converter = Awaited<ReturnType<typeof converter>>;

/**
 * `resample` for audio that arrives while it plays (a live stream): push() the mono samples in any
 * pieces and it returns the output samples that are final so far; finish() returns the rest. All
 * the pieces together equal `resample(whole, from, to)`: libsamplerate's converter gives the same
 * samples however its input is cut (checked by the test "any chunking equals resample"), and the
 * end is padded and cut to round(n·to/from) exactly as `resample` does. The converter holds back
 * only its filter's half-length of input (about 9 ms at 44.1 kHz), so memory does not grow with the stream.
 */
export class StreamResampler {
  private src: Converter | null;
  private pushed = 0;
  private emitted = 0;
  private finished = false;

  private constructor(
    readonly from: number,
    readonly to: number,
    src: Converter | null,
  ) {
    this.src = src;
  }

  /** Throws RangeError for rates `resample` rejects. */
  static async create(from: number, to: number): Promise<StreamResampler> {
    checkRates(from, to);
    return new StreamResampler(from, to, from === to ? null : await converter(from, to));
  }

  /** input samples pushed so far */
  get inputSamples(): number {
    return this.pushed;
  }

  /** output samples returned so far */
  get outputSamples(): number {
    return this.emitted;
  }

  /** The next samples of the signal; returns the output samples that became final. */
  push(x: Float32Array): Float32Array {
    if (this.finished) throw new RangeError('StreamResampler: push after finish');
    this.pushed += x.length;
    if (this.from === this.to) {
      this.emitted += x.length;
      return x.slice();
    }
    return this.convert(x);
  }

  /** The rest of the output: the total is round(n·to/from) for n samples pushed. Frees the converter. */
  finish(): Float32Array {
    if (this.finished) throw new RangeError('StreamResampler: finish called twice');
    this.finished = true;
    if (this.from === this.to) return new Float32Array(0);
    try {
      const total = Math.round((this.pushed * this.to) / this.from);
      const before = this.emitted;
      // `resample` pads the signal with zeros so the converter lets go of its last samples.
      const zeros = this.pushed === 0 ? 0 : paddedLength(this.pushed, this.from) - this.pushed;
      const tail = this.convert(new Float32Array(zeros));
      const out = new Float32Array(Math.max(0, total - before));
      out.set(tail.subarray(0, Math.min(out.length, tail.length)));
      this.emitted = before + out.length;
      return out;
    } finally {
      this.close();
    }
  }

  /** Frees the converter (an abandoned stream); idempotent. */
  close(): void {
    this.finished = true;
    this.src?.destroy();
    this.src = null;
  }

  private convert(x: Float32Array): Float32Array {
    const src = this.src!;
    // Slices of at most 100 ms, well inside the wasm module's transfer buffer.
    const slice = Math.max(1, Math.floor(this.from / 10));
    if (x.length === 0) return new Float32Array(0);
    if (x.length <= slice) {
      const y = src.full(x);
      this.emitted += y.length;
      return y;
    }
    const parts: Float32Array[] = [];
    let n = 0;
    for (let at = 0; at < x.length; at += slice) {
      const y = src.full(x.subarray(at, Math.min(x.length, at + slice)));
      parts.push(y);
      n += y.length;
    }
    const out = new Float32Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    this.emitted += n;
    return out;
  }
}
