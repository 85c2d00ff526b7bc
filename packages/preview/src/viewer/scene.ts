// The viewport: one three.js mesh per preview mesh, its positions and normals rewritten in place
// from the posed rig each frame, drawn only when the frame, the camera or the size changed; while
// playing, a mesh with a playback proxy draws that (proxy.ts) (docs/preview.md, "The page").
import {
  BufferAttribute,
  BufferGeometry,
  Box3,
  Color,
  DirectionalLight,
  DoubleSide,
  Group,
  HemisphereLight,
  Mesh,
  MeshLambertMaterial,
  MeshPhongMaterial,
  PerspectiveCamera,
  Scene,
  Vector3,
  WebGLRenderer,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import type { PreviewBlob, PreviewMesh } from '../data.js';
import { vertexNormals } from '../deform.js';
import type { PixelRect, PreviewView } from '../page-api.js';
import type { PreviewRig } from '../rig.js';
import { el } from './dom.js';
import { makeProxy, PROXY_PIXELS, PROXY_TRIANGLES } from './proxy.js';

/** Plain colours by role where the asset authors no displayColor (sRGB). */
const ROLE_COLORS: Record<PreviewMesh['role'], number> = {
  face: 0xc99b82,
  tongue: 0xd0707a,
  teeth: 0xf0e8d0,
  eye: 0xf2f2ee,
  other: 0xb4b4b4,
};

const VIEW_DIRECTIONS: Record<PreviewView, Vector3> = {
  front: new Vector3(0, 0, 1),
  side: new Vector3(1, 0, 0),
  'three-quarter': new Vector3(1, 0, 1).normalize(),
};

const FOV = 30;
/** Room around the framed face: 1.3 leaves it about three quarters of the frame's height. */
const MARGIN = 1.3;
/** Above this many triangles the canvas is drawn without multisampling (see the constructor). */
const MSAA_TRIANGLES = 60_000;

interface Drawn {
  readonly geometry: BufferGeometry;
  readonly positions: BufferAttribute;
  readonly normals: BufferAttribute;
  readonly triangles: Uint32Array;
  readonly index: BufferAttribute;
  /** Rest points and per-point colours, what the proxy is simplified from. */
  readonly rest: Float32Array;
  readonly colors?: Float32Array;
  readonly mesh: Mesh;
  readonly material: MeshPhongMaterial;
  proxy?: {
    readonly index: BufferAttribute;
    readonly triangles: Uint32Array;
    readonly vertices: Uint32Array;
    /** Lambert, same colours: Phong's per-pixel highlight cost SwiftShader about a third of the proxy's draw. */
    readonly material: MeshLambertMaterial;
  };
}

export class FaceScene {
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(FOV, 1, 0.01, 1000);
  private readonly controls: OrbitControls;
  /** Holds every mesh; turns a Z-up stage to three.js's Y-up. */
  private readonly root = new Group();
  private readonly drawn: Drawn[] = [];
  private readonly bounds = new Box3();
  private view: PreviewView = 'front';
  private scheduled = 0;
  private fixedSize = false;
  /** The camera is where setView put it (no orbit or zoom since). */
  private framed = false;
  /** Called after every render (the page counts frames drawn). */
  onRender: () => void = () => {};
  /** The frame posed last, and whether it was posed for the proxy (only the proxy's points are current then). */
  private frame = 0;
  private proxied = false;
  /** Off for good in a playblast, which is full resolution by definition. */
  private proxyAllowed = true;
  private readonly proxyLabel: HTMLElement;
  /** Per mesh, the points its proxy uses (what rig.pose poses while playing); null when no mesh has one. */
  private subsets: (Uint32Array | undefined)[] | null = null;
  /** Proxy builds, one after another (load, then setProxyBudget). */
  private building: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly host: HTMLElement,
    blob: PreviewBlob,
    private readonly rig: PreviewRig,
  ) {
    const h = blob.header;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'viewport-canvas';
    host.append(this.canvas);
    // preserveDrawingBuffer: a playblast or test may read the canvas back after a synchronous render.
    // Multisampling costs SwiftShader (headless, no GPU) several times the draw on a studio-sized face,
    // whose triangles are mostly smaller than a pixel anyway: big meshes go without it.
    const triangles = h.meshes.reduce((n, m) => n + m.triangles.length / 3, 0);
    try {
      this.renderer = new WebGLRenderer({ canvas: this.canvas, antialias: triangles <= MSAA_TRIANGLES, preserveDrawingBuffer: true });
    } catch (err) {
      throw new Error(
        `this browser could not start WebGL (${(err as Error).message}): turn on hardware acceleration in its settings, ` +
          'or open the page in a current Chrome, Edge, Firefox or Safari',
      );
    }
    this.renderer.setPixelRatio(this.pixelRatio());
    this.renderer.setClearColor(new Color(0x23252a));
    if (h.stage.upAxis === 'Z') this.root.rotation.x = -Math.PI / 2;
    this.scene.add(this.root);
    this.addLights();

    const posed = rig.pose(0);
    h.meshes.forEach((m, i) => {
      const points = posed[i]!.points;
      const triangles = blob.u32(m.triangles);
      const geometry = new BufferGeometry();
      // The rig rewrites the same array every frame, so the attribute can keep it and only be marked dirty.
      const positions = new BufferAttribute(points, 3);
      const normals = new BufferAttribute(new Float32Array(points.length), 3);
      vertexNormals(points, triangles, normals.array as Float32Array);
      geometry.setAttribute('position', positions);
      geometry.setAttribute('normal', normals);
      const index = new BufferAttribute(triangles, 1);
      geometry.setIndex(index);
      // Phong: a highlight on eyes and teeth at a fraction of a PBR shader's cost on a CPU renderer.
      const glossy = m.role === 'eye' || m.role === 'teeth';
      const material = new MeshPhongMaterial({ side: DoubleSide, shininess: glossy ? 60 : 12, specular: glossy ? 0x555555 : 0x181818 });
      const color = m.color ? blob.f32(m.color.values) : undefined;
      const perPoint = m.color && color && m.color.interpolation === 'vertex' && color.length === points.length;
      if (perPoint) {
        geometry.setAttribute('color', new BufferAttribute(color, 3));
        material.vertexColors = true;
      } else if (color && color.length >= 3) {
        material.color.setRGB(color[0]!, color[1]!, color[2]!);
      } else {
        material.color.setHex(ROLE_COLORS[m.role]);
      }
      const mesh = new Mesh(geometry, material);
      mesh.name = m.path;
      // Points move every frame; the bounds computed at rest would cull a jaw that opens past them.
      mesh.frustumCulled = false;
      this.root.add(mesh);
      this.drawn.push({
        geometry,
        positions,
        normals,
        triangles,
        index,
        mesh,
        material,
        rest: blob.f32(m.points),
        ...(perPoint ? { colors: color } : {}),
      });
    });
    this.frameBounds(h.meshes);

    this.controls = new OrbitControls(this.camera, this.canvas);
    this.controls.addEventListener('change', () => this.requestRender());
    // Once someone orbits or zooms, a resize keeps their camera; until then it frames the face again.
    this.controls.addEventListener('start', () => {
      this.framed = false;
    });
    this.fitHost();
    this.setView('front');
    new ResizeObserver(() => this.fitHost()).observe(host);
    this.proxyLabel = el('div', { class: 'proxy-label', hidden: true }, 'playback proxy');
    host.append(this.proxyLabel);
  }

  /**
   * Poses every mesh at a frame; the caller renders (now or at the next animation frame). `playing`:
   * meshes with a proxy pose and draw only it.
   */
  showFrame(frame: number, playing = false): void {
    const proxy = playing && this.proxyAllowed && this.subsets !== null;
    const posed = this.rig.pose(frame, proxy ? this.subsets! : undefined);
    for (let i = 0; i < posed.length; i++) {
      const d = this.drawn[i]!;
      const part = proxy ? d.proxy : undefined;
      if (part) vertexNormals(posed[i]!.points, part.triangles, d.normals.array as Float32Array, part.vertices);
      else vertexNormals(posed[i]!.points, d.triangles, d.normals.array as Float32Array);
      const index = part ? part.index : d.index;
      if (d.geometry.index !== index) d.geometry.setIndex(index);
      d.mesh.material = part ? part.material : d.material;
      d.positions.needsUpdate = true;
      d.normals.needsUpdate = true;
    }
    this.frame = frame;
    const changed = this.proxied !== proxy;
    this.proxied = proxy;
    this.proxyLabel.hidden = !proxy;
    if (changed && !this.fixedSize) this.renderer.setPixelRatio(this.pixelRatio());
  }

  /**
   * The canvas's pixels per CSS pixel: the screen's (at most 2), or while the proxy draws, at most
   * PROXY_PIXELS pixels in all, since SwiftShader's time grows with the pixels the face covers too.
   */
  private pixelRatio(): number {
    const screen = Math.min(window.devicePixelRatio || 1, 2);
    if (!this.proxied) return screen;
    const area = Math.max(1, this.host.clientWidth) * Math.max(1, this.host.clientHeight);
    return Math.min(screen, Math.sqrt(PROXY_PIXELS / area));
  }

  /** Whether the frame shown is drawn with the playback proxy. */
  get proxyShown(): boolean {
    return this.proxied;
  }

  /** Shows the frame at full resolution again if the proxy drew it (playback stopped); the caller renders. */
  fullResolution(): boolean {
    if (!this.proxied) return false;
    this.showFrame(this.frame, false);
    return true;
  }

  /** A playblast: never the proxy from now on. */
  disableProxy(): void {
    this.proxyAllowed = false;
    if (this.fullResolution()) this.renderNow();
  }

  /**
   * Makes the playback proxies: every mesh above `budget` triangles gets one of about `budget`
   * (proxy.ts); the others have none. Per mesh, the triangles of its proxy (null: none).
   */
  buildProxies(budget = PROXY_TRIANGLES): Promise<(number | null)[]> {
    const run = this.building.then(() => this.build(budget));
    this.building = run.catch(() => undefined);
    return run;
  }

  private async build(budget: number): Promise<(number | null)[]> {
    const made = [];
    for (const d of this.drawn) {
      if (d.triangles.length / 3 <= budget) made.push(undefined);
      else {
        const p = await makeProxy(d.rest, d.triangles, Math.max(1, Math.floor(budget)), d.colors);
        const material = new MeshLambertMaterial({ side: DoubleSide, color: d.material.color, vertexColors: d.material.vertexColors });
        made.push({ index: new BufferAttribute(p.triangles, 1), triangles: p.triangles, vertices: p.vertices, material });
      }
    }
    // Swapped in at once; a frame posed for the old proxies has stale points elsewhere: pose it whole again.
    this.fullResolution();
    made.forEach((p, i) => {
      this.drawn[i]!.proxy = p;
    });
    this.subsets = made.some((p) => p) ? made.map((p) => p?.vertices) : null;
    if (this.subsets) {
      this.rig.prepare(this.subsets);
      // Compile the proxy's shader now, not at the first frame played (a software renderer takes a while).
      for (const d of this.drawn) if (d.proxy) d.mesh.material = d.proxy.material;
      this.renderer.compile(this.scene, this.camera);
      for (const d of this.drawn) d.mesh.material = d.material;
    }
    this.requestRender();
    return this.proxyTriangles();
  }

  proxyTriangles(): (number | null)[] {
    return this.drawn.map((d) => (d.proxy ? d.proxy.triangles.length / 3 : null));
  }

  /** Puts the camera at a named view of the face, framed on its bounds. */
  setView(view: PreviewView): void {
    this.view = view;
    const dir = VIEW_DIRECTIONS[view];
    const up = new Vector3(0, 1, 0);
    const right = new Vector3().crossVectors(up, dir).normalize();
    const c = this.bounds.getCenter(new Vector3());
    // The box's extent across, up and towards the camera, from its eight corners: a tighter fit than
    // its bounding sphere, which would leave a tall face small in a wide frame.
    let halfW = 0;
    let halfH = 0;
    let halfD = 0;
    const corner = new Vector3();
    for (let k = 0; k < 8; k++) {
      corner
        .set(
          k & 1 ? this.bounds.max.x : this.bounds.min.x,
          k & 2 ? this.bounds.max.y : this.bounds.min.y,
          k & 4 ? this.bounds.max.z : this.bounds.min.z,
        )
        .sub(c);
      halfW = Math.max(halfW, Math.abs(corner.dot(right)));
      halfH = Math.max(halfH, Math.abs(corner.dot(up)));
      halfD = Math.max(halfD, corner.dot(dir));
    }
    const tanV = Math.tan((FOV * Math.PI) / 360);
    const tanH = tanV * this.camera.aspect;
    const distance = halfD + MARGIN * Math.max(halfH / tanV, halfW / tanH, 1e-3);
    this.camera.position.copy(c).addScaledVector(dir, distance);
    this.camera.near = Math.max(distance / 100, 1e-4);
    this.camera.far = distance * 100;
    this.camera.up.copy(up);
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(c);
    this.controls.update();
    this.framed = true;
    this.requestRender();
  }

  resetView(): void {
    this.setView(this.view);
  }

  /** Sizes the canvas to exactly width × height CSS pixels at pixel ratio 1 (playblast). */
  setFixedSize(width: number, height: number): void {
    this.fixedSize = true;
    this.renderer.setPixelRatio(1);
    this.renderer.setSize(width, height, true);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
  }

  requestRender(): void {
    if (this.scheduled) return;
    this.scheduled = requestAnimationFrame(() => this.renderNow());
  }

  renderNow(): void {
    if (this.scheduled) cancelAnimationFrame(this.scheduled);
    this.scheduled = 0;
    this.renderer.render(this.scene, this.camera);
    this.onRender();
  }

  /** The bounding box, in the canvas's CSS pixels, of world-space points (the rig's space) seen by the camera. */
  projectBounds(points: Float32Array): PixelRect {
    this.root.updateMatrixWorld();
    this.camera.updateMatrixWorld();
    const m = this.root.matrixWorld;
    const v = new Vector3();
    const w = this.canvas.clientWidth;
    const h = this.canvas.clientHeight;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < points.length; i += 3) {
      v.set(points[i]!, points[i + 1]!, points[i + 2]!)
        .applyMatrix4(m)
        .project(this.camera);
      const x = ((v.x + 1) / 2) * w;
      const y = ((1 - v.y) / 2) * h;
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
    if (x0 > x1) return { x: 0, y: 0, width: 0, height: 0 };
    return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
  }

  private addLights(): void {
    this.scene.add(new HemisphereLight(0xf2f4ff, 0x403830, 1.4));
    // Key and fill ride with the camera, so the face stays lit from the front however it is orbited.
    const key = new DirectionalLight(0xfff4e8, 2.2);
    key.position.set(1.2, 1.4, 2);
    const fill = new DirectionalLight(0xe8f0ff, 0.7);
    fill.position.set(-1.6, 0.2, 1);
    this.camera.add(key, fill);
    this.scene.add(this.camera);
  }

  /** The box the camera frames: around the face mesh at frame 0, or every mesh when none is a face. */
  private frameBounds(meshes: readonly PreviewMesh[]): void {
    this.root.updateMatrixWorld(true);
    const box = new Box3();
    const faces = meshes.map((m, i) => (m.role === 'face' ? i : -1)).filter((i) => i >= 0);
    const pick = faces.length ? faces : meshes.map((_, i) => i);
    for (const i of pick) box.expandByObject(this.root.children[i]!);
    if (box.isEmpty()) box.set(new Vector3(-1, -1, -1), new Vector3(1, 1, 1));
    this.bounds.copy(box);
  }

  private fitHost(): void {
    if (this.fixedSize) return;
    const w = Math.max(1, this.host.clientWidth);
    const h = Math.max(1, this.host.clientHeight);
    this.renderer.setPixelRatio(this.pixelRatio());
    this.renderer.setSize(w, h, false);
    this.camera.aspect = w / h;
    this.camera.updateProjectionMatrix();
    if (this.framed) this.setView(this.view);
    this.requestRender();
  }
}
