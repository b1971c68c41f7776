/**
 * Where `attach` and `demo` save the session. The path is checked before attaching, so a typo
 * costs nothing; if saving still fails after the capture (disk full, folder removed meanwhile),
 * the session goes to the temporary folder instead and the report is printed anyway: a capture
 * is never thrown away.
 *
 * Folders: the default `.gapscope/` folder of the current directory is created when missing; for
 * a path the user names, only its own missing folder is created (`out/x.gapscope.json` creates
 * `out/`), never a chain of folders (`/nonexistent/a/b.json` is refused).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { badArgument, fail, ok, type GapscopeError, type Result } from '../core/errors';
import type { SessionFile } from '../core/session';
import { saveSession } from '../inspector/sessionFile';
import type { CliContext } from './context';
import { printWarning } from './output';

/** Where the session was written, if anywhere. */
export type SaveOutcome = { saved: string; fallback: boolean } | { saved: undefined };

/**
 * Checks that a session can be written at `file` (absolute): not a folder, not a special file,
 * in a folder that exists (or whose parent does) and accepts new files. Creates that one
 * missing folder when `createFolder` allows it.
 */
export async function prepareOutputPath(
  file: string,
  option: string,
  createFolder: 'own' | 'all',
): Promise<Result<string>> {
  const existing = await stat(file).catch(() => undefined);
  if (existing?.isDirectory()) {
    return fail(
      outputError(
        `${option} ${file} is a folder.`,
        'Name a file inside it, e.g. ' + `${path.join(file, 'capture.gapscope.json')}.`,
      ),
    );
  }
  if (existing && !existing.isFile()) {
    return fail(outputError(`${option} ${file} is not a regular file.`, 'Name a new file.'));
  }

  const folder = path.dirname(file);
  const folderStat = await stat(folder).catch(() => undefined);
  if (folderStat && !folderStat.isDirectory()) {
    return fail(outputError(`${option} ${file}: ${folder} is not a folder.`, 'Check the path.'));
  }
  if (!folderStat) {
    const parentExists = (await stat(path.dirname(folder)).catch(() => undefined))?.isDirectory();
    if (createFolder === 'own' && !parentExists) {
      return fail(
        outputError(
          `${option} ${file}: the folder ${folder} does not exist.`,
          'Create it first (Gapscope creates only the last folder of the path you name).',
        ),
      );
    }
    try {
      await mkdir(folder, { recursive: createFolder === 'all' });
    } catch (error) {
      return fail(outputError(`${option} ${file}: cannot create ${folder} (${code(error)}).`));
    }
  }

  const probe = await probeWritable(folder);
  if (probe) return fail(outputError(`${option} ${file}: cannot write in ${folder} (${probe}).`));
  if (existing) {
    const writable = await access(file, constants.W_OK).then(
      () => true,
      () => false,
    );
    if (!writable) return fail(outputError(`${option} ${file} is not writable.`));
  }
  return ok(file);
}

/**
 * Saves the session at `file`, or in the temporary folder when that fails, saying so on stderr.
 * Returns where it went; `saved: undefined` when both failed (the report is printed anyway).
 */
export async function saveWithFallback(
  file: string,
  session: SessionFile,
  context: CliContext,
): Promise<SaveOutcome> {
  try {
    await saveSession(file, session);
    context.streams.stderr.write(`Session saved to ${shown(file, context.cwd)}\n`);
    return { saved: file, fallback: false };
  } catch (error) {
    context.logger.warn('cli', 'saving the session failed', { file, error: String(error) });
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    const fallback = path.join(
      tmpdir(),
      `gapscope-pid${session.target.pid}-${stamp}.gapscope.json`,
    );
    try {
      await saveSession(fallback, session);
      printWarning(
        context.streams,
        `could not save the session to ${file} (${code(error)}); saved it to ${fallback} instead`,
      );
      return { saved: fallback, fallback: true };
    } catch (second) {
      printWarning(
        context.streams,
        `could not save the session to ${file} (${code(error)}) nor to ${fallback} ` +
          `(${code(second)}); only the report below remains`,
      );
      return { saved: undefined };
    }
  }
}

/** Creates and removes a small file in `folder`; returns the error code when it cannot. */
async function probeWritable(folder: string): Promise<string | undefined> {
  const probe = path.join(folder, `.gapscope-probe-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, '');
    await rm(probe, { force: true });
    return undefined;
  } catch (error) {
    return code(error);
  }
}

function outputError(message: string, hint?: string): GapscopeError {
  return badArgument(message, hint ?? 'Pass --out with a file in a folder you can write to.');
}

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function shown(file: string, cwd: string): string {
  return path.relative(cwd, file).startsWith('..') ? file : path.relative(cwd, file) || file;
}
