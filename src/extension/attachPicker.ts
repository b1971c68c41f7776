/**
 * The attach quick pick: the running Node processes (pid, command line, cwd, inspector state,
 * listening ports), and an entry to type a `host:port` or WebSocket URL instead.
 */
import * as vscode from 'vscode';

import type { NodeProcessInfo } from '../inspector/types';

interface ProcessItem extends vscode.QuickPickItem {
  target?: string;
  enterAddress?: boolean;
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

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Asks the user for a target; undefined when they cancelled. */
export async function pickTarget(
  processes: Promise<NodeProcessInfo[]>,
): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick<ProcessItem>();
  pick.title = 'Gapscope: Attach to Node Process';
  pick.placeholder = 'Pick the Node process of your service';
  pick.matchOnDescription = true;
  pick.matchOnDetail = true;
  pick.busy = true;
  const enter: ProcessItem = {
    label: '$(plug) Enter host:port or WebSocket URL…',
    enterAddress: true,
    alwaysShow: true,
  };
  pick.items = [enter];
  pick.show();

  processes.then(
    list => {
      pick.items = [
        ...list.map(info => ({ ...describeProcess(info), target: String(info.pid) })),
        enter,
      ];
      pick.busy = false;
    },
    () => {
      pick.busy = false;
    },
  );

  const chosen = await new Promise<ProcessItem | undefined>(resolve => {
    pick.onDidAccept(() => resolve(pick.selectedItems[0]));
    pick.onDidHide(() => resolve(undefined));
  });
  pick.dispose();
  if (!chosen?.enterAddress) return chosen?.target;

  return vscode.window.showInputBox({
    title: 'Gapscope: Attach to an inspector',
    prompt:
      'host:port of an open inspector, or its ws:// URL (loopback unless you trust the network)',
    placeHolder: '127.0.0.1:9229',
    ignoreFocusOut: true,
  });
}
