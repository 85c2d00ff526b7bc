/**
 * The client's audio, held until the frames that cover it go out: frame i echoes samples
 * [⌊i·rate/fps⌋, ⌊(i+1)·rate/fps⌋), and the last frame everything left, so the echoed bytes are
 * the input exactly once (docs/serve/protocol.md#frames). Only audio not yet echoed is held, which
 * the frames' look-ahead bounds.
 */
export class AudioEcho {
  private chunks: Buffer[] = [];
  /** bytes held in `chunks` */
  private held = 0;
  /** absolute index of the first held sample */
  private first = 0;
  /** an odd trailing byte of the last chunk, completed by the next one */
  private carry: Buffer | undefined;

  constructor(
    readonly sampleRate: number,
    readonly fps: number,
  ) {}

  /** Samples received so far (whole ones). */
  get received(): number {
    return this.first + this.held / 2;
  }

  /** Adds a chunk of 16-bit little-endian bytes; returns its whole samples (little-endian hosts, as Node's are). */
  push(bytes: Uint8Array): Int16Array {
    let buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = undefined;
    }
    if (buf.length % 2) {
      this.carry = Buffer.from(buf.subarray(buf.length - 1));
      buf = buf.subarray(0, buf.length - 1);
    }
    if (buf.length) {
      this.chunks.push(Buffer.from(buf));
      this.held += buf.length;
    }
    // A separate copy: the stream may hand its samples to a worker, and the echo must not change.
    const pcm = new Int16Array(buf.length / 2);
    new Uint8Array(pcm.buffer).set(buf);
    return pcm;
  }

  /** The first sample not echoed yet (where the next frame's audio starts). */
  get firstHeld(): number {
    return this.first;
  }

  /** Whether the audio ended half-way through a sample (that byte is dropped). */
  get oddByte(): boolean {
    return this.carry !== undefined;
  }

  /** Where frame `index` ends, in samples. */
  frameEnd(index: number): number {
    return Math.floor(((index + 1) * this.sampleRate) / this.fps);
  }

  /** The held audio up to sample `end` (all of it with `end` = Infinity), released from the buffer. */
  take(end: number): Buffer {
    const bytes = Math.max(0, Math.min(this.held, (end - this.first) * 2));
    if (bytes === 0) return Buffer.alloc(0);
    const parts: Buffer[] = [];
    let need = bytes;
    while (need > 0) {
      const c = this.chunks[0];
      if (c.length <= need) {
        parts.push(c);
        this.chunks.shift();
        need -= c.length;
      } else {
        parts.push(c.subarray(0, need));
        this.chunks[0] = c.subarray(need);
        need = 0;
      }
    }
    this.held -= bytes;
    this.first += bytes / 2;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }
}
