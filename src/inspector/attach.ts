/**
 * Attaching to a target: find it, open its inspector when it is closed (SIGUSR1), connect on
 * loopback, and verify that the inspector answers for the process the user named.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  fail,
  inspectorPortTaken,
  inspectorPortUnknown,
  inspectorUnreachable,
  notNodeProcess,
  ok,
  permissionDenied,
  processNotFound,
  remoteRefused,
  timeout,
  wrongProcess,
  type Result,
} from '../core/errors';
import {
  CancellationError,
  TimeoutError,
  neverCancelled,
  withTimeout,
  type CancellationToken,
} from '../core/lifecycle';
import { nullLogger, type ILogger } from '../core/logger';
import { CdpConnection } from './cdp';
import { InspectorListError, listInspectorTargets, type ListedTarget } from './inspectorList';
import {
  DEFAULT_INSPECTOR_PORT,
  findPortHolder,
  inspectorPortFromFlags,
  inspectorOpenedAtStart,
  inspectorPortOf,
  isNodeProcess,
  listeningPortsOf,
  nodeFlagsOf,
  readListeningSockets,
  readProcessFacts,
  rememberInspectorPort,
  type ProcessFacts,
} from './processes';
import { InspectorSession } from './session';
import { hostOfUrl, isLoopbackHost } from './targetSpec';
import type { AttachOptions, IInspectorSession, TargetSpec } from './types';

export { parseTargetSpec } from './targetSpec';

const DEFAULT_TIMEOUT_MS = 10_000;

/** How often /proc is read while waiting for the inspector port to open, ms. */
const PORT_POLL_MS = 25;

interface Context {
  logger: ILogger;
  timeoutMs: number;
  token: CancellationToken;
}

/**
 * Attaches to a target and verifies its identity. Expected failures come back as values;
 * cancellation rejects with `CancellationError`.
 */
export async function attachToTarget(
  spec: TargetSpec,
  options: AttachOptions = {},
  token: CancellationToken = neverCancelled,
): Promise<Result<IInspectorSession>> {
  const context: Context = {
    logger: options.logger ?? nullLogger,
    timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    token,
  };
  switch (spec.kind) {
    case 'pid':
      return attachToPid(spec.pid, context);
    case 'address':
      if (!options.allowRemote && !isLoopbackHost(spec.host)) return fail(remoteRefused(spec.host));
      return attachToAddress(spec.host, spec.port, undefined, false, context);
    case 'websocket': {
      const host = hostOfUrl(spec.url) ?? spec.url;
      if (!options.allowRemote && !isLoopbackHost(host)) return fail(remoteRefused(host));
      return connectAndVerify(spec.url, undefined, false, context);
    }
  }
}

async function attachToPid(pid: number, context: Context): Promise<Result<IInspectorSession>> {
  const facts = await readProcessFacts(pid);
  if (!facts) return fail(processNotFound(pid));
  if (!isNodeProcess(facts)) {
    return fail(notNodeProcess(pid, facts.argv.join(' ') || facts.comm || '?'));
  }

  const portsBefore = await listeningPortsOf(pid);
  const openPort = await inspectorPortOf(facts, portsBefore);
  if (openPort !== undefined) {
    context.logger.info('attach', 'inspector already open', { pid, port: openPort });
    return attachToAddress('127.0.0.1', openPort, pid, false, context);
  }

  const opened = await openInspector(facts, portsBefore, context);
  if (!opened.ok) return opened;

  rememberInspectorPort(pid, opened.value);
  return attachToAddress('127.0.0.1', opened.value, pid, true, context);
}

/**
 * Sends SIGUSR1 and waits for a new listening port of the process. Refuses before signalling
 * when the port the target would open is already held by another process.
 */
async function openInspector(
  facts: ProcessFacts,
  portsBefore: number[],
  context: Context,
): Promise<Result<number>> {
  const { pid } = facts;
  const flags = await nodeFlagsOf(facts);
  const expectedPort = inspectorPortFromFlags(flags) ?? DEFAULT_INSPECTOR_PORT;
  // Open since startup on a random port: a signal would change nothing.
  if (expectedPort === 0 && inspectorOpenedAtStart(flags)) return fail(inspectorPortUnknown(pid));

  const holderBefore = expectedPort === 0 ? undefined : await portHolder(expectedPort, pid);
  if (holderBefore) return fail(inspectorPortTaken(pid, expectedPort, holderBefore.pid));

  // The pid may have been reused since it was checked; SIGUSR1 kills anything but Node.
  const recheck = await readProcessFacts(pid);
  if (!recheck || recheck.argv.join('\0') !== facts.argv.join('\0') || !isNodeProcess(recheck)) {
    return fail(processNotFound(pid));
  }

  context.logger.info('attach', 'opening the inspector with SIGUSR1', { pid, expectedPort });
  try {
    process.kill(pid, 'SIGUSR1');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(code === 'EPERM' ? permissionDenied(pid) : processNotFound(pid));
  }

  const deadline = Date.now() + context.timeoutMs;
  while (Date.now() < deadline) {
    if (context.token.isCancellationRequested) throw new CancellationError();

    const ports = await listeningPortsOf(pid);
    const fresh = ports.filter(port => !portsBefore.includes(port));
    if (fresh.length > 0) return ok(fresh.includes(expectedPort) ? expectedPort : fresh[0]!);
    if (!(await readProcessFacts(pid))) return fail(processNotFound(pid));

    await sleep(PORT_POLL_MS);
  }

  const holderAfter = expectedPort === 0 ? undefined : await portHolder(expectedPort, pid);
  if (holderAfter) return fail(inspectorPortTaken(pid, expectedPort, holderAfter.pid));
  return fail(timeout(`The inspector of process ${pid}`, context.timeoutMs));
}

