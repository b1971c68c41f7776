import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ErrorCode, badArgument, targetExited, timeout } from '../core/errors';
import { printError } from './output';

function printed(error: Parameters<typeof printError>[1]): string {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', chunk => (text += String(chunk)));
  printError({ stdout: new PassThrough(), stderr }, error);
  // FORCE_COLOR in the environment would colour the words; compare the plain text.
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

test('every error is printed with a hint, also when its factory gave none', () => {
  const errors = [targetExited(42), badArgument('Something is off.'), timeout('The target', 5)];
  errors.push({ code: ErrorCode.AgentFailed, message: 'The agent failed.' });
  for (const error of errors) {
    const lines = printed(error).split('\n');

    assert.match(lines[0]!, /^error: \S/, error.code);
    assert.match(lines[1]!, /^hint: \S/, error.code);
  }
});
