/**
 * Every command of the extension, in one enum, with its palette title and argument types. A test
 * (`commands.test.ts`) checks the enum against package.json's contributions. No `vscode` import
 * here, so the test runs in plain Node.
 */

export enum Command {
  Attach = 'gapscope.attach',
  Detach = 'gapscope.detach',
  ShowTimeline = 'gapscope.showTimeline',
  ToggleHotLines = 'gapscope.toggleHotLines',
  OpenSession = 'gapscope.openSession',
  SaveSession = 'gapscope.saveSession',
  ProfileNextRequest = 'gapscope.profileNextRequest',
  ShowStatusMenu = 'gapscope.showStatusMenu',
  OpenLog = 'gapscope.openLog',
}

/** The palette category of every command. */
export const commandCategory = 'Gapscope';

/** Titles as contributed (the palette shows `Gapscope: <title>`). */
export const commandTitles: Record<Command, string> = {
  [Command.Attach]: 'Attach to Node Process…',
  [Command.Detach]: 'Detach',
  [Command.ShowTimeline]: 'Show Timeline',
  [Command.ToggleHotLines]: 'Toggle Hot Lines',
  [Command.OpenSession]: 'Open Saved Session…',
  [Command.SaveSession]: 'Save Session As…',
  [Command.ProfileNextRequest]: 'Profile Next Request',
  [Command.ShowStatusMenu]: 'Session Menu',
  [Command.OpenLog]: 'Open Log',
};

/** Argument lists per command (what code lenses, hovers and the status bar pass). */
export interface CommandArgs {
  [Command.Attach]: [target?: string];
  [Command.Detach]: [];
  [Command.ShowTimeline]: [options?: { requestId?: number }];
  [Command.ToggleHotLines]: [];
  [Command.OpenSession]: [path?: string];
  [Command.SaveSession]: [path?: string];
  [Command.ProfileNextRequest]: [endpoint?: string];
  [Command.ShowStatusMenu]: [];
  [Command.OpenLog]: [];
}

/** Commands that need an attached or loaded session; hidden from the palette otherwise. */
export const sessionCommands: readonly Command[] = [
  Command.Detach,
  Command.ShowTimeline,
  Command.ToggleHotLines,
  Command.SaveSession,
  Command.ShowStatusMenu,
];

/** The context key set while a session is loaded (package.json `when` clauses use it). */
export const sessionContextKey = 'gapscope.hasSession';
