/**
 * One capture from start to a finished session, shared by `attach` and `demo`: starts the
 * capture, shows progress, and stops on the first of: the duration elapsed, the target exited,
 * the caller's stop signal (Ctrl-C, or the demo's load finished).
 */
import type { ILogger } from '../core/logger';
import type { SessionFile } from '../core/session';
import { startCapture } from '../inspector/capture';
import type { CaptureOptions, IInspectorSession } from '../inspector/types';
import type { ProgressLine } from './progress';

export interface CaptureRunOptions {
  capture: CaptureOptions;
  progress: ProgressLine;
  logger: ILogger;
  /** Resolves when the caller wants the capture stopped. */
  stopRequested: Promise<void>;
  /** Called once the capture is running (the demo starts its load then). */
  onDidStart?: () => void;
}

/** Runs the capture and returns the session collected, whatever ended it. */
export async function runCapture(
  attached: IInspectorSession,
  options: CaptureRunOptions,
): Promise<SessionFile> {
  const capture = await startCapture(attached, options.capture, options.logger);
  const progressListener = capture.onDidProgress(progress => options.progress.update(progress));
  options.progress.start();
  options.onDidStart?.();

  try {
    const ended = new Promise<SessionFile>(resolve => capture.onDidEnd(resolve));
    const stopped = options.stopRequested.then(() => {
      options.logger.info('capture', 'stop requested');
      return capture.stop();
    });
    return await Promise.race([ended, stopped]);
  } finally {
    progressListener.dispose();
    options.progress.stop();
  }
}
