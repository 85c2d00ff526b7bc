// What a preview page offers scripts as `window.a2fPreview`: the playblast drives it frame by frame,
// the browser tests and the benchmark read it. The page sets `window.a2fPreviewReady = true` once the
// data is decoded and the first frame is drawn, or `window.a2fPreviewError` (a message) when it failed.
// Types only, shared by the page (src/viewer/) and Node.

export type PreviewView = 'front' | 'side' | 'three-quarter';

export interface PreviewInfo {
  readonly title: string;
  readonly fps: number;
  readonly frames: number;
  readonly startTimeCode: number;
  readonly durationSeconds: number;
  readonly audioSeconds: number | null;
  /** The animation's blendshape channels and animated joints, as in the layer. */
  readonly blendShapes: readonly string[];
  readonly joints: readonly string[];
  readonly meshes: readonly {
    readonly path: string;
    readonly role: string;
    readonly points: number;
    readonly triangles: number;
    /** Triangles of its playback proxy, drawn while playing (null: none, the mesh is under the budget). */
    readonly proxyTriangles: number | null;
  }[];
  /** Milliseconds from navigation start to the first frame drawn (performance.now() at ready). */
  readonly loadMs: number;
}

export interface PreviewState {
  /** The frame index shown (0 … frames − 1). */
  readonly frame: number;
  /** The <audio> element's currentTime when that frame was chosen. */
  readonly audioTime: number;
  readonly playing: boolean;
  readonly rate: number;
  readonly loop: { readonly in: number; readonly out: number; readonly on: boolean };
  /** Frames drawn since load, and frames skipped because drawing fell behind the audio. */
  readonly drawn: number;
  readonly skipped: number;
  /** The frame shown is drawn with the playback proxy (only while playing a mesh above the budget). */
  readonly proxy: boolean;
}

/** Exactly what the curves chart holds: x in seconds, one series per channel. */
export interface PreviewCurves {
  readonly seconds: readonly number[];
  readonly series: readonly {
    readonly name: string;
    readonly group: string;
    readonly kind: 'blendShape' | 'joint';
    readonly values: readonly number[];
  }[];
}

/** A rectangle in the canvas's CSS pixels. */
export interface PixelRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PreviewApi {
  info(): PreviewInfo;
  state(): PreviewState;
  /** Pauses, shows a frame and draws it before returning. */
  setFrame(frame: number): void;
  play(): Promise<void>;
  pause(): void;
  setRate(rate: number): void;
  setLoop(inFrame: number, outFrame: number, on: boolean): void;
  /**
   * Meshes above this many triangles draw a simplified proxy of about as many while playing (default
   * 20,000; Infinity: never). Resolves once the proxies are made.
   */
  setProxyBudget(triangles: number): Promise<void>;
  curves(): PreviewCurves;
  /** The animation's raw samples at a frame (weights in blendShapes order; rotations as (real, i, j, k)). */
  samples(frame: number): {
    readonly weights: readonly number[];
    readonly translations: readonly number[];
    readonly rotations: readonly number[];
  };
  /** Where the mouth is on screen: the bounding box of the points the jaw and mouth channels move, at rest. */
  mouthRect(): PixelRect;
  /** Hides everything but the viewport, sizes it (CSS pixels, device pixel ratio 1) and sets the camera. */
  playblastMode(width: number, height: number, view: PreviewView): void;
}
