// The playback proxy: for a mesh with more triangles than a software renderer can draw 30 times a
// second, a simplified index buffer over the same points, made once at load by meshoptimizer's
// simplifier (MIT, zeux; WebAssembly inline in its script). While the page plays it draws that, and
// the rig deforms only the points it uses, exactly; paused, stepped, scrubbed or in a playblast it
// draws the whole mesh (docs/preview.md, "The page").

/** Meshes above this many triangles get a proxy of about this many (measured: docs/preview.md, "The page"). */
export const PROXY_TRIANGLES = 20_000;

/**
 * While the proxy draws, the canvas holds at most this many pixels (a 910 × 440 viewport, what a
 * 1280 × 800 window gives it): a bigger window is drawn at a lower pixel ratio and scaled up.
 */
export const PROXY_PIXELS = 400_000;

/** How far the simplifier may move the surface, relative to the mesh's extent, before it stops short of the budget. */
const MAX_ERROR = 0.02;
/** Per-point colour counts against a collapse as much as this share of the extent does (so lips keep their edge). */
const COLOR_WEIGHT = 0.5;

export interface Proxy {
  /** Three corner indices per triangle, into the mesh's own points. */
  readonly triangles: Uint32Array;
  /** The points those triangles use, sorted and distinct: the only ones deformed while it is drawn. */
  readonly vertices: Uint32Array;
  /** The simplifier's error, relative to the mesh's extent. */
  readonly error: number;
}

/**
 * Simplifies a mesh to about `target` triangles over its own points (rest pose), keeping its borders
 * (a lip line or an eyelid stays where it is) and, given per-point colours, their edges. The module
 * is loaded on first use, so a page whose meshes are all small never compiles the WebAssembly.
 */
export async function makeProxy(points: Float32Array, triangles: Uint32Array, target: number, colors?: Float32Array): Promise<Proxy> {
  const { MeshoptSimplifier: simplifier } = await import('meshoptimizer/simplifier');
  await simplifier.ready;
  const run = (flags: ('LockBorder' | 'Sparse')[]): [Uint32Array, number] =>
    colors
      ? simplifier.simplifyWithAttributes(
          triangles,
          points,
          3,
          colors,
          3,
          [COLOR_WEIGHT, COLOR_WEIGHT, COLOR_WEIGHT],
          null,
          target * 3,
          MAX_ERROR,
          flags,
        )
      : simplifier.simplify(triangles, points, 3, target * 3, MAX_ERROR, flags);
  let [out, error] = run(['LockBorder']);
  // A mesh made of many small open pieces is mostly border: then borders have to give way.
  if (out.length > target * 3 * 1.5) [out, error] = run([]);
  return { triangles: out, vertices: usedVertices(out, points.length / 3), error };
}

function usedVertices(triangles: Uint32Array, count: number): Uint32Array {
  const used = new Uint8Array(count);
  let n = 0;
  for (let t = 0; t < triangles.length; t++) {
    const v = triangles[t]!;
    if (!used[v]) {
      used[v] = 1;
      n++;
    }
  }
  const out = new Uint32Array(n);
  let k = 0;
  for (let v = 0; v < count; v++) if (used[v]) out[k++] = v;
  return out;
}
