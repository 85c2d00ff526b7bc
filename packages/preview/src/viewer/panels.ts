// The side panels: where the layer came from (the a2f dictionary it carries) and what the run bound
// (what moved, what stayed still, what the character has that nothing drives), plus the reader's notes.
import type { PreviewHeader } from '../data.js';
import { STILL } from './curves-data.js';
import { el } from './dom.js';
import { leaf } from './groups.js';

/** A JSON value as nested lists: keys in bold, leaves as text, long arrays summarised. */
export function tree(value: unknown, depth = 0): Node {
  if (value === null || typeof value !== 'object') return document.createTextNode(leafText(value));
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return document.createTextNode(
        value.length > 24
          ? `[${value.slice(0, 24).map(leafText).join(', ')}, … ${value.length} in all]`
          : `[${value.map(leafText).join(', ')}]`,
      );
    }
    return el('ol', { class: 'tree' }, ...value.map((v) => el('li', {}, tree(v, depth + 1))));
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (!entries.length) return document.createTextNode('(empty)');
  return el(
    'ul',
    { class: 'tree' },
    ...entries.map(([k, v]) => {
      const nested = v !== null && typeof v === 'object' && !(Array.isArray(v) && v.every((x) => x === null || typeof x !== 'object'));
      if (!nested) return el('li', {}, el('b', {}, `${k}: `), tree(v, depth + 1));
      return el('li', {}, el('details', { open: depth < 1 }, el('summary', {}, el('b', {}, k)), tree(v, depth + 1)));
    }),
  );
}

function leafText(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function provenancePanel(h: PreviewHeader): HTMLElement {
  const p = h.provenance;
  // The parts a reader looks for first, in this order; anything else the dictionary holds follows.
  const first = ['model', 'parameters', 'audio', 'tool'];
  const ordered: Record<string, unknown> = {};
  for (const k of first) if (k in p) ordered[k] = p[k];
  for (const [k, v] of Object.entries(p)) if (!(k in ordered)) ordered[k] = v;
  return el(
    'section',
    { class: 'panel' },
    el('h2', {}, 'Provenance'),
    Object.keys(ordered).length ? tree(ordered) : el('p', { class: 'muted' }, 'The layer carries no a2f provenance (customLayerData.a2f).'),
  );
}

interface BindingBlock {
  jaw?: { mode?: string; reason?: string; requested?: string };
  dropped?: { channel: string; why: string }[];
  preset?: string;
}

export function bindingPanel(h: PreviewHeader): HTMLElement {
  const moved = h.ranges.filter((r) => r.max - r.min > STILL);
  const still = h.ranges.filter((r) => r.max - r.min <= STILL);
  const name = (r: { channel: string; kind: string }) => (r.kind === 'joint' ? `${leaf(r.channel)} (joint)` : r.channel);
  const fmt = (r: { kind: string; min: number; max: number }) =>
    r.kind === 'joint' ? `${r.min.toFixed(2)}° … ${r.max.toFixed(2)}°` : `${r.min.toFixed(3)} … ${r.max.toFixed(3)}`;
  const b = (h.binding ?? undefined) as BindingBlock | undefined;
  const section = el('section', { class: 'panel' }, el('h2', {}, 'Binding'));
  if (b?.jaw) {
    section.append(el('p', {}, el('b', {}, 'Jaw: '), `${b.jaw.mode ?? '?'}${b.jaw.reason ? ` (${b.jaw.reason})` : ''}`));
  }
  if (b?.preset) section.append(el('p', {}, el('b', {}, 'Preset: '), b.preset));
  section.append(
    el(
      'details',
      { open: true },
      el('summary', {}, `Moved: ${moved.length} channel${moved.length === 1 ? '' : 's'}`),
      el('table', { class: 'ranges' }, ...moved.map((r) => el('tr', {}, el('td', {}, name(r)), el('td', {}, fmt(r))))),
    ),
    el('details', {}, el('summary', {}, `Still: ${still.length}`), el('p', { class: 'list' }, still.map(name).join(', ') || 'none')),
    el(
      'details',
      {},
      el('summary', {}, `Unbound character blendshapes: ${h.unbound.length}`),
      el(
        'p',
        { class: 'list' },
        h.unbound.map((u) => `${u.blendShape} (${leaf(u.mesh)})`).join(', ') || 'none: every blendshape is driven',
      ),
    ),
  );
  if (b?.dropped?.length) {
    section.append(
      el(
        'details',
        {},
        el('summary', {}, `Dropped channels: ${b.dropped.length}`),
        el('ul', { class: 'plain' }, ...b.dropped.map((d) => el('li', {}, el('b', {}, d.channel), `: ${d.why}`))),
      ),
    );
  }
  if (!h.binding)
    section.append(el('p', { class: 'muted' }, 'No run report beside the layer: the jaw mode and dropped channels are not known.'));
  return section;
}

export function notesPanel(h: PreviewHeader): HTMLElement | null {
  if (!h.notes.length) return null;
  return el('section', { class: 'panel' }, el('h2', {}, 'Notes'), el('ul', { class: 'plain' }, ...h.notes.map((n) => el('li', {}, n))));
}
