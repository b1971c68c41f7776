/**
 * The CLI's exit codes, documented in the README and in `gapscope --help`.
 */
import { ErrorCode } from '../core/errors';

export enum ExitCode {
  /** The command did what it was asked (also after Ctrl-C stopped a capture cleanly). */
  Ok = 0,
  /** A runtime failure: the agent, the profiler or a wait on the target failed. */
  Failure = 1,
  /** Bad usage: unknown command or option, an argument that cannot be read. */
  Usage = 2,
  /** The target cannot be profiled: no such process, not Node, unreachable, refused. */
  Target = 3,
  /** The session file is missing, unreadable or not a Gapscope session. */
  SessionFile = 4,
}

/** The exit code for an expected failure. */
export function exitCodeFor(code: ErrorCode): ExitCode {
  switch (code) {
    case ErrorCode.BadArgument:
      return ExitCode.Usage;
    case ErrorCode.BadSessionFile:
      return ExitCode.SessionFile;
    case ErrorCode.ProcessNotFound:
    case ErrorCode.NotNodeProcess:
    case ErrorCode.PermissionDenied:
    case ErrorCode.InspectorUnreachable:
    case ErrorCode.InspectorPortTaken:
    case ErrorCode.WrongProcess:
    case ErrorCode.RemoteRefused:
    case ErrorCode.NoTargets:
    case ErrorCode.TargetExited:
      return ExitCode.Target;
    case ErrorCode.AgentFailed:
    case ErrorCode.ProfilerBusy:
    case ErrorCode.Timeout:
      return ExitCode.Failure;
  }
}

/** The table printed at the end of `gapscope --help`. */
export const EXIT_CODES_HELP = `Exit codes:
  0  success (a capture stopped with Ctrl-C still counts)
  1  runtime failure (agent, profiler, a timeout on the target, or nowhere to save the session)
  2  bad usage (unknown command or option, unreadable argument, unwritable --out, port in use)
  3  target problem (no such process, not Node, inspector unreachable or refused)
  4  session file missing, unreadable, broken inside or from a newer Gapscope
  130  interrupted (Ctrl-C) before the capture started; nothing saved`;
