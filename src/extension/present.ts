/**
 * What the extension shows, as pure functions of the data (no `vscode` import), so they are
 * unit-tested in plain Node: picker rows, status bar text, heat levels.
 */
import type { NodeProcessInfo } from '../inspector/types';
import type { SessionState } from '../shared/protocol';

/** Heat levels painted, coolest first (themes override each level's colour). */
export const HEAT_LEVELS = [1, 2, 3, 4] as const;

/** The level of a 0..1 heat. */
export function heatLevel(heat: number): (typeof HEAT_LEVELS)[number] {
  if (heat > 0.75) return 4;
  if (heat > 0.4) return 3;
  if (heat > 0.15) return 2;
  return 1;
}

/** One line per process, as the picker shows it. Pure, for tests. */
export function describeProcess(info: NodeProcessInfo): {
  label: string;
  description: string;
  detail: string;
} {
  const ports = info.listeningPorts.filter(port => port !== info.inspectorPort);
  const inspector =
    info.inspectorPort !== undefined
      ? `inspector open on ${info.inspectorPort}`
      : 'inspector closed (opened on attach)';
  const listening = ports.length ? `listening on ${ports.join(', ')}` : 'no listening ports';
  return {
    label: `${info.pid}  ${shorten(info.commandLine, 80)}`,
    description: info.cwd,
    detail: `${listening} · ${inspector}`,
  };
}

/**
 * The picker's order: processes whose cwd is inside one of `folders` (the open workspace) first,
 * each group by ascending pid. Pure, for tests.
 */
export function orderForWorkspace(
  processes: readonly NodeProcessInfo[],
  folders: readonly string[],
): NodeProcessInfo[] {
  const inWorkspace = (info: NodeProcessInfo) =>
    info.cwd !== '' && folders.some(folder => isInside(info.cwd, folder));
  const rank = (info: NodeProcessInfo) => (inWorkspace(info) ? 0 : 1);
  return [...processes].sort((a, b) => rank(a) - rank(b) || a.pid - b.pid);
}

/** True when `path` is `folder` or below it (no prefix match: /srv/app2 is not in /srv/app). */
function isInside(path: string, folder: string): boolean {
  const base = folder.replace(/[\\/]+$/, '');
  if (base === '') return true;
  return path === base || path.startsWith(`${base}/`) || path.startsWith(`${base}\\`);
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The item's text for a state. Pure, for tests. */
export function statusText(state: SessionState): string {
  const icon = state.kind === 'live' ? '$(pulse)' : '$(file)';
  const counts = `${state.samples.toLocaleString('en-US')} samples · ${state.requests} req`;
  return `${icon} Gapscope: ${state.label} · ${counts}`;
}
