/**
 * The attach quick pick: the running Node processes (pid, command line, cwd, inspector state,
 * listening ports), those running inside an open workspace folder first, and an entry to type a
 * `host:port` or WebSocket URL instead.
 */
import * as vscode from 'vscode';

import type { NodeProcessInfo } from '../inspector/types';
import { describeProcess, orderForWorkspace } from './present';

interface ProcessItem extends vscode.QuickPickItem {
  target?: string;
  enterAddress?: boolean;
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
      const folders = (vscode.workspace.workspaceFolders ?? []).map(folder => folder.uri.fsPath);
      pick.items = [
        ...orderForWorkspace(list, folders).map(info => ({
          ...describeProcess(info),
          target: String(info.pid),
        })),
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
