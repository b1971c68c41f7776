/**
 * The server's engine bound to the real inspector layer and analysis.
 */
import { analyzeSession } from '../core/analyze';
import { attachToTarget, parseTargetSpec } from '../inspector/attach';
import { startCapture } from '../inspector/capture';
import { listNodeProcesses } from '../inspector/processes';
import { loadSession, saveSession } from '../inspector/sessionFile';
import type { ILogger } from '../core/logger';
import type { IEngine } from './engine';

export function createRealEngine(logger: ILogger): IEngine {
  return {
    listProcesses: listNodeProcesses,
    parseTarget: parseTargetSpec,
    attach: attachToTarget,
    startCapture: (session, options) => startCapture(session, options, logger),
    analyze: analyzeSession,
    loadSession,
    saveSession,
  };
}
