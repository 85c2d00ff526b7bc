// The curves chart (uPlot): x in seconds, weights on the left axis, joint degrees on the right, the
// audio's waveform in a strip under it on the same time axis, a playhead on both, click or drag to
// seek, and hover values for the channels shown (docs/preview.md, "The page").
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { PreviewBlob } from '../data.js';
import type { CurveSet } from './curves-data.js';
import { el } from './dom.js';
import { type ChannelGroup, leaf } from './groups.js';

/** Hue ranges per group, so a channel's colour says its group at a glance. */
const HUES: Record<ChannelGroup, [number, number]> = {
  'jaw/mouth': [0, 45],
  'eyes/brows': [190, 240],
  tongue: [300, 340],
  other: [90, 150],
};

export function colorOf(set: CurveSet, index: number): string {
  const c = set.curves[index]!;
  const same = set.curves.filter((x) => x.group === c.group);
  const k = same.indexOf(c);
  const [a, b] = HUES[c.group];
  const hue = a + ((b - a) * k) / Math.max(1, same.length - 1);
  return `hsl(${hue.toFixed(0)} ${c.kind === 'joint' ? 95 : 75}% ${55 + (k % 3) * 8}%)`;
}

/** The chart's height: about a quarter of the window, so the face keeps most of a short screen. */
function chartHeight(): number {
  return Math.round(Math.min(220, Math.max(110, window.innerHeight * 0.24)));
}

export class CurvesView {
  readonly visible: boolean[];
  private readonly plot: uPlot;
  private readonly wave: HTMLCanvasElement;
  private readonly waveBox: HTMLElement;
  private readonly heads: HTMLElement[] = [];
  private readonly hover: HTMLElement;
  private time = 0;

  constructor(
    host: HTMLElement,
    private readonly set: CurveSet,
    private readonly blob: PreviewBlob,
    private readonly seek: (seconds: number) => void,
  ) {
    this.visible = set.curves.map((c) => c.moves);
    this.hover = el('div', { class: 'hover', 'aria-live': 'off' }, 'Hover the curves for values');
    const chartBox = el('div', { class: 'chart' });
    this.wave = el('canvas', { class: 'wave' });
    this.waveBox = el('div', { class: 'wave-box', title: 'Waveform: click or drag to seek' }, this.wave);
    host.append(this.hover, chartBox, this.waveBox);
    const hasJoints = set.curves.some((c) => c.kind === 'joint');
    const end = set.seconds.length ? set.seconds[set.seconds.length - 1]! + 1 / blob.header.time.fps : 1;
    const opts: uPlot.Options = {
      width: Math.max(200, host.clientWidth),
      height: chartHeight(),
      legend: { show: false },
      cursor: { drag: { x: false, y: false, setScale: false }, points: { size: 5 } },
      scales: { x: { time: false, range: [0, end] }, w: { auto: true }, deg: { auto: true } },
      axes: [
        { stroke: '#aab', grid: { stroke: '#ffffff14' }, ticks: { stroke: '#ffffff22' }, values: (_u, v) => v.map((s) => `${s}s`) },
        { scale: 'w', stroke: '#aab', grid: { stroke: '#ffffff14' }, ticks: { stroke: '#ffffff22' }, size: 44 },
        ...(hasJoints
          ? [
              {
                scale: 'deg',
                side: 1 as const,
                stroke: '#aab',
                grid: { show: false },
                size: 44,
                values: (_u: uPlot, v: number[]) => v.map((d) => `${d}°`),
              },
            ]
          : []),
      ],
      series: [
        { label: 'seconds' },
        ...set.curves.map((c, i) => ({
          label: c.kind === 'joint' ? `${leaf(c.name)} (°)` : c.name,
          scale: c.kind === 'joint' ? 'deg' : 'w',
          stroke: colorOf(set, i),
          width: c.kind === 'joint' ? 2 : 1.25,
          show: this.visible[i]!,
          points: { show: false },
          ...(c.kind === 'joint' ? { dash: [6, 3] } : {}),
        })),
      ],
      hooks: {
        setCursor: [(u) => this.showHover(u)],
        draw: [() => this.layoutOverlay()],
      },
    };
    const data = [set.seconds, ...set.curves.map((c) => c.values)] as uPlot.AlignedData;
    this.plot = new uPlot(opts, data, chartBox);
    this.heads.push(el('div', { class: 'playhead' }), el('div', { class: 'playhead' }));
    this.plot.over.append(this.heads[0]!);
    this.waveBox.append(this.heads[1]!);
    this.bindSeek(this.plot.over);
    this.bindSeek(this.waveBox);
    const fit = () => this.plot.setSize({ width: Math.max(200, host.clientWidth), height: chartHeight() });
    new ResizeObserver(fit).observe(host);
    window.addEventListener('resize', fit);
  }

