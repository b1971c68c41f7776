/**
 * Reading and writing `*.gapscope.json` session files (format in core/session.ts). Writes go
 * to a temporary file renamed into place, so a crash never leaves half a session behind.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { badSessionFile, fail, ok, type Result } from '../core/errors';
import { SESSION_FORMAT, SESSION_VERSION, type SessionFile } from '../core/session';

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
    return fail(
      badSessionFile(path, code === 'ENOENT' ? 'the file does not exist' : String(error)),
    );
  }

  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail(badSessionFile(path, 'it is not valid JSON (truncated or not a session)'));
  }

  const problem = validateSession(parsed);
  return problem ? fail(badSessionFile(path, problem)) : ok(parsed as SessionFile);
}

/** Says what is wrong with a parsed session, or undefined when its shape is right. */
export function validateSession(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return 'it is not a JSON object';

  const file = value as Partial<Record<keyof SessionFile, unknown>>;
  if (file.format !== SESSION_FORMAT) return `its format is not "${SESSION_FORMAT}"`;
  if (file.version !== SESSION_VERSION) {
    return `its version is ${String(file.version)}, this build reads version ${SESSION_VERSION}`;
  }

  const arrays: (keyof SessionFile)[] = ['profiles', 'requests', 'spans', 'waits', 'scripts'];
  const missing = arrays.find(key => !Array.isArray(file[key]));
  if (missing) return `the "${missing}" list is missing`;

  const windows = file.windows as { ts?: unknown; req?: unknown } | undefined;
  if (!Array.isArray(windows?.ts) || !Array.isArray(windows?.req)) {
    return 'the execution windows are missing';
  }
  if (windows.ts.length !== windows.req.length) return 'the execution windows are inconsistent';
  if (typeof file.target !== 'object' || typeof file.capture !== 'object') {
    return 'the target or capture section is missing';
  }
  return undefined;
}
