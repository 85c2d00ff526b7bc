/*
 * WAV decoding that never holds the file or its channels: the header is walked with reads from
 * disk, then the data chunk is read in blocks of whole frames, each block de-interleaved and mixed
 * down to mono on the spot and handed on (to the resampler). A 60-minute 48 kHz stereo WAV is
 * 1.4 GB as per-channel Float32 and another 0.7 GB mixed down; this path keeps ~8 MB of buffers.
 * The arithmetic is the whole-file path's, operation for operation (decodeWavSamples stores each
 * sample as float32, mixdown sums channels into float32 in channel order, then scales by 1/n), so
 * the samples are bit-identical.
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { nonFiniteError } from './decode.js';
import { sampleReader, type ByteSource, type WavLayout } from './wav.js';

/** Frames per read: ~4 MiB of data, whole frames only. */
const BLOCK_BYTES = 1 << 22;
/** Header reads go through a few cached 64 KiB pages (the walk visits chunk headers only). */
const PAGE = 1 << 16;

/** Loads the pages a ByteSource read needs, once, before the (synchronous) header walk reads them. */
export class FileBytes implements ByteSource {
  private readonly pages = new Map<number, Uint8Array>();

  private constructor(
    private readonly fh: FileHandle,
    readonly length: number,
  ) {}

  static async open(fh: FileHandle, length: number): Promise<FileBytes> {
    const bytes = new FileBytes(fh, length);
    await bytes.load(0);
    return bytes;
  }

  /**
   * The walk is synchronous, so it runs in rounds: each round reads what it can from the pages
   * loaded so far; a read of a page not yet loaded throws PageMiss, the page is loaded and the
   * walk starts again. RIFF files have a handful of chunks, so this is a few rounds at most.
   */
  async walk<T>(run: (src: ByteSource) => T): Promise<T> {
    for (;;) {
      try {
        return run(this);
      } catch (e) {
        if (!(e instanceof PageMiss)) throw e;
        await this.load(e.page);
      }
    }
  }

  byte(at: number): number {
    if (at < 0 || at >= this.length) return 0;
    return this.page(at)[at % PAGE]!;
  }

  u16(at: number): number {
    this.bounds(at, 2);
    return this.byte(at) | (this.byte(at + 1) << 8);
  }

  u32(at: number): number {
    this.bounds(at, 4);
    return (this.byte(at) | (this.byte(at + 1) << 8) | (this.byte(at + 2) << 16)) + this.byte(at + 3) * 2 ** 24;
  }

  /** Same failure as DataView's for a read past the end (the walk bounds-checks before reading). */
  private bounds(at: number, n: number): void {
    if (at < 0 || at + n > this.length) throw new RangeError('Offset is outside the bounds of the DataView');
  }

  private page(at: number): Uint8Array {
    const index = Math.floor(at / PAGE);
    const page = this.pages.get(index);
    if (!page) throw new PageMiss(index);
    return page;
  }

  private async load(index: number): Promise<void> {
    const start = index * PAGE;
    const page = new Uint8Array(Math.min(PAGE, this.length - start));
    await readFully(this.fh, page, start);
    this.pages.set(index, page);
  }
}

class PageMiss extends Error {
  constructor(readonly page: number) {
    super(`page ${page} not loaded`);
  }
}

async function readFully(fh: FileHandle, into: Uint8Array, position: number): Promise<void> {
  for (let off = 0; off < into.length; ) {
    const { bytesRead } = await fh.read(into, off, into.length - off, position + off);
    if (bytesRead === 0) throw new Error(`file ended at byte ${position + off} while reading`);
    off += bytesRead;
  }
}

export interface StreamedWav {
  /** hex SHA-256 of every byte of the file */
  readonly sha256: string;
}

/**
 * Reads the whole file once, front to back: every byte is hashed, the data chunk's frames are
 * mixed down to mono and passed to `onMono` in order (the array is reused; copy what you keep).
 * Throws NON_FINITE after the pass, like the whole-file path's check, when a sample is NaN/∞.
 */
export async function streamWavMono(
  fh: FileHandle,
  size: number,
  layout: WavLayout,
  file: string,
  onMono: (samples: Float32Array) => void,
): Promise<StreamedWav> {
  const { channels: n, frames, container, dataOffset, codec, sampleRate } = layout;
  const stride = container * n;
  const dataEnd = dataOffset + frames * stride;
  const block = Math.max(1, Math.floor(BLOCK_BYTES / stride)) * stride;
  const buffer = new Uint8Array(block);
  const mono = new Float32Array(block / stride);
  const hash = createHash('sha256');
  const k = 1 / n;
  let bad = 0;
  let firstBad = -1;
  let frame = 0;
  for (let pos = 0; pos < size; ) {
    // Header, data and trailer are read separately so data reads hold whole frames only.
    const limit = pos < dataOffset ? dataOffset : pos < dataEnd ? dataEnd : size;
    const want = Math.min(block, Math.min(limit, size) - pos);
    const view = buffer.subarray(0, want);
    await readFully(fh, view, pos);
    hash.update(view);
    if (pos >= dataOffset && pos < dataEnd) {
      const dv = new DataView(view.buffer, view.byteOffset, view.byteLength);
      const read = sampleReader(dv, codec, container);
      const count = want / stride;
      for (let i = 0, p = 0; i < count; i++, p += stride) {
        if (n === 1) {
          const v = Math.fround(read(p));
          if (!Number.isFinite(v)) {
            bad++;
            if (firstBad < 0) firstBad = frame + i;
          }
          mono[i] = v;
          continue;
        }
        let acc = 0;
        for (let c = 0; c < n; c++) {
          const v = Math.fround(read(p + c * container));
          if (!Number.isFinite(v)) {
            bad++;
            if (firstBad < 0) firstBad = frame + i;
          }
          acc = Math.fround(acc + v);
        }
        mono[i] = Math.fround(acc * k);
      }
      onMono(mono.subarray(0, count));
      frame += count;
    }
    pos += want;
  }
  if (bad > 0) throw nonFiniteError(file, bad, firstBad, sampleRate);
  return { sha256: hash.digest('hex') };
}
