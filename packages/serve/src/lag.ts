/**
 * How far a stream's frames run behind real time (docs/serve/protocol.md#slow-streams). A frame is
 * due when the audio it needs has arrived and not before its time code would play from the first
 * chunk on (a client that uploads faster than real time is not owed faster frames); its lag is
 * when it went out minus when it was due. A stream late by more than `limitS` for `forS` seconds on
 * end is slow, and its status says so.
 */
export class LagMeter {
  private start: number | undefined;
  private lateSince: number | undefined;
  /** the longest lag seen, seconds */
  maxLag = 0;
  /** the longest stretch spent late, seconds */
  lateFor = 0;
  slow = false;
  /** the first frame's lag behind its due time, seconds (first-frame latency, for the bench) */
  firstLag: number | undefined;
  private lagSum = 0;
  private frames = 0;

  constructor(
    readonly lookaheadS: number,
    readonly limitS = 1,
    readonly forS = 3,
  ) {}

  /** The stream's first audio arrived at `at` (ms): the real-time clock starts there. */
  audioStarted(at: number): void {
    this.start ??= at;
  }

  /** A frame with time code `t` went out at `now`, computed from audio that arrived at `arrived` (ms clocks). */
  frame(t: number, arrived: number, now: number): void {
    this.start ??= arrived;
    const due = Math.max(arrived, this.start + (t + this.lookaheadS) * 1000);
    const lag = Math.max(0, (now - due) / 1000);
    this.firstLag ??= lag;
    this.lagSum += lag;
    this.frames++;
    this.maxLag = Math.max(this.maxLag, lag);
    if (lag <= this.limitS) {
      this.lateSince = undefined;
      return;
    }
    this.lateSince ??= now;
    const late = (now - this.lateSince) / 1000;
    this.lateFor = Math.max(this.lateFor, late);
    if (late >= this.forS) this.slow = true;
  }

  /** Mean lag over the frames so far (steady-state lag, for the bench). */
  get meanLag(): number {
    return this.frames ? this.lagSum / this.frames : 0;
  }
}