  /** Shows or hides one channel's curve. */
  setVisible(index: number, on: boolean): void {
    this.visible[index] = on;
    this.plot.setSeries(index + 1, { show: on });
  }

  /** Moves the playhead to a time in seconds. */
  setTime(seconds: number): void {
    this.time = seconds;
    const x = this.plot.valToPos(seconds, 'x');
    for (const h of this.heads) h.style.transform = `translateX(${x.toFixed(1)}px)`;
  }

  private showHover(u: uPlot): void {
    const idx = u.cursor.idx;
    if (idx === null || idx === undefined) return;
    const rows = this.set.curves
      .map((c, i) => ({ c, i, v: c.values[idx]! }))
      .filter((r) => this.visible[r.i])
      .sort((a, b) => Math.abs(b.v) - Math.abs(a.v))
      .slice(0, 8);
    const fps = this.blob.header.time.fps;
    this.hover.replaceChildren(
      el('b', {}, `${this.set.seconds[idx]!.toFixed(3)} s · frame ${idx}`),
      ...rows.map((r) =>
        el(
          'span',
          { class: 'hv' },
          el('i', { style: `background:${colorOf(this.set, r.i)}` }),
          `${r.c.kind === 'joint' ? leaf(r.c.name) : r.c.name} ${r.c.kind === 'joint' ? `${r.v.toFixed(2)}°` : r.v.toFixed(3)}`,
        ),
      ),
      rows.length ? '' : el('span', { class: 'hv' }, `no channel shown (${(idx / fps).toFixed(2)} s)`),
    );
  }

  /** Aligns the waveform strip with the plotting area and redraws it; runs after every chart draw. */
  private layoutOverlay(): void {
    const u = this.plot;
    const dpr = devicePixelRatio || 1;
    const left = u.bbox.left / dpr;
    const width = u.bbox.width / dpr;
    this.waveBox.style.marginLeft = `${left}px`;
    this.waveBox.style.width = `${width}px`;
    this.drawWave(width, 48);
    this.setTime(this.time);
  }

  private drawWave(width: number, height: number): void {
    const dpr = devicePixelRatio || 1;
    const canvas = this.wave;
    canvas.width = Math.max(1, Math.round(width * dpr));
    canvas.height = Math.round(height * dpr);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${height}px`;
    const ctx = canvas.getContext('2d');
    const audio = this.blob.header.audio;
    if (!ctx) return;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!audio) {
      ctx.fillStyle = '#8890a0';
      ctx.font = `${12 * dpr}px system-ui, sans-serif`;
      ctx.fillText('no audio: the page plays on a timer', 8 * dpr, canvas.height / 2 + 4 * dpr);
      return;
    }
    const peaks = this.blob.f32(audio.peaks);
    const buckets = peaks.length / 2;
    const mid = canvas.height / 2;
    ctx.fillStyle = '#7fa7d9';
    for (let px = 0; px < canvas.width; px++) {
      // The buckets under this pixel column: their lowest min and highest max.
      const t0 = this.plot.posToVal(px / dpr, 'x');
      const t1 = this.plot.posToVal((px + 1) / dpr, 'x');
      const b0 = Math.max(0, Math.floor(t0 * audio.peaksPerSecond));
      const b1 = Math.min(buckets, Math.max(b0 + 1, Math.ceil(t1 * audio.peaksPerSecond)));
      if (b0 >= buckets) break;
      let lo = 0;
      let hi = 0;
      for (let b = b0; b < b1; b++) {
        lo = Math.min(lo, peaks[b * 2]!);
        hi = Math.max(hi, peaks[b * 2 + 1]!);
      }
      const y0 = mid - hi * mid;
      const y1 = mid - lo * mid;
      ctx.fillRect(px, y0, 1, Math.max(1, y1 - y0));
    }
  }

  private bindSeek(target: HTMLElement): void {
    const at = (e: MouseEvent) => {
      const x = e.clientX - target.getBoundingClientRect().left;
      this.seek(Math.max(0, this.plot.posToVal(x, 'x')));
    };
    target.addEventListener('mousedown', (e) => {
      if (e.button === 0) at(e);
    });
    target.addEventListener('mousemove', (e) => {
      if (e.buttons & 1) at(e);
    });
  }
}
