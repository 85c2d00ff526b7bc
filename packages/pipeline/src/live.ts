// The live streaming engine (docs/live-engine.md): PCM pushed as it arrives → frames as soon as
// their windows have, equal to `a2f run` on the same audio. The server (@a2f/serve) speaks the
// protocol; this file knows none of it.
//
// Beyond the interface first agreed with the server: `settings` is LiveSettingsInput (the job's
// settings, character and outDir optional); LiveStreamOptions.models shares loaded models between
// streams (a server opens one LiveModels and closes it on shutdown); LiveStream adds emotionNames,
// lookAheadSeconds and appliedEmotionKeys (the recording's sidecar); stats adds
// maxSecondsBehindRealTime and retainedSamples; emotion keys are LiveEmotionKey; push() and end()
// take an optional receivedAt (performance.now() ms), when the audio reached the caller.
import { frameTargetSample, type Rational } from '@a2f/animation';
import { StreamResampler } from '@a2f/audio';
import { modelChannels, type EmotionKey, type FrameStream } from '@a2f/inference';
import { JobError } from './errors.js';
import { LiveEmotion, type LiveEmotionKey } from './live-emotion.js';
import { LiveModels, type LiveModelLease } from './live-models.js';
import { resolveSettings, type JobSettings, type JobSettingsInput } from './settings.js';
import { isAutoEmotion } from './voice-emotion.js';

export type { LiveEmotionKey } from './live-emotion.js';

/** The client PCM rates a stream takes (NVIDIA's service takes 16 000–144 000 Hz). */
export const LIVE_SAMPLE_RATES = { min: 16000, max: 144000 } as const;

/**
 * The run settings of `a2f run` (settings-schema.ts); the character and output folder are
 * optional, as a stream records nothing itself. Binding settings (jaw, channel filters, layering,
 * preset) and output settings apply to a recorded layer, not to the frames.
 */
export type LiveSettingsInput = Omit<JobSettingsInput, 'character' | 'outDir'> & {
  readonly character?: string;
  readonly outDir?: string;
};

export interface LiveStreamOptions {
  readonly settings: LiveSettingsInput;
  /** the client's PCM rate, 16 000..144 000 Hz; resampled to the model's 16 kHz as `a2f run` does */
  readonly sampleRate: number;
  /** problems that do not stop the stream: unknown emotion names, late emotion keys */
  readonly onWarning?: (msg: string) => void;
  /**
   * The models streams share (a server holds one for its lifetime, so each stream does not load
   * the model again). Default: a LiveModels of the stream's own, closed when it ends.
   */
  readonly models?: LiveModels;
}

/** One frame: index from 0 at the stream's start, timeSeconds = index / fps. */
export interface LiveFrame {
  readonly index: number;
  readonly timeSeconds: number;
  /** blendshape weights in LiveStream.blendShapeNames order */
  readonly weights: Float32Array;
  /** the explicit emotion the network was fed for this frame (models with an emotion input) */
  readonly emotions?: Record<string, number>;
}

export interface LiveStats {
  /** seconds of client audio received */
  readonly audioSeconds: number;
  readonly framesOut: number;
  /**
   * How long after the audio its window needs arrived the latest frame came out (wall clock),
   * i.e. the lag beyond the window's look-ahead: compute, the resampler's filter and any backlog.
   * Grows without bound for a stream the machine cannot run in real time.
   */
  readonly secondsBehindRealTime: number;
  /** the largest secondsBehindRealTime so far */
  readonly maxSecondsBehindRealTime: number;
  /** 16 kHz samples the stream holds now: the next frame's window and what arrived after it (O(window)) */
  readonly retainedSamples: number;
}

