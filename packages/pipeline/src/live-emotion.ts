import type { EmotionKey } from '@a2f/inference';

/** An emotion key as a live client sends it: seconds from the start of the stream, emotion name → strength 0..1. */
export interface LiveEmotionKey {
  readonly timeSeconds: number;
  readonly emotions: Readonly<Record<string, number>>;
}

/**
 * A live stream's emotion keys, kept so that the frames equal a line run with them (docs/live-engine.md#emotion).
 * A key can only affect frames not yet run. A line interpolates linearly between keys and holds the
 * last one, which looks ahead to the next key; a stream cannot wait for it. So when frames up to time
 * T are run, the value they get at T is held, and a key that arrives later first pins it (a key at T):
 * the new key changes only the frames after T. The keys as the frames used them, pins included, are
 * `applied`: written as a sidecar beside the recorded audio, they make `a2f run` give the stream's frames.
 */
export class LiveEmotion {
  /**
   * the keys the frames not yet run read: from the last one at or before the commit before `committed`
   * (the frames of the latest commit may still be running), and every later one
   */
  private keys: EmotionKey[];
  /** frames up to this time (seconds) have been run */
  private committed = -1;
  /** the value at `committed` (when no key lies there): becomes a key only if a key arrives afterwards */
  private hold: EmotionKey | null = null;
  private readonly done: EmotionKey[] = [];
  /** keys up to this time (seconds) are in `done` */
  private recorded = -1;
  private readonly lower: string[];

  constructor(
    private readonly names: readonly string[],
    base: readonly EmotionKey[],
    private readonly warn: (msg: string) => void,
  ) {
    this.keys = [...base];
    this.lower = names.map((n) => n.toLowerCase());
  }

  /** The keys the frames run so far used (pins included), in time order; a sidecar of them reproduces the frames. */
  get applied(): readonly EmotionKey[] {
    return this.done;
  }

  /** The keys the next frames run with. */
  get current(): readonly EmotionKey[] {
    return this.keys;
  }

  /**
   * Adds a client's keys; `nextTime` is the time of the next frame to run. Unknown names and bad
   * values are reported and left out; a key for time already run applies from `nextTime`.
   * Returns whether the keys changed.
   */
  add(keys: readonly LiveEmotionKey[], nextTime: number): boolean {
    let changed = false;
    for (const key of keys) {
      const emotions: Record<string, number> = {};
      for (const [name, value] of Object.entries(key.emotions)) {
        const i = this.lower.indexOf(name.toLowerCase());
        if (i < 0) {
          this.warn(`emotion "${name}" is not one of the model's (${this.names.join(', ')}); ignored`);
          continue;
        }
        if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
          this.warn(`emotion "${name}" has strength ${String(value)}, outside 0..1; ignored`);
          continue;
        }
        emotions[this.names[i]] = value;
      }
      if (Object.keys(emotions).length === 0) {
        if (Object.keys(key.emotions).length > 0)
          this.warn(`the emotion key at ${key.timeSeconds} s names no emotion of the model; ignored`);
        continue;
      }
      let time = key.timeSeconds;
      if (typeof time !== 'number' || !Number.isFinite(time) || time < 0) {
        this.warn(`an emotion key has time ${String(time)}, not seconds ≥ 0; ignored`);
        continue;
      }
      if (time <= this.committed) {
        this.warn(
          `the emotion key at ${time} s arrived after the frames up to ${this.committed} s were sent; it applies from ${nextTime} s`,
        );
        time = nextTime;
      }
      this.materializeHold();
      this.insert({ time, emotions });
      changed = true;
    }
    return changed;
  }

  /**
   * Frames after the last commit and up to time `time` are about to run; `valueAt()` is the explicit
   * emotion the current keys give at `time` (the network's order). That value is held: a key that
   * arrives later makes it a key at `time` first, so those frames keep it. The frames about to run
   * still read the keys around them: only keys before the last one at or before the previous commit
   * are dropped (those shape no frame to come).
   */
  commit(time: number, valueAt: () => Float32Array | null): void {
    if (time <= this.committed) return;
    this.dropBefore(this.committed);
    // Held, not inserted: while no key arrives the current keys already give these frames, so a
    // stream whose keys all came early gets no pins however many pushes it takes.
    this.hold = null;
    if (!this.keys.some((k) => k.time === time)) {
      const value = valueAt();
      if (value) this.hold = { time, emotions: Object.fromEntries(this.names.map((n, i) => [n, value[i]])) };
    }
    this.committed = time;
    // Keys at or before `time` are final: record those not recorded yet, in time order.
    for (const key of this.keys) if (key.time > this.recorded && key.time <= time) this.done.push(key);
    this.recorded = Math.max(this.recorded, time);
  }

  /** Drops the keys before the last one at or before `time`: frames after `time` read none of them. */
  private dropBefore(time: number): void {
    let last = -1;
    for (let i = 0; i < this.keys.length && this.keys[i].time <= time; i++) last = i;
    if (last > 0) this.keys = this.keys.slice(last);
  }

  /** The held value becomes a key: a later key now bounds the frames after it, not those already run. */
  private materializeHold(): void {
    if (!this.hold) return;
    const hold = this.hold;
    this.hold = null;
    // The frames up to it have run and no recorded key lies at or after its time: it is final, and the
    // last key the frames after it start from (keys after it stay).
    this.insert(hold);
    this.done.push(hold);
    this.recorded = hold.time;
    this.keys = this.keys.slice(this.keys.indexOf(hold));
  }

  /**
   * Sorted insert; a key at a time that already has one replaces it (the later message wins). A new
   * array, so a caller that compares `current` before and after sees the change.
   */
  private insert(key: EmotionKey): void {
    const at = this.keys.findIndex((k) => k.time >= key.time);
    if (at < 0) this.keys = [...this.keys, key];
    else this.keys = [...this.keys.slice(0, at), key, ...this.keys.slice(at + (this.keys[at].time === key.time ? 1 : 0))];
  }
}
