// One ProcessAudioStream call: header → audio chunks → end of audio in; header → frames → event →
// status out (docs/serve/protocol.md). Messages are handled one at a time in order; the call's
// reading pauses while a backlog is computed, but never waits on the client reading its answers,
// so a client that sends everything before it reads (Maya-ACE) works.
import type { ServerDuplexStream } from '@grpc/grpc-js';
import { status } from '@grpc/grpc-js';
import { isA2fError } from '@a2f/base';
import { openLiveStream, type LiveFrame, type LiveStream } from '@a2f/pipeline';
import { AudioEcho } from './audio-echo.js';
import { StreamError } from './errors.js';
import { LagMeter } from './lag.js';
import { EMOTION_AGGREGATE_TYPE } from './proto-load.js';
import type { RecordTake } from './record.js';
import type { StreamContext } from './stream-context.js';
import {
  adjustWeights,
  checkEmotionKey,
  planStream,
  planWeights,
  type EmotionKey,
  type EmotionKeyMsg,
  type StreamHeaderMsg,
  type WeightAdjust,
} from './validate.js';

export interface AudioStreamMsg {
  stream_part?: 'audio_stream_header' | 'audio_with_emotion' | 'end_of_audio';
  audio_stream_header?: StreamHeaderMsg;
  audio_with_emotion?: { audio_buffer?: Uint8Array; emotions?: EmotionKeyMsg[] };
  end_of_audio?: Record<string, never>;
}

/** Messages waiting while one is computed before the call stops reading (HTTP/2 flow control holds the rest). */
const MAX_BACKLOG = 8;

export class StreamCall {
  private state: 'header' | 'audio' | 'done' = 'header';
  private live: LiveStream | undefined;
  private echo: AudioEcho | undefined;
  private adjust: WeightAdjust | undefined;
  private take: RecordTake | undefined;
  private lag: LagMeter | undefined;
  private readonly warnings = new Set<string>();
  /** client emotion keys not yet reported in a frame's input_emotions */
  private newKeys: EmotionKey[] = [];
  /** emotion keys of the header (beginning_emotion), for the model with the first chunk */
  private firstKeys: EmotionKey[] = [];
  private chain: Promise<void> = Promise.resolve();
  private backlog = 0;
  private idle: NodeJS.Timeout | undefined;
  private framesOut = 0;
  private readonly opened = Date.now();

  constructor(
    private readonly call: ServerDuplexStream<AudioStreamMsg, unknown>,
    private readonly ctx: StreamContext,
    readonly id: number,
  ) {
    // Arrival is taken here, not when the message's turn comes: a backlog counts as lag.
    call.on('data', (m: AudioStreamMsg) => {
      const at = performance.now();
      // Silence is the client's: the idle clock restarts when a message arrives, however long its turn waits.
      this.touch();
      this.enqueue(() => this.onMessage(m, at));
    });
    // The controller protocol ends the audio with end_of_audio (docs/serve/protocol.md#message-order); a
    // call whose reading side ends first is a client gone away (grpc-js reports a cancel only after
    // that side ends) or one that skipped it: either way the stream stops, and nothing is recorded.
    call.on('end', () =>
      // After the messages before it: a client that sent end_of_audio and then closed (Maya-ACE) is done by then.
      this.enqueue(() => {
        if (call.cancelled) return this.abandon('the client cancelled the call');
        throw bad(
          'the client closed its side (or went away) without end_of_audio',
          'Send end_of_audio after the audio, then read the answer to its end',
        );
      }),
    );
    call.on('cancelled', () => this.abandon('the client cancelled the call'));
    call.on('error', () => this.abandon('the call failed'));
    this.touch();
  }

  private enqueue(step: () => unknown): void {
    if (++this.backlog > MAX_BACKLOG) this.call.pause();
    this.chain = this.chain
      .then(async () => {
        if (this.state !== 'done') await step();
      })
      .catch((err) => this.fail(err))
      .finally(() => {
        if (--this.backlog <= MAX_BACKLOG && this.call.isPaused()) this.call.resume();
      });
  }

  private touch(): void {
    clearTimeout(this.idle);
    if (this.state === 'done') return;
    const s = this.ctx.limits.idleSeconds;
    this.idle = setTimeout(() => {
      this.fail(
        new StreamError(status.DEADLINE_EXCEEDED, `no message arrived for ${s} s. Send audio at least every ${s} s, then end_of_audio.`),
      );
    }, s * 1000);
    this.idle.unref();
  }

