import { frameTargetSample, type FaceAnimation, type Provenance, type Rational } from '@a2f/animation';
import type { EmotionKey } from './emotion.js';
import { InferenceError } from './errors.js';
import { rowWidth, type ModelPack } from './pack-types.js';
import type { OrtPool, WireTensor } from './pool.js';
import type { BlinkControl, LineEmotion, Postprocessor, PostprocessTrack } from './registry.js';
import { conditioning, DEFAULT_BATCH_SIZE, gather, type FrameInput, type FrameMatrix, type RowFiller } from './run-network.js';
import { cutWindows, frameCount } from './windows.js';

export interface FrameStreamOptions {
  readonly fps: Rational;
  /** seed of procedural motion in post-processing (blinks) */
  readonly seed?: number;
  readonly blinks?: BlinkControl;
  /** explicit emotion keys at the start (times in seconds from the start of the stream); setEmotion replaces them */
  readonly emotion?: readonly EmotionKey[];
  /** where the keys come from, named in errors and provenance */
  readonly emotionSource?: string;
  /** most frames per ORT run (default 8); a call runs the frames that are ready, never waiting to fill a batch */
  readonly batchSize?: number;
  /** the source audio, recorded in provenance as given */
  readonly audio?: Provenance['audio'];
}

/** One ready run of frames: `anim` holds frames first … first + anim.frameCount − 1 of the stream. */
export interface FrameChunk {
  readonly first: number;
  readonly anim: FaceAnimation;
}

/**
 * A line whose audio arrives while it plays (docs/live-engine.md): samples are appended as they
 * come, and each frame is run as soon as its whole window has arrived (its target sample plus the
 * pack's look-ahead, bufferLength − bufferOffset), through the kind's causal post-processing track.
 * The frames equal `animate` on the whole audio. Audio before the earliest window still needed is
 * dropped, so a stream holds O(window) samples however long it runs.
 */
export interface FrameStream {
  /** the pack's look-ahead past a frame's target sample: bufferLength − bufferOffset samples */
  readonly lookAheadSamples: number;
  /** samples appended so far */
  readonly samples: number;
  /** samples held now (the window of the next frame and what arrived after it) */
  readonly retainedSamples: number;
  /** frames returned so far */
  readonly frames: number;
  /** frames the next call of next() runs: ready (their windows have arrived), at most two batches per worker */
  readonly ready: number;
  /** Appends the next samples: mono, at the pack's sample rate. */
  append(samples: Float32Array): void;
  /** No more audio: the frames of the last windows (zeros past the end, as a line's) become ready. */
  end(): void;
  /** Replaces the emotion keys (checked here); frames already returned keep the emotion they had. */
  setEmotion(keys: readonly EmotionKey[]): void;
  /** The explicit emotion frame k is fed under the current keys, in the engine's emotionNames order; null: no emotion input. */
  emotionAt(frame: number): Float32Array | null;
  /**
   * Runs ready frames (network, then post-processing, in order), at most two batches per worker;
   * call again until it returns null. Calls must not overlap.
   */
  next(): Promise<FrameChunk | null>;
  /** Done with the stream (ended or abandoned): the kind gets its track back; idempotent. */
  close(): void;
}

/** The engine's side of a stream: its pool, the pack as it runs and the kind made ready for it. */
export interface StreamParts {
  readonly pool: OrtPool;
  readonly pack: ModelPack;
  readonly post: Postprocessor;
  readonly provenance: Provenance;
  /** the engine's explicit emotion names (null: no emotion input) */
  readonly emotionNames: readonly string[] | null;
  readonly defaultBatchSize?: number;
}

