import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { showTimelineCommand } from '../shared/protocol';
import { profileNextRequestCommand } from '../server/lenses';
import {
  Command,
  commandCategory,
  commandTitles,
  sessionCommands,
  sessionContextKey,
} from './commands';

interface Manifest {
  activationEvents: string[];
  contributes: {
    commands: { command: string; title: string; category: string }[];
    menus: { commandPalette: { command: string; when: string }[] };
  };
}

const manifest = JSON.parse(
  readFileSync(join(__dirname, '../../package.json'), 'utf8'),
) as Manifest;

test('package.json contributes exactly the commands of the enum, titled and categorised', () => {
  const contributed = manifest.contributes.commands;

  assert.deepEqual(contributed.map(c => c.command).sort(), Object.values(Command).sort());
  for (const command of contributed) {
    assert.equal(command.title, commandTitles[command.command as Command], command.command);
    assert.equal(command.category, commandCategory, command.command);
  }
});

test('every command activates the extension, and session commands hide without a session', () => {
  for (const command of Object.values(Command)) {
    assert.ok(manifest.activationEvents.includes(`onCommand:${command}`), command);
  }
  const palette = new Map(manifest.contributes.menus.commandPalette.map(m => [m.command, m.when]));
  for (const command of sessionCommands) assert.equal(palette.get(command), sessionContextKey);
});

test('the commands the server links to exist in the enum', () => {
  assert.equal(showTimelineCommand, Command.ShowTimeline);
  assert.equal(profileNextRequestCommand, Command.ProfileNextRequest);
});