export interface LiveStream {
  /** the order of LiveFrame.weights: the model's blendshape channels */
  readonly blendShapeNames: readonly string[];
  /** the explicit emotions the model takes (keys name these), or null: no emotion input */
  readonly emotionNames: readonly string[] | null;
  /** frames per second (the run's fps setting, 30 by default) */
  readonly fps: number;
  /** the seconds of audio past a frame's time that its window needs: bufferLength − bufferOffset at 16 kHz */
  readonly lookAheadSeconds: number;
  /**
   * The next PCM samples (mono, 16-bit) and emotion keys; resolves with the frames now computable,
   * in order. Calls queue. `receivedAt` (performance.now() ms, default: the call) is when the audio
   * reached the caller, so a caller's own backlog counts in stats.secondsBehindRealTime.
   */
  push(pcm: Int16Array, emotionKeys?: readonly LiveEmotionKey[], receivedAt?: number): Promise<LiveFrame[]>;
  /** No more audio: the remaining frames (the last windows, zeros past the end, as `a2f run`); the stream closes. */
  end(receivedAt?: number): Promise<LiveFrame[]>;
  /** Abandons the stream (the client is gone): frees everything; pending calls reject. Idempotent. */
  close(): void;
  readonly stats: LiveStats;
  /**
   * The emotion keys as the frames used them (docs/live-engine.md#emotion): a sidecar
   * `{"emotions": [{"time": …, <name>: …}]}` of them beside the recorded audio makes `a2f run`
   * give the stream's frames. Empty when no key reached the model.
   */
  readonly appliedEmotionKeys: readonly EmotionKey[];
}

/** Opens a stream; rejects with the job's errors (bad settings, a model that does not load or cannot run live). */
export async function openLiveStream(opts: LiveStreamOptions): Promise<LiveStream> {
  const settings = resolveLiveSettings(opts.settings);
  const rate = opts.sampleRate;
  if (!Number.isInteger(rate) || rate < LIVE_SAMPLE_RATES.min || rate > LIVE_SAMPLE_RATES.max) {
    throw new JobError(
      'BAD_SETTING',
      'sampleRate',
      `${String(rate)} Hz is not a whole number of Hz from ${LIVE_SAMPLE_RATES.min} to ${LIVE_SAMPLE_RATES.max}`,
      'Send 16-bit mono PCM at 16 000 to 144 000 Hz.',
    );
  }
  const own = opts.models === undefined;
  const models = opts.models ?? new LiveModels();
  let lease: LiveModelLease | undefined;
  try {
    lease = await models.acquire(settings);
    const { engine, emotion } = lease.model;
    const modelRate = engine.pack.audio.sampleRate;
    const resampler = await StreamResampler.create(rate, modelRate);
    let frames: FrameStream;
    try {
      frames = await engine.openStream({
        fps: settings.fps,
        seed: settings.seed,
        blinks: {
          enabled: settings.blinks,
          ...(settings.blinkIntervalSeconds === undefined ? {} : { intervalSeconds: settings.blinkIntervalSeconds }),
        },
        ...(emotion ? { emotion, emotionSource: '--emotion' } : {}),
      });
    } catch (err) {
      resampler.close();
      throw err;
    }
    const names = modelChannels(engine.pack).blendShapes;
    return new Live(settings.fps, rate, modelRate, names, engine.emotionNames, resampler, frames, emotion ?? [], lease, {
      ...(opts.onWarning ? { warn: opts.onWarning } : {}),
      ...(own ? { models } : {}),
    });
  } catch (err) {
    lease?.release();
    if (own) await models.close();
    throw err;
  }
}

/** The job's settings checks and defaults; a stream needs no character or output folder. */
function resolveLiveSettings(input: LiveSettingsInput): JobSettings {
  // Placeholders only satisfy the job's required settings: nothing here reads or writes them.
  const settings = resolveSettings({ character: 'live-stream', outDir: 'live-stream', ...input } as JobSettingsInput);
  if (settings.a2e !== undefined || (settings.emotion !== undefined && isAutoEmotion(settings.emotion))) {
    throw new JobError(
      'BAD_SETTING',
      settings.a2e !== undefined ? '--a2e' : '--emotion',
      'emotion from the voice (Audio2Emotion) does not run live: it reads windows around each frame that the stream has not received yet',
      'Leave out --a2e and --emotion auto for live streams and send emotion keys with the audio, ' +
        'or record the stream and run it with --a2e.',
    );
  }
  return settings;
}

