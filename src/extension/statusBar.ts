/**
 * The status bar item: the attached target and its live counts; a click opens the session menu
 * (timeline, save, detach).
 */
import * as vscode from 'vscode';

import type { SessionState } from '../shared/protocol';
import { Command } from './commands';
import { statusText } from './present';

export class SessionStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'gapscope.session',
    vscode.StatusBarAlignment.Left,
    10,
  );

  constructor() {
    this.item.name = 'Gapscope Session';
    this.item.command = Command.ShowStatusMenu;
  }

  update(state: SessionState): void {
    if (state.kind === 'none') {
      this.item.hide();
      return;
    }
    this.item.text = statusText(state);
    this.item.tooltip =
      state.kind === 'live'
        ? `Profiling pid ${state.pid ?? '?'} live. Click for the timeline or to detach.`
        : `Showing ${state.path ?? state.label}. Click for the timeline or to close it.`;
    this.item.show();
  }

  dispose(): void {
    this.item.dispose();
  }
}

/** The menu behind the status bar item; runs the picked command. */
export async function showSessionMenu(state: SessionState): Promise<void> {
  const items: (vscode.QuickPickItem & { command: Command })[] = [
    { label: '$(graph-line) Show Timeline', command: Command.ShowTimeline },
    { label: '$(eye) Toggle Hot Lines', command: Command.ToggleHotLines },
    { label: '$(save) Save Session As…', command: Command.SaveSession },
  ];
  if (state.kind === 'live') {
    items.push({ label: '$(record) Profile Next Request', command: Command.ProfileNextRequest });
  }
  items.push({
    label: state.kind === 'live' ? '$(debug-disconnect) Detach' : '$(close) Close Session',
    command: Command.Detach,
  });
  const picked = await vscode.window.showQuickPick(items, { title: `Gapscope: ${state.label}` });
  if (picked) await vscode.commands.executeCommand(picked.command);
}
