// What a preview page carries: one binary blob holding a JSON header and typed arrays (points,
// triangles, blendshape offsets, per-frame weights and joint transforms, the audio as WAV). Binary,
// not JSON number arrays, so a 100 k-point face loads in a blink (docs/preview.md, "The page's data").
// This file is shared by Node (which encodes) and the page (which decodes): no Node or DOM imports.

/** Eight bytes that open every blob; the last digit is the format version. */
export const PREVIEW_MAGIC = 'A2FPREV1';

export type ArrayKind = 'f32' | 'f64' | 'u32' | 'i32' | 'u8';

/** A typed array inside the blob: its element kind, byte offset (aligned to 8) and length in elements. */
export interface BufferRef {
  readonly kind: ArrayKind;
  readonly offset: number;
  readonly length: number;
}

export interface PreviewTime {
  /** timeCodesPerSecond of the layer: frames per second of the samples. */
  readonly fps: number;
  readonly startTimeCode: number;
  readonly endTimeCode: number;
  /** endTimeCode − startTimeCode + 1: the frames the page steps through (one per integer time code). */
  readonly frames: number;
  /** Seconds of the animation: frames / fps (the audio may be a little shorter or longer). */
  readonly durationSeconds: number;
}

export interface PreviewSkeleton {
  /** Composed prim path of the Skeleton. */
  readonly path: string;
  /** The Skeleton's `joints` tokens, parents first. */
  readonly joints: readonly string[];
  /** Index of each joint's parent in `joints`, −1 for a root. */
  readonly parents: readonly number[];
  /** f64, 16 per joint: world-space bind transforms, USD row-major (row-vector) order. */
  readonly bind: BufferRef;
  /** f64, 16 per joint: joint-local rest transforms, same order. */
  readonly rest: BufferRef;
  /** f64 16: the Skeleton prim's local-to-world transform (identity when none is authored). */
  readonly world: readonly number[];
}

export interface PreviewAnimation {
  /** Composed prim path of the SkelAnimation the Skeleton's `skel:animationSource` names. */
  readonly path: string;
  /** The SkelAnimation's `blendShapes` tokens: the channels, in the order of `weights`. */
  readonly blendShapes: readonly string[];
  /** f32, frames × blendShapes.length: every frame's weights, evaluated at each integer time code. */
  readonly weights?: BufferRef;
  /** The SkelAnimation's `joints` tokens. */
  readonly joints: readonly string[];
  /** Index of each animated joint in the Skeleton's `joints`, −1 when the Skeleton has no such joint. */
  readonly jointIndex: readonly number[];
  /** f32, frames × joints × 3. */
  readonly translations?: BufferRef;
  /** f32, frames × joints × 4, quaternions as USD spells them: (real, i, j, k). */
  readonly rotations?: BufferRef;
  /** f32, frames × joints × 3. */
  readonly scales?: BufferRef;
}

export type MeshRole = 'face' | 'tongue' | 'teeth' | 'eye' | 'other';

export interface PreviewBlendShape {
  /** The mesh's `skel:blendShapes` token. */
  readonly name: string;
  /** Index of the channel that drives it in `animation.blendShapes`, −1 when none does (unbound). */
  readonly channel: number;
  /** u32 point indices (`pointIndices`); absent when the offsets cover every point. */
  readonly indices?: BufferRef;
  /** f32, 3 per offset. */
  readonly offsets: BufferRef;
}

export interface PreviewSkin {
  /** Influences per point (`elementSize`; constant primvars are expanded to every point). */
  readonly elementSize: number;
  /** u32, points × elementSize: indices into the Skeleton's `joints` (a mesh's own `skel:joints` order already mapped). */
  readonly indices: BufferRef;
  /** f32, points × elementSize. */
  readonly weights: BufferRef;
  /** f64 16: `primvars:skel:geomBindTransform` (identity when not authored). */
  readonly geomBind: readonly number[];
}

export interface PreviewMesh {
  readonly path: string;
  readonly role: MeshRole;
  /** f32, 3 per point, as authored. */
  readonly points: BufferRef;
  /** u32, 3 per triangle: faceVertexIndices fan-triangulated (holes and subdivision ignored). */
  readonly triangles: BufferRef;
  /** f32 RGB: 3 values (constant) or 3 per point (vertex); absent when no displayColor is authored. */
  readonly color?: { readonly interpolation: 'constant' | 'vertex'; readonly values: BufferRef };
  /** f64 16: the mesh prim's local-to-world transform, used when it is not skinned. */
  readonly world: readonly number[];
  readonly skin?: PreviewSkin;
  readonly blendShapes: readonly PreviewBlendShape[];
}

export interface PreviewAudio {
  /** The audio file's name (no folders: the page never shows a path of the machine that made it). */
  readonly name: string;
  readonly sha256: string;
  readonly sampleRate: number;
  readonly channels: number;
  readonly durationSeconds: number;
  /** u8: a 16-bit PCM WAV of the audio (its own rate and channels), what the page's <audio> plays. */
  readonly wav: BufferRef;
  /** f32, 2 per bucket (min, max over the mixdown): the waveform drawn under the curves. */
  readonly peaks: BufferRef;
  readonly peaksPerSecond: number;
  /** f32, one per animation frame: RMS of the mixdown over that frame's span (loud vs silent). */
  readonly rms: BufferRef;
}

