/** The endpoint list: a sortable, filterable table with a small latency histogram per row. */
import type { EndpointRow } from '../src/shared/webviewMessages';
import { palette } from './colors';
import { clear, fitCanvas, h } from './dom';
import { counted, formatMs, formatShare } from './format';
import type { EndpointSortKey, UiState } from './uiState';

interface Column {
  key: EndpointSortKey;
  label: string;
  numeric: boolean;
  cell: (row: EndpointRow) => string;
}

const COLUMNS: Column[] = [
  { key: 'route', label: 'Endpoint', numeric: false, cell: r => `${r.method} ${r.route}` },
  { key: 'count', label: 'Count', numeric: true, cell: r => String(r.count) },
  { key: 'p50Ms', label: 'p50', numeric: true, cell: r => formatMs(r.p50Ms) },
  { key: 'p95Ms', label: 'p95', numeric: true, cell: r => formatMs(r.p95Ms) },
  { key: 'p99Ms', label: 'p99', numeric: true, cell: r => formatMs(r.p99Ms) },
  {
    key: 'untracedShare',
    label: 'Untraced',
    numeric: true,
    cell: r => formatShare(r.untracedShare),
  },
  {
    key: 'explainedShare',
    label: 'Explained',
    numeric: true,
    cell: r => formatShare(r.explainedShare),
  },
];

/** Renders the table into `container`; tells the app about selection and sorting. */
export class EndpointList {
  private readonly table = h('table', {
    className: 'endpoints',
    attrs: { 'aria-label': 'Endpoints' },
  });

  constructor(
    container: HTMLElement,
    private readonly onSelect: (key: string) => void,
    private readonly onSort: (key: EndpointSortKey) => void,
  ) {
    container.append(this.table);
  }

  render(endpoints: EndpointRow[], state: UiState): void {
    const rows = sortRows(filterRows(endpoints, state.filter), state);
    const head = h('tr', {}, [
      ...COLUMNS.map(c => this.headerCell(c, state)),
      h('th', { text: 'Latency' }),
    ]);
    const body = h('tbody');

    for (const row of rows) body.append(this.row(row, row.key === state.endpoint));
    clear(this.table);
    this.table.append(h('thead', {}, [head]), body);
    if (rows.length === 0) {
      body.append(
        h('tr', {}, [h('td', { text: 'No endpoint matches.', attrs: { colspan: '8' } })]),
      );
    }
    for (const canvas of body.querySelectorAll('canvas')) drawHistogram(canvas);
  }

  private headerCell(column: Column, state: UiState): HTMLElement {
    const sorted = state.sortKey === column.key;
    const direction = sorted ? (state.sortDescending ? 'descending' : 'ascending') : 'none';
    const button = h('button', {
      className: 'sort',
      text: column.label + (sorted ? (state.sortDescending ? ' ▼' : ' ▲') : ''),
      attrs: { type: 'button', 'aria-label': `Sort by ${column.label}` },
    });
    button.addEventListener('click', () => this.onSort(column.key));
    return h('th', { className: column.numeric ? 'num' : '', attrs: { 'aria-sort': direction } }, [
      button,
    ]);
  }

  private row(row: EndpointRow, selected: boolean): HTMLElement {
    const p95 = formatMs(row.p95Ms);
    const cells = COLUMNS.map(c =>
      h('td', { className: c.numeric ? 'num' : 'route', text: c.cell(row) }),
    );
    const canvas = h('canvas', {
      className: 'histogram',
      attrs: { 'aria-hidden': 'true', 'data-counts': row.histogram.counts.join(',') },
    });
    const tr = h(
      'tr',
      {
        className: selected ? 'selected' : '',
        attrs: {
          tabindex: '0',
          'aria-selected': String(selected),
          'data-endpoint': row.key,
          'aria-label': `${row.method} ${row.route}, ${counted(row.count, 'request')}, p95 ${p95}`,
        },
      },
      [...cells, h('td', {}, [canvas])],
    );

    tr.addEventListener('click', () => this.onSelect(row.key));
    tr.addEventListener('keydown', event => onRowKey(event, tr, () => this.onSelect(row.key)));
    return tr;
  }
}

function filterRows(rows: EndpointRow[], filter: string): EndpointRow[] {
  const needle = filter.trim().toLowerCase();
  if (!needle) return rows;

  return rows.filter(r => `${r.method} ${r.route}`.toLowerCase().includes(needle));
}

function sortRows(rows: EndpointRow[], state: UiState): EndpointRow[] {
  const sign = state.sortDescending ? -1 : 1;
  const key = state.sortKey;
  return [...rows].sort((a, b) => {
    const x = key === 'route' ? `${a.route} ${a.method}` : a[key];
    const y = key === 'route' ? `${b.route} ${b.method}` : b[key];
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

/** Enter or Space selects; arrows move between rows. */
function onRowKey(event: KeyboardEvent, row: HTMLElement, select: () => void): void {
  if (event.key === 'Enter' || event.key === ' ') {
    event.preventDefault();
    select();
  } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
    event.preventDefault();
    const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
    if (next instanceof HTMLElement) next.focus();
  }
}

/** A sparkline of the histogram; one canvas per endpoint is fine (endpoints are few). */
function drawHistogram(canvas: HTMLCanvasElement): void {
  const counts = (canvas.dataset.counts ?? '').split(',').map(Number).filter(Number.isFinite);
  const { w, h: height } = fitCanvas(canvas, 18);
  const ctx = canvas.getContext('2d');
  const max = Math.max(1, ...counts);
  if (!ctx || counts.length === 0) return;

  ctx.fillStyle = palette().span;
  const bar = w / counts.length;
  counts.forEach((count, i) => {
    const barHeight = count > 0 ? Math.max(1, (count / max) * height) : 0;
    ctx.fillRect(i * bar, height - barHeight, Math.max(1, bar - 1), barHeight);
  });
}
