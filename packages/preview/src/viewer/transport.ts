// Play, pause, seek, step, loop and speed over one clock. While playing, every animation frame asks
// the clock for its time and shows rig.frameAt(time): the frame on screen is the one the audio is in,
// and a slow draw skips frames rather than drifting (docs/preview.md, "The page").
import type { PreviewState } from '../page-api.js';
import type { Clock } from './clock.js';

export interface TransportHost {
  readonly fps: number;
  readonly frames: number;
  frameAt(seconds: number): number;
  /** Shows a frame (poses the rig); `sync` draws before returning. */
  show(frame: number, sync: boolean): void;
}

export class Transport {
  private frame = 0;
  private chosenAt = 0;
  private raf = 0;
  private rate = 1;
  private active = false;
  drawn = 0;
  skipped = 0;
  readonly loop = { in: 0, out: 0, on: false };
  /** Told whenever the frame, play state, loop or rate changes (the controls and the curves' playhead listen). */
  readonly listeners: ((t: Transport) => void)[] = [];

  constructor(
    private readonly host: TransportHost,
    readonly clock: Clock,
  ) {
    this.loop.out = host.frames - 1;
  }

  get current(): number {
    return this.frame;
  }
  /**
   * Playing as the user sees it: from play() until pause() or the end. Not the clock's own state, which
   * blinks off for the moment between an <audio> that ran out and the loop's wrap.
   */
  get playing(): boolean {
    return this.active;
  }
  /** Where the animation ends: the clock stops there even when the audio runs a little longer. */
  get endSeconds(): number {
    return this.host.frames / this.host.fps;
  }

  async play(): Promise<void> {
    if (this.playing) return;
    const t = this.clock.time();
    const f = this.host.frameAt(t);
    // At the end, start again from the loop's in or from the top (an ended <audio> would restart at 0 by itself).
    const atEnd = this.clock.ended || t >= this.endSeconds - 1e-3;
    if (this.loop.on && (atEnd || f < this.loop.in || f > this.loop.out)) this.clock.seek(this.loop.in / this.host.fps);
    else if (atEnd) this.clock.seek(0);
    this.active = true;
    try {
      await this.clock.play();
    } catch (err) {
      this.active = false;
      this.notify();
      throw err;
    }
    if (!this.active) return;
    this.tick();
    this.notify();
  }

  pause(): void {
    this.active = false;
    this.clock.pause();
    cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.notify();
  }

  toggle(): void {
    if (this.playing) this.pause();
    // A refused play() (a browser's autoplay rule) leaves the page paused; the button shows it.
    else this.play().catch(() => undefined);
  }

  /** Pauses and shows a frame; `sync` draws it before returning (playblast, tests). */
  seek(frame: number, sync = false): void {
    const f = Math.min(this.host.frames - 1, Math.max(0, Math.round(frame)));
    if (this.playing) this.pause();
    // The middle of the frame's span: a media clock that rounds its time stays inside the frame.
    // Not read back from the clock: an <audio> without its metadata yet reports 0 until it loads.
    this.chosenAt = (f + 0.5) / this.host.fps;
    this.clock.seek(this.chosenAt);
    this.display(f, sync);
    this.notify();
  }

  /** Seeks to a time in seconds while keeping the play state (clicks on the curves). */
  seekSeconds(seconds: number): void {
    const wasPlaying = this.playing;
    this.seek(this.host.frameAt(Math.max(0, seconds)));
    if (wasPlaying) this.play().catch(() => undefined);
  }

  step(delta: number): void {
    this.seek(this.frame + delta);
  }

  setRate(rate: number): void {
    this.rate = Math.min(2, Math.max(0.25, rate));
    this.clock.setRate(this.rate);
    this.notify();
  }

  setLoop(inFrame: number, outFrame: number, on: boolean): void {
    const last = this.host.frames - 1;
    const a = Math.min(last, Math.max(0, Math.round(inFrame)));
    const b = Math.min(last, Math.max(0, Math.round(outFrame)));
    this.loop.in = Math.min(a, b);
    this.loop.out = Math.max(a, b);
    this.loop.on = on;
    this.notify();
  }

  state(): Omit<PreviewState, 'proxy'> {
    return {
      frame: this.frame,
      audioTime: this.chosenAt,
      playing: this.playing,
      rate: this.rate,
      loop: { ...this.loop },
      drawn: this.drawn,
      skipped: this.skipped,
    };
  }

  private tick = (): void => {
    this.raf = 0;
    // Audio shorter than the loop's range ends (and pauses) before the range does: that is a wrap too.
    if (!this.active) return;
    const ended = this.clock.ended;
    if (!this.clock.playing && !ended) {
      // Stopped from outside the page (the system paused the audio): show it as paused.
      this.active = false;
      this.notify();
      return;
    }
    let t = this.clock.time();
    const endOfRange = this.loop.on ? (this.loop.out + 1) / this.host.fps : this.endSeconds;
    let wrapped = false;
    if (t >= endOfRange || ended) {
      if (!this.loop.on) {
        // The end: stop on the last frame rather than let audio past the animation run on.
        this.active = false;
        this.clock.pause();
        this.chosenAt = t;
        this.display(this.host.frameAt(t), false);
        this.notify();
        return;
      }
      this.clock.seek(this.loop.in / this.host.fps);
      if (ended) void this.clock.play();
      t = this.clock.time();
      wrapped = true;
    }
    // A looping range never shows a frame outside it, even when the audio clock reads a little past its end.
    const at = this.host.frameAt(t);
    const f = this.loop.on ? Math.min(this.loop.out, Math.max(this.loop.in, at)) : at;
    if (wrapped || f !== this.frame) {
      // Frames the picture never showed: jumped over while drawing lagged, or cut off at a loop's wrap.
      if (wrapped) this.skipped += Math.max(0, this.loop.out - this.frame) + Math.max(0, f - this.loop.in);
      else if (f > this.frame + 1) this.skipped += f - this.frame - 1;
      this.chosenAt = t;
      this.display(f, false);
      this.notify();
    }
    this.raf = requestAnimationFrame(this.tick);
  };

  private display(frame: number, sync: boolean): void {
    this.frame = frame;
    this.host.show(frame, sync);
  }

  private notify(): void {
    for (const l of this.listeners) l(this);
  }
}
