/**
 * The panel's skeleton: header (title, live badge, totals), the endpoint list with its filter,
 * the selected endpoint, its requests with their order, the waterfall, the flame graph with its
 * scope, and (web page only) the snippet panel. Views render into the boxes it exposes.
 */
import type { TimelineModel } from '../src/shared/webviewMessages';
import { custom, h } from './dom';
import { counted, formatMs, formatShare } from './format';
import type { UiState } from './uiState';

export interface LayoutEvents {
  onFilter(text: string): void;
  onRequestOrder(order: UiState['requestOrder']): void;
  onFlameScope(scope: UiState['flameScope']): void;
}

export class Layout {
  readonly endpointsBox = h('div', { className: 'endpoints-box' });
  readonly endpointBox = h('div', { className: 'endpoint-box' });
  readonly requestsBox = h('div', { className: 'requests-box' });
  readonly waterfallBox = h('div', { className: 'waterfall-box' });
  readonly flameBox = h('div', { className: 'flame-section' });
  readonly snippetBox = h('div', { className: 'snippet-box' });
  private readonly title = h('h1', { text: 'Gapscope timeline' });
  private readonly badge = custom('vscode-badge', { variant: 'counter' });
  private readonly totals = h('p', { className: 'totals muted' });
  private readonly status = h('p', { className: 'status', attrs: { role: 'status' } });
  private readonly announcer = h('div', { className: 'sr-only', attrs: { 'aria-live': 'polite' } });
  private readonly filter: HTMLElement & { value: string };

  constructor(root: HTMLElement, state: UiState, isWebPage: boolean, events: LayoutEvents) {
    this.badge.hidden = true;
    this.badge.textContent = 'live';
    this.filter = filterBox(state, events);
    const header = h('header', {}, [
      h('div', { className: 'title-row' }, [this.title, this.badge]),
      this.totals,
      this.status,
    ]);
    const main = h('main', {}, [
      this.section('Endpoints', this.filter, this.endpointsBox),
      h('div', { className: 'detail' }, [
        this.endpointBox,
        h('div', { className: 'requests-and-waterfall' }, [
          this.section('Requests', orderSelect(state, events), this.requestsBox),
          this.section('Waterfall', null, this.waterfallBox),
        ]),
        this.section('Flame graph', scopeSelect(state, events), this.flameBox),
      ]),
    ]);
    root.replaceChildren(header, main, this.announcer);
    if (isWebPage) root.append(this.snippetBox);
    document.body.classList.toggle('gs-web-page', isWebPage);
  }

  setHeader(model: TimelineModel): void {
    this.title.textContent = model.title;
    this.badge.hidden = !model.live;
    const t = model.totals;
    const counts = `${counted(t.requests, 'request')} · ${counted(t.samples, 'sample')}`;
    this.totals.textContent =
      `${counts} · ${formatMs(t.durationMs)} · ` +
      `${formatShare(t.attributedCpuShare)} of CPU attributed to requests`;
    if (t.idle) this.totals.textContent += ' · no CPU activity';
  }

  /** Empties the title and the totals (no session is shown). */
  clearHeader(): void {
    this.title.textContent = '';
    this.totals.textContent = '';
    this.badge.hidden = true;
  }

  setStatus(live: boolean, message: string | undefined): void {
    this.badge.hidden = !live;
    this.status.textContent = message ?? '';
  }

  /** Shows `text` in the filter box (the app changed the filter, not the user). */
  setFilter(text: string): void {
    this.filter.value = text;
  }

  /** Says something to screen readers. */
  announce(text: string): void {
    this.announcer.textContent = text;
  }

  private section(title: string, tools: HTMLElement | null, body: HTMLElement): HTMLElement {
    const id = `section-${title.toLowerCase().replace(/\W+/g, '-')}`;
    const head = h('div', { className: 'section-head' }, [h('h2', { text: title, attrs: { id } })]);
    if (tools) head.append(tools);
    return h('section', { className: 'panel', attrs: { 'aria-labelledby': id } }, [head, body]);
  }
}

function filterBox(state: UiState, events: LayoutEvents): HTMLElement & { value: string } {
  const field = custom('vscode-textfield', {
    placeholder: 'Filter endpoints',
    'aria-label': 'Filter endpoints',
    class: 'filter',
  }) as HTMLElement & { value: string };
  field.value = state.filter;
  field.addEventListener('input', () => events.onFilter(field.value));
  return field;
}

function orderSelect(state: UiState, events: LayoutEvents): HTMLElement {
  return select(
    'Order requests',
    [
      ['slowest', 'Slowest first'],
      ['time', 'By time'],
    ],
    state.requestOrder,
    value => events.onRequestOrder(value === 'time' ? 'time' : 'slowest'),
  );
}

function scopeSelect(state: UiState, events: LayoutEvents): HTMLElement {
  return select(
    'Flame graph of',
    [
      ['request', 'Selected request'],
      ['endpoint', 'Whole endpoint'],
    ],
    state.flameScope,
    value => events.onFlameScope(value === 'endpoint' ? 'endpoint' : 'request'),
  );
}

function select(
  label: string,
  options: [string, string][],
  value: string,
  onChange: (value: string) => void,
): HTMLElement {
  const element = custom('vscode-single-select', {
    'aria-label': label,
    class: 'select',
  }) as HTMLElement & {
    value: string;
  };
  for (const [optionValue, text] of options) {
    const option = custom('vscode-option', { value: optionValue });
    option.textContent = text;
    if (optionValue === value) option.setAttribute('selected', '');
    element.append(option);
  }
  element.addEventListener('change', () => onChange(element.value));
  return element;
}