  private async onMessage(m: AudioStreamMsg, arrived: number): Promise<void> {
    switch (m.stream_part) {
      case 'audio_stream_header':
        if (this.state !== 'header')
          throw bad('a second audio_stream_header arrived', 'Send the header once, first; start a new call for another clip.');
        return this.onHeader(m.audio_stream_header ?? {});
      case 'audio_with_emotion':
        if (this.state === 'header')
          throw bad('audio_with_emotion arrived before audio_stream_header', 'Send the audio_stream_header as the first message.');
        return this.onAudio(m.audio_with_emotion ?? {}, arrived);
      case 'end_of_audio':
        if (this.state === 'header')
          throw bad('end_of_audio arrived before audio_stream_header', 'Send the audio_stream_header first, then audio.');
        return this.onEndOfAudio(arrived);
      default:
        throw bad('a message with no stream_part arrived', 'Set one of audio_stream_header, audio_with_emotion or end_of_audio.');
    }
  }

  private async onHeader(header: StreamHeaderMsg): Promise<void> {
    const { ctx } = this;
    const plan = planStream(header, ctx.modelParams);
    for (const w of plan.warnings) this.warn(w);
    this.live = await openLiveStream({
      settings: ctx.streamSettings(plan),
      sampleRate: plan.sampleRate,
      onWarning: (w) => this.warn(w),
      models: ctx.models,
    });
    if (this.state === 'done') {
      // The client left while the model was loading.
      this.live.close();
      return;
    }
    this.state = 'audio';
    this.adjust = planWeights(header.blendshape_params, this.live.blendShapeNames, (w) => this.warn(w));
    this.echo = new AudioEcho(plan.sampleRate, this.live.fps);
    this.lag = new LagMeter(this.live.lookAheadSeconds);
    if (plan.beginning) {
      this.newKeys.push(plan.beginning);
      this.firstKeys.push(plan.beginning);
    }
    this.take = ctx.recorder?.begin(plan.sampleRate, plan);
    this.send({
      animation_data_stream_header: {
        audio_header: { audio_format: 'AUDIO_FORMAT_PCM', channel_count: 1, samples_per_second: plan.sampleRate, bits_per_sample: 16 },
        skel_animation_header: { blend_shapes: this.live.blendShapeNames.map(nvidiaSpelling), joints: [] },
        start_time_code_since_epoch: this.opened / 1000,
      },
    });
    ctx.log({ event: 'stream-open', stream: this.id, sampleRate: plan.sampleRate, warnings: plan.warnings });
  }

  private async onAudio(msg: { audio_buffer?: Uint8Array; emotions?: EmotionKeyMsg[] }, arrived: number): Promise<void> {
    const echo = this.echo as AudioEcho;
    const { limits } = this.ctx;
    const bytes = msg.audio_buffer ?? new Uint8Array(0);
    const seconds = bytes.length / 2 / echo.sampleRate;
    if (seconds > limits.maxChunkSeconds)
      throw bad(
        `an audio_with_emotion.audio_buffer holds ${seconds.toFixed(2)} s of audio, over the ${limits.maxChunkSeconds} s a chunk may hold`,
        `Send the audio in chunks of at most ${limits.maxChunkSeconds} s (the server's --max-chunk-seconds).`,
      );
    if (limits.maxSeconds > 0 && (echo.received + bytes.length / 2) / echo.sampleRate > limits.maxSeconds)
      throw new StreamError(
        status.OUT_OF_RANGE,
        `the clip is longer than the ${limits.maxSeconds} s this server takes in one stream. ` +
          'Split the audio into clips of at most that length (or start the server with a larger --max-seconds).',
      );
    const keys = (msg.emotions ?? []).map((k, i) => checkEmotionKey(k, `audio_with_emotion.emotions[${i}]`, (w) => this.warn(w)));
    this.newKeys.push(...keys);
    (this.lag as LagMeter).audioStarted(arrived);
    const pcm = echo.push(bytes);
    this.take?.write(pcm);
    // beginning_emotion goes to the model with the first chunk, before that chunk's own keys.
    const toModel = [...this.firstKeys.splice(0), ...keys];
    const frames = await (this.live as LiveStream).push(pcm, toModel.length ? toModel : undefined, arrived);
    this.sendFrames(frames, arrived, false);
  }

