// The preview page's script: decodes the inline data, builds the viewport, the transport, the curves
// and the panels, and offers window.a2fPreview (docs/preview.md, "The page"). Bundled with three.js
// and uPlot into one classic script by build-viewer.mjs.
import './style.css';
import { PreviewRig } from '../rig.js';
import { installApi, markFailed, markReady } from './api.js';
import { channelList } from './channels.js';
import { AudioClock, type Clock, TimerClock } from './clock.js';
import { transportBar, viewButtons } from './controls.js';
import { CurvesView } from './curves.js';
import { buildCurves } from './curves-data.js';
import { el } from './dom.js';
import { loadBlob } from './load.js';
import { bindingPanel, notesPanel, provenancePanel } from './panels.js';
import { FaceScene } from './scene.js';
import { Transport } from './transport.js';

function boot(): void {
  const app = document.getElementById('a2f-app') ?? document.body;
  const blob = loadBlob();
  const h = blob.header;
  const rig = new PreviewRig(blob);

  const viewport = el('div', { class: 'viewport' });
  const curvesBox = el('section', { class: 'curves', 'aria-label': 'curves' });
  const side = el('aside', { class: 'side' });
  const audioInfo = h.audio ? `${h.audio.name} · ${h.audio.durationSeconds.toFixed(2)} s` : 'no audio (timer clock)';
  app.replaceChildren(
    el(
      'header',
      { class: 'top' },
      el('h1', {}, h.layer.title),
      el('span', { class: 'muted' }, `${h.layer.name} · ${h.time.fps} fps · ${h.time.frames} frames · ${audioInfo}`),
    ),
  );

  // The viewport is in the page before the scene is built, so the first framing knows its size.
  const stage = el('div', { class: 'stage' }, viewport);
  app.append(el('main', { class: 'layout' }, stage, curvesBox, side));
  const scene = new FaceScene(viewport, blob, rig);
  let clock: Clock;
  let audioSeconds: number | null = null;
  if (h.audio) {
    const url = URL.createObjectURL(new Blob([blob.u8(h.audio.wav) as Uint8Array<ArrayBuffer>], { type: 'audio/wav' }));
    const audio = el('audio', { src: url, preload: 'auto' });
    app.append(audio);
    clock = new AudioClock(audio);
    audioSeconds = h.audio.durationSeconds;
  } else {
    clock = new TimerClock();
  }

  const curveSet = buildCurves(blob);
  let curves: CurvesView | undefined;
  const transport = new Transport(
    {
      fps: h.time.fps,
      frames: h.time.frames,
      frameAt: (s) => rig.frameAt(s),
      show: (frame, sync) => {
        scene.showFrame(frame, transport.playing);
        transport.drawn++;
        if (sync) scene.renderNow();
        else scene.requestRender();
        curves?.setTime(frame / h.time.fps);
      },
    },
    clock,
  );

  viewport.append(
    viewButtons(
      (v) => scene.setView(v),
      () => scene.resetView(),
    ),
  );
  stage.append(transportBar(transport, h.time.fps, h.time.frames));
  // Stopped (paused, at the end, or about to seek): the frame shown goes back to full resolution.
  transport.listeners.push((t) => {
    if (!t.playing && scene.fullResolution()) scene.requestRender();
  });
  curves = new CurvesView(curvesBox, curveSet, blob, (s) => transport.seekSeconds(s));
  side.append(channelList(curveSet, curves), bindingPanel(h));
  const notes = notesPanel(h);
  if (notes) side.append(notes);
  side.append(provenancePanel(h));

  let loadMs = 0;
  installApi({
    blob,
    scene,
    transport,
    curves: curveSet,
    audioSeconds,
    loadMs: () => loadMs,
    enterPlayblast: (width, height) => {
      scene.disableProxy();
      document.body.classList.add('playblast');
      viewport.style.width = `${width}px`;
      viewport.style.height = `${height}px`;
    },
  });
  transport.seek(0, true);
  loadMs = performance.now();
  // Ready once the playback proxies are made too (a fraction of a second, and only for big meshes), so
  // a script that plays at once gets the speed a viewer gets; a browser that refuses the simplifier
  // plays the whole mesh.
  scene
    .buildProxies()
    .catch((err: unknown) => console.info(`playback proxy not made (${(err as Error).message}): playing draws every triangle`))
    .finally(markReady);
}

function fail(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  markFailed(message);
  const box = el('div', { class: 'error', role: 'alert' }, el('b', {}, 'The preview could not be shown: '), message);
  (document.getElementById('a2f-app') ?? document.body).prepend(box);
}

try {
  boot();
} catch (err) {
  fail(err);
}
