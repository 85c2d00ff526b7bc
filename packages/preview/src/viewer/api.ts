// window.a2fPreview: the page's script surface (page-api.ts), what the playblast, the browser tests and
// the benchmark drive. Only this file writes the three window globals.
import type { PreviewBlob } from '../data.js';
import type { PixelRect, PreviewApi, PreviewView } from '../page-api.js';
import { type CurveSet, toApiCurves } from './curves-data.js';
import { mouthPoints } from './mouth.js';
import type { FaceScene } from './scene.js';
import type { Transport } from './transport.js';

interface PreviewWindow {
  a2fPreview?: PreviewApi;
  a2fPreviewReady?: boolean;
  a2fPreviewError?: string;
}

const win = window as unknown as PreviewWindow;

export interface ApiParts {
  readonly blob: PreviewBlob;
  readonly scene: FaceScene;
  readonly transport: Transport;
  readonly curves: CurveSet;
  readonly audioSeconds: number | null;
  readonly loadMs: () => number;
  readonly enterPlayblast: (width: number, height: number) => void;
}

export function installApi(p: ApiParts): PreviewApi {
  const h = p.blob.header;
  const a = h.animation;
  let mouth: Float32Array | undefined;
  const slice = (ref: typeof a.weights, frame: number, per: number): number[] => {
    if (!ref) return [];
    const all = p.blob.f32(ref);
    const f = Math.min(h.time.frames - 1, Math.max(0, Math.round(frame)));
    return Array.from(all.subarray(f * per, f * per + per));
  };
  const api: PreviewApi = {
    info: () => ({
      title: h.layer.title,
      fps: h.time.fps,
      frames: h.time.frames,
      startTimeCode: h.time.startTimeCode,
      durationSeconds: h.time.durationSeconds,
      audioSeconds: p.audioSeconds,
      blendShapes: [...a.blendShapes],
      joints: [...a.joints],
      meshes: h.meshes.map((m, i) => ({
        path: m.path,
        role: m.role,
        points: m.points.length / 3,
        triangles: m.triangles.length / 3,
        proxyTriangles: p.scene.proxyTriangles()[i] ?? null,
      })),
      loadMs: p.loadMs(),
    }),
    state: () => ({ ...p.transport.state(), proxy: p.scene.proxyShown }),
    setFrame: (frame) => p.transport.seek(frame, true),
    play: () => p.transport.play(),
    pause: () => p.transport.pause(),
    setRate: (rate) => p.transport.setRate(rate),
    setProxyBudget: async (triangles) => {
      await p.scene.buildProxies(triangles);
    },
    setLoop: (i, o, on) => p.transport.setLoop(i, o, on),
    curves: () => toApiCurves(p.curves),
    samples: (frame) => ({
      weights: slice(a.weights, frame, a.blendShapes.length),
      translations: slice(a.translations, frame, a.joints.length * 3),
      rotations: slice(a.rotations, frame, a.joints.length * 4),
    }),
    mouthRect: (): PixelRect => {
      mouth ??= mouthPoints(p.blob);
      return p.scene.projectBounds(mouth);
    },
    playblastMode: (width: number, height: number, view: PreviewView) => {
      p.enterPlayblast(width, height);
      p.scene.setFixedSize(width, height);
      p.scene.setView(view);
      p.scene.renderNow();
    },
  };
  win.a2fPreview = api;
  return api;
}

export function markReady(): void {
  win.a2fPreviewReady = true;
}

export function markFailed(message: string): void {
  win.a2fPreviewError = message;
}