/** Another process listening on `port` (pid undefined when it cannot be seen). */
async function portHolder(port: number, self: number): Promise<{ pid?: number } | undefined> {
  const holder = await findPortHolder(port);
  if (holder === self) return undefined;
  if (holder !== undefined) return { pid: holder };

  const listening = [...(await readListeningSockets()).values()].includes(port);
  return listening ? {} : undefined;
}

/** Asks `/json/list` on the address for the target and connects to it. */
async function attachToAddress(
  host: string,
  port: number,
  expectedPid: number | undefined,
  openedByUs: boolean,
  context: Context,
): Promise<Result<IInspectorSession>> {
  const where = `${host}:${port}`;
  let targets: ListedTarget[];
  try {
    // Read by hand, not with CDP.List: a service that is not an inspector must not crash us.
    const listing = listInspectorTargets(host, port, context.timeoutMs);
    targets = await withTimeout(
      listing,
      context.timeoutMs,
      `GET ${where}/json/list`,
      context.token,
    );
  } catch (error) {
    if (error instanceof CancellationError) throw error;
    if (error instanceof TimeoutError)
      return fail(timeout(`The inspector at ${where}`, context.timeoutMs));
    if (error instanceof InspectorListError && error.notAnInspector) {
      return fail(notAnInspector(where, error.message));
    }
    return fail(inspectorUnreachable(where, String(error)));
  }

  const url = targets.find(
    candidate => typeof candidate.webSocketDebuggerUrl === 'string',
  )?.webSocketDebuggerUrl;
  if (!url) return fail(inspectorUnreachable(where, 'the inspector listed no target'));
  return connectAndVerify(url, expectedPid, openedByUs, context);
}

/** An address that answers HTTP, but not as a Node inspector (often the service's own port). */
function notAnInspector(where: string, detail: string) {
  return {
    ...inspectorUnreachable(where, detail),
    message: `${where} answered, but not as a Node inspector (${detail}).`,
    hint: "That is likely the service's own port: attach by pid, or give the inspector's port.",
  };
}

/** Connects, asks the target for its pid and refuses a process other than the one named. */
async function connectAndVerify(
  url: string,
  expectedPid: number | undefined,
  openedByUs: boolean,
  context: Context,
): Promise<Result<IInspectorSession>> {
  const { logger, timeoutMs, token } = context;
  let connection: CdpConnection;
  try {
    connection = await CdpConnection.connect(url, { logger, timeoutMs, token });
  } catch (error) {
    if (error instanceof CancellationError) throw error;
    return fail(inspectorUnreachable(url, String(error)));
  }

  let actualPid: number;
  try {
    const answer = await connection.send(
      'Runtime.evaluate',
      { expression: 'process.pid', returnByValue: true },
      { timeoutMs, token },
    );
    actualPid = Number(answer.result.value);
  } catch (error) {
    await connection.close();
    if (error instanceof CancellationError) throw error;
    if (error instanceof TimeoutError) return fail(timeout(`The target at ${url}`, timeoutMs));
    return fail(inspectorUnreachable(url, String(error)));
  }

  if (expectedPid !== undefined && actualPid !== expectedPid) {
    logger.warn('attach', 'inspector answered for another process', { expectedPid, actualPid });
    await connection.close();
    return fail(wrongProcess(expectedPid, actualPid));
  }

  const verified = new InspectorSession(connection, actualPid, url, openedByUs, logger, timeoutMs);
  try {
    await verified.watchForExit();
  } catch (error) {
    // Older or non-Node targets lack the NodeRuntime domain: an exit then shows as a close.
    logger.warn('attach', 'cannot watch for the target exiting', { error: String(error) });
  }
  logger.info('attach', 'attached', { pid: actualPid, url, openedByUs });
  return ok(verified);
}