/** A push's audio: where it ends on the model's sample clock, and when it arrived (ms, performance.now). */
interface Arrival {
  readonly end: number;
  readonly at: number;
}

const INT16_SCALE = 1 / 32768;

class Live implements LiveStream {
  readonly fps: number;
  readonly lookAheadSeconds: number;
  private chain: Promise<unknown> = Promise.resolve();
  private state: 'open' | 'ended' | 'closed' = 'open';
  private failure: unknown;
  private received = 0;
  private framesOut = 0;
  private lag = 0;
  private maxLag = 0;
  private arrivals: Arrival[] = [];
  private endedAt: number | undefined;
  private readonly emotion: LiveEmotion | null;
  private warnedNoEmotion = false;
  private released = false;

  constructor(
    private readonly rational: Rational,
    private readonly rate: number,
    private readonly modelRate: number,
    readonly blendShapeNames: readonly string[],
    readonly emotionNames: readonly string[] | null,
    private readonly resampler: StreamResampler,
    private readonly frames: FrameStream,
    base: readonly EmotionKey[],
    private readonly lease: LiveModelLease,
    private readonly own: { readonly warn?: (msg: string) => void; readonly models?: LiveModels },
  ) {
    this.fps = rational.num / rational.den;
    this.lookAheadSeconds = frames.lookAheadSamples / modelRate;
    this.emotion = emotionNames ? new LiveEmotion(emotionNames, base, (m) => this.warn(m)) : null;
  }

  get stats(): LiveStats {
    return {
      audioSeconds: this.received / this.rate,
      framesOut: this.framesOut,
      secondsBehindRealTime: this.lag,
      maxSecondsBehindRealTime: this.maxLag,
      retainedSamples: this.frames.retainedSamples,
    };
  }

  get appliedEmotionKeys(): readonly EmotionKey[] {
    return this.emotion?.applied ?? [];
  }

  push(pcm: Int16Array, emotionKeys?: readonly LiveEmotionKey[], receivedAt?: number): Promise<LiveFrame[]> {
    const at = receivedAt ?? performance.now();
    if (!(pcm instanceof Int16Array)) {
      return Promise.reject(
        new JobError('BAD_AUDIO', 'live stream', 'push() takes an Int16Array of mono PCM', 'Pass the samples as Int16Array.'),
      );
    }
    return this.enqueue('push', () => this.take(pcm, emotionKeys, at));
  }

  end(receivedAt?: number): Promise<LiveFrame[]> {
    const at = receivedAt ?? performance.now();
    const ending = this.enqueue('end', async () => {
      this.endedAt = at;
      this.frames.append(this.resampler.finish());
      this.frames.end();
      try {
        return await this.drain();
      } finally {
        await this.release();
      }
    });
    // Pushes after end() are refused at once, not queued behind it.
    if (this.state === 'open') this.state = 'ended';
    return ending;
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    void this.release();
  }

  private warn(msg: string): void {
    this.own.warn?.(msg);
  }

