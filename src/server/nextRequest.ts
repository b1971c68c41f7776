/**
 * "Profile next request": a short capture at a fine sampling interval that ends as soon as the
 * next request of an endpoint has finished. The live capture is stopped around it by the caller
 * (one profiler per session at a time keeps the interval what was asked).
 */
import { type GapscopeError, timeout } from '../core/errors';
import { CancellationError, type CancellationToken } from '../core/lifecycle';
import type { ILogger } from '../core/logger';
import type { Analysis, RequestAnalysis } from '../core/model';
import type { SessionFile } from '../core/session';
import type { IInspectorSession } from '../inspector/types';
import type { IEngine } from './engine';

/** How often the fine capture is checked for a finished request, ms. */
const POLL_MS = 250;

export interface NextRequestOptions {
  /** `POST /login`; undefined: any endpoint. */
  endpoint: string | undefined;
  samplingIntervalUs: number;
  timeoutMs: number;
  token: CancellationToken;
  logger: ILogger;
}

export type NextRequestResult =
  { session: SessionFile; analysis: Analysis; request: RequestAnalysis } | { error: GapscopeError };

/** Captures until a matching request ended; always stops the capture it started. */
export async function profileNextRequest(
  engine: IEngine,
  inspector: IInspectorSession,
  options: NextRequestOptions,
): Promise<NextRequestResult> {
  const capture = await engine.startCapture(inspector, {
    samplingIntervalUs: options.samplingIntervalUs,
    // One request: the finer tracking's cost does not matter, its detail does.
    tracking: 'waits',
  });
  const deadline = Date.now() + options.timeoutMs;
  options.logger.info('session.next', 'armed', { endpoint: options.endpoint ?? '(any)' });

  try {
    while (Date.now() < deadline) {
      if (options.token.isCancellationRequested) throw new CancellationError();
      await waitOrCancel(POLL_MS, options.token);

      // A finished request shows up in the progress count before we pay for an analysis.
      const session = await capture.snapshot();
      if (!session.requests.some(request => request.endUs !== undefined)) continue;

      const analysis = engine.analyze(session);
      const request = firstFinished(analysis, session, options.endpoint);
      if (!request) continue;

      const final = await capture.stop();
      const finalAnalysis = engine.analyze(final);
      const finalRequest = finalAnalysis.requests.find(r => r.id === request.id) ?? request;
      return { session: final, analysis: finalAnalysis, request: finalRequest };
    }
    const what = `The next ${options.endpoint ?? 'request'}`;
    return {
      error: { ...timeout(what, options.timeoutMs), hint: 'Send a request and try again.' },
    };
  } finally {
    await capture.stop().catch(() => undefined);
  }
}

function firstFinished(
  analysis: Analysis,
  session: SessionFile,
  endpoint: string | undefined,
): RequestAnalysis | undefined {
  const finished = new Set(
    session.requests
      .filter(request => request.endUs !== undefined && request.startUs >= session.capture.startUs)
      .map(request => request.id),
  );
  return analysis.requests.find(
    request => finished.has(request.id) && (!endpoint || request.endpoint === endpoint),
  );
}

function waitOrCancel(ms: number, token: CancellationToken): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      listener.dispose();
      resolve();
    }, ms);
    const listener = token.onCancellationRequested(() => {
      clearTimeout(timer);
      reject(new CancellationError());
    });
  });
}
