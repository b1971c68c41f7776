/**
 * Handlers of the custom client → server requests of shared/protocol.ts. Expected failures are
 * answered as `{ ok: false, error }`; only bugs become LSP errors.
 */
import type { CancellationToken as LspToken, Connection } from 'vscode-languageserver/node';

import { asGapscopeError } from '../core/errors';
import { CancellationError, type CancellationToken } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import {
  Methods,
  type AttachParams,
  type AttachResult,
  type DetachResult,
  type ListProcessesResult,
  type OpenSessionParams,
  type OpenSessionResult,
  type ProfileNextRequestParams,
  type ProfileNextRequestResult,
  type SaveSessionParams,
  type SaveSessionResult,
  type TimelineDataParams,
  type TimelineDataResult,
} from '../shared/protocol';
import type { SessionHost } from './sessionHost';

const DEFAULT_NEXT_REQUEST_TIMEOUT_MS = 120_000;

export function registerRequests(connection: Connection, host: SessionHost, logger: ILogger): void {
  connection.onRequest(Methods.listProcesses, async (): Promise<ListProcessesResult> => {
    const processes = await host.listProcesses();
    // The server itself is a Node process; offering it would only invite a self-attach.
    return { processes: processes.filter(info => info.pid !== process.pid) };
  });

  connection.onRequest(
    Methods.attach,
    async (params: AttachParams, token: LspToken): Promise<AttachResult> => {
      const error = await host.attach(params.target, toCoreToken(token));
      return error ? { ok: false, error } : { ok: true, state: host.state };
    },
  );

  connection.onRequest(Methods.detach, async (): Promise<DetachResult> => {
    await host.detach();
    return { state: host.state };
  });

  connection.onRequest(
    Methods.openSession,
    async (params: OpenSessionParams): Promise<OpenSessionResult> => {
      const error = await host.open(params.path);
      return error ? { ok: false, error } : { ok: true, state: host.state };
    },
  );

  connection.onRequest(
    Methods.saveSession,
    async (params: SaveSessionParams): Promise<SaveSessionResult> => {
      const error = await host.save(params.path);
      return error ? { ok: false, error } : { ok: true, path: params.path };
    },
  );

  connection.onRequest(Methods.timelineData, (params: TimelineDataParams): TimelineDataResult => {
    const timeline = host.timelineData(params.sessionId);
    const result: TimelineDataResult = { state: host.state };
    if (!timeline) return result;

    if (params.query === 'snapshot') result.model = timeline.model();
    else if (params.query === 'request') {
      const detail = timeline.requestDetail(params.requestId);
      if (detail) result.detail = detail;
    } else result.flame = timeline.flame(params.scope);
    return result;
  });

  connection.onRequest(
    Methods.profileNextRequest,
    async (
      params: ProfileNextRequestParams,
      token: LspToken,
    ): Promise<ProfileNextRequestResult> => {
      const timeoutMs = params.timeoutMs ?? DEFAULT_NEXT_REQUEST_TIMEOUT_MS;
      try {
        const result = await host.profileNext(params.endpoint, timeoutMs, toCoreToken(token));
        return 'request' in result
          ? { ok: true, request: result.request, sessionId: result.sessionId }
          : { ok: false, error: result.error };
      } catch (error) {
        if (error instanceof CancellationError) throw error;
        const known = asGapscopeError(error);
        if (known) return { ok: false, error: known };
        logger.error('lsp.next', 'failed', { error: String(error) });
        throw error;
      }
    },
  );
}

/** The LSP token has the same shape as core's; only the event's payload type differs. */
function toCoreToken(token: LspToken): CancellationToken {
  return {
    get isCancellationRequested() {
      return token.isCancellationRequested;
    },
    onCancellationRequested: listener => token.onCancellationRequested(listener),
  };
}
