/**
 * Expected, user-actionable failures are values: a code from one enum and a message that says
 * the cause and what to do, made by the factories below. Bugs stay exceptions. Only the host
 * (CLI, extension) decides how an error is shown.
 */

export enum ErrorCode {
  ProcessNotFound = 'process-not-found',
  NotNodeProcess = 'not-node-process',
  PermissionDenied = 'permission-denied',
  InspectorUnreachable = 'inspector-unreachable',
  InspectorPortTaken = 'inspector-port-taken',
  WrongProcess = 'wrong-process',
  RemoteRefused = 'remote-refused',
  NoTargets = 'no-targets',
  TargetExited = 'target-exited',
  AgentFailed = 'agent-failed',
  ProfilerBusy = 'profiler-busy',
  BadSessionFile = 'bad-session-file',
  BadArgument = 'bad-argument',
  Timeout = 'timeout',
}

export interface GapscopeError {
  code: ErrorCode;
  /** One sentence: what went wrong. */
  message: string;
  /** One sentence: what the user can do about it. */
  hint?: string;
  /** Underlying detail for the log (not shown by default). */
  detail?: string;
}

/** A result union for operations whose failures are expected. */
export type Result<T, E = GapscopeError> = { ok: true; value: T } | { ok: false; error: E };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function fail(error: GapscopeError): Result<never> {
  return { ok: false, error };
}

/** Carries a GapscopeError through code that throws; hosts unwrap it with `asGapscopeError`. */
export class GapscopeFailure extends Error {
  constructor(readonly error: GapscopeError) {
    super(error.message);
    this.name = 'GapscopeFailure';
  }
}

export function asGapscopeError(thrown: unknown): GapscopeError | undefined {
  return thrown instanceof GapscopeFailure ? thrown.error : undefined;
}

export function processNotFound(pid: number): GapscopeError {
  return {
    code: ErrorCode.ProcessNotFound,
    message: `No process with pid ${pid} is running.`,
    hint: 'Run `gapscope list` to see the Node processes you can attach to.',
  };
}

export function notNodeProcess(pid: number, command: string): GapscopeError {
  return {
    code: ErrorCode.NotNodeProcess,
    message: `Process ${pid} (${command}) is not a Node.js process; it was not signalled.`,
    hint: 'Pick the node process itself, not a shell or npm wrapper (see `gapscope list`).',
  };
}

export function permissionDenied(pid: number): GapscopeError {
  return {
    code: ErrorCode.PermissionDenied,
    message: `Not allowed to signal process ${pid}.`,
    hint: 'Run Gapscope as the same user as the service (or as root).',
  };
}

export function inspectorUnreachable(where: string, detail?: string): GapscopeError {
  const error: GapscopeError = {
    code: ErrorCode.InspectorUnreachable,
    message: `Could not reach a Node inspector at ${where}.`,
    hint: 'Check the address, or attach by pid so Gapscope can open the inspector itself.',
  };
  if (detail) error.detail = detail;
  return error;
}

export function inspectorPortUnknown(pid: number): GapscopeError {
  return {
    code: ErrorCode.InspectorUnreachable,
    message:
      `Process ${pid} already has its inspector open on a random port (--inspect=0), which ` +
      "Gapscope cannot find without probing the service's own ports.",
    hint: 'Attach with the ws:// URL (or host:port) the process printed on its stderr.',
  };
}

export function inspectorPortTaken(pid: number, port: number, holderPid?: number): GapscopeError {
  const holder = holderPid ? `process ${holderPid}` : 'another process';
  return {
    code: ErrorCode.InspectorPortTaken,
    message:
      `Process ${pid} could not open its inspector: port ${port} belongs to ${holder}, ` +
      'so Gapscope refused to profile the wrong process.',
    hint:
      `Detach or stop ${holder}'s inspector and try again, or start the service with ` +
      '`--inspect-port=0` (or NODE_OPTIONS=--inspect-port=0) so it picks a free port.',
  };
}

export function wrongProcess(expectedPid: number, actualPid: number): GapscopeError {
  return {
    code: ErrorCode.WrongProcess,
    message: `The inspector answered for process ${actualPid}, not ${expectedPid}; detached.`,
    hint: 'Another Node process holds the inspector port; attach to it by its own pid instead.',
  };
}

export function remoteRefused(host: string): GapscopeError {
  return {
    code: ErrorCode.RemoteRefused,
    message: `${host} is not a loopback address; the inspector gives full control of a process.`,
    hint: 'Tunnel the port to 127.0.0.1 (ssh -L), or pass --allow-remote if you trust the network.',
  };
}

export function targetExited(pid: number): GapscopeError {
  return {
    code: ErrorCode.TargetExited,
    message: `The target (pid ${pid}) exited during the session; what was collected is kept.`,
  };
}

export function agentFailed(detail: string): GapscopeError {
  return {
    code: ErrorCode.AgentFailed,
    message: 'The Gapscope agent could not be installed in the target.',
    hint: 'Check the log for the reason; the target was left as it was.',
    detail,
  };
}

export function profilerBusy(pid: number): GapscopeError {
  return {
    code: ErrorCode.ProfilerBusy,
    message: `A Gapscope capture is already running on process ${pid} in this session.`,
    hint: 'Stop the running capture first, or use its live snapshot.',
  };
}

/** Another Gapscope session's agent is live in the target (its lease is being renewed). */
export function alreadyProfiled(pid: number): GapscopeError {
  return {
    code: ErrorCode.ProfilerBusy,
    message: `Process ${pid} is already being profiled by another Gapscope session.`,
    hint: 'Stop that capture first (or wait for it to end), then attach again.',
  };
}

export function badSessionFile(path: string, reason: string): GapscopeError {
  return {
    code: ErrorCode.BadSessionFile,
    message: `${path} is not a readable Gapscope session: ${reason}.`,
    hint: 'Open a file written by `gapscope attach --out` or "Save Session As…".',
  };
}

export function badArgument(message: string, hint?: string): GapscopeError {
  const error: GapscopeError = { code: ErrorCode.BadArgument, message };
  if (hint) error.hint = hint;
  return error;
}

export function timeout(what: string, ms: number): GapscopeError {
  return {
    code: ErrorCode.Timeout,
    message: `${what} did not answer within ${ms} ms.`,
    hint: 'The target may be paused in a debugger or overloaded; try again.',
  };
}
