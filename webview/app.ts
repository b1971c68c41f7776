/**
 * The timeline controller: keeps the model and the UI state, routes host messages to the views,
 * and turns user actions into requests to the host. Rendering lives in the view classes.
 */
import type {
  FlameScope,
  RequestRow,
  TimelineModel,
  ToWebviewMessage,
} from '../src/shared/webviewMessages';
import { onDidChangeTheme } from './colors';
import { EndpointList } from './endpointList';
import { EndpointPanel } from './endpointPanel';
import { FlameGraph } from './flameGraph';
import type { IHostBridge } from './hostBridge';
import { orderRequests, RequestList } from './requestList';
import { SnippetPanel } from './snippetPanel';
import { restoreUiState, type EndpointSortKey, type UiState } from './uiState';
import { Layout } from './layout';
import { Waterfall } from './waterfall';

export class TimelineApp {
  private readonly state: UiState;
  private model: TimelineModel | undefined;
  private readonly layout: Layout;
  private readonly endpoints: EndpointList;
  private readonly endpointPanel: EndpointPanel;
  private readonly requests: RequestList;
  private readonly waterfall: Waterfall;
  private readonly flame: FlameGraph;
  private readonly snippet: SnippetPanel;
  private nextId = 1;
  /** Ids of the newest request/flame asks: older answers are dropped. */
  private pendingRequest = 0;
  private pendingFlame = 0;
  /** A request the host asked to show before the first snapshot arrived. */
  private pendingFocus: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly host: IHostBridge,
  ) {
    this.state = restoreUiState(host.getState());
    this.layout = new Layout(root, this.state, host.isWebPage, {
      onFilter: text => this.update({ filter: text }, 'endpoints'),
      onRequestOrder: order => this.update({ requestOrder: order }, 'requests'),
      onFlameScope: scope => this.update({ flameScope: scope }, 'flame'),
    });
    const reveal = (location: { file: string; line: number }) => this.reveal(location);
    this.endpoints = new EndpointList(
      this.layout.endpointsBox,
      key => this.selectEndpoint(key),
      key => this.sortBy(key),
    );
    this.endpointPanel = new EndpointPanel(this.layout.endpointBox, reveal);
    this.requests = new RequestList(this.layout.requestsBox, id => this.selectRequest(id));
    this.waterfall = new Waterfall(this.layout.waterfallBox, reveal);
    this.flame = new FlameGraph(this.layout.flameBox, reveal);
    this.snippet = new SnippetPanel(this.layout.snippetBox);
    onDidChangeTheme(() => this.redrawAll());
  }

  start(): void {
    this.host.onMessage(message => this.onMessage(message));
    this.host.post({ type: 'ready' });
  }

  private onMessage(message: ToWebviewMessage): void {
    switch (message.type) {
      case 'snapshot':
        this.showSnapshot(message.model);
        document.body.dataset.snapshot = String(message.model.requests.length);
        return;
      case 'update':
        this.applyUpdate(message);
        return;
      case 'request':
        if (message.id === this.pendingRequest) this.waterfall.render(message.detail);
        return;
      case 'flame':
        if (message.id === this.pendingFlame) this.flame.render(message.flame);
        return;
      case 'snippet':
        this.snippet.show(message.file, message.line, message.snippet);
        return;
      case 'status':
        if (message.noSession) this.clearSession();
        this.layout.setStatus(message.live, message.message);
        return;
      case 'focusRequest':
        this.focusRequest(message.requestId);
        return;
      default:
        this.host.post({
          type: 'log',
          level: 'warn',
          message: `timeline: unknown message ${JSON.stringify(tagOf(message))}`,
        });
    }
  }

  /** Shows a whole session: its title, rows and totals replace all of the shown one's. */
  private showSnapshot(model: TimelineModel): void {
    // Request ids restart at 1 in every session: a selected id would name another request.
    if (this.model && this.model.sessionId !== model.sessionId) this.state.requestId = undefined;
    this.model = model;
    this.layout.setHeader(model);
    this.layout.setStatus(model.live, undefined);
    this.renderAll();
    document.body.dataset.snapshot = String(model.requests.length);
    document.body.dataset.sessionId = model.sessionId ?? '';
    if (this.pendingFocus !== undefined) this.focusRequest(this.pendingFocus);
  }

  /** The host holds no session: nothing of the last one stays on screen. */
  private clearSession(): void {
    this.model = undefined;
    this.state.requestId = undefined;
    this.layout.clearHeader();
    this.endpoints.render([], this.state);
    this.endpointPanel.render(undefined);
    this.requests.render([], undefined);
    this.waterfall.render(undefined);
    this.flame.render(undefined);
    document.body.dataset.snapshot = '0';
    document.body.dataset.sessionId = '';
  }

  private applyUpdate(message: Extract<ToWebviewMessage, { type: 'update' }>): void {
    const model = this.model;
    if (!model) return;

    // An update of another session would merge its rows (same ids) into this one's: the host
    // sends that session's snapshot instead, so this one is dropped.
    if (message.sessionId !== model.sessionId) {
      const text = `timeline: update of session ${String(message.sessionId)} dropped`;
      return this.host.post({ type: 'log', level: 'debug', message: text });
    }

    const byId = new Map(model.requests.map(r => [r.id, r]));
    for (const row of message.requests) byId.set(row.id, row);
    model.requests = [...byId.values()];
    model.endpoints = message.endpoints;
    model.totals = message.totals;
    model.hotLines = message.hotLines;
    model.live = message.live;
    this.layout.setHeader(model);
    // Until something is selected, an update selects like a snapshot does.
    if (this.state.requestId === undefined) return this.renderAll();

    this.endpoints.render(model.endpoints, this.state);
    this.endpointPanel.render(this.selectedEndpoint());
    this.requests.render(this.visibleRequests(), this.state.requestId);
    const changed = message.requests.some(r => r.id === this.state.requestId);
    if (changed) this.askRequest();
    if (changed || this.state.flameScope === 'endpoint') this.askFlame();
  }

  private renderAll(): void {
    const model = this.model;
    if (!model) return;

    if (!model.endpoints.some(e => e.key === this.state.endpoint)) {
      this.state.endpoint = model.endpoints[0]?.key;
    }
    this.endpoints.render(model.endpoints, this.state);
    this.endpointPanel.render(this.selectedEndpoint());
    const rows = this.visibleRequests();
    if (!rows.some(r => r.id === this.state.requestId)) this.state.requestId = rows[0]?.id;
    this.requests.render(rows, this.state.requestId);
    if (this.state.requestId !== undefined) this.requests.reveal(this.state.requestId);
    this.askRequest();
    this.askFlame();
    this.save();
  }

  private redrawAll(): void {
    this.endpoints.render(this.model?.endpoints ?? [], this.state);
    this.endpointPanel.refresh();
    this.askRequest();
    this.askFlame();
  }

  private update(patch: Partial<UiState>, what: 'endpoints' | 'requests' | 'flame'): void {
    Object.assign(this.state, patch);
    this.save();
    if (what === 'endpoints') this.endpoints.render(this.model?.endpoints ?? [], this.state);
    if (what === 'requests') this.requests.render(this.visibleRequests(), this.state.requestId);
    if (what === 'flame') this.askFlame();
  }

  private sortBy(key: EndpointSortKey): void {
    const descending = this.state.sortKey === key ? !this.state.sortDescending : key !== 'route';
    this.update({ sortKey: key, sortDescending: descending }, 'endpoints');
  }

  private selectEndpoint(key: string): void {
    this.state.endpoint = key;
    this.state.requestId = undefined;
    this.renderAll();
  }

  /** Selects a request and its endpoint, as if the user had clicked both, and shows it. */
  private focusRequest(requestId: number): void {
    const model = this.model;
    this.pendingFocus = model ? undefined : requestId;
    if (!model) return;

    const row = model.requests.find(r => r.id === requestId);
    if (!row) {
      const message = `timeline: request ${requestId} is not in this session`;
      return this.host.post({ type: 'log', level: 'warn', message });
    }

    // A filter that hides the endpoint would leave the user looking for the selection.
    const endpoint = model.endpoints.find(e => e.key === row.endpoint);
    const label = endpoint ? `${endpoint.method} ${endpoint.route}` : row.endpoint;
    if (!label.toLowerCase().includes(this.state.filter.trim().toLowerCase())) {
      this.state.filter = '';
      this.layout.setFilter('');
    }
    this.state.endpoint = row.endpoint;
    this.state.requestId = requestId;
    this.renderAll();
    this.layout.waterfallBox.scrollIntoView({ block: 'nearest' });
  }

  private selectRequest(id: number): void {
    this.state.requestId = id;
    this.requests.render(this.visibleRequests(), id);
    this.askRequest();
    if (this.state.flameScope === 'request') this.askFlame();
    this.save();
  }

  private askRequest(): void {
    const requestId = this.state.requestId;
    if (requestId === undefined) return this.waterfall.render(undefined);

    this.pendingRequest = this.nextId++;
    this.host.post({ type: 'getRequest', id: this.pendingRequest, requestId });
  }

  private askFlame(): void {
    const scope = this.flameScope();
    if (!scope) return this.flame.render(undefined);

    this.pendingFlame = this.nextId++;
    this.host.post({ type: 'getFlame', id: this.pendingFlame, scope });
  }

  private flameScope(): FlameScope | undefined {
    if (this.state.flameScope === 'endpoint' && this.state.endpoint) {
      return { kind: 'endpoint', endpoint: this.state.endpoint };
    }
    const requestId = this.state.requestId;
    return requestId === undefined ? undefined : { kind: 'request', requestId };
  }

  private reveal(location: { file: string; line: number }): void {
    this.host.post({ type: 'reveal', file: location.file, line: location.line });
    if (this.host.isWebPage) this.layout.announce(`Showing ${location.file}:${location.line}`);
  }

  private selectedEndpoint() {
    return this.model?.endpoints.find(e => e.key === this.state.endpoint);
  }

  private visibleRequests(): RequestRow[] {
    const rows = (this.model?.requests ?? []).filter(r => r.endpoint === this.state.endpoint);
    return orderRequests(rows, this.state.requestOrder);
  }

  private save(): void {
    this.host.setState(this.state);
  }
}

/** The tag of a message the switch did not know (for the log). */
function tagOf(message: never): unknown {
  return (message as { type?: unknown }).type;
}
