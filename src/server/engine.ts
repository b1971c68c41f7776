/**
 * What the server needs from the engine (inspector layer and analysis), behind one interface so
 * the session host can be tested with a stand-in and bound to the real engine in one place
 * (`realEngine.ts`).
 */
import type { CancellationToken } from '../core/lifecycle';
import type { GapscopeError, Result } from '../core/errors';
import type { Analysis } from '../core/model';
import type { SessionFile } from '../core/session';
import type {
  AttachOptions,
  CaptureOptions,
  ICapture,
  IInspectorSession,
  NodeProcessInfo,
  TargetSpec,
} from '../inspector/types';

export interface IEngine {
  listProcesses(): Promise<NodeProcessInfo[]>;
  /** Parses what the user typed: a pid, `host:port`, or a `ws://` URL. */
  parseTarget(text: string): Result<TargetSpec>;
  attach(
    spec: TargetSpec,
    options: AttachOptions,
    token: CancellationToken,
  ): Promise<Result<IInspectorSession>>;
  startCapture(session: IInspectorSession, options: CaptureOptions): Promise<ICapture>;
  /** Pure and possibly slow on big sessions; the caller catches what it throws. */
  analyze(session: SessionFile): Analysis;
  loadSession(path: string): Promise<Result<SessionFile, GapscopeError>>;
  saveSession(path: string, session: SessionFile): Promise<void>;
}
