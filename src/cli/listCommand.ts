/**
 * `gapscope list`: the Node processes this user can attach to, with their command line, cwd,
 * inspector state and listening ports.
 */
import { createColors } from 'picocolors';
import { listNodeProcesses } from '../inspector/processes';
import type { NodeProcessInfo } from '../inspector/types';
import type { CliContext } from './context';
import { ExitCode } from './exitCodes';
import { ellipsize, padEnd, padStart } from './format';

export interface ListCommandOptions {
  json?: boolean;
}

export async function runList(options: ListCommandOptions, context: CliContext): Promise<number> {
  const processes = await listNodeProcesses();
  if (options.json) {
    context.streams.stdout.write(JSON.stringify(processes.map(toJsonRow), null, 2) + '\n');
    return ExitCode.Ok;
  }

  if (!processes.length) {
    context.streams.stderr.write('No Node.js processes found (other than this one).\n');
    return ExitCode.Ok;
  }
  context.streams.stdout.write(renderProcessTable(processes, context.color));
  return ExitCode.Ok;
}

/** One process in `list --json`: the inspector state is always there, its port when open. */
export interface ListJsonRow {
  pid: number;
  commandLine: string;
  cwd: string;
  inspector: 'open' | 'closed';
  /** The inspector's port, when open. */
  inspectorPort?: number;
  /** TCP ports the process listens on (the inspector's included), ascending. */
  listeningPorts: number[];
}

function toJsonRow(info: NodeProcessInfo): ListJsonRow {
  const row: ListJsonRow = {
    pid: info.pid,
    commandLine: info.commandLine,
    cwd: info.cwd,
    inspector: info.inspectorPort === undefined ? 'closed' : 'open',
    listeningPorts: info.listeningPorts,
  };
  if (info.inspectorPort !== undefined) row.inspectorPort = info.inspectorPort;
  return row;
}

/** One row per process: pid, inspector state, ports, cwd and command line. */
export function renderProcessTable(processes: readonly NodeProcessInfo[], color: boolean): string {
  const c = createColors(color);
  const rows = [
    c.dim(`${padStart('PID', 7)}  ${padEnd('INSPECTOR', 16)}  ${padEnd('PORTS', 18)}  COMMAND`),
  ];
  for (const info of processes) {
    const inspectorText =
      info.inspectorPort === undefined ? 'closed' : `open :${info.inspectorPort}`;
    const inspector = padEnd(inspectorText, 16);
    const ports = info.listeningPorts.filter(port => port !== info.inspectorPort).join(',') || '-';
    rows.push(
      `${padStart(String(info.pid), 7)}  ` +
        (info.inspectorPort === undefined ? c.dim(inspector) : c.green(inspector)) +
        `  ${padEnd(ellipsize(ports, 18), 18)}  ${ellipsize(info.commandLine, 60)}`,
    );
    rows.push(c.dim(`${' '.repeat(9)}cwd ${info.cwd || '?'}`));
  }
  return rows.join('\n') + '\n';
}
