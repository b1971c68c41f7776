/** The UI state the panel persists through the host (restored when hidden and shown again). */

/** Columns the endpoint list sorts by. */
export type EndpointSortKey =
  'route' | 'count' | 'p50Ms' | 'p95Ms' | 'p99Ms' | 'untracedShare' | 'explainedShare';

export interface UiState {
  endpoint?: string;
  requestId?: number;
  sortKey: EndpointSortKey;
  sortDescending: boolean;
  filter: string;
  requestOrder: 'slowest' | 'time';
  flameScope: 'request' | 'endpoint';
}

/** The state of a panel opened for the first time. */
export function defaultUiState(): UiState {
  return {
    sortKey: 'p95Ms',
    sortDescending: true,
    filter: '',
    requestOrder: 'slowest',
    flameScope: 'request',
  };
}

/** Merges a stored state over the defaults, dropping fields of the wrong type. */
export function restoreUiState(stored: unknown): UiState {
  const state = defaultUiState();
  if (typeof stored !== 'object' || stored === null) return state;

  const s = stored as Partial<Record<keyof UiState, unknown>>;
  if (typeof s.endpoint === 'string') state.endpoint = s.endpoint;
  if (typeof s.requestId === 'number') state.requestId = s.requestId;
  if (typeof s.sortKey === 'string') state.sortKey = s.sortKey as UiState['sortKey'];
  if (typeof s.sortDescending === 'boolean') state.sortDescending = s.sortDescending;
  if (typeof s.filter === 'string') state.filter = s.filter;
  if (s.requestOrder === 'time' || s.requestOrder === 'slowest')
    state.requestOrder = s.requestOrder;
  if (s.flameScope === 'endpoint' || s.flameScope === 'request') state.flameScope = s.flameScope;
  return state;
}