/** A channel and whether it moves: the "what moved" half of the binding panel. */
export interface ChannelRange {
  readonly channel: string;
  readonly kind: 'blendShape' | 'joint';
  readonly min: number;
  readonly max: number;
}

export interface PreviewHeader {
  readonly magic: typeof PREVIEW_MAGIC;
  /** The layer's file name and the title the page shows. */
  readonly layer: { readonly name: string; readonly title: string };
  readonly time: PreviewTime;
  readonly stage: { readonly upAxis: 'Y' | 'Z'; readonly metersPerUnit: number };
  readonly skeleton: PreviewSkeleton;
  readonly animation: PreviewAnimation;
  readonly meshes: readonly PreviewMesh[];
  readonly audio?: PreviewAudio;
  /** The layer's `customLayerData.a2f` dictionary, as plain JSON (empty when a layer has none). */
  readonly provenance: Readonly<Record<string, unknown>>;
  /** The run's `<stem>.report.json` binding block when it sits beside the layer. */
  readonly binding?: unknown;
  readonly ranges: readonly ChannelRange[];
  /** Character blendshapes that no channel of the layer drives. */
  readonly unbound: readonly { readonly mesh: string; readonly blendShape: string }[];
  /** What the reader assumed or left out, shown in the page. */
  readonly notes: readonly string[];
}

type Typed = Float32Array | Float64Array | Uint32Array | Int32Array | Uint8Array;

const CTORS = {
  f32: Float32Array,
  f64: Float64Array,
  u32: Uint32Array,
  i32: Int32Array,
  u8: Uint8Array,
} as const;

/** Collects typed arrays into one blob while the header is built (Node side). */
export class BlobBuilder {
  private readonly parts: { offset: number; bytes: Uint8Array }[] = [];
  private size = 0;

  add(kind: 'f32', data: Float32Array | readonly number[]): BufferRef;
  add(kind: 'f64', data: Float64Array | readonly number[]): BufferRef;
  add(kind: 'u32', data: Uint32Array | readonly number[]): BufferRef;
  add(kind: 'i32', data: Int32Array | readonly number[]): BufferRef;
  add(kind: 'u8', data: Uint8Array): BufferRef;
  add(kind: ArrayKind, data: Typed | readonly number[]): BufferRef {
    const typed = ArrayBuffer.isView(data) ? data : CTORS[kind].from(data as number[]);
    const offset = align8(this.size);
    this.parts.push({ offset, bytes: new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength) });
    this.size = offset + typed.byteLength;
    return { kind, offset, length: typed.length };
  }

  /** MAGIC, u32 header length, header JSON (padded to 8), then the arrays; offsets count from the arrays' start. */
  finish(header: PreviewHeader): Uint8Array {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const start = align8(PREVIEW_MAGIC.length + 4 + json.length);
    const out = new Uint8Array(start + this.size);
    out.set(new TextEncoder().encode(PREVIEW_MAGIC), 0);
    new DataView(out.buffer).setUint32(PREVIEW_MAGIC.length, json.length, true);
    out.set(json, PREVIEW_MAGIC.length + 4);
    for (const p of this.parts) out.set(p.bytes, start + p.offset);
    return out;
  }
}

/** A decoded blob: the header, and views onto its arrays (no copies). */
export interface PreviewBlob {
  readonly header: PreviewHeader;
  f32(ref: BufferRef): Float32Array;
  f64(ref: BufferRef): Float64Array;
  u32(ref: BufferRef): Uint32Array;
  i32(ref: BufferRef): Int32Array;
  u8(ref: BufferRef): Uint8Array;
}

/** Reads a blob written by BlobBuilder; throws an Error naming what is wrong (the page shows it). */
export function readBlob(bytes: Uint8Array): PreviewBlob {
  const magic = new TextDecoder().decode(bytes.subarray(0, PREVIEW_MAGIC.length));
  if (magic !== PREVIEW_MAGIC) {
    throw new Error(`preview data starts with "${magic}", not "${PREVIEW_MAGIC}": the page was written by another version; write it again`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = view.getUint32(PREVIEW_MAGIC.length, true);
  const jsonStart = PREVIEW_MAGIC.length + 4;
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(jsonStart, jsonStart + length))) as PreviewHeader;
  const start = align8(jsonStart + length);
  // Typed views need aligned offsets: copy once when the caller's bytes do not start on an 8-byte boundary.
  const base = (bytes.byteOffset + start) % 8 === 0 ? bytes : bytes.slice();
  const at = base.byteOffset + start;
  const limit = base.byteOffset + base.byteLength;
  const get = <K extends ArrayKind>(kind: K, ref: BufferRef) => {
    if (ref.kind !== kind) throw new Error(`preview data: an array of ${ref.kind} was read as ${kind}`);
    const ctor = CTORS[kind];
    if (at + ref.offset + ref.length * ctor.BYTES_PER_ELEMENT > limit) {
      throw new Error('preview data is cut short: the page file is incomplete; write it again');
    }
    return new ctor(base.buffer as ArrayBuffer, at + ref.offset, ref.length) as InstanceType<(typeof CTORS)[K]>;
  };
  return {
    header,
    f32: (r) => get('f32', r),
    f64: (r) => get('f64', r),
    u32: (r) => get('u32', r),
    i32: (r) => get('i32', r),
    u8: (r) => get('u8', r),
  };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
