// A small element builder: the page's UI is a few dozen elements, not worth a framework.

type Child = Node | string | null | undefined | false;

/** An element with attributes (`class`, `title`, data-*, aria-*), properties for the rest, and children. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Record<string, unknown> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === undefined) continue;
    if (k === 'class' || k === 'title' || k === 'for' || k.startsWith('data-') || k.startsWith('aria-')) node.setAttribute(k, String(v));
    else (node as unknown as Record<string, unknown>)[k] = v;
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

/** A checkbox with its label text; `onChange` gets the new state. */
export function checkbox(text: string, checked: boolean, onChange: (on: boolean) => void, title?: string): HTMLLabelElement {
  const box = el('input', { type: 'checkbox', checked });
  box.addEventListener('change', () => onChange(box.checked));
  return el('label', { class: 'check', title }, box, text);
}