  private async onEndOfAudio(arrived: number): Promise<void> {
    const live = this.live as LiveStream;
    const echo = this.echo as AudioEcho;
    if (echo.oddByte) this.warn('the audio ended half-way through a 16-bit sample; that last byte was dropped');
    const frames = await live.end(arrived);
    this.sendFrames(frames, arrived, true);
    this.send({ event: { event_type: 'END_OF_A2F_AUDIO_PROCESSING' } });
    const lag = this.lag as LagMeter;
    if (lag.slow)
      this.warn(
        `the stream ran slower than real time: frames were up to ${lag.maxLag.toFixed(1)} s late, for ${lag.lateFor.toFixed(1)} s ` +
          'on end (this machine is too busy; lower --max-streams or use a smaller model)',
      );
    const warnings = [...this.warnings];
    this.send({
      status: warnings.length
        ? { code: 'WARNING', message: `Audio processing completed with warnings: ${warnings.join('; ')}` }
        : { code: 'SUCCESS', message: 'Audio processing completed successfully' },
    });
    const seconds = echo.received / echo.sampleRate;
    this.finish();
    this.call.end();
    this.ctx.log({
      event: 'stream-end',
      stream: this.id,
      seconds,
      frames: this.framesOut,
      firstFrameLagSeconds: lag.firstLag,
      meanLagSeconds: lag.meanLag,
      maxLagSeconds: lag.maxLag,
      engineMaxSecondsBehind: live.stats.maxSecondsBehindRealTime,
      slow: lag.slow,
      warnings,
    });
    this.take?.finish(this.id, live.appliedEmotionKeys);
    this.take = undefined;
  }

  private sendFrames(frames: readonly LiveFrame[], arrived: number, last: boolean): void {
    const echo = this.echo as AudioEcho;
    const lag = this.lag as LagMeter;
    frames.forEach((f, n) => {
      const final = last && n === frames.length - 1;
      const start = echo.firstHeld;
      const audio = echo.take(final ? Number.POSITIVE_INFINITY : echo.frameEnd(f.index));
      const input = this.newKeys;
      this.newKeys = [];
      const aggregate =
        input.length || f.emotions
          ? {
              emotion_aggregate: {
                '@type': EMOTION_AGGREGATE_TYPE,
                input_emotions: input.map((k) => ({ time_code: k.timeSeconds, emotion: k.emotions })),
                a2e_output: [],
                a2f_smoothed_output: f.emotions ? [{ time_code: f.timeSeconds, emotion: f.emotions }] : [],
              },
            }
          : {};
      this.send({
        animation_data: {
          skel_animation: {
            blend_shape_weights: [{ time_code: f.timeSeconds, values: adjustWeights(f.weights, this.adjust as WeightAdjust) }],
          },
          ...(audio.length ? { audio: { time_code: start / echo.sampleRate, audio_buffer: audio } } : {}),
          metadata: aggregate,
        },
      });
      this.framesOut++;
      lag.frame(f.timeSeconds, arrived, performance.now());
    });
  }

  private send(msg: unknown): void {
    // Not waiting for 'drain': a client may read only once it has sent everything (docs/serve/protocol.md#flow-control).
    this.call.write(msg);
  }

  private warn(msg: string): void {
    if (this.warnings.has(msg)) return;
    this.warnings.add(msg);
  }

  /** Ends the call with an error status (after an in-stream ERROR status once the header went out). */
  private fail(err: unknown): void {
    if (this.state === 'done') return;
    const { code, message } = toStatus(err);
    if (this.live) this.send({ status: { code: 'ERROR', message } });
    this.finish();
    this.take?.abort();
    this.take = undefined;
    this.ctx.log({ event: 'stream-error', stream: this.id, code: status[code], message });
    this.call.emit('error', { code, details: message });
  }

  /** The client is gone: free everything, write nothing. */
  private abandon(why: string): void {
    if (this.state === 'done') return;
    this.finish();
    this.take?.abort();
    this.take = undefined;
    this.ctx.log({ event: 'stream-gone', stream: this.id, message: why });
  }

  private finish(): void {
    this.state = 'done';
    clearTimeout(this.idle);
    this.live?.close();
    this.ctx.release(this);
  }
}

/**
 * NVIDIA's service names the ARKit shapes in PascalCase (EyeBlinkLeft), ARKit and most models in
 * camelCase (eyeBlinkLeft); clients such as Maya-ACE match the header's names to a character's
 * targets, so they go out in NVIDIA's spelling (docs/serve/protocol.md#message-order).
 */
const nvidiaSpelling = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1);

function toStatus(err: unknown): { code: status; message: string } {
  if (err instanceof StreamError) return { code: err.code, message: err.message };
  // The model refusing a header's parameter (a value out of its range) is the client's to fix.
  if (isA2fError(err) && (err.code === 'BAD_OPTION' || err.code === 'BAD_SETTING'))
    return { code: status.INVALID_ARGUMENT, message: err.message };
  return { code: status.INTERNAL, message: `the server failed: ${err instanceof Error ? err.message : String(err)}` };
}

const bad = (problem: string, fix: string) => new StreamError(status.INVALID_ARGUMENT, `${problem}. ${fix}`);
