/**
 * Reading and writing `*.gapscope.json` session files (format in core/session.ts). Writes go
 * to a temporary file renamed into place, so a crash never leaves half a session behind.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { badSessionFile, fail, ok, type Result } from '../core/errors';
import type { SessionFile } from '../core/session';
import { checkSessionShape } from './sessionShape';

/** Writes a session atomically (temporary file in the same folder, then rename). */
export async function saveSession(path: string, session: SessionFile): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, JSON.stringify(session));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Reads and validates a session file; a bad file is an expected failure, not an exception. */
export async function loadSession(path: string): Promise<Result<SessionFile>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'the file does not exist'
        : code === 'EISDIR'
          ? 'it is a folder'
          : String(error);
    return fail(badSessionFile(path, reason));
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(badSessionFile(path, 'it is not valid JSON (truncated or not a session)'));
  }

  const problem = checkSessionShape(parsed);
  if (!problem) return ok(parsed as SessionFile);

  const error = badSessionFile(path, problem.reason);
  if (problem.hint) error.hint = problem.hint;
  return fail(error);
}

/** Says what is wrong with a parsed session, or undefined when its shape is right. */
export function validateSession(value: unknown): string | undefined {
  return checkSessionShape(value)?.reason;
}
