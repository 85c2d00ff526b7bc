// The playback clock. With audio, the <audio> element's currentTime IS the clock, so the picture
// follows the sound (never the other way round); without audio, a timer on performance.now().

export interface Clock {
  readonly playing: boolean;
  /** Stopped because the media ran out (a timer never does). */
  readonly ended: boolean;
  /** Seconds from the start of the animation. */
  time(): number;
  play(): Promise<void>;
  pause(): void;
  seek(seconds: number): void;
  setRate(rate: number): void;
}

/** The clock of an <audio> element playing the page's WAV from a blob: URL. */
export class AudioClock implements Clock {
  constructor(readonly audio: HTMLAudioElement) {
    // Keep the voice's pitch at 0.25×–2× (MDN: HTMLMediaElement.preservesPitch).
    audio.preservesPitch = true;
    audio.preload = 'auto';
  }
  get playing(): boolean {
    return !this.audio.paused && !this.audio.ended;
  }
  get ended(): boolean {
    return this.audio.ended;
  }
  time(): number {
    return this.audio.currentTime;
  }
  play(): Promise<void> {
    return this.audio.play();
  }
  pause(): void {
    this.audio.pause();
  }
  seek(seconds: number): void {
    this.audio.currentTime = seconds;
  }
  setRate(rate: number): void {
    this.audio.playbackRate = rate;
  }
}

/** A page with no audio: time runs from performance.now() at the chosen rate. */
export class TimerClock implements Clock {
  private origin = 0;
  private at = 0;
  private rate = 1;
  playing = false;
  readonly ended = false;

  time(): number {
    return this.playing ? this.at + ((performance.now() - this.origin) / 1000) * this.rate : this.at;
  }
  play(): Promise<void> {
    if (!this.playing) {
      this.origin = performance.now();
      this.playing = true;
    }
    return Promise.resolve();
  }
  pause(): void {
    this.at = this.time();
    this.playing = false;
  }
  seek(seconds: number): void {
    this.at = seconds;
    this.origin = performance.now();
  }
  setRate(rate: number): void {
    this.at = this.time();
    this.origin = performance.now();
    this.rate = rate;
  }
}
