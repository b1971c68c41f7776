/**
 * Interaction shared by the waterfall and the flame graph: a focusable canvas whose drawn items
 * can be hovered (tooltip as text), clicked, and walked with the keyboard (arrows, Enter), with
 * the focused item announced through a live region for screen readers.
 *
 * These canvases are drawn by hand rather than with flame-chart-js: the waterfall has lanes of
 * different kinds (spans, labelled gaps, a CPU lane with blocked time, waits) on one axis, and
 * the flame graph is aggregated rather than laid out in time; both need theme colours, reveal on
 * click and keyboard access, which would mean working around that library more than using it.
 */
import { palette } from './colors';
import { h } from './dom';

/** Something drawn on the canvas that the user can point at. */
export interface CanvasItem {
  x: number;
  y: number;
  w: number;
  h: number;
  /** Lines of the tooltip (rendered as text). */
  tooltip: string[];
  /** Short text for the live region when the item gets keyboard focus. */
  label: string;
  /** Where a click reveals, when the item has a source line. */
  location?: { file: string; line: number };
}

export class CanvasView {
  readonly canvas: HTMLCanvasElement;
  private readonly tooltip = h('div', { className: 'tooltip', attrs: { role: 'tooltip' } });
  private readonly live = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite' } });
  private items: CanvasItem[] = [];
  private focused = -1;

  constructor(
    container: HTMLElement,
    name: string,
    private readonly onActivate: (item: CanvasItem) => void,
    private readonly redraw: () => void,
  ) {
    this.canvas = h('canvas', { attrs: { tabindex: '0', role: 'img', 'aria-label': name } });
    this.tooltip.hidden = true;
    container.append(this.canvas, this.tooltip, this.live);
    this.canvas.addEventListener('mousemove', e => this.onHover(e));
    this.canvas.addEventListener('mouseleave', () => (this.tooltip.hidden = true));
    this.canvas.addEventListener('click', e => this.onClick(e));
    this.canvas.addEventListener('keydown', e => this.onKey(e));
  }

  /** Replaces the items after a redraw; `fresh` data restarts keyboard focus. */
  setItems(items: CanvasItem[], fresh: boolean): void {
    this.items = items;
    if (fresh || this.focused >= items.length) this.focused = -1;
  }

  /** Outlines the keyboard-focused item (call at the end of a redraw). */
  drawFocus(): void {
    const item = this.items[this.focused];
    const ctx = this.canvas.getContext('2d');
    if (!item || !ctx) return;

    ctx.strokeStyle = palette().focus;
    ctx.lineWidth = 2;
    ctx.strokeRect(item.x + 1, item.y + 1, Math.max(2, item.w - 2), item.h - 2);
  }

  private itemAt(event: MouseEvent): CanvasItem | undefined {
    const box = this.canvas.getBoundingClientRect();
    const x = event.clientX - box.left;
    const y = event.clientY - box.top;
    // Later items are drawn on top, so search from the end.
    for (let i = this.items.length - 1; i >= 0; i--) {
      const it = this.items[i]!;
      if (x >= it.x && x <= it.x + Math.max(it.w, 2) && y >= it.y && y <= it.y + it.h) return it;
    }
    return undefined;
  }

  private onHover(event: MouseEvent): void {
    const item = this.itemAt(event);
    this.canvas.classList.toggle('pointer', Boolean(item?.location));
    if (!item) {
      this.tooltip.hidden = true;
      return;
    }
    this.tooltip.replaceChildren(...item.tooltip.map(line => h('div', { text: line })));
    this.tooltip.hidden = false;
    const parent = this.canvas.parentElement!.getBoundingClientRect();
    const left = Math.min(event.clientX - parent.left + 12, parent.width - 260);
    this.tooltip.style.left = `${Math.max(0, left)}px`;
    this.tooltip.style.top = `${event.clientY - parent.top + 14}px`;
  }

  private onClick(event: MouseEvent): void {
    const item = this.itemAt(event);
    if (item) this.onActivate(item);
  }

  private onKey(event: KeyboardEvent): void {
    if (event.key === 'Enter' || event.key === ' ') {
      const item = this.items[this.focused];
      if (item) this.onActivate(item);
      event.preventDefault();
      return;
    }
    const step = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 }[event.key];
    if (step === undefined || this.items.length === 0) return;

    event.preventDefault();
    this.focused = (this.focused + step + this.items.length) % this.items.length;
    this.live.textContent = this.items[this.focused]!.label;
    this.redraw();
  }
}