export function openFrameStream(parts: StreamParts, opts: FrameStreamOptions): FrameStream {
  const { pool, pack, post } = parts;
  if (!post.openTrack) {
    throw new InferenceError(
      'BAD_OPTION',
      pack.manifestPath,
      `the model "${pack.id}" (${pack.postprocess.kind} post-processing) cannot run live: its post-processing has no causal track`,
      'Use the default model or an NVIDIA Audio2Face-3D v2.3 pack for live streams (docs/live-engine.md), or run the audio as a file.',
    );
  }
  const { fps } = opts;
  const spec = pool.spec;
  const audio = pack.audio;
  const batchSize = opts.batchSize ?? parts.defaultBatchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InferenceError(
      'BAD_OPTION',
      pack.manifestPath,
      `batchSize ${batchSize} is not a positive integer`,
      'Pass a whole number ≥ 1.',
    );
  }
  const lookAhead = audio.bufferLength - audio.bufferOffset;
  const emotionOf = (keys: readonly EmotionKey[]): LineEmotion => ({ keys, source: opts.emotionSource ?? 'emotion keys' });
  const feedsFor = (keys: readonly EmotionKey[] | undefined): Map<string, RowFiller> => {
    if (keys !== undefined && !post.emotionInputs) {
      throw new InferenceError(
        'BAD_OPTION',
        pack.manifestPath,
        `the model "${pack.id}" has no emotion input, so emotion keys cannot apply`,
        'Use an NVIDIA Audio2Face-3D pack for emotion, or leave the emotion out.',
      );
    }
    const emotionFeeds: Readonly<Record<string, FrameInput>> = keys ? post.emotionInputs!(emotionOf(keys)) : {};
    return conditioning(spec, fps, { ...post.inputs, ...emotionFeeds });
  };
  let feeds = feedsFor(opts.emotion);
  // What frame k's emotion input holds, for emotionAt: the kind's rows for the current keys (none: its default).
  const emotionWidth = parts.emotionNames?.length ?? 0;
  const emotionFeedFor = (keys: readonly EmotionKey[] | undefined): [string, FrameInput] | null => {
    if (!post.emotionInputs || emotionWidth === 0) return null;
    return Object.entries(post.emotionInputs(emotionOf(keys ?? [])))[0] ?? null;
  };
  let emotionFeed = emotionFeedFor(opts.emotion);
  const track: PostprocessTrack = post.openTrack({
    fps,
    provenance: parts.provenance,
    ...(opts.seed === undefined ? {} : { seed: opts.seed }),
    ...(opts.emotion ? { emotion: emotionOf(opts.emotion) } : {}),
    ...(opts.blinks ? { blinks: opts.blinks } : {}),
  });

  // The held audio: buffer[0 … held) are the stream's samples origin … origin + held − 1.
  let buffer = new Float32Array(Math.max(audio.bufferLength * 2, 4096));
  let origin = 0;
  let held = 0;
  let ended = false;
  let done = 0;
  let running = false;
  let closed = false;
  const appended = (): number => origin + held;
  /** the sample index frame k's window ends at (exclusive) */
  const windowEnd = (k: number): number => frameTargetSample(k, fps, audio.sampleRate) + lookAhead;
  const readyUpTo = (): number => {
    if (ended) return frameCount(appended(), fps, audio);
    let k = done;
    while (windowEnd(k) <= appended()) k++;
    return k;
  };
  // At most two batches per worker at a time: a long append is run in turns, not all at once.
  const runUpTo = (): number => Math.min(readyUpTo(), done + batchSize * 2 * Math.max(1, pool.size));
  /** Drops the audio before the next frame's window; shrinks a buffer one big append grew. */
  const drop = (): void => {
    const keep = Math.max(0, frameTargetSample(done, fps, audio.sampleRate) - audio.bufferOffset);
    const cut = Math.min(held, keep - origin);
    if (cut > 0) {
      buffer.copyWithin(0, cut, held);
      held -= cut;
      origin += cut;
    }
    const room = Math.max(audio.bufferLength * 2, 4096, held * 2);
    if (buffer.length > room * 2) buffer = buffer.slice(0, room);
  };

  const runFrames = async (first: number, count: number): Promise<Record<string, FrameMatrix>> => {
    const outputs: Record<string, FrameMatrix> = {};
    for (const t of spec.outputs) outputs[t.name] = { width: rowWidth(t), data: new Float32Array(count * rowWidth(t)) };
    const fetches = spec.outputs.map((t) => t.name);
    // Ready frames are split evenly over the workers (a push of a few ms is one small run).
    const size = Math.max(1, Math.min(batchSize, Math.ceil(count / Math.max(1, pool.size))));
    const runs: Promise<void>[] = [];
    for (let at = 0; at < count; at += size) {
      const n = Math.min(size, count - at);
      // Cut now, synchronously: the held audio may move once this call returns.
      const wire: WireTensor[] = spec.inputs.map((t) => {
        const rows = new Float32Array(n * rowWidth(t));
        if (t.name === spec.audioInput) cutWindows(buffer.subarray(0, held), audio, fps, first + at, n, rows, origin);
        else feeds.get(t.name)!(first + at, n, rows);
        return { name: t.name, buffer: rows.buffer, dims: [n, ...(t.shape.slice(1) as number[])] };
      });
      runs.push(pool.run(wire, fetches, n).then((result) => gather(spec, result, outputs, at, n)));
    }
    await Promise.all(runs);
    return outputs;
  };

  return {
    lookAheadSamples: lookAhead,
    get samples() {
      return appended();
    },
    get retainedSamples() {
      return held;
    },
    get frames() {
      return done;
    },
    get ready() {
      return Math.max(0, runUpTo() - done);
    },
    append(samples) {
      if (ended) throw new Error('FrameStream.append: the stream has ended');
      if (held + samples.length > buffer.length) {
        const grown = new Float32Array(Math.max(buffer.length * 2, held + samples.length));
        grown.set(buffer.subarray(0, held));
        buffer = grown;
      }
      buffer.set(samples, held);
      held += samples.length;
    },
    end() {
      ended = true;
    },
    setEmotion(keys) {
      feeds = feedsFor(keys);
      emotionFeed = emotionFeedFor(keys);
    },
    emotionAt(frame) {
      if (!emotionFeed) return null;
      const [name, feed] = emotionFeed;
      const width = rowWidth(spec.inputs.find((t) => t.name === name)!);
      let row: Float32Array;
      if (typeof feed === 'function') {
        row = new Float32Array(width);
        feed(frame, frameTargetSample(frame, fps, audio.sampleRate), row);
      } else {
        row = feed;
      }
      // The explicit emotions close the row (after a family's own constant part, docs/nvidia/emotion.md).
      return row.slice(row.length - emotionWidth);
    },
    close() {
      if (closed) return;
      closed = true;
      track.close?.();
    },
    async next() {
      if (closed) throw new Error('FrameStream.next: the stream is closed');
      if (running) throw new Error('FrameStream.next: the previous call has not settled');
      const to = runUpTo();
      if (to <= done) return null;
      running = true;
      try {
        const first = done;
        const count = to - first;
        const outputs = await runFrames(first, count);
        // Closed while the network ran: the track may already serve another stream.
        if (closed) throw new Error('FrameStream.next: the stream was closed');
        const anim = track.push({ fps, frameCount: count, outputs });
        done = to;
        drop();
        return { first, anim };
      } finally {
        running = false;
      }
    },
  };
}
