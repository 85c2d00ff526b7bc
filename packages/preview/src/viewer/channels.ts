// The channel list beside the curves: a checkbox per group and per channel, with channels that never
// move hidden until "show still channels" is ticked.
import { type CurveSet, STILL } from './curves-data.js';
import { type CurvesView, colorOf } from './curves.js';
import { checkbox, el } from './dom.js';
import { GROUPS, leaf } from './groups.js';

export function channelList(set: CurveSet, view: CurvesView): HTMLElement {
  let showStill = false;
  const rows: { index: number; row: HTMLElement; box: HTMLInputElement }[] = [];
  const groupBoxes: { group: string; box: HTMLInputElement }[] = [];
  const body = el('div', { class: 'channels' });

  const refresh = () => {
    for (const r of rows) r.row.hidden = !showStill && !set.curves[r.index]!.moves;
    for (const g of groupBoxes) {
      const mine = rows.filter((r) => set.curves[r.index]!.group === g.group && !r.row.hidden);
      const on = mine.filter((r) => r.box.checked).length;
      g.box.checked = on > 0 && on === mine.length;
      g.box.indeterminate = on > 0 && on < mine.length;
      g.box.disabled = mine.length === 0;
    }
  };

  for (const group of GROUPS) {
    const members = set.curves.map((c, i) => ({ c, i })).filter((x) => x.c.group === group);
    if (!members.length) continue;
    const list = el('div', { class: 'group-list' });
    const label = checkbox(`${group} (${members.filter((m) => m.c.moves).length} moving of ${members.length})`, true, (on) => {
      for (const r of rows) {
        if (set.curves[r.index]!.group !== group || r.row.hidden) continue;
        r.box.checked = on;
        view.setVisible(r.index, on);
      }
      refresh();
    });
    groupBoxes.push({ group, box: label.querySelector('input')! });
    for (const { c, i } of members) {
      const label = c.kind === 'joint' ? `${leaf(c.name)} (joint, °)` : c.name;
      const row = checkbox(
        label,
        view.visible[i]!,
        (on) => {
          view.setVisible(i, on);
          refresh();
        },
        label,
      );
      row.prepend(el('i', { class: 'swatch', style: `background:${colorOf(set, i)}` }));
      row.classList.add('channel');
      if (!c.moves) row.classList.add('still');
      rows.push({ index: i, row, box: row.querySelector('input')! });
      list.append(row);
    }
    body.append(el('details', { class: 'group', open: group !== 'other' }, el('summary', {}, label), list));
  }
  const still = checkbox(
    'show still channels',
    false,
    (on) => {
      showStill = on;
      refresh();
    },
    `channels whose max − min is at most ${STILL}`,
  );
  refresh();
  return el('section', { class: 'panel' }, el('h2', {}, 'Channels'), still, body);
}
