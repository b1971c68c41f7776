/**
 * The requests of the selected endpoint, virtualised: only the rows in view exist in the DOM, so
 * 10,000 requests cost as much as 20. Rows have a fixed height; a spacer gives the full height.
 */
import type { RequestRow } from '../src/shared/webviewMessages';
import { clear, h } from './dom';
import { formatMs } from './format';

/** Height of one row in CSS pixels (matches `.request-row` in media/timeline.css). */
const ROW_HEIGHT = 24;
/** Rows drawn beyond the visible ones, so fast scrolling shows no blank rows. */
const OVERSCAN = 8;

export class RequestList {
  private readonly viewport = h('div', {
    className: 'request-list',
    attrs: { role: 'listbox', tabindex: '0', 'aria-label': 'Requests' },
  });
  private readonly spacer = h('div', { className: 'request-spacer' });
  private readonly rowsLayer = h('div', { className: 'request-rows' });
  private rows: RequestRow[] = [];
  private selectedId: number | undefined;

  constructor(
    container: HTMLElement,
    private readonly onSelect: (id: number) => void,
  ) {
    this.spacer.append(this.rowsLayer);
    this.viewport.append(this.spacer);
    container.append(this.viewport);
    this.viewport.addEventListener('scroll', () => this.draw());
    this.viewport.addEventListener('keydown', event => this.onKey(event));
    new ResizeObserver(() => this.draw()).observe(this.viewport);
  }

  /** Shows `rows` in the given order and marks `selectedId`. */
  render(rows: RequestRow[], selectedId: number | undefined): void {
    this.rows = rows;
    this.selectedId = selectedId;
    this.spacer.style.height = `${rows.length * ROW_HEIGHT}px`;
    this.viewport.setAttribute('aria-rowcount', String(rows.length));
    this.draw();
  }

  /** Scrolls so the selected row is visible. */
  reveal(id: number): void {
    const index = this.rows.findIndex(r => r.id === id);
    if (index < 0) return;

    const top = index * ROW_HEIGHT;
    const view = this.viewport;
    if (top < view.scrollTop) view.scrollTop = top;
    else if (top + ROW_HEIGHT > view.scrollTop + view.clientHeight) {
      view.scrollTop = top + ROW_HEIGHT - view.clientHeight;
    }
    this.draw();
  }

  private draw(): void {
    const first = Math.max(0, Math.floor(this.viewport.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const visible = Math.ceil(this.viewport.clientHeight / ROW_HEIGHT) + 2 * OVERSCAN;
    const last = Math.min(this.rows.length, first + visible);

    clear(this.rowsLayer);
    this.rowsLayer.style.transform = `translateY(${first * ROW_HEIGHT}px)`;
    for (let i = first; i < last; i++) this.rowsLayer.append(this.row(this.rows[i]!, i));
    if (this.rows.length === 0) {
      this.rowsLayer.append(h('div', { className: 'empty', text: 'No requests.' }));
    }
  }

  private row(row: RequestRow, index: number): HTMLElement {
    const selected = row.id === this.selectedId;
    const status = row.aborted ? 'aborted' : String(row.statusCode ?? '');
    const element = h(
      'div',
      {
        className: `request-row${selected ? ' selected' : ''}`,
        attrs: {
          role: 'option',
          'aria-selected': String(selected),
          'aria-posinset': String(index + 1),
          'aria-setsize': String(this.rows.length),
          'data-request-id': String(row.id),
        },
      },
      [
        h('span', { className: 'duration', text: formatMs(row.durationMs) }),
        h('span', { className: 'status', text: status }),
        h('span', { className: 'url', text: `${row.method} ${row.url}`, title: row.url }),
        h('span', { className: 'cause', text: row.topGapLabel ?? '' }),
      ],
    );
    element.addEventListener('click', () => this.onSelect(row.id));
    return element;
  }

  private onKey(event: KeyboardEvent): void {
    const index = this.rows.findIndex(r => r.id === this.selectedId);
    const step = { ArrowDown: 1, ArrowUp: -1, PageDown: 10, PageUp: -10 }[event.key];
    if (step === undefined) return;

    event.preventDefault();
    const next = this.rows[Math.max(0, Math.min(this.rows.length - 1, index + step))];
    if (next) {
      this.onSelect(next.id);
      this.reveal(next.id);
    }
  }
}

/** Orders requests slowest first or by start time. */
export function orderRequests(rows: RequestRow[], order: 'slowest' | 'time'): RequestRow[] {
  const sorted = [...rows];
  if (order === 'slowest') sorted.sort((a, b) => b.durationMs - a.durationMs || a.id - b.id);
  else sorted.sort((a, b) => a.startUs - b.startUs || a.id - b.id);
  return sorted;
}
