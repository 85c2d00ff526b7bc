import { blinkCurve, blinkCurveStream, type Rational } from '@a2f/animation';

/** The old A2F microservice's `blink_interval` (docs/nvidia/pack-format.md#legacy-config, docs/nvidia/postprocess.md#blinks). */
export const DEFAULT_BLINK_INTERVAL_SECONDS = 3.0;

export interface BlinkTrackOptions {
  readonly frameCount: number;
  readonly fps: Rational;
  readonly seed: number;
  /** mean seconds between blinks; default 3.0 */
  readonly intervalSeconds?: number;
  /** seconds from open to closed to open; blinkCurve's default when absent */
  readonly durationSeconds?: number;
}

/**
 * A per-frame `blink_offset` track in [0, 1] (1 = closed). The SDK never blinks and the network is
 * trained not to (docs/nvidia/postprocess.md#blinks), so blinks are synthesised and fed through the skin animator's
 * `eye_close_pose_delta · blink_offset · blink_strength` term, frame by frame.
 */
export function blinkOffsetTrack(opts: BlinkTrackOptions): Float32Array {
  return blinkCurve({
    frameCount: opts.frameCount,
    fps: opts.fps,
    seed: opts.seed,
    intervalSeconds: opts.intervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS,
    durationSeconds: opts.durationSeconds,
  });
}

/** blinkOffsetTrack for a track of unknown length (a live stream): (first, count) → the next `count` frames, in order. */
export function blinkOffsetStream(opts: Omit<BlinkTrackOptions, 'frameCount'>): (first: number, count: number) => Float32Array {
  const next = blinkCurveStream({
    fps: opts.fps,
    seed: opts.seed,
    intervalSeconds: opts.intervalSeconds ?? DEFAULT_BLINK_INTERVAL_SECONDS,
    durationSeconds: opts.durationSeconds,
  });
  return (_first, count) => next(count);
}
