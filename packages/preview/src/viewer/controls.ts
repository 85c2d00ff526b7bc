// The transport bar and the keyboard: play/pause (Space), step (← →), loop in/out (I, O) and loop on
// (L), speed, a scrub slider over frames, and the time and frame readout.
import type { PreviewView } from '../page-api.js';
import { checkbox, el } from './dom.js';
import type { Transport } from './transport.js';

const RATES = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];

export function transportBar(t: Transport, fps: number, frames: number): HTMLElement {
  const play = el('button', { class: 'play', title: 'Play / pause (Space)', 'aria-label': 'play' }, '▶');
  play.addEventListener('click', () => t.toggle());
  const button = (text: string, title: string, action: () => void) => {
    const b = el('button', { title }, text);
    b.addEventListener('click', action);
    return b;
  };
  const slider = el('input', {
    type: 'range',
    min: '0',
    max: String(frames - 1),
    step: '1',
    value: '0',
    class: 'scrub',
    'aria-label': 'frame',
  });
  slider.addEventListener('input', () => t.seek(Number(slider.value)));
  const readout = el('span', { class: 'readout' });
  const loopBox = checkbox('loop', false, (on) => t.setLoop(t.loop.in, t.loop.out, on), 'Loop between in and out (L)');
  const loopText = el('span', { class: 'loop-range muted' });
  const rate = el(
    'select',
    { title: 'Playback speed (pitch kept)', 'aria-label': 'speed' },
    ...RATES.map((r) => el('option', { value: String(r), selected: r === 1 }, `${r}×`)),
  );
  rate.addEventListener('change', () => t.setRate(Number(rate.value)));

  const update = () => {
    const s = t.state();
    play.textContent = s.playing ? '❚❚' : '▶';
    play.setAttribute('aria-label', s.playing ? 'pause' : 'play');
    slider.value = String(s.frame);
    readout.textContent = `${(s.frame / fps).toFixed(3)} s · frame ${s.frame} / ${frames - 1}`;
    loopText.textContent = `in ${s.loop.in} · out ${s.loop.out}`;
    loopBox.querySelector('input')!.checked = s.loop.on;
    rate.value = String(s.rate);
  };
  t.listeners.push(update);
  update();

  document.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const target = e.target as HTMLElement | null;
    if (target?.tagName === 'SELECT' || (target?.tagName === 'INPUT' && (target as HTMLInputElement).type === 'text')) return;
    const keys: Record<string, () => void> = {
      ' ': () => t.toggle(),
      ArrowLeft: () => t.step(-1),
      ArrowRight: () => t.step(1),
      i: () => t.setLoop(t.current, Math.max(t.current, t.loop.out), t.loop.on),
      o: () => t.setLoop(Math.min(t.current, t.loop.in), t.current, t.loop.on),
      l: () => t.setLoop(t.loop.in, t.loop.out, !t.loop.on),
      Home: () => t.seek(0),
      End: () => t.seek(frames - 1),
    };
    const action = keys[e.key.length === 1 ? e.key.toLowerCase() : e.key];
    if (!action) return;
    e.preventDefault();
    action();
  });
  // A focused button or checkbox acts on Space's keyup: cancelled, so Space plays or pauses and only that.
  document.addEventListener('keyup', (e) => {
    if (e.key === ' ' && (e.target as HTMLElement | null)?.tagName !== 'SELECT') e.preventDefault();
  });

  return el(
    'div',
    { class: 'transport' },
    button('|◀', 'First frame (Home)', () => t.seek(0)),
    button('◀', 'Previous frame (←)', () => t.step(-1)),
    play,
    button('▶︎|', 'Next frame (→)', () => t.step(1)),
    slider,
    readout,
    el(
      'span',
      { class: 'group-inline' },
      button('in', 'Loop in at this frame (I)', () => t.setLoop(t.current, Math.max(t.current, t.loop.out), t.loop.on)),
      button('out', 'Loop out at this frame (O)', () => t.setLoop(Math.min(t.current, t.loop.in), t.current, t.loop.on)),
      loopBox,
      loopText,
    ),
    rate,
  );
}

export function viewButtons(setView: (v: PreviewView) => void, reset: () => void): HTMLElement {
  const views: PreviewView[] = ['front', 'three-quarter', 'side'];
  const bar = el('div', { class: 'views' });
  for (const v of views) {
    const b = el('button', { title: `${v} view` }, v);
    b.addEventListener('click', () => setView(v));
    bar.append(b);
  }
  const r = el('button', { title: 'Back to the framed view (drag to orbit, wheel to zoom, right-drag to pan)' }, 'reset view');
  r.addEventListener('click', reset);
  bar.append(r);
  return bar;
}