  /** Runs calls one after another; a failed call fails the stream, and every later call with it. */
  private enqueue<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') {
      const problem = this.state === 'ended' ? 'the stream has ended' : 'the stream is closed';
      return Promise.reject(new JobError('STREAM_CLOSED', 'live stream', `${what}() after ${problem}`, 'Open a new stream.'));
    }
    const run = this.chain.then(() => {
      if (this.failure !== undefined) throw this.failure;
      if (this.state === 'closed') throw new JobError('STREAM_CLOSED', 'live stream', 'the stream was closed', 'Open a new stream.');
      return fn();
    });
    this.chain = run.catch((err: unknown) => {
      this.failure ??= err;
      // Dead workers fail every stream on the engine: later streams get a new one (as ContextPool retires a context).
      if ((err as { code?: unknown }).code === 'WORKER_CRASHED') this.lease.retire();
    });
    return run;
  }

  private async take(pcm: Int16Array, keys: readonly LiveEmotionKey[] | undefined, at: number): Promise<LiveFrame[]> {
    if (keys?.length) this.addKeys(keys);
    const out: LiveFrame[] = [];
    // At most a second at a time, so one big push is held as 16 kHz audio a second at a time.
    const step = this.rate;
    const slice = new Float32Array(Math.min(step, pcm.length));
    for (let from = 0; from < pcm.length; from += step) {
      const n = Math.min(step, pcm.length - from);
      const x = slice.subarray(0, n);
      for (let i = 0; i < n; i++) x[i] = pcm[from + i] * INT16_SCALE;
      this.received += n;
      this.arrivals.push({ end: (this.received * this.modelRate) / this.rate, at });
      this.frames.append(this.resampler.push(x));
      for (const f of await this.drain()) out.push(f);
    }
    return out;
  }

  private addKeys(keys: readonly LiveEmotionKey[]): void {
    if (!this.emotion) {
      if (!this.warnedNoEmotion) this.warn('the model has no emotion input; emotion keys are ignored');
      this.warnedNoEmotion = true;
      return;
    }
    if (this.emotion.add(keys, this.frameTime(this.frames.frames))) this.frames.setEmotion(this.emotion.current);
  }

  /** Frame k's time as the network reads emotion at it: its target sample over the model's rate. */
  private frameTime(k: number): number {
    return frameTargetSample(k, this.rational, this.modelRate) / this.modelRate;
  }

  /** Runs every frame that is ready, in order. */
  private async drain(): Promise<LiveFrame[]> {
    const out: LiveFrame[] = [];
    for (;;) {
      const ready = this.frames.ready;
      if (ready === 0) return out;
      const last = this.frames.frames + ready - 1;
      if (this.emotion) {
        const before = this.emotion.current;
        this.emotion.commit(this.frameTime(last), () => this.frames.emotionAt(last));
        if (this.emotion.current !== before) this.frames.setEmotion(this.emotion.current);
      }
      const chunk = await this.frames.next();
      if (!chunk) return out;
      if (this.state === 'closed') throw new JobError('STREAM_CLOSED', 'live stream', 'the stream was closed', 'Open a new stream.');
      const { anim, first } = chunk;
      const C = anim.channels.length;
      for (let f = 0; f < anim.frameCount; f++) {
        const index = first + f;
        const emotions = this.emotionValues(index);
        out.push({
          index,
          timeSeconds: (index * this.rational.den) / this.rational.num,
          weights: anim.weights.slice(f * C, (f + 1) * C),
          ...(emotions ? { emotions } : {}),
        });
      }
      this.framesOut += anim.frameCount;
      this.noteLag(first + anim.frameCount - 1);
    }
  }

  private emotionValues(index: number): Record<string, number> | undefined {
    const names = this.emotionNames;
    if (!names) return undefined;
    const values = this.frames.emotionAt(index);
    return values ? Object.fromEntries(names.map((n, i) => [n, values[i]])) : undefined;
  }

  /** The lag of frame k: now, less when the audio completing its window arrived (the end() call for windows past the end). */
  private noteLag(k: number): void {
    const windowEnd = frameTargetSample(k, this.rational, this.modelRate) + this.frames.lookAheadSamples;
    let i = 0;
    while (i < this.arrivals.length && this.arrivals[i].end < windowEnd) i++;
    const arrived = i < this.arrivals.length ? this.arrivals[i].at : (this.endedAt ?? performance.now());
    // Pushes before the one that completed this window concern no later frame.
    if (i > 0) this.arrivals = this.arrivals.slice(i);
    this.lag = Math.max(0, (performance.now() - arrived) / 1000);
    this.maxLag = Math.max(this.maxLag, this.lag);
  }

  /** Gives the model back (and closes the stream's own models); the resampler is freed. Once. */
  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.resampler.close();
    this.frames.close();
    this.lease.release();
    await this.own.models?.close();
  }
}
